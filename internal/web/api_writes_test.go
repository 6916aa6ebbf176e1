package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// apiWriteRoutes are the write routes (and the objection list) whose
// answers TestAPIWritesJourney checks against the OpenAPI document;
// TestOpenAPIConformance leaves them to it.
var apiWriteRoutes = []string{
	"POST /api/v1/applications", "PUT /api/v1/applications/{id}/inputs", "PUT /api/v1/applications/{id}/declarations",
	"POST /api/v1/applications/{id}/submit", "POST /api/v1/applications/{id}/withdraw",
	"POST /api/v1/applications/recommend", "POST /api/v1/applications/not-recommend", "POST /api/v1/applications/{id}/return",
	"POST /api/v1/cycles", "POST /api/v1/cycles/{id}/transitions/{action}", "PUT /api/v1/decisions/{id}",
	"POST /api/v1/decisions/{id}/finalise", "GET /api/v1/cycles/{id}/objections", "POST /api/v1/objections/{id}/handle",
	"POST /api/v1/cycles/{id}/objections",
}

// visitorCSRF returns the anti-forgery token of an anonymous client: the
// visitor cookie the site sets on its first request, fetched if need be.
func visitorCSRF(c *client) string {
	c.t.Helper()
	u, _ := url.Parse(c.site.http.URL)
	for range 2 {
		for _, k := range c.c.Jar.Cookies(u) {
			if k.Name == visitorCookie {
				return k.Value
			}
		}
		c.get("/api/v1/openapi.json")
	}
	c.t.Fatal("the site set no visitor cookie")
	return ""
}

// journey calls the API and keeps every answer, to check them all
// against the OpenAPI document at the end.
type journey struct {
	t       *testing.T
	s       *site
	samples []map[string]any
	covered map[string]bool
	// routes are the routes the journey must check an answer of;
	// apiWriteRoutes when nil.
	routes []string
}

// call sends c as user (by API token; "" anonymous, with the visitor's
// anti-forgery token) to the route of pattern, and returns the status
// and answer.
func (j *journey) call(pattern, user string, c apiCall) (int, map[string]any) {
	j.t.Helper()
	cl := j.s.client()
	if user != "" {
		c.token = j.s.api().tokens[user]
	} else if c.method != http.MethodGet {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Set("X-CSRF-Token", visitorCSRF(cl))
	}
	resp, v := cl.apiDo(c)
	_, tmpl, _ := strings.Cut(pattern, " ")
	ptr := "#/components/schemas/Error"
	if resp.StatusCode < 300 {
		ptr = fmt.Sprintf("#/paths/%s/%s/responses/%d/content/application~1json/schema", pointerToken(tmpl),
			strings.ToLower(c.method), resp.StatusCode)
		j.covered[pattern] = true
	}
	if v != nil {
		j.samples = append(j.samples, map[string]any{"name": fmt.Sprintf("%s %s as %q → %d", c.method, c.path, user, resp.StatusCode),
			"schema": ptr, "body": v})
	}
	return resp.StatusCode, v
}

// want fails the test unless the answer has status, and for a refusal,
// the field (when field is not "").
func (j *journey) want(what string, status int, field string, got int, v map[string]any) {
	j.t.Helper()
	if got != status {
		j.t.Fatalf("%s: %d %v, want %d", what, got, v, status)
	}
	if got >= 400 {
		_, f := errorOf(j.t, v)
		if field != "" && f != field {
			j.t.Fatalf("%s: %v, want the field %q", what, v, field)
		}
	}
}

