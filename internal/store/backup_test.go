package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// addEnterprise inserts an enterprise and its audit entry in one transaction.
func addEnterprise(t *testing.T, db *store.DB, channel int64, uscc, name string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name, channel_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			uscc, name, channel, db.Now(), db.Now()); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Entry{Actor: "admin", Action: "enterprise.create", Entity: "enterprise", EntityID: uscc,
			After: map[string]string{"name": name}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// enterprises lists "uscc name created_at" of every enterprise, sorted.
func enterprises(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT uscc, name, created_at FROM enterprises ORDER BY uscc")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var uscc, name string
		var created sql.NullTime
		if err := rows.Scan(&uscc, &name, &created); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s", uscc, name, created.Time.Format("2006-01-02T15:04:05.000000Z")))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBackupAndRestoreRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		backup := filepath.Join(dir, "backup.db")
		if db.Dialect() == store.Postgres {
			_, err := db.Backup(ctx, backup, false)
			if !errors.Is(err, store.ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump --format=custom") {
				t.Errorf("Backup on PostgreSQL: %v, want the pg_dump command", err)
			}
			return
		}
		ch := seedChannel(t, db)
		for i, name := range []string{"福建示范一号", "Fujian Two Ltd", "三号'公司"} {
			addEnterprise(t, db, ch, fmt.Sprintf("9135010%dM000100Y4%d", i, i), name)
		}
		want := enterprises(t, db)

		// Appends go on while the backup runs: the copy is one snapshot,
		// so its chain must verify whatever it caught.
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := db.Tx(ctx, func(tx *store.Tx) error {
					return tx.Audit(ctx, store.Entry{Actor: "system", Action: "noop.touch", Entity: "noop", EntityID: fmt.Sprint(i)})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
		info, err := db.Backup(ctx, backup, false)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if info.SchemaVersion != store.LatestVersion() || info.Size == 0 || info.AuditHead < 3 || len(info.AuditHash) != 64 {
			t.Errorf("backup info %+v", info)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(leftovers) > 0 {
			t.Errorf("backup left temporary files: %v", leftovers)
		}
		if _, err := db.Backup(ctx, backup, false); errs.CodeOf(err) != errs.Conflict || !strings.Contains(err.Error(), "--force") {
			t.Errorf("second backup to the same file: %v, want a conflict that mentions --force", err)
		}
		// Changes after the backup are not in it.
		addEnterprise(t, db, ch, "91350109M000900Y49", "后来的企业")

		restored := filepath.Join(t.TempDir(), "restored.db")
		rinfo, err := store.Restore(ctx, backup, restored, false)
		if err != nil {
			t.Fatal(err)
		}
		if rinfo.AuditHash != info.AuditHash {
			t.Errorf("restored audit head %s, backup's %s", rinfo.AuditHash, info.AuditHash)
		}
		r := openURL(t, "sqlite:"+restored)
		if got := enterprises(t, r); !slices.Equal(got, want) {
			t.Errorf("restored enterprises:\n got %v\nwant %v", got, want)
		}
		res := verify(t, r)
		if !res.OK || res.Head != info.AuditHead || res.HeadHash != info.AuditHash {
			t.Errorf("restored audit log: %+v, want OK ending at the backup's head %d %s", res, info.AuditHead, info.AuditHash)
		}
		// The restored database is a working one.
		addEnterprise(t, r, ch, "91350109M000900Y49", "后来的企业")
		if res := verify(t, r); !res.OK {
			t.Errorf("restored database after a write: %+v", res)
		}
		r.Close()

		if _, err := store.Restore(ctx, backup, restored, false); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("restore over an existing database without force: %v, want a conflict", err)
		}
		if _, err := store.Restore(ctx, backup, restored, true); err != nil {
			t.Errorf("restore with force: %v", err)
		}
		r = openURL(t, restored)
		if got := enterprises(t, r); !slices.Equal(got, want) {
			t.Errorf("after a forced restore: %v, want %v", got, want)
		}
	})
}

func TestRestoreRefusesForeignFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")

	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("SQLite? no, just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	mustSQL(t, other, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")

	// One of ours with a table missing.
	damaged := filepath.Join(dir, "damaged.db")
	if _, err := storetest.Open(t, store.SQLite).Backup(ctx, damaged, false); err != nil {
		t.Fatal(err)
	}
	mustSQL(t, damaged, "DROP TABLE annual_reports")

	newer := filepath.Join(dir, "newer.db")
	if _, err := storetest.Open(t, store.SQLite).Backup(ctx, newer, false); err != nil {
		t.Fatal(err)
	}
	mustSQL(t, newer, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '2030-01-01 00:00:00+00:00')", store.LatestVersion()+1))

	for _, sc := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.db"), "no such file"},
		{text, "is not a SQLite database"},
		{other, "not an Exemplar one"},
		{damaged, "-column annual_reports.id"},
		{newer, "upgrade exemplar"},
	} {
		_, err := store.Restore(ctx, sc.file, target, false)
		if err == nil || !strings.Contains(err.Error(), sc.want) {
			t.Errorf("restore %s: %v, want an error with %q", filepath.Base(sc.file), err, sc.want)
		}
		if _, statErr := os.Stat(target); statErr == nil {
			t.Fatalf("a refused restore of %s created %s", sc.file, target)
		}
	}
	if _, err := store.Restore(ctx, other, "postgres://h/db", false); !errors.Is(err, store.ErrBackupPostgres) {
		t.Errorf("restore to PostgreSQL: %v", err)
	}
}

// mustSQL runs statements on a SQLite file directly, as another program would.
func mustSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
