package web

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/workflow"
)

// apiFixture is what the API's seed adds to a site: a cycle of miit-tide
// with two applications, one per enterprise and channel, the users of the
// second enterprise and channel, and an API token of every seeded user.
type apiFixture struct {
	cycleID int64
	// app is the seeded enterprise's application (channel jiangsu);
	// otherApp the second enterprise's (channel zhejiang).
	app, otherApp         int64
	otherEnterprise       int64
	otherChannel          int64
	tokens                map[string]string // by username
	userIDs               map[string]int64  // by username
	adminTokenID          int64
	otherRecommenderLogin string // recommender of zhejiang
	otherEnterpriseLogin  string // user of the second enterprise
}

var (
	apiFixturesMu sync.Mutex
	apiFixtures   = map[*site]*apiFixture{}
)

// api returns the API fixtures of s.
func (s *site) api() *apiFixture {
	apiFixturesMu.Lock()
	defer apiFixturesMu.Unlock()
	f := apiFixtures[s]
	if f == nil {
		s.t.Fatal("the site has no API fixtures")
	}
	return f
}

func init() { extraSeeds = append(extraSeeds, seedAPI) }

// seedAPI adds the API's fixtures to s and tells the route walk how to
// fill in the API's {id}s.
func seedAPI(s *site) {
	t, svc, ctx := s.t, s.svc, context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &apiFixture{tokens: map[string]string{}, userIDs: map[string]int64{},
		otherRecommenderLogin: "recommender2", otherEnterpriseLogin: "enterprise2"}
	pv, err := svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	must(err)
	ch, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: "zhejiang", NameZh: "浙江省", NameEn: "Zhejiang", Kind: "province"})
	must(err)
	f.otherChannel = ch.ID
	e, err := svc.RegisterEnterprise(ctx, system, demo.CreditCode(rand.New(rand.NewPCG(3, 4)), "330100"), "杭州示范科技有限公司", "zhejiang")
	must(err)
	f.otherEnterprise = e.ID
	c, err := svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: pv.ID, Kind: workflow.KindIdentification, Year: 2026,
		TitleZh: "2026年认定", TitleEn: "Identification 2026"})
	must(err)
	_, err = svc.OpenCycle(ctx, system, c.ID)
	must(err)
	f.cycleID = c.ID
	a, err := svc.CreateApplication(ctx, system, c.ID, s.enterpriseID)
	must(err)
	f.app = a.ID
	a, err = svc.CreateApplication(ctx, system, c.ID, e.ID)
	must(err)
	f.otherApp = a.ID
	for _, u := range []struct {
		name, role string
		scope      int64
	}{{f.otherEnterpriseLogin, workflow.RoleEnterprise, e.ID}, {f.otherRecommenderLogin, workflow.RoleRecommender, ch.ID}} {
		nu, err := svc.CreateUser(ctx, system, u.name, "Test "+u.name, password)
		must(err)
		_, err = svc.GrantRole(ctx, system, nu.ID, u.role, u.scope)
		must(err)
	}
	users, err := svc.Users(ctx)
	must(err)
	for _, u := range users {
		token, rec, err := svc.CreateAPIToken(ctx, system, u.ID, "tests")
		must(err)
		f.tokens[u.Username], f.userIDs[u.Username] = token, u.ID
		if u.Username == "admin1" {
			f.adminTokenID = rec.ID
		}
	}
	apiFixturesMu.Lock()
	apiFixtures[s] = f
	apiFixturesMu.Unlock()
	s.t.Cleanup(func() {
		apiFixturesMu.Lock()
		delete(apiFixtures, s)
		apiFixturesMu.Unlock()
	})

	cycle, app := strconv.FormatInt(f.cycleID, 10), strconv.FormatInt(f.app, 10)
	for _, p := range []string{"GET /api/v1/cycles/{id}", "GET /api/v1/cycles/{id}/results", "GET /api/v1/cycles/{id}/decisions",
		"GET /api/v1/cycles/{id}/applications"} {
		s.params[p+" {id}"] = cycle
	}
	s.params["GET /api/v1/applications/{id} {id}"] = app
	// The writes: the seeded application and cycle. Their walk sends
	// bodies without a version (refused before anything changes), and a
	// transition the open cycle cannot make.
	for _, p := range []string{"PUT /api/v1/applications/{id}/inputs", "PUT /api/v1/applications/{id}/declarations",
		"POST /api/v1/applications/{id}/submit", "POST /api/v1/applications/{id}/withdraw", "POST /api/v1/applications/{id}/return"} {
		s.params[p+" {id}"] = app
	}
	for _, p := range []string{"POST /api/v1/cycles/{id}/transitions/{action}", "GET /api/v1/cycles/{id}/objections",
		"POST /api/v1/cycles/{id}/objections"} {
		s.params[p+" {id}"] = cycle
	}
	s.params["POST /api/v1/cycles/{id}/transitions/{action} {action}"] = "close"
	// Another user's token: revoking it is not found for everyone but its
	// owner, and the walk's own token is left alone.
	s.params["DELETE /api/v1/me/tokens/{id} {id}"] = strconv.FormatInt(f.adminTokenID, 10)
	s.params["POST /api/v1/announcements/{id}/issue {id}"] = strconv.FormatInt(s.draftID, 10)
}

