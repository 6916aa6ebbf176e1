package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// The migrations, one folder per dialect. A migration is a file
// NNNN_name.sql; both folders hold the same versions under the same names
// (TestMigrationFilesMatch checks). Never edit a released migration: add
// the next one.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string // from the file name: 0001_init.sql is "init"
	sql     string
}

// ErrNewerSchema is the cause of Open's refusal of a database migrated by a
// newer binary.
var ErrNewerSchema = errors.New("database schema is newer than this binary")

// Migrations returns the migrations this binary holds for dialect d, oldest
// first.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", dir, err)
	}
	var ms []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration file %s/%s is not named NNNN_name.sql", dir, e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read %s/%s: %w", dir, e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("store: two %s migrations have version %d", d, ms[i].Version)
		}
	}
	return ms, nil
}

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := Migrations(SQLite)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// MigrationState is a migration and whether the database has it.
type MigrationState struct {
	Version   int
	Name      string    // "" for a version this binary does not know
	AppliedAt time.Time // zero while pending
}

// Applied reports whether the database has the migration.
func (m MigrationState) Applied() bool { return !m.AppliedAt.IsZero() }

// schemaMigrationsDDL creates the table that records applied migrations.
// It is the one table outside the numbered migrations, because they need
// it to exist.
func (d Dialect) schemaMigrationsDDL() string {
	t := "TIMESTAMP"
	if d == Postgres {
		t = "TIMESTAMPTZ"
	}
	return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at " + t + " NOT NULL)"
}

// MigrationStatus lists the migrations this binary knows, applied or
// pending, followed by any applied version it does not know.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	known, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []MigrationState
	for _, m := range known {
		out = append(out, MigrationState{Version: m.Version, Name: m.Name, AppliedAt: applied[m.Version]})
		delete(applied, m.Version)
	}
	var unknown []int
	for v := range applied {
		unknown = append(unknown, v)
	}
	sort.Ints(unknown)
	for _, v := range unknown {
		out = append(out, MigrationState{Version: v, AppliedAt: applied[v]})
	}
	return out, nil
}

// SchemaVersion is the newest migration applied to the database (0 for an
// empty database).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return 0, err
	}
	newest := 0
	for v := range applied {
		newest = max(newest, v)
	}
	return newest, nil
}

// appliedMigrations reads schema_migrations: version → applied_at. A
// database without the table has none.
func (db *DB) appliedMigrations(ctx context.Context) (map[int]time.Time, error) {
	applied := map[int]time.Time{}
	var one int
	err := db.write.QueryRowContext(ctx, db.dialect.rebind(db.dialect.tableExistsQuery()), "schema_migrations").Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return applied, nil
	}
	if err != nil {
		return nil, db.wrap(err, "read schema version of %s", db.display)
	}
	rows, err := db.write.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, db.wrap(err, "read schema version of %s", db.display)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, db.wrap(err, "read schema version of %s", db.display)
		}
		applied[v] = at
	}
	return applied, db.wrap(rows.Err(), "read schema version of %s", db.display)
}

// checkNotNewer refuses a database that a newer binary has migrated: this
// one would not know its tables, and writing to them could break them.
func (db *DB) checkNotNewer(ctx context.Context) error {
	have, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if know := LatestVersion(); have > know {
		return &errs.Error{Code: errs.Conflict, Err: ErrNewerSchema, Msg: fmt.Sprintf(
			"store: %s has schema version %d, but this exemplar knows versions up to %d only: upgrade exemplar to a release that knows version %d",
			db.display, have, know, have)}
	}
	return nil
}

// Migrate applies the migrations the database lacks, oldest first, each in
// its own transaction together with its row in schema_migrations, so a
// failure leaves the database at the last whole migration. It returns the
// migrations it applied (none when up to date). Concurrent callers take
// turns, and each migration is applied once.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	if err := db.checkNotNewer(ctx); err != nil {
		return nil, err
	}
	ms, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		if err := db.dialect.lockMigrations(ctx, tx.tx); err != nil {
			return db.wrap(err, "lock migrations")
		}
		_, err := tx.tx.ExecContext(ctx, db.dialect.schemaMigrationsDDL())
		return db.wrap(err, "create schema_migrations")
	})
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range ms {
		applied := false
		err := db.Tx(ctx, func(tx *Tx) error {
			if err := db.dialect.lockMigrations(ctx, tx.tx); err != nil {
				return db.wrap(err, "lock migrations")
			}
			// Checked under the lock: another process may have just applied it.
			var one int
			err := tx.QueryRow(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.Version).Scan(&one)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return db.wrap(err, "read schema_migrations")
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return db.wrap(err, "apply migration %04d_%s", m.Version, m.Name)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.Version, db.Now()); err != nil {
				return err
			}
			applied = true
			return nil
		})
		if err != nil {
			return done, err
		}
		if applied {
			done = append(done, m)
		}
	}
	return done, nil
}
