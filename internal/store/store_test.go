package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// exec runs one statement in its own transaction.
func exec(db *store.DB, query string, args ...any) error {
	ctx := context.Background()
	return db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
}

// seedChannel adds the channel "fujian" and returns its id.
func seedChannel(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO channels (code, name_zh, name_en, kind, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, "fujian", "福建省", "Fujian", "province", db.Now(), db.Now()).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

const usccA = "91350100M000100Y43"

func TestConstraintsGiveCodedErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ch := seedChannel(t, db)
		now := db.Now()
		insertEnterprise := `INSERT INTO enterprises (uscc, name, channel_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`
		if err := exec(db, insertEnterprise, usccA, "示范企业", ch, now, now); err != nil {
			t.Fatal(err)
		}
		scenarios := []struct {
			name  string
			query string
			args  []any
			code  errs.Code
			want  string
		}{
			{"duplicate uscc", insertEnterprise, []any{usccA, "另一家", ch, now, now}, errs.Conflict, "enterprises.uscc must be unique"},
			{"duplicate channel code", `INSERT INTO channels (code, name_zh, name_en, kind, created_at, updated_at) VALUES ('fujian', '福建', 'Fujian', 'province', ?, ?)`,
				[]any{now, now}, errs.Conflict, "channels.code must be unique"},
			{"unknown channel kind", `INSERT INTO channels (code, name_zh, name_en, kind, created_at, updated_at) VALUES ('x', 'x', 'x', 'prefecture', ?, ?)`,
				[]any{now, now}, errs.Invalid, "channels.kind must be one of 'province', 'city', 'corps', 'central_soe'"},
			{"uscc of the wrong length", insertEnterprise, []any{"9135", "短", ch, now, now}, errs.Invalid, "enterprises_uscc_check"},
			{"unknown channel", insertEnterprise, []any{"91350100M000200Y43", "无渠道", ch + 99, now, now}, errs.Invalid, "refers to a row that does not exist"},
			{"missing name", `INSERT INTO enterprises (uscc, name, created_at, updated_at) VALUES (?, NULL, ?, ?)`,
				[]any{"91350100M000300Y43", now, now}, errs.Invalid, "enterprises.name must not be empty"},
			{"recommender without a channel", `INSERT INTO user_roles (user_id, role, created_at) VALUES (?, 'recommender', ?)`,
				[]any{1, now}, errs.Invalid, "user_roles_scope_check"},
		}
		if err := exec(db, `INSERT INTO users (username, created_at, updated_at) VALUES ('admin', ?, ?)`, now, now); err != nil {
			t.Fatal(err)
		}
		for _, sc := range scenarios {
			err := exec(db, sc.query, sc.args...)
			if errs.CodeOf(err) != sc.code || !strings.Contains(err.Error(), sc.want) {
				t.Errorf("%s: got %v (code %s), want code %s and a message with %q", sc.name, err, errs.CodeOf(err), sc.code, sc.want)
			}
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT count(*) FROM enterprises").Scan(&n); err != nil || n != 1 {
			t.Errorf("refused inserts left %d enterprises (%v), want 1", n, err)
		}
	})
}

func TestJSONColumnsRefuseBadJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := db.Now()
		err := exec(db, `INSERT INTO results (run_id, enterprise_id, eligible, result) VALUES (1, 1, TRUE, '{not json')`)
		if errs.CodeOf(err) != errs.Invalid {
			t.Errorf("bad JSON: %v (code %s), want invalid", err, errs.CodeOf(err))
		}
		err = exec(db, `INSERT INTO evidence_files (sha256, size, content_type, stored_path, created_at) VALUES (?, -1, 'application/pdf', 'x', ?)`,
			strings.Repeat("ab", 32), now)
		if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "evidence_files_size_check") {
			t.Errorf("negative size: %v", err)
		}
	})
}

func TestTxCommitsOrRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func() int {
			var n int
			if err := db.QueryRow(ctx, "SELECT count(*) FROM channels").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		insert := func(tx *store.Tx, code string) error {
			_, err := tx.Exec(ctx, `INSERT INTO channels (code, name_zh, name_en, kind, created_at, updated_at) VALUES (?, ?, ?, 'province', ?, ?)`,
				code, code, code, db.Now(), db.Now())
			return err
		}
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := insert(tx, "a"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || count() != 0 {
			t.Fatalf("error in fn: Tx returned %v and kept %d rows, want fn's error and none", err, count())
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Tx swallowed fn's panic")
				}
			}()
			_ = db.Tx(ctx, func(tx *store.Tx) error {
				if err := insert(tx, "b"); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if count() != 0 {
			t.Fatalf("a panicking fn kept its row")
		}
		// The single SQLite writer connection is usable after both.
		if err := db.Tx(ctx, func(tx *store.Tx) error { return insert(tx, "c") }); err != nil || count() != 1 {
			t.Fatalf("commit: %v, %d rows", err, count())
		}
		// A read transaction cannot write.
		err = db.Read(ctx, func(tx *store.Tx) error { return insert(tx, "d") })
		if err == nil || count() != 1 {
			t.Errorf("write in a read transaction: %v", err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Entry{Actor: "a", Action: "b", Entity: "c", EntityID: "d"})
		})
		if err == nil {
			t.Error("audit in a read transaction was accepted")
		}
	})
}

