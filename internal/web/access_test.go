package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestRouteAccess walks the whole route table for every role and for an
// anonymous caller: a caller the route's rule refuses must be refused
// (sent to sign in, 401 or 403), and a caller it allows must get past the
// rule. A route added without a rule makes New fail, and so this test.
func TestRouteAccess(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s := newSite(t, db, Config{})
	clients := map[string]*client{}
	tokens := map[string]string{}
	for _, role := range roles {
		clients[role] = s.as(role)
		tokens[role] = clients[role].token()
	}
	css, _ := s.srv.assets.url("app.css")
	for _, rt := range s.srv.routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.TrimSuffix(path, "{$}")
		var fill []string
		for _, key := range []string{rt.pattern, ""} {
			for k, v := range s.params {
				if k2, ok := strings.CutPrefix(k, key+" "); key != "" && ok {
					fill = append(fill, k2, v)
				} else if key == "" && strings.HasPrefix(k, "{") {
					fill = append(fill, k, v)
				}
			}
		}
		fill = append(fill, "{file}", strings.TrimPrefix(css, "/static/"))
		path = strings.NewReplacer(fill...).Replace(path)
		if strings.Contains(path, "{") {
			t.Fatalf("route %s: the walk does not know how to fill in %s", rt.pattern, path)
		}
		for _, role := range roles {
			c := clients[role]
			var resp *http.Response
			var body string
			if method == http.MethodGet {
				resp, body = c.get(path)
			} else {
				// POST, DELETE…: a form with the page's token (and the
				// token's header, for bodies the server does not parse).
				resp, body = c.sendForm(method, path, url.Values{csrfField: {tokens[role]}})
			}
			r := &request{}
			if role != "" {
				r.acc = &workflow.Account{Roles: roleList(role)}
			}
			allowed := rt.who.allows(r)
			refused := resp.StatusCode == http.StatusForbidden && strings.Contains(body, "this page is for") ||
				resp.StatusCode == http.StatusUnauthorized && strings.Contains(body, "sign in first") ||
				resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")
			if allowed == refused {
				t.Errorf("%s as %q: rule %q says allowed=%v, but the answer was %d (refused=%v)", rt.pattern, role, rt.who.name, allowed, resp.StatusCode, refused)
			}
			if rt.pattern == "POST /logout" || rt.pattern == "POST /login" {
				// Signed out (or in again): start the next route afresh.
				clients[role] = s.as(role)
				tokens[role] = clients[role].token()
			}
		}
	}
}

func roleList(role string) []store.Role { return []store.Role{{Role: role}} }

// TestNoRouteWithoutRule: a route missing its rule stops the server from
// being built.
func TestNoRouteWithoutRule(t *testing.T) {
	s := &Server{}
	_, err := s.buildHandler([]route{{"GET /x", nil, func(http.ResponseWriter, *request) {}}})
	if err == nil || !strings.Contains(err.Error(), "no access rule") {
		t.Fatalf("buildHandler accepted a route without a rule: %v", err)
	}
}