// sendForm sends a form with method; the form's anti-forgery token also
// goes in the X-CSRF-Token header, which the server reads when the body
// is not a form it parses (DELETE).
func (c *client) sendForm(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if method == http.MethodPost {
		return c.postRaw(path, form, nil)
	}
	req, err := http.NewRequest(method, c.site.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", form.Get(csrfField))
	return c.do(req)
}

// apiCall is a request of the API test: method, path, a body to send as
// JSON (nil: none), and how to sign in.
type apiCall struct {
	method, path string
	body         any
	token        string      // sent as Authorization: Bearer
	header       http.Header // more headers
}

// apiDo sends call with c (its cookies, if signed in) and decodes the JSON
// answer into a map (nil for an empty body). A body that is not JSON
// fails the test: the API answers only JSON.
func (c *client) apiDo(call apiCall) (*http.Response, map[string]any) {
	c.t.Helper()
	var body *bytes.Reader
	if call.body != nil {
		b, err := json.Marshal(call.body)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(call.method, c.site.http.URL+call.path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if call.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if call.token != "" {
		req.Header.Set("Authorization", "Bearer "+call.token)
	}
	for k, v := range call.header {
		req.Header[k] = v
	}
	resp, text := c.do(req)
	if text == "" {
		return resp, nil
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		c.t.Fatalf("%s %s: status %d with Content-Type %q, not JSON: %.200s", call.method, call.path, resp.StatusCode,
			resp.Header.Get("Content-Type"), text)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		c.t.Fatalf("%s %s: the answer is not a JSON object: %v: %.200s", call.method, call.path, err, text)
	}
	return resp, v
}

// bearer calls the API with user's API token and no cookies.
func (s *site) bearer(user string, method, path string, body any) (*http.Response, map[string]any) {
	s.t.Helper()
	token := s.api().tokens[user]
	if token == "" {
		s.t.Fatalf("no API token for %q", user)
	}
	return s.client().apiDo(apiCall{method: method, path: path, body: body, token: token})
}

// errorOf returns the code and field of an API error answer, failing the
// test unless it has exactly the members code, message and (optionally)
// field.
func errorOf(t *testing.T, v map[string]any) (code, field string) {
	t.Helper()
	e, ok := v["error"].(map[string]any)
	if !ok || len(v) != 1 {
		t.Fatalf("not an API error: %v", v)
	}
	for k := range e {
		if k != "code" && k != "message" && k != "field" {
			t.Errorf("the error has a member %q: %v", k, e)
		}
	}
	code, _ = e["code"].(string)
	msg, _ := e["message"].(string)
	field, _ = e["field"].(string)
	if code == "" || msg == "" {
		t.Errorf("the error lacks its code or message: %v", e)
	}
	return code, field
}

// ids returns the "id" of each item of a list answer, and its total.
func ids(t *testing.T, v map[string]any) ([]int64, int) {
	t.Helper()
	items, ok := v["items"].([]any)
	if !ok {
		t.Fatalf("not a list: %v", v)
	}
	var out []int64
	for _, it := range items {
		m, _ := it.(map[string]any)
		f, ok := m["id"].(float64)
		if !ok {
			t.Fatalf("an item without an id: %v", it)
		}
		out = append(out, int64(f))
	}
	total, _ := v["total"].(float64)
	return out, int(total)
}