// conform checks every kept answer against the document.
func (j *journey) conform() {
	j.t.Helper()
	node, dir := openAPICheck(j.t)
	routes := j.routes
	if routes == nil {
		routes = apiWriteRoutes
	}
	for _, p := range routes {
		if !j.covered[p] {
			j.t.Errorf("the journey checked no answer of %s against its schema", p)
		}
	}
	tmp := j.t.TempDir()
	docFile, samplesFile := filepath.Join(tmp, "openapi.json"), filepath.Join(tmp, "samples.json")
	b, err := json.Marshal(j.samples)
	if err != nil {
		j.t.Fatal(err)
	}
	if err := os.WriteFile(docFile, servedOpenAPI(j.t, j.s), 0o600); err != nil {
		j.t.Fatal(err)
	}
	if err := os.WriteFile(samplesFile, b, 0o600); err != nil {
		j.t.Fatal(err)
	}
	out, code := runCheck(j.t, node, dir, "conform.mjs", docFile, samplesFile)
	if want := fmt.Sprintf("%d of %d answers conform", len(j.samples), len(j.samples)); code != 0 || !strings.Contains(out, want) {
		j.t.Fatalf("answers that do not match the document (exit %d):\n%s", code, out)
	}
}

func idOf(v map[string]any, k string) int64 {
	f, _ := v[k].(float64)
	return int64(f)
}

