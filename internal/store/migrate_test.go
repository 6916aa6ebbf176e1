package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// domainTables are the tables of the schema: those of the lifecycle
// (issue 3) and the web's sessions, API tokens and announcements,
// and the expert review.
var domainTables = []string{
	"announcements", "annual_reports", "api_tokens", "application_evidence", "applications", "audit_head", "audit_log",
	"calendar_days", "certificates", "channels", "cycle_quotas", "cycles", "decisions", "engine_runs",
	"enterprise_names", "enterprises", "evidence_files", "notices", "objections",
	"program_versions", "programs", "recognitions", "recommendations", "results", "review_assignments", "review_conflicts",
	"schema_migrations", "sessions", "user_roles", "users",
}

func TestMigrationFilesMatch(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	name := func(ms []store.Migration) (out []string) {
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
		return out
	}
	if !slices.Equal(name(lite), name(pg)) {
		t.Errorf("the dialects' migrations differ:\nsqlite   %v\npostgres %v", name(lite), name(pg))
	}
	for i, m := range lite {
		if m.Version != i+1 {
			t.Errorf("migration %d has version %d: versions must run 1, 2, 3, … without gaps", i+1, m.Version)
		}
	}
	if store.LatestVersion() != len(lite) {
		t.Errorf("LatestVersion = %d, want %d", store.LatestVersion(), len(lite))
	}
}

func TestMigrateAppliesOnceAndIsIdempotent(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, d store.Dialect, url string) {
		ctx := context.Background()
		db, err := store.Open(ctx, url, store.WithoutMigrate())
		if err != nil {
			t.Fatal(err)
		}
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(status) != store.LatestVersion() || status[0].Applied() {
			t.Fatalf("fresh database: status %+v, want every migration pending", status)
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != store.LatestVersion() {
			t.Errorf("first Migrate applied %d migrations, want %d", len(applied), store.LatestVersion())
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Errorf("second Migrate: applied %v, err %v; want nothing", again, err)
		}
		db.Close()

		// Open migrates by default, and there is nothing left to do.
		db, err = store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		status, err = db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range status {
			if !s.Applied() || s.Name == "" {
				t.Errorf("after Open: %+v, want applied and known", s)
			}
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != store.LatestVersion() {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, store.LatestVersion())
		}
		schema, err := db.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := schema.Tables(); !slices.Equal(got, domainTables) {
			t.Errorf("tables:\n got %v\nwant %v", got, domainTables)
		}
	})
}

func TestConcurrentMigrateAppliesEachOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, d store.Dialect, url string) {
		ctx := context.Background()
		// Two "nodes" starting at once on an empty database.
		errc := make(chan error, 2)
		for range 2 {
			go func() {
				db, err := store.Open(ctx, url)
				if err == nil {
					db.Close()
				}
				errc <- err
			}()
		}
		for range 2 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		db := openURL(t, url)
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(status) != store.LatestVersion() {
			t.Errorf("status %+v, want each migration once", status)
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, d store.Dialect, url string) {
		ctx := context.Background()
		db := openURL(t, url)
		newer := store.LatestVersion() + 1
		err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", newer, db.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()

		for _, opts := range [][]store.Option{nil, {store.WithoutMigrate()}} {
			db, err := store.Open(ctx, url, opts...)
			if err == nil {
				db.Close()
				t.Fatal("Open accepted a database newer than the binary")
			}
			msg := err.Error()
			for _, want := range []string{fmt.Sprint("version ", newer), fmt.Sprint("up to ", newer-1), "upgrade exemplar"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q: %s", want, msg)
				}
			}
			if !errors.Is(err, store.ErrNewerSchema) || errs.CodeOf(err) != errs.Conflict {
				t.Errorf("error %v: want ErrNewerSchema with code conflict, got code %s", err, errs.CodeOf(err))
			}
		}
	})
}

// TestSchemaEquivalent compares the tables, columns, NOT NULLs, foreign
// keys and named indexes of a migrated SQLite and a migrated PostgreSQL
// database.
func TestSchemaEquivalent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := storetest.Open(t, store.SQLite).Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite.Columns) < 150 || len(lite.ForeignKeys) < 30 || len(lite.Indexes) < 15 {
		t.Errorf("SQLite schema looks too small: %d columns, %d foreign keys, %d indexes",
			len(lite.Columns), len(lite.ForeignKeys), len(lite.Indexes))
	}
	if !slices.Contains(storetest.Dialects(), store.Postgres) {
		t.Skipf("set %s to compare with PostgreSQL", storetest.EnvPostgres)
	}
	pg, err := storetest.Open(t, store.Postgres).Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := lite.Diff(pg); len(diff) > 0 {
		t.Errorf("SQLite (-) and PostgreSQL (+) schemas differ:\n%s", strings.Join(diff, "\n"))
	}
}

func openURL(t *testing.T, url string, opts ...store.Option) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
