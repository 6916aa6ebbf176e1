// Package storetest runs tests against every database the store supports:
// SQLite always, and PostgreSQL when EXEMPLAR_TEST_POSTGRES holds a
// connection URL. Each test gets a database of its own — a fresh SQLite
// file, or a fresh PostgreSQL schema (CREATE SCHEMA t_<random>, reached by
// setting search_path on the connection) dropped when the test ends — so
// tests run in parallel and leave nothing behind.
//
// When EXEMPLAR_TEST_POSTGRES is set but the server cannot be reached, the
// tests fail: CI sets it precisely so that PostgreSQL is not skipped.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection
)

// EnvPostgres names the variable that holds the PostgreSQL server to test on.
const EnvPostgres = "EXEMPLAR_TEST_POSTGRES"

// Dialects are the databases under test: SQLite, and PostgreSQL when
// EXEMPLAR_TEST_POSTGRES is set.
func Dialects() []store.Dialect {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn as a parallel subtest per dialect ("sqlite", "postgres"),
// with a freshly opened and migrated database that is closed (and on
// PostgreSQL dropped) when the subtest ends.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...store.Option) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d, opts...))
		})
	}
}

// EachURL is Each for tests that open the database themselves: fn gets
// the URL of a fresh, empty database.
func EachURL(t *testing.T, fn func(t *testing.T, d store.Dialect, url string)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d, NewURL(t, d))
		})
	}
}

// Open opens a fresh database of dialect d for t, closed at t's end.
func Open(t testing.TB, d store.Dialect, opts ...store.Option) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, NewURL(t, d), opts...)
	if err != nil {
		t.Fatalf("open %s test database: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewURL returns the URL of a fresh, empty database of dialect d that
// lives as long as t: a file in t's temporary folder, or a new schema on
// the EXEMPLAR_TEST_POSTGRES server.
func NewURL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "exemplar.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Fatalf("%s is not set: no PostgreSQL to test on", EnvPostgres)
	}
	admin, err := adminDB()
	if err != nil {
		t.Fatalf("%s=%s: cannot reach PostgreSQL: %v (unset %s to test on SQLite only)",
			EnvPostgres, store.RedactURL(base), err, EnvPostgres)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "t_" + hex.EncodeToString(rnd[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL", EnvPostgres)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String()
}

var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// adminDB is the one connection pool the tests use to create and drop
// their schemas.
func adminDB() (*sql.DB, error) {
	admin.once.Do(func() {
		db, err := sql.Open("pgx", os.Getenv(EnvPostgres))
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = db.PingContext(ctx)
		}
		if err != nil {
			admin.err = err
			if db != nil {
				db.Close()
			}
			return
		}
		db.SetMaxOpenConns(4)
		admin.db = db
	})
	return admin.db, admin.err
}
