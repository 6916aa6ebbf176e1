package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestMigration0002KeepsDecisions upgrades a database holding a decision
// from schema 1 to 2, which on SQLite rebuilds the decisions table: the
// decision survives as it was, and the state "proposed" becomes allowed.
func TestMigration0002KeepsDecisions(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, d store.Dialect, url string) {
		ctx := context.Background()
		init, err := os.ReadFile("migrations/" + string(d) + "/0001_init.sql")
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, url, store.WithoutMigrate())
		if err != nil {
			t.Fatal(err)
		}
		stamp := "TIMESTAMP"
		if d == store.Postgres {
			stamp = "TIMESTAMPTZ"
		}
		now := time.Date(2018, 7, 26, 9, 30, 0, 0, time.UTC)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			for _, q := range []string{"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at " + stamp + " NOT NULL)", string(init)} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			for _, q := range []string{
				"INSERT INTO schema_migrations (version, applied_at) VALUES (1, ?)",
				"INSERT INTO programs (name, created_at, updated_at) VALUES ('p', ?, ?)",
				"INSERT INTO program_versions (program_id, label, definition, sha256, created_at) VALUES (1, '1', 'x', '" + strings.Repeat("a", 64) + "', ?)",
				"INSERT INTO cycles (program_id, program_version_id, kind, year, created_at, updated_at) VALUES (1, 1, 'review', 2018, ?, ?)",
				"INSERT INTO enterprises (uscc, name, created_at, updated_at) VALUES ('" + usccA + "', '示范企业', ?, ?)",
				"INSERT INTO decisions (cycle_id, enterprise_id, outcome, reason_zh, reason_en, version, created_at, updated_at) VALUES (1, 1, 'fail', '亏损', 'a loss', 3, ?, ?)",
			} {
				args := []any{now, now}[:strings.Count(q, "?")]
				if _, err := tx.Exec(ctx, q, args...); err != nil {
					return err
				}
			}
			return nil
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}

		db, err = store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var got store.Decision
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err = tx.Decision(ctx, 1)
			return err
		})
		if err != nil || got.Outcome != "fail" || got.ReasonEn != "a loss" || got.State != "drafted" || got.Version != 3 || !got.CreatedAt.Equal(now) {
			t.Fatalf("after the upgrade decision 1 is %+v (%v)", got, err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			got.State = "proposed"
			return tx.UpdateDecision(ctx, &got)
		})
		if err != nil || got.Version != 4 {
			t.Errorf("proposing decision 1 after the upgrade: %v (version %d)", err, got.Version)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			got.State = "pending"
			return tx.UpdateDecision(ctx, &got)
		})
		if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "decisions.state must be one of 'drafted', 'proposed', 'final'") {
			t.Errorf("an unknown state after the upgrade: %v", err)
		}
		// The rebuilt table still refuses what the old one refused.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			d := store.Decision{CycleID: 1, EnterpriseID: 1, Outcome: "pass", State: "drafted", CreatedAt: now, UpdatedAt: now}
			return tx.InsertDecision(ctx, &d)
		})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("a second decision on the same enterprise and cycle: %v, want a conflict", err)
		}
		if errors.Is(err, store.ErrStale) {
			t.Errorf("a duplicate is not a stale version: %v", err)
		}
	})
}
