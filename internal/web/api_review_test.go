package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apiReviewRoutes are the review's routes, whose answers
// TestAPIReviewJourney checks against the OpenAPI document;
// TestOpenAPIConformance leaves them to it.
var apiReviewRoutes = []string{
	"GET /api/v1/expert/assignments", "GET /api/v1/expert/assignments/{id}", "PUT /api/v1/expert/assignments/{id}/scores",
	"POST /api/v1/expert/assignments/{id}/submit", "GET /api/v1/expert/conflicts", "POST /api/v1/expert/conflicts",
	"GET /api/v1/cycles/{id}/review", "POST /api/v1/cycles/{id}/review/assign", "POST /api/v1/review-assignments",
	"POST /api/v1/review-assignments/{id}/remove",
}

// TestAPIReviewJourney: the expert review through the API alone, every
// answer checked against the document. An expert lists and reads only its
// own assignments (another's is 404), sees no other expert's scores until
// it submits, is refused a value outside the band naming the item; the
// administrator follows the progress, removes, adds and assigns.
func TestAPIReviewJourney(t *testing.T) {
	s := newReviewSite(t)
	j := &journey{t: t, s: s.site, covered: map[string]bool{}}
	call := func(pattern, token string, method, path string, body any) (int, map[string]any) {
		t.Helper()
		cl := s.client()
		resp, v := cl.apiDo(apiCall{method: method, path: path, body: body, token: token})
		_, tmpl, _ := strings.Cut(pattern, " ")
		ptr := "#/components/schemas/Error"
		if resp.StatusCode < 300 {
			ptr = fmt.Sprintf("#/paths/%s/%s/responses/%d/content/application~1json/schema", pointerToken(tmpl), strings.ToLower(method), resp.StatusCode)
			j.covered[pattern] = true
		}
		if v != nil && (pattern != "" || resp.StatusCode >= 300) { // an unnamed success is checked elsewhere
			j.samples = append(j.samples, map[string]any{"name": fmt.Sprintf("%s %s → %d", method, path, resp.StatusCode), "schema": ptr, "body": v})
		}
		return resp.StatusCode, v
	}
	e1, e2, admin := s.tokens["expert1"], s.tokens["expert2"], s.api().tokens["admin1"]
	app := s.apps[0].ID
	mine, theirs := s.sheetOf("expert1", app), s.sheetOf("expert2", app)

	st, v := call("GET /api/v1/expert/assignments", e1, "GET", "/api/v1/expert/assignments", nil)
	if st != 200 || idOf(v, "total") != 2 {
		t.Fatalf("list: %d %v", st, v)
	}
	st, v = call("GET /api/v1/expert/assignments/{id}", e1, "GET", "/api/v1/expert/assignments/"+itoa(mine.ID), nil)
	if st != 200 || v["others"] != nil || len(v["items"].([]any)) != 11 {
		t.Fatalf("sheet: %d %v", st, v)
	}
	if st, _ := call("", e1, "GET", "/api/v1/expert/assignments/"+itoa(theirs.ID), nil); st != http.StatusNotFound {
		t.Errorf("another expert's sheet: %d", st)
	}
	if st, _ := call("", admin, "GET", "/api/v1/expert/assignments", nil); st != http.StatusForbidden {
		t.Errorf("an administrator lists expert assignments: %d", st)
	}
	if st, _ := call("", s.api().tokens["enterprise1"], "GET", "/api/v1/expert/assignments/"+itoa(mine.ID), nil); st != http.StatusForbidden {
		t.Errorf("an enterprise reads a scoresheet: %d", st)
	}
	scores := func(transformation float64) map[string]float64 {
		return map[string]float64{"ip_advancement_points": 5, "ip_support_points": 5, "ip_count_points": 7, "ip_acquisition_points": 4,
			"transformation_points": transformation, "org_rules_points": 4, "org_body_points": 4, "org_transfer_points": 2,
			"org_talent_points": 2, "net_asset_growth_points": 7, "sales_growth_points": 3}
	}
	st, v = call("", e1, "PUT", "/api/v1/expert/assignments/"+itoa(mine.ID)+"/scores", map[string]any{"version": mine.Version, "scores": scores(30)})
	if code, field := errorOf(t, v); st != http.StatusUnprocessableEntity || code != "invalid" || field != "scores" ||
		!strings.Contains(v["error"].(map[string]any)["message"].(string), "30 is outside 19–24 (band B)") {
		t.Fatalf("out of band: %d %v", st, v)
	}
	st, v = call("", e1, "PUT", "/api/v1/expert/assignments/"+itoa(mine.ID)+"/scores", map[string]any{"version": mine.Version, "comment": strings.Repeat("长", 4001)})
	if _, field := errorOf(t, v); st != http.StatusUnprocessableEntity || field != "comment" {
		t.Errorf("an overlong comment: %d %v", st, v)
	}
	st, v = call("PUT /api/v1/expert/assignments/{id}/scores", e1, "PUT", "/api/v1/expert/assignments/"+itoa(mine.ID)+"/scores",
		map[string]any{"version": mine.Version, "scores": map[string]float64{"transformation_points": 20}, "comment": "draft"})
	if st != 200 || v["status"] != "draft" {
		t.Fatalf("save: %d %v", st, v)
	}
	if st, _ := call("", e1, "PUT", "/api/v1/expert/assignments/"+itoa(theirs.ID)+"/scores", map[string]any{"version": theirs.Version, "scores": scores(20)}); st != http.StatusNotFound {
		t.Errorf("saving another's sheet: %d", st)
	}
	st, v = call("POST /api/v1/expert/assignments/{id}/submit", e2, "POST", "/api/v1/expert/assignments/"+itoa(theirs.ID)+"/submit",
		map[string]any{"version": theirs.Version, "scores": scores(22), "comment": "expert two"})
	if st != 200 || v["status"] != "submitted" {
		t.Fatalf("submit: %d %v", st, v)
	}
	if _, v := call("", e1, "GET", "/api/v1/expert/assignments/"+itoa(mine.ID), nil); v["others"] != nil {
		t.Fatalf("expert1 sees others before submitting: %v", v["others"])
	}
	call("", e1, "POST", "/api/v1/expert/assignments/"+itoa(mine.ID)+"/submit", map[string]any{"version": mine.Version + 1, "scores": scores(21)})
	_, v = call("", e1, "GET", "/api/v1/expert/assignments/"+itoa(mine.ID), nil)
	if others, _ := v["others"].([]any); len(others) != 1 || others[0].(map[string]any)["comment"] != "expert two" {
		t.Fatalf("after submitting: %v", v["others"])
	}
	st, v = call("POST /api/v1/expert/conflicts", s.tokens["expert3"], "POST", "/api/v1/expert/conflicts", map[string]any{"channel": "zhejiang", "reason": "board"})
	if st != http.StatusCreated {
		t.Fatalf("declare: %d %v", st, v)
	}
	if st, _ := call("GET /api/v1/expert/conflicts", s.tokens["expert3"], "GET", "/api/v1/expert/conflicts", nil); st != 200 {
		t.Errorf("conflicts: %d", st)
	}
	c := itoa(s.cycle.ID)
	st, v = call("GET /api/v1/cycles/{id}/review", admin, "GET", "/api/v1/cycles/"+c+"/review", nil)
	if st != 200 || idOf(v, "submitted") != 2 || idOf(v, "assigned") != 9 {
		t.Fatalf("progress: %d %v", st, v)
	}
	if st, _ := call("", e1, "GET", "/api/v1/cycles/"+c+"/review", nil); st != http.StatusForbidden {
		t.Errorf("an expert reads the progress: %d", st)
	}
	x := s.sheetOf("expert5", app)
	if st, _ := call("", admin, "POST", "/api/v1/review-assignments/"+itoa(x.ID)+"/remove", map[string]any{"version": x.Version}); st != http.StatusNoContent {
		t.Fatalf("remove: %d", st)
	}
	j.covered["POST /api/v1/review-assignments/{id}/remove"] = true // 204: no body
	st, v = call("POST /api/v1/review-assignments", admin, "POST", "/api/v1/review-assignments", map[string]any{"application_id": app, "expert_id": s.experts["expert5"]})
	if st != http.StatusCreated {
		t.Fatalf("add: %d %v", st, v)
	}
	if st, _ := call("", admin, "POST", "/api/v1/review-assignments", map[string]any{"application_id": s.apps[1].ID, "expert_id": s.experts["expert3"]}); st != http.StatusConflict {
		t.Errorf("adding a conflicted expert: %d", st)
	}
	// expert3's zhejiang assignment was withdrawn: the pool (5, one
	// conflicted) cannot give that application 5 again.
	st, v = call("", admin, "POST", "/api/v1/cycles/"+c+"/review/assign", map[string]any{"seed": 3})
	if st != http.StatusConflict || !strings.Contains(v["error"].(map[string]any)["message"].(string), "declared a conflict") {
		t.Errorf("assign with too small a pool: %d %v", st, v)
	}
	u, err := s.svc.CreateUser(t.Context(), system, "expert6", "Test expert6", password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.GrantRole(t.Context(), system, u.ID, "expert", 0); err != nil {
		t.Fatal(err)
	}
	st, v = call("POST /api/v1/cycles/{id}/review/assign", admin, "POST", "/api/v1/cycles/"+c+"/review/assign", map[string]any{"seed": 3})
	if made, _ := v["assignments"].([]any); st != 200 || len(made) != 1 {
		t.Fatalf("assign: %d %v", st, v)
	}
	j.conformRoutes(apiReviewRoutes)
}

// conformRoutes checks every kept answer against the document, and that
// each of routes had one.
func (j *journey) conformRoutes(routes []string) {
	j.t.Helper()
	node, dir := openAPICheck(j.t)
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