// TestAPIWritesJourney: a cycle through the API alone. The administrator
// creates and opens it; an enterprise applies, is refused a bad input by
// name, saves, declares and submits twice with one key (one
// submission); a recommender returns, recommends within its quota (the
// quota's refusal gives the count and the quota); the administrator
// runs the cycle to its notice and edits a decision (a stale version is
// refused); the public objects, anonymously; the administrator upholds
// the objection, re-decides and finalises. Every answer conforms to the
// OpenAPI document.
func TestAPIWritesJourney(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	ctx, f := context.Background(), s.api()
	j := &journey{t: t, s: s, covered: map[string]bool{}}
	choices, err := s.svc.ProgramVersionChoices(ctx)
	if err != nil || len(choices) == 0 {
		t.Fatalf("program versions: %v %v", choices, err)
	}
	c0, err := s.svc.Cycle(ctx, f.cycleID)
	if err != nil {
		t.Fatal(err)
	}

	// The administrator creates a cycle; refusals name their member.
	spec := map[string]any{"program_version_id": c0.ProgramVersionID, "kind": "identification", "year": 2027,
		"title_zh": "2027年认定", "title_en": "Identification 2027", "quotas": map[string]int{"jiangsu": 1}}
	bad := map[string]any{}
	for k, v := range spec {
		bad[k] = v
	}
	bad["year"] = 1066
	st, v := j.call("POST /api/v1/cycles", "admin1", apiCall{method: "POST", path: "/api/v1/cycles", body: bad})
	j.want("a cycle of 1066", http.StatusUnprocessableEntity, "year", st, v)
	st, v = j.call("POST /api/v1/cycles", "enterprise1", apiCall{method: "POST", path: "/api/v1/cycles", body: spec})
	j.want("an enterprise creating a cycle", http.StatusForbidden, "", st, v)
	st, v = j.call("POST /api/v1/cycles", "admin1", apiCall{method: "POST", path: "/api/v1/cycles", body: spec})
	j.want("create the cycle", http.StatusCreated, "", st, v)
	cycle := idOf(v, "id")
	base := "/api/v1/cycles/" + itoa(cycle)
	transition := func(action string, status int) map[string]any {
		t.Helper()
		st, v := j.call("POST /api/v1/cycles/{id}/transitions/{action}", "admin1",
			apiCall{method: "POST", path: base + "/transitions/" + action})
		j.want(action, status, "", st, v)
		return v
	}
	if v := transition("open", http.StatusOK); v["phase"] != "open" {
		t.Fatalf("opened: %v", v)
	}
	transition("announce", http.StatusConflict)
	transition("dance", http.StatusNotFound)

	// The enterprise applies.
	st, v = j.call("POST /api/v1/applications", "enterprise1", apiCall{method: "POST", path: "/api/v1/applications",
		body: map[string]any{"cycle_id": cycle, "enterprise_id": f.otherEnterprise}})
	j.want("apply for another enterprise", http.StatusNotFound, "enterprise_id", st, v)
	st, v = j.call("POST /api/v1/applications", "enterprise1", apiCall{method: "POST", path: "/api/v1/applications",
		body: map[string]any{"cycle_id": cycle}})
	j.want("apply", http.StatusCreated, "", st, v)
	app := idOf(v, "id")
	appPath := "/api/v1/applications/" + itoa(app)
	st, v = j.call("POST /api/v1/applications", "enterprise1", apiCall{method: "POST", path: "/api/v1/applications",
		body: map[string]any{"cycle_id": cycle}})
	j.want("apply twice", http.StatusConflict, "", st, v)

	e, _, err := s.svc.Enterprise(ctx, s.enterpriseID)
	if err != nil {
		t.Fatal(err)
	}
	inputs := demo.Story(42, 1)[0].Identification
	inputs["name"] = e.Name
	sales := inputs["sales"].([]any)
	inputs["sales"] = []any{sales[0], sales[1], -5.0}
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", "enterprise1", apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"version": 1, "inputs": inputs}})
	j.want("save a negative sales", http.StatusUnprocessableEntity, "inputs.sales[2]", st, v)
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", "enterprise1", apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"version": 1, "inputs": map[string]any{"sales": "lots"}}})
	j.want("save sales as text", http.StatusUnprocessableEntity, "inputs.sales", st, v)
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", "enterprise1", apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"inputs": inputs}})
	j.want("save without a version", http.StatusUnprocessableEntity, "version", st, v)
	inputs["sales"] = sales
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", "enterprise1", apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"version": 1, "inputs": inputs}})
	j.want("save", http.StatusOK, "", st, v)
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", "enterprise1", apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"version": 1, "inputs": inputs}})
	j.want("save at a stale version", http.StatusConflict, "", st, v)
	st, v = j.call("PUT /api/v1/applications/{id}/declarations", "enterprise1", apiCall{method: "PUT", path: appPath + "/declarations",
		body: map[string]any{"version": 2, "declarations": map[string]bool{"Bad Key": true}}})
	j.want("a bad declaration", http.StatusUnprocessableEntity, "declarations", st, v)
	st, v = j.call("PUT /api/v1/applications/{id}/declarations", "enterprise1", apiCall{method: "PUT", path: appPath + "/declarations",
		body: map[string]any{"version": 2, "declarations": map[string]bool{"independent_legal_person": true}}})
	j.want("declare", http.StatusOK, "", st, v)
	version := v["version"]

	// Submitted twice with one key: one submission.
	st, v = j.call("POST /api/v1/applications/{id}/submit", "enterprise1", apiCall{method: "POST", path: appPath + "/submit",
		body: map[string]any{"version": version}})
	j.want("submit without a key", http.StatusUnprocessableEntity, "idempotency_key", st, v)
	key := http.Header{"Idempotency-Key": {"journey-1"}}
	st, first := j.call("POST /api/v1/applications/{id}/submit", "enterprise1", apiCall{method: "POST", path: appPath + "/submit",
		body: map[string]any{"version": version}, header: key})
	j.want("submit", http.StatusOK, "", st, first)
	st, again := j.call("POST /api/v1/applications/{id}/submit", "enterprise1", apiCall{method: "POST", path: appPath + "/submit",
		body: map[string]any{"version": version, "idempotency_key": "journey-1"}})
	j.want("submit again with the key", http.StatusOK, "", st, again)
	if first["status"] != "submitted" || again["version"] != first["version"] || again["submitted_at"] != first["submitted_at"] {
		t.Errorf("a retried submission changed the application: %v, then %v", first, again)
	}
	_, n, err := s.svc.SearchAudit(ctx, store.AuditQuery{Action: "application.submit", Entity: "application", EntityID: itoa(app)})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d submissions of application %d on record, want 1", n, app)
	}

	// Isolation: another enterprise's, another channel's application is
	// not found.
	st, v = j.call("PUT /api/v1/applications/{id}/inputs", f.otherEnterpriseLogin, apiCall{method: "PUT", path: appPath + "/inputs",
		body: map[string]any{"version": 1, "inputs": inputs}})
	j.want("another enterprise saving", http.StatusNotFound, "", st, v)
	st, v = j.call("POST /api/v1/applications/{id}/withdraw", f.otherEnterpriseLogin, apiCall{method: "POST", path: appPath + "/withdraw",
		body: map[string]any{"version": 1}})
	j.want("another enterprise withdrawing", http.StatusNotFound, "", st, v)
	st, v = j.call("POST /api/v1/applications/{id}/return", f.otherRecommenderLogin, apiCall{method: "POST", path: appPath + "/return",
		body: map[string]any{"version": 1, "reason": "x"}})
	j.want("another channel returning", http.StatusNotFound, "", st, v)
	st, v = j.call("POST /api/v1/applications/recommend", f.otherRecommenderLogin, apiCall{method: "POST", path: "/api/v1/applications/recommend",
		body: map[string]any{"application_ids": []int64{app}}})
	j.want("another channel recommending", http.StatusNotFound, "application_ids[0]", st, v)

	// A second enterprise of the channel, set up directly.
	e2, err := s.svc.RegisterEnterprise(ctx, system, demo.CreditCode(rand.New(rand.NewPCG(5, 6)), "320200"), "无锡示范科技有限公司", "jiangsu")
	if err != nil {
		t.Fatal(err)
	}
	a2, err := s.svc.CreateApplication(ctx, system, cycle, e2.ID)
	if err != nil {
		t.Fatal(err)
	}
	in2 := demo.Story(43, 1)[0].Identification
	in2["name"] = e2.Name
	raw, _ := json.Marshal(in2)
	if a2, err = s.svc.SaveApplication(ctx, system, a2.ID, a2.Version, raw); err != nil {
		t.Fatal(err)
	}
	if a2, err = s.svc.SubmitApplication(ctx, system, a2.ID, a2.Version, "journey-2"); err != nil {
		t.Fatal(err)
	}
	ret := "/api/v1/applications/" + itoa(a2.ID) + "/return"
	st, v = j.call("POST /api/v1/applications/{id}/return", "recommender1", apiCall{method: "POST", path: ret,
		body: map[string]any{"version": a2.Version}})
	j.want("return without a reason", http.StatusUnprocessableEntity, "reason", st, v)
	st, v = j.call("POST /api/v1/applications/{id}/return", "recommender1", apiCall{method: "POST", path: ret,
		body: map[string]any{"version": a2.Version, "reason": "附上审计报告"}})
	j.want("return", http.StatusOK, "", st, v)
	if v["status"] != "returned" || v["return_reason"] != "附上审计报告" {
		t.Errorf("returned: %v", v)
	}
	if a2, err = s.svc.SubmitApplication(ctx, system, a2.ID, idOf(v, "version"), "journey-3"); err != nil {
		t.Fatal(err)
	}

	// The enterprise withdraws its application to the seeded cycle.
	st, v = j.call("POST /api/v1/applications/{id}/withdraw", "enterprise1", apiCall{method: "POST",
		path: "/api/v1/applications/" + itoa(f.app) + "/withdraw", body: map[string]any{"version": 1}})
	j.want("withdraw", http.StatusOK, "", st, v)
	if v["status"] != "withdrawn" {
		t.Errorf("withdrawn: %v", v)
	}

	// Recommendations, within the quota of 1.
	transition("close-applications", http.StatusOK)
	rec := func(pattern, path string, status int, ids ...int64) map[string]any {
		t.Helper()
		st, v := j.call(pattern, "recommender1", apiCall{method: "POST", path: path, body: map[string]any{"application_ids": ids}})
		j.want(path, status, "", st, v)
		return v
	}
	v = rec("POST /api/v1/applications/recommend", "/api/v1/applications/recommend", http.StatusConflict, a2.ID, app)
	if msg := v["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "(2 > 1)") || !strings.Contains(msg, "may recommend 1") {
		t.Errorf("the quota's refusal does not give the count and the quota: %q", msg)
	}
	v = rec("POST /api/v1/applications/recommend", "/api/v1/applications/recommend", http.StatusOK, app)
	if apps := v["applications"].([]any); len(apps) != 1 || apps[0].(map[string]any)["status"] != "recommended" {
		t.Errorf("recommended: %v", v)
	}
	rec("POST /api/v1/applications/not-recommend", "/api/v1/applications/not-recommend", http.StatusOK, a2.ID)

	// To the notice; a decision edited at its version.
	transition("start-evaluation", http.StatusOK)
	transition("start-deliberation", http.StatusOK)
	_, v = s.bearer("admin1", http.MethodGet, base+"/decisions", nil)
	items := v["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("decisions: %v", v)
	}
	d := items[0].(map[string]any)
	decision := "/api/v1/decisions/" + itoa(idOf(d, "id"))
	edit := map[string]any{"version": d["version"], "outcome": "pass", "reason_zh": "综合评价通过", "reason_en": "Passed the evaluation"}
	st, v = j.call("PUT /api/v1/decisions/{id}", "admin1", apiCall{method: "PUT", path: decision,
		body: map[string]any{"version": d["version"], "outcome": "maybe", "reason_zh": "x", "reason_en": "x"}})
	j.want("an outcome of maybe", http.StatusUnprocessableEntity, "outcome", st, v)
	st, v = j.call("PUT /api/v1/decisions/{id}", "admin1", apiCall{method: "PUT", path: decision, body: edit})
	j.want("edit the decision", http.StatusOK, "", st, v)
	st, v = j.call("PUT /api/v1/decisions/{id}", "admin1", apiCall{method: "PUT", path: decision, body: edit})
	j.want("edit at a stale version", http.StatusConflict, "", st, v)
	transition("publish-notice", http.StatusOK)
	st, v = j.call("GET /api/v1/cycles/{id}/objections", "admin1", apiCall{method: "GET", path: base + "/objections"})
	j.want("objections before any", http.StatusOK, "", st, v)

	// The public objects, anonymously.
	objection := map[string]any{"enterprise_id": s.enterpriseID, "filer_name": "张三", "filer_contact": "zhang@example.com",
		"grounds": "研发费用有误"}
	st, v = j.call("POST /api/v1/cycles/{id}/objections", "", apiCall{method: "POST", path: base + "/objections",
		body: map[string]any{"enterprise_id": s.enterpriseID, "filer_name": "张三", "filer_contact": "", "grounds": "x"}})
	j.want("an objection without a contact", http.StatusUnprocessableEntity, "filer_contact", st, v)
	st, v = j.call("POST /api/v1/cycles/{id}/objections", "", apiCall{method: "POST", path: base + "/objections", body: objection})
	j.want("object", http.StatusCreated, "", st, v)
	obj := idOf(v, "id")
	st, v = j.call("POST /api/v1/cycles/{id}/objections", "", apiCall{method: "POST", path: "/api/v1/cycles/" + itoa(f.cycleID) + "/objections",
		body: objection})
	j.want("object to a cycle without a notice", http.StatusNotFound, "", st, v)
	st, v = j.call("GET /api/v1/cycles/{id}/objections", "admin1", apiCall{method: "GET", path: base + "/objections?status=filed"})
	if got, total := ids(t, v); st != http.StatusOK || total != 1 || got[0] != obj {
		t.Errorf("filed objections: %d %v", st, v)
	}
	transition("announce", http.StatusConflict) // an objection is not handled, and the notice runs

	// The administrator upholds it, re-decides and finalises.
	handle := "/api/v1/objections/" + itoa(obj) + "/handle"
	st, v = j.call("POST /api/v1/objections/{id}/handle", "admin1", apiCall{method: "POST", path: handle,
		body: map[string]any{"outcome": "upheld"}})
	j.want("handle without a reason", http.StatusUnprocessableEntity, "reason", st, v)
	st, v = j.call("POST /api/v1/objections/{id}/handle", "admin1", apiCall{method: "POST", path: handle,
		body: map[string]any{"outcome": "upheld", "reason": "核实属实"}})
	j.want("uphold", http.StatusOK, "", st, v)
	st, v = j.call("POST /api/v1/objections/{id}/handle", "admin1", apiCall{method: "POST", path: handle,
		body: map[string]any{"outcome": "dismissed", "reason": "again"}})
	j.want("handle twice", http.StatusConflict, "", st, v)
	_, v = s.bearer("admin1", http.MethodGet, base+"/decisions", nil)
	d = v["items"].([]any)[0].(map[string]any)
	if d["state"] != "drafted" {
		t.Fatalf("the decision after the upheld objection: %v", d)
	}
	edit = map[string]any{"version": d["version"], "outcome": "fail", "reason_zh": "研发费用有误", "reason_en": "R&D spending misstated"}
	st, v = j.call("PUT /api/v1/decisions/{id}", "admin1", apiCall{method: "PUT", path: decision, body: edit})
	j.want("re-decide", http.StatusOK, "", st, v)
	st, v = j.call("POST /api/v1/decisions/{id}/finalise", "admin1", apiCall{method: "POST", path: decision + "/finalise",
		body: map[string]any{"version": d["version"]}})
	j.want("finalise at a stale version", http.StatusConflict, "", st, v)
	_, v = s.bearer("admin1", http.MethodGet, base+"/decisions", nil)
	cur := v["items"].([]any)[0].(map[string]any)
	st, v = j.call("POST /api/v1/decisions/{id}/finalise", "admin1", apiCall{method: "POST", path: decision + "/finalise",
		body: map[string]any{"version": cur["version"]}})
	j.want("finalise", http.StatusOK, "", st, v)
	if v["state"] != "proposed" || v["outcome"] != "fail" {
		t.Errorf("finalised during the notice: %v", v)
	}
	j.conform()
}

