package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAPIRouteAccessByToken walks every /api/v1 route for every role and
// for an anonymous caller, signed in by API token (TestRouteAccess walks
// them with cookies): a caller the rule refuses gets 401 (anonymous) or
// 403 (code forbidden), one it allows gets neither, and every answer is
// JSON.
func TestAPIRouteAccessByToken(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	f := s.api()
	// A token of the administrator's to revoke, so that the walk keeps its
	// own.
	_, _, err := s.svc.CreateAPIToken(t.Context(), system, f.userIDs["admin1"], "spare")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := s.svc.APITokens(t.Context(), f.userIDs["admin1"])
	if err != nil || len(tokens) == 0 || tokens[0].Name != "spare" {
		t.Fatalf("the spare token is not the newest: %v %v", tokens, err)
	}
	walked := 0
	for _, rt := range s.srv.routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if !strings.HasPrefix(path, apiPrefix) {
			continue
		}
		walked++
		id := s.params[rt.pattern+" {id}"]
		if rt.pattern == "DELETE /api/v1/me/tokens/{id}" {
			id = strconv.FormatInt(tokens[0].ID, 10)
		}
		if id == "" {
			id = s.params["{id}"]
		}
		path = strings.ReplaceAll(path, "{id}", id)
		for k, v := range s.params { // the route's other parameters ({action})
			if name, ok := strings.CutPrefix(k, rt.pattern+" "); ok {
				path = strings.ReplaceAll(path, name, v)
			}
		}
		for _, role := range roles {
			call := apiCall{method: method, path: path}
			cl := s.client()
			if role != "" {
				call.token = f.tokens[role+"1"]
			} else if method != http.MethodGet {
				// An anonymous script sends the visitor cookie back.
				call.header = http.Header{"X-CSRF-Token": {visitorCSRF(cl)}}
			}
			if method != http.MethodGet {
				call.body = map[string]any{}
			}
			resp, v := cl.apiDo(call)
			r := &request{}
			if role != "" {
				r.acc = &workflow.Account{Roles: roleList(role)}
			}
			allowed := rt.who.allows(r)
			refused := false
			switch resp.StatusCode {
			case http.StatusUnauthorized, http.StatusForbidden:
				code, _ := errorOf(t, v)
				refused = code == "unauthorised" || code == "forbidden"
			}
			if allowed == refused {
				t.Errorf("%s as %q by token: rule %q says allowed=%v, but the answer was %d %v", rt.pattern, role, rt.who.name, allowed, resp.StatusCode, v)
			}
			if !allowed && role == "" && resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s anonymous: status %d, want 401", rt.pattern, resp.StatusCode)
			}
		}
	}
	if walked < 16 {
		t.Errorf("walked %d API routes; the table has more", walked)
	}
}

// TestAPITokenLifecycle: a token made through the API signs its user in,
// is listed without its value, and once revoked, or once its user is
// disabled, signs nobody in.
func TestAPITokenLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		resp, v := s.bearer("enterprise1", http.MethodPost, "/api/v1/me/tokens", map[string]any{"name": "nightly export"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create a token: %d %v", resp.StatusCode, v)
		}
		token, _ := v["token"].(string)
		rec, _ := v["api_token"].(map[string]any)
		if len(token) < 40 || rec["name"] != "nightly export" {
			t.Fatalf("created %v", v)
		}
		tokenID := int64(rec["id"].(float64))
		c := s.client()
		resp, v = c.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/me", token: token})
		if resp.StatusCode != http.StatusOK || v["username"] != "enterprise1" || v["authenticated_by"] != "token" || v["csrf_token"] != nil {
			t.Fatalf("GET /me with the new token: %d %v", resp.StatusCode, v)
		}
		// Listed, without the token.
		resp, text := c.do(mustRequest(t, http.MethodGet, s.http.URL+"/api/v1/me/tokens", token))
		if resp.StatusCode != http.StatusOK || !strings.Contains(text, "nightly export") || strings.Contains(text, token) {
			t.Fatalf("the list: %d %s", resp.StatusCode, text)
		}
		// Another user cannot revoke it: not found.
		resp, v = s.bearer("enterprise2", http.MethodDelete, "/api/v1/me/tokens/"+itoa(tokenID), nil)
		if code, _ := errorOf(t, v); resp.StatusCode != http.StatusNotFound || code != "not_found" {
			t.Fatalf("another user revoking the token: %d %v", resp.StatusCode, v)
		}
		// Revoked by its owner, with itself.
		resp, _ = c.apiDo(apiCall{method: http.MethodDelete, path: "/api/v1/me/tokens/" + itoa(tokenID), token: token})
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		resp, v = c.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/me", token: token})
		if code, _ := errorOf(t, v); resp.StatusCode != http.StatusUnauthorized || code != "unauthorised" {
			t.Fatalf("a revoked token: %d %v", resp.StatusCode, v)
		}
		// The user's other token still works; revoking twice is not found.
		resp, v = s.bearer("enterprise1", http.MethodDelete, "/api/v1/me/tokens/"+itoa(tokenID), nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("revoke twice: %d %v", resp.StatusCode, v)
		}
		// A disabled user's token signs nobody in, on public routes neither.
		f := s.api()
		u, err := s.svc.Users(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range u {
			if acc.Username == "recommender1" {
				if _, err := s.svc.DisableUser(t.Context(), system, acc.ID, acc.Version); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/announcements"} {
			resp, v = c.apiDo(apiCall{method: http.MethodGet, path: path, token: f.tokens["recommender1"]})
			if code, _ := errorOf(t, v); resp.StatusCode != http.StatusUnauthorized || code != "unauthorised" {
				t.Errorf("%s with a disabled user's token: %d %v", path, resp.StatusCode, v)
			}
		}
		// Malformed credentials are 401 too, never a page.
		for _, h := range []string{"Basic YWRtaW4xOnB3", "Bearer ", "Bearer not-a-token"} {
			resp, v = c.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/me", header: http.Header{"Authorization": {h}}})
			if code, _ := errorOf(t, v); resp.StatusCode != http.StatusUnauthorized || code != "unauthorised" {
				t.Errorf("Authorization %q: %d %v", h, resp.StatusCode, v)
			}
		}
	})
}

