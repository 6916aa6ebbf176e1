package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
)

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "exemplar.db")

	code, out, errs := run(t, "migrate", "--status", "--database", dbPath)
	if code != ExitError || !strings.Contains(errs, "no database at") {
		t.Errorf("status of a missing database: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "migrate", "--database", dbPath)
	if code != ExitOK || !strings.Contains(out, "applied 0001_init") || !strings.Contains(out, "(sqlite)") {
		t.Errorf("migrate: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "migrate", "--database", "sqlite:"+dbPath)
	if code != ExitOK || !strings.Contains(out, fmt.Sprintf("up to date: schema version %d", store.LatestVersion())) {
		t.Errorf("second migrate: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "migrate", "--status", "--database", dbPath)
	if code != ExitOK || !regexp.MustCompile(`0001\s+init\s+applied 20\d\d-`).MatchString(out) || strings.Contains(out, "pending") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	t.Setenv(envDatabaseURL, "")
	t.Setenv(envData, dir)
	if got := databaseURL(""); got != dbPath {
		t.Errorf("default database with $%s=%s: %s, want %s", envData, dir, got, dbPath)
	}
	t.Setenv(envDatabaseURL, "postgres://x/y")
	if got := databaseURL(""); got != "postgres://x/y" {
		t.Errorf("database with $%s set: %s", envDatabaseURL, got)
	}
	if got := databaseURL("other.db"); got != "other.db" {
		t.Errorf("--database should win: %s", got)
	}
}

// auditedDB makes a database with n audit entries and returns its path.
func auditedDB(t *testing.T, n int) (string, *store.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "exemplar.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i := 1; i <= n; i++ {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Entry{Actor: "admin", Action: "cycle.open", Entity: "cycle", EntityID: fmt.Sprint(i),
				Before: map[string]string{"phase": "draft"}, After: map[string]string{"phase": "open"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path, db
}

func TestAuditCommands(t *testing.T) {
	path, db := auditedDB(t, 3)
	code, out, errs := run(t, "audit", "verify", "--database", path)
	if code != ExitOK || !strings.Contains(out, "audit log OK: 3 entries; chain head 3:") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	anchor := regexp.MustCompile(`chain head (\d+:[0-9a-f]{64})`).FindStringSubmatch(out)[1]

	code, out, _ = run(t, "audit", "list", "--database", path, "--entity", "cycle", "--limit", "2")
	if code != ExitOK || !strings.Contains(out, "cycle.open") || strings.Count(out, "\n") != 3 || !strings.Contains(out, `{"phase":"draft"} → {"phase":"open"}`) {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "audit", "list", "--database", path, "--entity", "cycle", "--id", "2")
	if code != ExitOK || !regexp.MustCompile(`(?m)^2\s`).MatchString(out) || strings.Count(out, "\n") != 2 {
		t.Errorf("list --id 2: exit %d\n%s", code, out)
	}

	// Rewrite the chain's end consistently, head included: the chain alone
	// verifies, the anchor does not.
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			"DROP TRIGGER audit_log_no_delete",
			"DELETE FROM audit_log WHERE seq = 3",
			"UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "audit", "verify", "--database", path)
	if code != ExitOK {
		t.Errorf("verify after a consistent cut: exit %d\n%s", code, out)
	}
	code, out, errs = run(t, "audit", "verify", "--database", path, "--anchor", anchor)
	if code != ExitError || !strings.Contains(out, "BROKEN at entry 3") || !strings.Contains(errs, "does not match the anchor") {
		t.Errorf("verify --anchor after a consistent cut: exit %d\n%s%s", code, out, errs)
	}

	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{"DROP TRIGGER audit_log_no_update", `UPDATE audit_log SET after = '{"phase":"closed"}' WHERE seq = 2`} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(t, "audit", "verify", "--database", path)
	if code != ExitError || !strings.Contains(out, "audit log BROKEN at entry 2: entry 2 was altered") || !strings.Contains(errs, "broken at entry 2") {
		t.Errorf("verify after tampering: exit %d\n%s%s", code, out, errs)
	}

	for _, sc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "say verify or list"},
		{[]string{"audit", "check"}, `unknown subcommand "check"`},
		{[]string{"audit", "verify", "--anchor", "12"}, "--anchor must be SEQ:HASH"},
		{[]string{"audit", "list", "--id", "3"}, "--id needs --entity"},
		{[]string{"audit", "list", "--limit", "0"}, "--limit must be"},
	} {
		code, out, errs := run(t, sc.args...)
		if code != ExitUsage || !strings.Contains(errs, sc.want) {
			t.Errorf("exemplar %v: exit %d, want %d with %q\n%s%s", sc.args, code, ExitUsage, sc.want, out, errs)
		}
	}
}

func TestBackupAndRestoreCommands(t *testing.T) {
	path, _ := auditedDB(t, 2)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	code, out, errs := run(t, "backup", backup, "--database", path)
	if code != ExitOK || !strings.Contains(out, "backed up") || !strings.Contains(out, "integrity check ok") || !strings.Contains(out, "audit chain head 2:") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = run(t, "backup", backup, "--database", path)
	if code != ExitError || !strings.Contains(errs, "--force") {
		t.Errorf("backup over a file: exit %d\n%s", code, errs)
	}
	if code, out, errs = run(t, "backup", backup, "--database", path, "--force"); code != ExitOK {
		t.Errorf("backup --force: exit %d\n%s%s", code, out, errs)
	}

	restored := filepath.Join(dir, "restored.db")
	code, out, errs = run(t, "restore", backup, "--database", restored)
	if code != ExitOK || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "audit", "verify", "--database", restored)
	if code != ExitOK || !strings.Contains(out, "2 entries") {
		t.Errorf("verify the restored database: exit %d\n%s", code, out)
	}
	code, _, errs = run(t, "restore", backup, "--database", restored)
	if code != ExitError || !strings.Contains(errs, "--force") {
		t.Errorf("restore over a database: exit %d\n%s", code, errs)
	}
	if code, out, errs = run(t, "restore", backup, "--database", restored, "--force"); code != ExitOK {
		t.Errorf("restore --force: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = run(t, "backup", "pg.dump", "--database", "postgres://app:s3cret@db.example:5432/exemplar?sslmode=require")
	if code != ExitUsage || !strings.Contains(out, "pg_dump --format=custom --file=pg.dump --dbname='postgres://app@db.example:5432/exemplar?sslmode=require'") ||
		strings.Contains(out+errs, "s3cret") {
		t.Errorf("backup of PostgreSQL: exit %d, want %d with the pg_dump command and no password\n%s%s", code, ExitUsage, out, errs)
	}
	if code, _, errs = run(t, "backup"); code != ExitUsage || !strings.Contains(errs, "one argument") {
		t.Errorf("backup without a file: exit %d\n%s", code, errs)
	}
}
