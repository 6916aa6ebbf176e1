package web

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

var system = workflow.Actor{Name: "test-setup"}

// site is a server under test with one user of each role.
type site struct {
	t    *testing.T
	svc  *workflow.Service
	srv  *Server
	http *httptest.Server
	// ids of fixtures
	channelID, enterpriseID, announcementID, draftID int64
	// params fills in the {name} parts of route patterns for the route
	// walk: {id} is the issued announcement unless a route's own entry
	// (by its whole pattern) says otherwise.
	params map[string]string
}

// extraSeeds add fixtures of other parts of the site (certificates, the
// API) to every seeded site; their files register them in init.
var extraSeeds []func(s *site)

// password is every test user's password.
const password = "correct horse battery staple"

// roles are the callers the route walk tries, "" being anonymous.
var roles = []string{"", workflow.RoleAdmin, workflow.RoleRecommender, workflow.RoleEnterprise, workflow.RoleExpert}

func newSite(t *testing.T, db *store.DB, cfg Config) *site {
	t.Helper()
	s := attachSite(t, db, cfg)
	s.seed()
	return s
}

// attachSite serves db, whose fixtures another site seeded.
func attachSite(t *testing.T, db *store.DB, cfg Config) *site {
	t.Helper()
	svc := workflow.New(db)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, svc: svc, srv: srv, http: httptest.NewServer(srv.Handler())}
	t.Cleanup(func() {
		s.http.Close()
		if err := srv.Close(context.Background()); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// seed creates a channel, an enterprise, one user of each role, an issued
// announcement and a draft.
func (s *site) seed() {
	t, svc, ctx := s.t, s.svc, context.Background()
	ch, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: "jiangsu", NameZh: "江苏省", NameEn: "Jiangsu", Kind: "province"})
	if err != nil {
		t.Fatal(err)
	}
	s.channelID = ch.ID
	e, err := svc.RegisterEnterprise(ctx, system, demo.CreditCode(rand.New(rand.NewPCG(1, 2)), "320100"), "南京示范科技有限公司", "jiangsu")
	if err != nil {
		t.Fatal(err)
	}
	s.enterpriseID = e.ID
	for _, role := range roles[1:] {
		u, err := svc.CreateUser(ctx, system, role+"1", "Test "+role, password)
		if err != nil {
			t.Fatal(err)
		}
		scope := int64(0)
		switch role {
		case workflow.RoleRecommender:
			scope = ch.ID
		case workflow.RoleEnterprise:
			scope = e.ID
		}
		if _, err := svc.GrantRole(ctx, system, u.ID, role, scope); err != nil {
			t.Fatal(err)
		}
	}
	a, err := svc.CreateAnnouncement(ctx, system, workflow.AnnouncementSpec{TitleZh: "关于2018年复核评价结果的公告", TitleEn: "Results of the 2018 review",
		BodyZh: "146家企业通过复核评价。", BodyEn: "146 enterprises passed the review."})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = svc.IssueAnnouncement(ctx, system, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	s.announcementID = a.ID
	d, err := svc.CreateAnnouncement(ctx, system, workflow.AnnouncementSpec{TitleZh: "未发布的草稿"})
	if err != nil {
		t.Fatal(err)
	}
	s.draftID = d.ID
	s.params = map[string]string{"{id}": strconv.FormatInt(s.announcementID, 10), "{lang}": "en"}
	for _, seed := range extraSeeds {
		seed(s)
	}
}

// client is a browser: a cookie jar and no automatic redirects.
type client struct {
	t    *testing.T
	site *site
	c    *http.Client
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as returns a browser signed in as the user of role ("" for anonymous).
func (s *site) as(role string) *client {
	c := s.client()
	if role != "" {
		resp, _ := c.postForm("/login", url.Values{"username": {role + "1"}, "password": {password}})
		if resp.StatusCode != http.StatusSeeOther {
			s.t.Fatalf("sign in as %s: status %d", role, resp.StatusCode)
		}
	}
	return c
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := missingMessage.Find(b); m != nil {
		c.t.Errorf("%s %s shows a message with no text: %s", req.Method, req.URL.Path, m)
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.site.http.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// missingMessage is how message shows a key it lacks, or how fmt shows a
// verb that does not fit its value.
var missingMessage = regexp.MustCompile(`\?\?[a-z_.]+\?\?|%!\w?\(`)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token fetches a page and returns the anti-forgery token of its forms.
func (c *client) token() string {
	c.t.Helper()
	_, body := c.get("/login")
	if c.loggedIn() {
		_, body = c.get("/account")
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no csrf field in the page")
	}
	return m[1]
}

func (c *client) loggedIn() bool {
	u, _ := url.Parse(c.site.http.URL)
	for _, k := range c.c.Jar.Cookies(u) {
		if k.Name == sessionCookie {
			return true
		}
	}
	return false
}

// postForm sends a form with the page's anti-forgery token.
func (c *client) postForm(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(csrfField) {
		form.Set(csrfField, c.token())
	}
	return c.postRaw(path, form, nil)
}

// postRaw sends a form as it is, with extra headers.
func (c *client) postRaw(path string, form url.Values, header http.Header) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.site.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return c.do(req)
}