// TestAPIWritesCSRF: a browser signed in by cookie that sends no
// X-CSRF-Token changes nothing through the write routes; with it, it may.
func TestAPIWritesCSRF(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	f := s.api()
	admin, ent := s.as("admin"), s.as("enterprise")
	path := "/api/v1/cycles/" + itoa(f.cycleID) + "/transitions/close-applications"
	resp, v := admin.apiDo(apiCall{method: http.MethodPost, path: path})
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusForbidden || code != "forbidden" {
		t.Errorf("cookie transition without the token: %d %v", resp.StatusCode, v)
	}
	resp, v = ent.apiDo(apiCall{method: http.MethodPost, path: "/api/v1/applications/" + itoa(f.app) + "/withdraw",
		body: map[string]any{"version": 1}})
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusForbidden || code != "forbidden" {
		t.Errorf("cookie withdrawal without the token: %d %v", resp.StatusCode, v)
	}
	c, err := s.svc.Cycle(t.Context(), f.cycleID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.svc.Application(t.Context(), f.app)
	if err != nil {
		t.Fatal(err)
	}
	if c.Phase != workflow.PhaseOpen || a.Status != workflow.StatusDraft {
		t.Fatalf("refused requests changed the cycle (%s) or the application (%s)", c.Phase, a.Status)
	}
	// An anonymous objection without the visitor's token is refused too.
	resp, v = s.client().apiDo(apiCall{method: http.MethodPost, path: "/api/v1/cycles/" + itoa(f.cycleID) + "/objections",
		body: map[string]any{"enterprise_id": s.enterpriseID, "filer_name": "x", "filer_contact": "y", "grounds": "z"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous objection without the token: %d %v", resp.StatusCode, v)
	}
	resp, v = admin.apiDo(apiCall{method: http.MethodPost, path: path, header: http.Header{"X-CSRF-Token": {admin.token()}}})
	if resp.StatusCode != http.StatusOK || v["phase"] != workflow.PhaseRecommendation {
		t.Errorf("cookie transition with the token: %d %v", resp.StatusCode, v)
	}
}
