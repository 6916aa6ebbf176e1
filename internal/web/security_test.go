package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store/storetest"
)

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{Secure: true})
	c := s.client()
	for _, path := range []string{"/", "/login", "/announcements", "/no/such/page", "/healthz"} {
		resp, _ := c.get(path)
		h := resp.Header
		for name, want := range map[string]string{
			"Content-Security-Policy":   "default-src 'none'",
			"X-Content-Type-Options":    "nosniff",
			"X-Frame-Options":           "DENY",
			"Referrer-Policy":           "strict-origin-when-cross-origin",
			"Strict-Transport-Security": "max-age=",
		} {
			if !strings.Contains(h.Get(name), want) {
				t.Errorf("%s: header %s = %q, want it to contain %q", path, name, h.Get(name), want)
			}
		}
		if strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("%s: the CSP allows inline code", path)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newSite(t, storetest.Open(t, "sqlite"), Config{Secure: secure})
		c := s.client()
		resp, _ := c.postForm("/login", url.Values{"username": {"admin1"}, "password": {password}})
		var session *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == sessionCookie {
				session = k
			}
		}
		if session == nil {
			t.Fatalf("secure=%v: no session cookie after signing in (status %d)", secure, resp.StatusCode)
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != secure {
			t.Errorf("secure=%v: session cookie HttpOnly=%v SameSite=%v Secure=%v", secure, session.HttpOnly, session.SameSite, session.Secure)
		}
		if len(session.Value) < 40 {
			t.Errorf("session token %d characters: too short to be unguessable", len(session.Value))
		}
		// Signing out ends the session on the server: the old cookie, sent
		// again, signs no one in.
		c.postForm("/logout", nil)
		thief := s.client()
		req, _ := http.NewRequest(http.MethodGet, s.http.URL+"/account", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session.Value})
		resp, _ = thief.do(req)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("a signed-out session still works: status %d", resp.StatusCode)
		}
	}
}

func TestCSRF(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	c := s.as("admin")
	good := c.token()
	form := func(token string) url.Values {
		return url.Values{"title_zh": {"新闻"}, csrfField: {token}}
	}
	scenarios := []struct {
		name   string
		form   url.Values
		header http.Header
		want   int
	}{
		{"no token", url.Values{"title_zh": {"新闻"}}, nil, http.StatusForbidden},
		{"wrong token", form(otherFirst(good)), nil, http.StatusForbidden},
		{"another visitor's token", form(s.client().token()), nil, http.StatusForbidden},
		{"cross-site with the right token", form(good), http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"other origin with the right token", form(good), http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"right token", form(good), nil, http.StatusSeeOther},
	}
	for _, sc := range scenarios {
		resp, body := c.postRaw("/admin/announcements", sc.form, sc.header)
		if resp.StatusCode != sc.want {
			t.Errorf("%s: status %d, want %d: %s", sc.name, resp.StatusCode, sc.want, firstLine(body))
		}
	}
	// Only the last scenario created an announcement.
	list, total, err := s.svc.Announcements(t.Context(), announcementFilterAll())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range list {
		if a.TitleZh == "新闻" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d announcements titled 新闻 (of %d), want exactly 1", n, total)
	}
	// Signing in needs the visitor's token too (login forgery).
	resp, _ := s.client().postRaw("/login", url.Values{"username": {"admin1"}, "password": {password}}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without a token: status %d, want 403", resp.StatusCode)
	}
}

func TestLoginThrottle(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	s.srv.throttle.now = func() time.Time { return now }
	c := s.client()
	for i := range 5 {
		resp, body := c.postForm("/login", url.Values{"username": {"admin1"}, "password": {"wrong"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "username or the password is wrong") {
			t.Fatalf("attempt %d: status %d, want 401 with the message", i+1, resp.StatusCode)
		}
	}
	// The sixth attempt waits, even with the right password.
	resp, body := c.postForm("/login", url.Values{"username": {"admin1"}, "password": {password}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("sixth attempt: status %d Retry-After %q, want 429 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "Too many failed sign-ins") && !strings.Contains(body, "登录失败次数过多") {
		t.Errorf("the throttled page does not say why: %s", firstLine(body))
	}
	// Another username from the same address is not held up.
	resp, _ = c.postForm("/login", url.Values{"username": {"expert1"}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another user: status %d, want 303", resp.StatusCode)
	}
	// After the wait, the right password works and clears the count.
	now = now.Add(2 * time.Second)
	resp, _ = s.client().postForm("/login", url.Values{"username": {"admin1"}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the wait: status %d, want 303", resp.StatusCode)
	}
	if w := s.srv.throttle.wait("user:admin1"); w != 0 {
		t.Errorf("after a success the user still waits %v", w)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	for next, want := range map[string]string{
		"/admin/announcements": "/admin/announcements",
		"//evil.example/x":     "/",
		"https://evil.example": "/",
		`/\evil.example`:       "/",
		"":                     "/",
	} {
		resp, _ := s.client().postForm("/login", url.Values{"username": {"admin1"}, "password": {password}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next=%q: sent to %q, want %q", next, got, want)
		}
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	c := s.as("admin")
	resp, _ := c.postForm("/admin/announcements", url.Values{"title_zh": {evil}, "title_en": {evil}, "body_zh": {evil}, "body_en": {evil}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	list, _, err := s.svc.Announcements(t.Context(), announcementFilterAll())
	if err != nil {
		t.Fatal(err)
	}
	a := list[0]
	if _, err := s.svc.IssueAnnouncement(t.Context(), system, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/announcements", "/announcements/" + itoa(a.ID), "/admin/announcements"} {
		_, body := c.get(path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s shows user text unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s does not show the escaped text at all", path)
		}
	}
	// The username is user text too.
	_, body := c.get("/account")
	if !strings.Contains(body, "admin1") {
		t.Errorf("the account page does not name the user")
	}
}

func firstLine(s string) string {
	if i := strings.Index(s, "\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// TestBodyLimit: a body over its limit is refused as too large, before
// any handler reads it.
func TestBodyLimit(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	c := s.as("admin")
	big := strings.Repeat("长", maxFormBody/3+10)
	resp, body := c.postForm("/admin/announcements", url.Values{"title_zh": {"大"}, "body_zh": {big}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "larger than 4 MB") {
		t.Errorf("a 4 MB form: status %d: %s", resp.StatusCode, firstLine(body))
	}
	list, _, err := s.svc.Announcements(t.Context(), announcementFilterAll())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.TitleZh == "大" {
			t.Errorf("the oversized form was saved")
		}
	}
}

// otherFirst returns token with its first character changed: a token
// that differs from it, whatever it starts with.
func otherFirst(token string) string {
	if token[0] == 'x' {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
