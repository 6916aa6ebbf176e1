package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAdminUsers: a bad password is refused beside its field; a user is
// created with its name escaped, found by search, given roles with their
// scope and has them revoked, and disabled only through a confirmation.
func TestAdminUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		ctx := context.Background()
		admin := s.as("admin")

		resp, body := admin.postForm("/admin/users", url.Values{"username": {"newbie"}, "display_name": {"N"},
			"password": {"short"}, "password2": {"short"}})
		setupStatus(t, "bad password", resp, body, http.StatusUnprocessableEntity)
		if !regexp.MustCompile(`id="password-error"[^>]*>[^<]*at least 12`).MatchString(body) {
			t.Error("the password's error is not beside the password field")
		}
		setupHas(t, "bad password", body, `value="newbie"`)
		resp, body = admin.postForm("/admin/users", url.Values{"username": {"9bad"}, "password": {password}, "password2": {password}})
		setupStatus(t, "bad username", resp, body, http.StatusUnprocessableEntity)
		setupHas(t, "bad username", body, `id="username-error"`)

		name := `<img src=x onerror=alert(1)>李雷`
		resp, body = admin.postForm("/admin/users", url.Values{"username": {"lilei"}, "display_name": {name},
			"password": {password}, "password2": {password}})
		setupStatus(t, "create", resp, body, http.StatusSeeOther)
		loc := resp.Header.Get("Location")
		id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/admin/users/"), 10, 64)
		if err != nil {
			t.Fatalf("created user's page %q", loc)
		}
		_, body = admin.get("/admin/users?q=LILEI")
		setupHas(t, "search", body, ">lilei</a>", "&lt;img src=x onerror=alert(1)&gt;李雷")
		if strings.Contains(body, "<img src=x") {
			t.Error("the display name's HTML reached the page")
		}
		_, body = admin.get("/admin/users?q=nobody-like-this")
		setupHas(t, "empty search", body, message("zh", "setup.users.none_match"))

		// Roles with their scopes: the channel of a recommender, an
		// enterprise found by search for an enterprise user.
		resp, body = admin.postForm(loc+"/roles", url.Values{"role": {workflow.RoleRecommender}})
		setupStatus(t, "recommender without a channel", resp, body, http.StatusUnprocessableEntity)
		resp, body = admin.postForm(loc+"/roles", url.Values{"role": {workflow.RoleRecommender}, "channel": {strconv.FormatInt(s.channelID, 10)}})
		setupStatus(t, "grant recommender", resp, body, http.StatusSeeOther)
		_, body = admin.get(loc + "?eq=南京")
		setupHas(t, "enterprise search", body, `<option value="`+strconv.FormatInt(s.enterpriseID, 10)+`">南京示范科技有限公司`)
		resp, body = admin.postForm(loc+"/roles", url.Values{"role": {workflow.RoleEnterprise}, "enterprise": {strconv.FormatInt(s.enterpriseID, 10)}})
		setupStatus(t, "grant enterprise", resp, body, http.StatusSeeOther)
		acc, err := s.svc.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(acc.Roles) != 2 || acc.Roles[0].ChannelID != s.channelID && acc.Roles[1].ChannelID != s.channelID {
			t.Fatalf("roles after granting: %+v", acc.Roles)
		}
		_, body = admin.get(loc)
		setupHas(t, "user page", body, "江苏省", "南京示范科技有限公司")
		resp, body = admin.postForm(loc+"/roles/revoke", url.Values{"role": {workflow.RoleRecommender}, "scope": {strconv.FormatInt(s.channelID, 10)}})
		setupStatus(t, "revoke", resp, body, http.StatusSeeOther)
		if acc, _ = s.svc.User(ctx, id); len(acc.Roles) != 1 || acc.Roles[0].Role != workflow.RoleEnterprise {
			t.Fatalf("roles after revoking: %+v", acc.Roles)
		}

		// API tokens are listed and revoked after a confirmation.
		_, tok, err := s.svc.CreateAPIToken(ctx, system, id, "script <one>")
		if err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(loc)
		setupHas(t, "tokens", body, "script &lt;one&gt;")
		tokenPath := loc + "/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
		resp, body = admin.get(tokenPath)
		setupStatus(t, "token confirmation", resp, body, http.StatusOK)
		resp, body = admin.postForm(tokenPath, nil)
		setupStatus(t, "revoke token", resp, body, http.StatusSeeOther)
		if ts, _ := s.svc.APITokens(ctx, id); len(ts) != 1 || ts[0].RevokedAt == nil {
			t.Errorf("token after revoking: %+v", ts)
		}

		// Disabling needs the confirmation's version.
		resp, body = admin.get(loc + "/disable")
		setupStatus(t, "disable confirmation", resp, body, http.StatusOK)
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
		if version == nil {
			t.Fatal("the confirmation carries no version")
		}
		resp, body = admin.postForm(loc+"/disable", nil)
		setupStatus(t, "disable without confirmation", resp, body, http.StatusUnprocessableEntity)
		if acc, _ = s.svc.User(ctx, id); acc.Disabled {
			t.Fatal("disabled without the confirmation")
		}
		resp, body = admin.postForm(loc+"/disable", url.Values{"version": {version[1]}})
		setupStatus(t, "disable", resp, body, http.StatusSeeOther)
		if acc, _ = s.svc.User(ctx, id); !acc.Disabled {
			t.Fatal("not disabled")
		}
		resp, _ = s.client().postForm("/login", url.Values{"username": {"lilei"}, "password": {password}})
		if resp.StatusCode == http.StatusSeeOther {
			t.Error("a disabled user signed in")
		}
	})
}
