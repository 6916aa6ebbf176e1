package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

func TestUsersRolesAndEvidenceRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2018, 5, 2, 1, 0, 0, 0, time.UTC)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			u := store.User{Username: "dora", DisplayName: "Dora", PasswordHash: "$argon2id$secret", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertUser(ctx, &u); err != nil {
				return err
			}
			if b, _ := json.Marshal(u); strings.Contains(string(b), "argon2id") {
				t.Errorf("a user's JSON shows its password hash: %s", b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// On PostgreSQL a failed statement ends its transaction: each
		// refusal runs in one of its own.
		refused := func(what string, code errs.Code, fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Tx(ctx, fn); errs.CodeOf(err) != code {
				t.Errorf("%s: %v; want %s", what, err, code)
			}
		}
		refused("a second dora", errs.Conflict, func(tx *store.Tx) error {
			return tx.InsertUser(ctx, &store.User{Username: "dora", CreatedAt: now, UpdatedAt: now})
		})
		err = db.Tx(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByUsername(ctx, "dora")
			if err != nil {
				return err
			}
			stale := u
			u.Disabled, u.UpdatedAt = true, now.Add(time.Hour)
			if err := tx.UpdateUser(ctx, &u); err != nil {
				return err
			}
			if err := tx.UpdateUser(ctx, &stale); errs.CodeOf(err) != errs.Conflict { // matches no row: no error in SQL
				t.Errorf("a stale update: %v", err)
			}
			r := store.Role{UserID: u.ID, Role: "admin", CreatedAt: now}
			if err := tx.InsertRole(ctx, &r); err != nil {
				return err
			}
			roles, err := tx.Roles(ctx, u.ID)
			if err != nil || len(roles) != 1 {
				t.Errorf("Roles = %+v, %v", roles, err)
			}
			if ok, err := tx.DeleteRole(ctx, r); !ok || err != nil {
				t.Errorf("DeleteRole = %v, %v", ok, err)
			}
			if ok, err := tx.DeleteRole(ctx, r); ok || err != nil {
				t.Errorf("DeleteRole again = %v, %v", ok, err)
			}
			got, err := tx.User(ctx, u.ID)
			if err != nil || !got.Disabled || got.Version != 2 || got.PasswordHash != "$argon2id$secret" {
				t.Errorf("User = %+v, %v", got, err)
			}

			sum := strings.Repeat("ab", 32)
			f := store.EvidenceFile{SHA256: sum, Size: 5 << 30, ContentType: "application/pdf", StoredPath: "evidence/ab/" + sum, CreatedAt: now}
			for i, want := range []bool{true, false} {
				if ok, err := tx.InsertEvidenceFile(ctx, f); ok != want || err != nil {
					t.Errorf("InsertEvidenceFile #%d = %v, %v", i+1, ok, err)
				}
			}
			if got, err := tx.EvidenceFile(ctx, sum); err != nil || got != f {
				t.Errorf("EvidenceFile = %+v, %v", got, err)
			}
			if _, err := tx.EvidenceFile(ctx, strings.Repeat("cd", 32)); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("an unknown file: %v", err)
			}
			return tx.InsertRole(ctx, &r)
		})
		if err != nil {
			t.Fatal(err)
		}
		refused("the same role twice", errs.Conflict, func(tx *store.Tx) error {
			u, _ := tx.UserByUsername(ctx, "dora")
			return tx.InsertRole(ctx, &store.Role{UserID: u.ID, Role: "admin", CreatedAt: now})
		})
		refused("a recommender without a channel", errs.Invalid, func(tx *store.Tx) error {
			u, _ := tx.UserByUsername(ctx, "dora")
			return tx.InsertRole(ctx, &store.Role{UserID: u.ID, Role: "recommender", CreatedAt: now})
		})
		refused("a short hash", errs.Invalid, func(tx *store.Tx) error {
			_, err := tx.InsertEvidenceFile(ctx, store.EvidenceFile{SHA256: "short", CreatedAt: now})
			return err
		})
	})
}