func mustRequest(t *testing.T, method, url, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// TestAPIApplicationIsolation: each caller sees exactly the applications
// that are its own: an enterprise its enterprise's (another's is not
// found, exactly like one that does not exist), a recommender its
// channel's, an expert none, an administrator all.
func TestAPIApplicationIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		f := s.api()
		app, other := "/api/v1/applications/"+itoa(f.app), "/api/v1/applications/"+itoa(f.otherApp)
		missing := "/api/v1/applications/" + itoa(f.otherApp+1000)
		cycleApps := "/api/v1/cycles/" + itoa(f.cycleID) + "/applications"
		get := func(user, path string) (int, map[string]any) {
			t.Helper()
			resp, v := s.bearer(user, http.MethodGet, path, nil)
			return resp.StatusCode, v
		}
		// Readers of one application.
		for _, sc := range []struct {
			user string
			sees []string
			not  []string
		}{
			{"admin1", []string{app, other}, nil},
			{"enterprise1", []string{app}, []string{other}},
			{f.otherEnterpriseLogin, []string{other}, []string{app}},
			{"recommender1", []string{app}, []string{other}},
			{f.otherRecommenderLogin, []string{other}, []string{app}},
		} {
			for _, p := range sc.sees {
				if st, v := get(sc.user, p); st != http.StatusOK || v["id"] == nil {
					t.Errorf("%s GET %s: %d %v, want the application", sc.user, p, st, v)
				}
			}
			for _, p := range sc.not {
				st, v := get(sc.user, p)
				code, _ := errorOf(t, v)
				_, none := get(sc.user, missing)
				want := strings.Replace(none["error"].(map[string]any)["message"].(string), itoa(f.otherApp+1000), p[strings.LastIndex(p, "/")+1:], 1)
				if st != http.StatusNotFound || code != "not_found" || v["error"].(map[string]any)["message"] != want {
					t.Errorf("%s GET %s (not theirs): %d %v; want 404 saying %q, as for an id that does not exist", sc.user, p, st, v, want)
				}
			}
		}
		// The administrator's list of cycles (read on both databases here).
		if st, v := get("admin1", "/api/v1/cycles"); st != http.StatusOK || !slices.Contains(firstOf(ids(t, v)), f.cycleID) {
			t.Errorf("admin GET /api/v1/cycles: %d %v", st, v)
		}
		// An expert reads no application at all.
		for _, p := range []string{app, other, cycleApps, "/api/v1/me/applications"} {
			if st, v := get("expert1", p); st != http.StatusForbidden {
				t.Errorf("expert GET %s: %d %v, want 403", p, st, v)
			}
		}
		// A cycle's applications: all for the administrator, the channel's
		// for a recommender; enterprises use their own list.
		for user, want := range map[string][]int64{
			"admin1":                {f.app, f.otherApp},
			"recommender1":          {f.app},
			f.otherRecommenderLogin: {f.otherApp},
		} {
			st, v := get(user, cycleApps)
			got, total := ids(t, v)
			if st != http.StatusOK || !equalIDs(got, want) || total != len(want) {
				t.Errorf("%s GET %s: %d %v (total %d), want %v", user, cycleApps, st, got, total, want)
			}
		}
		if st, _ := get("enterprise1", cycleApps); st != http.StatusForbidden {
			t.Errorf("an enterprise listing a cycle's applications: %d, want 403", st)
		}
		for user, want := range map[string][]int64{"enterprise1": {f.app}, f.otherEnterpriseLogin: {f.otherApp}} {
			st, v := get(user, "/api/v1/me/applications")
			got, total := ids(t, v)
			if st != http.StatusOK || !equalIDs(got, want) || total != len(want) {
				t.Errorf("%s GET /api/v1/me/applications: %d %v, want %v", user, st, got, want)
			}
		}
		if st, _ := get("recommender1", "/api/v1/me/applications"); st != http.StatusForbidden {
			t.Errorf("a recommender's own applications: %d, want 403 (it has none)", st)
		}
		// Neither recommenders nor enterprises read cycles, results or
		// decisions.
		for _, user := range []string{"recommender1", "enterprise1", "expert1"} {
			for _, p := range []string{"/api/v1/cycles", "/api/v1/cycles/" + itoa(f.cycleID), "/api/v1/cycles/" + itoa(f.cycleID) + "/results",
				"/api/v1/cycles/" + itoa(f.cycleID) + "/decisions"} {
				if st, _ := get(user, p); st != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", user, p, st)
				}
			}
		}
	})
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAPIAnonymous: an anonymous caller of a signed-in API route gets
// 401 and JSON, never the sign-in page's redirect, whatever it accepts.
func TestAPIAnonymous(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	c := s.client()
	for _, accept := range []string{"", "text/html", "*/*"} {
		req, err := http.NewRequest(http.MethodGet, s.http.URL+"/api/v1/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, body := c.do(req)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			!strings.Contains(body, `"code":"unauthorised"`) {
			t.Errorf("Accept %q: %d %s %s", accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// An unknown API path is a JSON 404 too.
	resp, v := c.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/no/such/thing"})
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusNotFound || code != "not_found" {
		t.Errorf("unknown path: %d %v", resp.StatusCode, v)
	}
}

// TestAPICSRF: a bearer caller needs no anti-forgery token; a browser
// signed in by cookie does, in the X-CSRF-Token header, and without it
// changes nothing.
func TestAPICSRF(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	c := s.as("admin")
	count := func() int {
		_, total, err := s.svc.Announcements(t.Context(), announcementFilterAll())
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	before := count()
	body := map[string]any{"title_zh": "接口新闻"}
	resp, v := c.apiDo(apiCall{method: http.MethodPost, path: "/api/v1/announcements", body: body})
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusForbidden || code != "forbidden" {
		t.Errorf("cookie POST without a token: %d %v", resp.StatusCode, v)
	}
	// A wrong token: the right one with its first character changed.
	wrong := []byte(c.token())
	wrong[0] = map[bool]byte{true: 'y', false: 'x'}[wrong[0] == 'x']
	resp, v = c.apiDo(apiCall{method: http.MethodPost, path: "/api/v1/announcements", body: body,
		header: http.Header{"X-CSRF-Token": {string(wrong)}}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cookie POST with a wrong token: %d %v", resp.StatusCode, v)
	}
	resp, v = c.apiDo(apiCall{method: http.MethodDelete, path: "/api/v1/me/tokens/" + itoa(s.api().adminTokenID)})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cookie DELETE without a token: %d %v", resp.StatusCode, v)
	}
	if n := count(); n != before {
		t.Fatalf("refused requests created %d announcements", n-before)
	}
	// The page's token, as GET /me gives it to the site's scripts.
	_, me := c.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/me"})
	csrf, _ := me["csrf_token"].(string)
	if me["authenticated_by"] != "session" || csrf != c.token() {
		t.Fatalf("GET /me by cookie: %v; want the session's anti-forgery token", me)
	}
	resp, v = c.apiDo(apiCall{method: http.MethodPost, path: "/api/v1/announcements", body: body, header: http.Header{"X-CSRF-Token": {csrf}}})
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("cookie POST with the token: %d %v", resp.StatusCode, v)
	}
	// Cross-site requests are refused even with the token.
	resp, _ = c.apiDo(apiCall{method: http.MethodPost, path: "/api/v1/announcements", body: body,
		header: http.Header{"X-CSRF-Token": {csrf}, "Sec-Fetch-Site": {"cross-site"}}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site cookie POST: %d", resp.StatusCode)
	}
	// A bearer caller sends no token at all.
	resp, v = s.bearer("admin1", http.MethodPost, "/api/v1/announcements", body)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("bearer POST without a CSRF token: %d %v", resp.StatusCode, v)
	}
	if n := count(); n != before+2 {
		t.Errorf("%d announcements created, want 2", n-before)
	}
	// A form post to the API is refused as not JSON (and creates nothing).
	resp, _ = c.postForm("/api/v1/announcements", url.Values{"title_zh": {"表单"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || count() != before+2 {
		t.Errorf("a form posted to the API: %d", resp.StatusCode)
	}
}

// firstOf returns the first of two results.
func firstOf[T any](v T, _ int) T { return v }