// TestTimesRoundTrip: what goes in comes back, in UTC to the microsecond,
// on both databases; the audit hashes depend on it.
func TestTimesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := time.Date(2018, 7, 26, 23, 59, 59, 999999999, time.FixedZone("CST", 8*3600))
		if err := exec(db, `INSERT INTO users (username, created_at, updated_at) VALUES ('u', ?, ?)`, in, in.Truncate(time.Microsecond)); err != nil {
			t.Fatal(err)
		}
		var created, updated time.Time
		if err := db.QueryRow(ctx, "SELECT created_at, updated_at FROM users").Scan(&created, &updated); err != nil {
			t.Fatal(err)
		}
		want := in.Truncate(time.Microsecond)
		if !updated.Equal(want) {
			t.Errorf("updated_at read back %v, want %v", updated, want)
		}
		// A time with nanoseconds passed directly keeps them on SQLite and
		// loses them on PostgreSQL: the store's own writes go through ts.
		if !created.Truncate(time.Microsecond).Equal(want) {
			t.Errorf("created_at read back %v, want %v", created, in)
		}
		if got := db.Now(); got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
			t.Errorf("Now() = %v, want UTC to the microsecond", got)
		}
	})
}

func TestParseURL(t *testing.T) {
	for _, sc := range []struct {
		url     string
		dialect store.Dialect
		target  string
		wantErr string
	}{
		{"exemplar.db", store.SQLite, "exemplar.db", ""},
		{"/var/lib/exemplar/x.db", store.SQLite, "/var/lib/exemplar/x.db", ""},
		{"sqlite:data/x.db", store.SQLite, "data/x.db", ""},
		{"sqlite:///abs/x.db", store.SQLite, "/abs/x.db", ""},
		{"postgres://u:p@h/db", store.Postgres, "postgres://u:p@h/db", ""},
		{"postgresql://h/db?sslmode=disable", store.Postgres, "postgresql://h/db?sslmode=disable", ""},
		{"", "", "", "no database given"},
		{":memory:", "", "", "in-memory"},
		{"mysql://u:secret@h/db", "", "", `unsupported scheme "mysql"`},
		{"x.db?mode=ro", "", "", "may not contain ?"},
	} {
		d, target, err := store.ParseURL(sc.url)
		switch {
		case sc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), sc.wantErr) || strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURL(%q) error %v, want one with %q and no password", sc.url, err, sc.wantErr)
			}
		case err != nil || d != sc.dialect || target != sc.target:
			t.Errorf("ParseURL(%q) = %s, %q, %v; want %s, %q", sc.url, d, target, err, sc.dialect, sc.target)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://app:s3cr%3Ft@db.example:5432/exemplar?sslmode=require": "postgres://app:xxxxx@db.example:5432/exemplar?sslmode=require",
		"postgres://db.example/exemplar?password=s3cret&user=app":          "postgres://db.example/exemplar?password=xxxxx&user=app",
		"postgres://app@db.example/exemplar":                               "postgres://app@db.example/exemplar",
		"data/exemplar.db":                                                 "data/exemplar.db",
	} {
		if got := store.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenUnreachablePostgresHidesPassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := store.Open(ctx, "postgres://app:hunter2@127.0.0.1:1/exemplar?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open succeeded on a closed port")
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "app:xxxxx@127.0.0.1:1") {
		t.Errorf("error should name the server without its password: %v", err)
	}
}

func TestPgDumpCommand(t *testing.T) {
	got := store.PgDumpCommand("postgres://app:s3cret@db.example:5432/exemplar?sslmode=require&search_path=prod", "/backups/exemplar 2018.dump")
	want := "pg_dump --format=custom --file='/backups/exemplar 2018.dump' --schema=prod --dbname='postgres://app@db.example:5432/exemplar?sslmode=require'"
	if got != want {
		t.Errorf("PgDumpCommand:\n got %s\nwant %s", got, want)
	}
}
