package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

const goodPassword = "correct horse battery staple"

func TestUsersAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		var alice store.User
		f.step("user.create", func() (err error) {
			alice, err = f.s.CreateUser(ctx, admin, "  Alice.Wang ", "王爱丽", goodPassword)
			return err
		})
		if alice.Username != "alice.wang" || alice.DisplayName != "王爱丽" || alice.Disabled || alice.Version != 1 {
			t.Errorf("created %+v", alice)
		}
		// The hash is stored, and it is neither the password nor in the audit log.
		var hash string
		if err := db.Read(ctx, func(tx *store.Tx) error {
			u, err := tx.User(ctx, alice.ID)
			hash = u.PasswordHash
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, goodPassword) {
			t.Errorf("stored password hash %q", hash)
		}
		recs, err := db.ListAudit(ctx, store.AuditFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			all := string(r.Before) + string(r.After)
			if strings.Contains(all, hash[len(hash)-20:]) || strings.Contains(all, goodPassword) || strings.Contains(all, "password") {
				t.Errorf("audit entry %s holds the password or its hash: %s", r.Action, all)
			}
		}

		f.refuse(errs.Conflict, func() error { _, err := f.s.CreateUser(ctx, admin, "ALICE.WANG", "", goodPassword); return err }, "alice.wang", "taken")
		f.refuse(errs.Invalid, func() error { _, err := f.s.CreateUser(ctx, admin, "bob", "", "short-pass1"); return err }, "at least 12 characters")
		f.refuse(errs.Invalid, func() error { _, err := f.s.CreateUser(ctx, admin, "b", "", goodPassword); return err }, "3 to 64")
		f.refuse(errs.Invalid, func() error { _, err := f.s.CreateUser(ctx, admin, "9bob", "", goodPassword); return err }, "begin with a letter")
		f.refuse(errs.Invalid, func() error { _, err := f.s.CreateUser(ctx, admin, "bob smith", "", goodPassword); return err }, "' '")
		f.refuse(errs.Invalid, func() error { _, err := f.s.CreateUser(ctx, workflow.Actor{}, "bob", "", goodPassword); return err }, "actor")

		// Roles, with their scopes.
		js := f.channels["jiangsu"]
		fm := f.newFirm("jiangsu")
		f.register(fm)
		for _, g := range []struct {
			role  string
			scope int64
		}{{workflow.RoleAdmin, 0}, {workflow.RoleRecommender, js.ID}, {workflow.RoleEnterprise, fm.e.ID}, {workflow.RoleExpert, 0}} {
			f.step("user.grant_role", func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, g.role, g.scope); return err })
		}
		f.refuse(errs.Conflict, func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, "recommender", js.ID); return err }, "already holds role recommender for channel")
		f.refuse(errs.Invalid, func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, "recommender", 0); return err }, "channel's id")
		f.refuse(errs.Invalid, func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, "admin", js.ID); return err }, "no scope")
		f.refuse(errs.Invalid, func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, "king", 0); return err }, `"admin", "recommender", "enterprise" or "expert"`)
		f.refuse(errs.NotFound, func() error { _, err := f.s.GrantRole(ctx, admin, alice.ID, "enterprise", 9999); return err }, "enterprise 9999 does not exist")
		f.refuse(errs.NotFound, func() error { _, err := f.s.GrantRole(ctx, admin, 9999, "admin", 0); return err }, "user 9999 does not exist")

		f.step("user.revoke_role", func() error { return f.s.RevokeRole(ctx, admin, alice.ID, "expert", 0) })
		f.refuse(errs.NotFound, func() error { return f.s.RevokeRole(ctx, admin, alice.ID, "expert", 0) }, "does not hold role expert")

		u, roles, err := f.s.Authenticate(ctx, "ALICE.wang", goodPassword)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if u.ID != alice.ID || len(roles) != 3 {
			t.Errorf("Authenticate = %+v, %+v", u, roles)
		}
		var got []string
		for _, r := range roles {
			got = append(got, r.Role)
		}
		if strings.Join(got, ",") != "admin,enterprise,recommender" {
			t.Errorf("roles %v", got)
		}

		var bob store.User
		f.step("user.create", func() (err error) {
			bob, err = f.s.CreateUser(ctx, admin, "bob", "", "another long passphrase")
			return err
		})
		accounts, err := f.s.Users(ctx)
		if err != nil || len(accounts) != 2 || accounts[0].Username != "alice.wang" || accounts[1].Username != "bob" ||
			len(accounts[0].Roles) != 3 || len(accounts[1].Roles) != 0 {
			t.Errorf("Users = %+v, %v", accounts, err)
		}

		// Disabling: version checked, then sign-in refused.
		f.refuse(errs.Conflict, func() error { _, err := f.s.DisableUser(ctx, admin, bob.ID, 7); return err }, "version 1, not 7")
		f.step("user.disable", func() (err error) { bob, err = f.s.DisableUser(ctx, admin, bob.ID, bob.Version); return err })
		if !bob.Disabled || bob.Version != 2 {
			t.Errorf("disabled %+v", bob)
		}
		f.refuse(errs.Conflict, func() error { _, err := f.s.DisableUser(ctx, admin, bob.ID, bob.Version); return err }, "disabled already")
		if _, _, err := f.s.Authenticate(ctx, "bob", "another long passphrase"); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a disabled user signed in: %v", err)
		}
		f.verifyAudit()
	})
}

func TestAuthenticateRefusesAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		f.step("user.create", func() error { _, err := f.s.CreateUser(ctx, admin, "carol", "", goodPassword); return err })
		var msgs []string
		for _, c := range []struct{ user, pass string }{
			{"carol", goodPassword + "!"}, // wrong password
			{"nobody", goodPassword},      // unknown user
			{"no such user!", "x"},        // not even a username
			{"carol", ""},
		} {
			_, _, err := f.s.Authenticate(ctx, c.user, c.pass)
			if errs.CodeOf(err) != errs.Unauthorised {
				t.Errorf("Authenticate(%q) = %v; want unauthorised", c.user, err)
				continue
			}
			msgs = append(msgs, err.Error())
		}
		for _, m := range msgs[1:] {
			if m != msgs[0] {
				t.Errorf("refusals differ: %q and %q: they tell which usernames exist", msgs[0], m)
			}
		}
		if entries := f.newEntries(); len(entries) != 0 {
			t.Errorf("sign-ins recorded %d audit entries", len(entries))
		}
		// Similar work: an unknown user is checked against a dummy hash of
		// the same cost (users_internal_test.go checks its parameters).
		// The times are shown, not asserted: the house rule keeps timings
		// out of tests.
		timeOf := func(user string) time.Duration {
			start := time.Now()
			_, _, _ = f.s.Authenticate(ctx, user, "wrong password here")
			return time.Since(start)
		}
		t.Logf("wrong password %v, unknown user %v", timeOf("carol"), timeOf("nobody"))
	})
}
