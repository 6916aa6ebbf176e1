package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
)

func init() { extraSeeds = append(extraSeeds, seedAdminSetup) }

// seedAdminSetup tells the route walk how to fill in the set-up pages'
// parameters: the expert's user page, a channel code, a program version
// (miit-tide, which the API's seed registers too: the same text again
// changes nothing) and an API token that does not exist (so the walk
// revokes nothing).
func seedAdminSetup(s *site) {
	ctx := context.Background()
	v, err := s.svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	if err != nil {
		s.t.Fatal(err)
	}
	users, _, err := s.svc.SearchUsers(ctx, store.UserQuery{Search: "expert1"})
	if err != nil || len(users) != 1 {
		s.t.Fatalf("find expert1: %v (%d found)", err, len(users))
	}
	user := strconv.FormatInt(users[0].ID, 10)
	for _, rt := range s.srv.adminSetupRoutes() {
		switch {
		case strings.Contains(rt.pattern, "/admin/users/{id}"):
			s.params[rt.pattern+" {id}"] = user
		case strings.Contains(rt.pattern, "/admin/programs/versions/{id}"):
			s.params[rt.pattern+" {id}"] = strconv.FormatInt(v.ID, 10)
		}
	}
	s.params["{token}"] = "999999"
	s.params["{code}"] = "jiangsu"
}

// postSetupFile sends a multipart form with fields and, when name is not
// empty, a file field "file" holding content; the page's anti-forgery
// token is added.
func (c *client) postSetupFile(path string, fields map[string]string, name string, content []byte) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField(csrfField, c.token())
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.site.http.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// setupStatus fails the test unless resp has status want.
func setupStatus(t *testing.T, what string, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		if len(body) > 3000 {
			body = body[:3000]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, resp.StatusCode, want, body)
	}
}

// setupHas fails the test unless body holds every one of parts.
func setupHas(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s: the page lacks %q", what, p)
		}
	}
}
