package web

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// The OpenAPI document is checked by tools that share no code with the
// Go that writes it: the npm package @seriousme/openapi-schema-validator
// (the document against the official OpenAPI 3.1 schema) and Ajv (real
// answers against the document's schemas), both installed from
// .ci/openapi/package-lock.json. .ci/run installs Node.js and runs
// `npm ci --prefix .ci/openapi`; EXEMPLAR_OPENAPI_CHECK may name another
// folder holding the same files and node_modules.

// openAPICheck returns the node binary and the folder of the checks. It
// fails the test, saying what to install, when they are missing: a
// skipped validation would pass CI unseen.
func openAPICheck(t *testing.T) (node, dir string) {
	t.Helper()
	dir = os.Getenv("EXEMPLAR_OPENAPI_CHECK")
	if dir == "" {
		dir = filepath.Join("..", "..", ".ci", "openapi")
	}
	how := "install Node.js and the checks' npm packages: `apt-get install -y nodejs npm && npm ci --prefix .ci/openapi` " +
		"(as .ci/run does), or set EXEMPLAR_OPENAPI_CHECK to a folder holding them"
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the OpenAPI document cannot be validated: no node on PATH; %s", how)
	}
	for _, p := range []string{"validate.mjs", "conform.mjs", "node_modules/@seriousme/openapi-schema-validator/package.json",
		"node_modules/ajv/package.json", "node_modules/ajv-formats/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("the OpenAPI document cannot be validated: %v; %s", err, how)
		}
	}
	return node, dir
}

// runCheck runs a check script and returns its output and exit code.
func runCheck(t *testing.T, node, dir, script string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(node, append([]string{filepath.Join(dir, script)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatalf("run %s: %v", script, err)
	}
	return string(out), 0
}

// TestOpenAPIValid: the document the site serves is valid OpenAPI 3.1 by
// the independent validator — which, given a broken copy, says so.
func TestOpenAPIValid(t *testing.T) {
	node, dir := openAPICheck(t)
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	doc := servedOpenAPI(t, s)
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runCheck(t, node, dir, "validate.mjs", file)
	if code != 0 || !strings.Contains(out, `"valid": true`) || !strings.Contains(out, `"version": "3.1"`) {
		t.Fatalf("the validator refuses the document (exit %d):\n%s", code, out)
	}
	// The validator is not a rubber stamp: a parameter in no place and an
	// operation without responses are refused.
	var broken map[string]any
	if err := json.Unmarshal(doc, &broken); err != nil {
		t.Fatal(err)
	}
	me := broken["paths"].(map[string]any)["/api/v1/me"].(map[string]any)["get"].(map[string]any)
	delete(me, "responses")
	me["parameters"] = []any{map[string]any{"name": "x", "in": "nowhere"}}
	b, _ := json.Marshal(broken)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := runCheck(t, node, dir, "validate.mjs", file); code != 1 || !strings.Contains(out, `"valid": false`) {
		t.Errorf("the validator accepts a broken document (exit %d):\n%s", code, out)
	}
}

// TestOpenAPIConformance: real answers of every route, and its refusals,
// match the schemas the document gives for them.
func TestOpenAPIConformance(t *testing.T) {
	node, dir := openAPICheck(t)
	s, res := storySite(t)
	f := s.api()
	type sample struct {
		Name   string `json:"name"`
		Schema string `json:"schema"`
		Body   any    `json:"body"`
	}
	var samples []sample
	covered := map[string]bool{}
	add := func(pattern, user string, method, path string, body any) map[string]any {
		t.Helper()
		call := apiCall{method: method, path: path, body: body}
		if user != "" {
			call.token = f.tokens[user]
		}
		resp, v := s.client().apiDo(call)
		_, tmpl, _ := strings.Cut(pattern, " ")
		var ptr string
		if resp.StatusCode < 300 {
			if v == nil {
				t.Fatalf("%s as %q: %d with no body", pattern, user, resp.StatusCode)
			}
			ptr = fmt.Sprintf("#/paths/%s/%s/responses/%d/content/application~1json/schema", pointerToken(tmpl), strings.ToLower(method), resp.StatusCode)
			covered[pattern] = true
		} else {
			ptr = "#/components/schemas/Error"
		}
		samples = append(samples, sample{Name: fmt.Sprintf("%s %s as %q → %d", method, path, user, resp.StatusCode), Schema: ptr, Body: v})
		return v
	}
	cycle, review := itoa(f.cycleID), itoa(res.Review.ID)
	add("GET /api/v1/openapi.json", "", "GET", "/api/v1/openapi.json", nil)
	add("GET /api/v1/me", "recommender1", "GET", "/api/v1/me", nil)
	add("GET /api/v1/me/tokens", "admin1", "GET", "/api/v1/me/tokens?sort=name", nil)
	add("POST /api/v1/me/tokens", "admin1", "POST", "/api/v1/me/tokens", map[string]any{"name": "conformance"})
	add("GET /api/v1/me/applications", "enterprise1", "GET", "/api/v1/me/applications", nil)
	add("GET /api/v1/announcements", "", "GET", "/api/v1/announcements", nil)
	a := add("POST /api/v1/announcements", "admin1", "POST", "/api/v1/announcements", map[string]any{"title_zh": "一致性"})
	add("GET /api/v1/announcements/{id}", "admin1", "GET", "/api/v1/announcements/"+itoa(int64(a["id"].(float64))), nil)
	add("POST /api/v1/announcements/{id}/issue", "admin1", "POST", "/api/v1/announcements/"+itoa(int64(a["id"].(float64)))+"/issue",
		map[string]any{"version": a["version"]})
	add("GET /api/v1/announcements/{id}", "", "GET", "/api/v1/announcements/"+itoa(s.announcementID), nil)
	add("GET /api/v1/cycles", "admin1", "GET", "/api/v1/cycles", nil)
	add("GET /api/v1/cycles/{id}", "admin1", "GET", "/api/v1/cycles/"+review, nil)
	add("GET /api/v1/cycles/{id}/results", "admin1", "GET", "/api/v1/cycles/"+review+"/results?limit=20", nil)
	add("GET /api/v1/cycles/{id}/decisions", "admin1", "GET", "/api/v1/cycles/"+review+"/decisions?limit=20", nil)
	add("GET /api/v1/cycles/{id}/applications", "admin1", "GET", "/api/v1/cycles/"+review+"/applications?limit=20", nil)
	add("GET /api/v1/cycles/{id}/applications", "recommender1", "GET", "/api/v1/cycles/"+cycle+"/applications", nil)
	add("GET /api/v1/applications/{id}", "enterprise1", "GET", "/api/v1/applications/"+itoa(f.app), nil)
	// A bearer caller needs no anti-forgery token (TestAPISignUp signs up
	// as a visitor).
	add("POST /api/v1/enterprises/sign-up", "admin1", "POST", "/api/v1/enterprises/sign-up", map[string]any{
		"uscc": demo.CreditCode(rand.New(rand.NewPCG(91, 2)), "320500"), "name": "一致性科技有限公司", "channel": "jiangsu",
		"username": "conformance-ent", "password": "correct horse battery staple"})
	add("GET /api/v1/cycles/{id}/screening", "recommender1", "GET", "/api/v1/cycles/"+cycle+"/screening?sort=-check", nil)
	// What the pages do beyond the first API, read over the story (its
	// writes and the enterprise's records: TestAPIRecordsJourney).
	add("GET /api/v1/cycles/{id}/notice", "", "GET", "/api/v1/cycles/"+review+"/notice?limit=10&sort=-score", nil)
	add("GET /api/v1/cycles/{id}/final-results", "", "GET", "/api/v1/cycles/"+review+"/final-results?outcome=fail", nil)
	add("GET /api/v1/programs", "", "GET", "/api/v1/programs", nil)
	add("GET /api/v1/programs/versions/{id}", "", "GET", "/api/v1/programs/versions/"+itoa(res.Program.ID), nil)
	add("GET /api/v1/reports", "admin1", "GET", fmt.Sprintf("/api/v1/reports?year=%d&limit=20", res.Reports[0].Year), nil)
	add("GET /api/v1/cycles/{id}/certificates", "admin1", "GET", "/api/v1/cycles/"+review+"/certificates", nil)
	add("GET /api/v1/channels", "admin1", "GET", "/api/v1/channels", nil)
	add("GET /api/v1/users", "admin1", "GET", "/api/v1/users?sort=-username", nil)
	add("GET /api/v1/audit", "admin1", "GET", "/api/v1/audit?entity=recognition&limit=5", nil)
	add("GET /api/v1/audit/verify", "admin1", "GET", "/api/v1/audit/verify", nil)
	add("GET /api/v1/cycles/{id}/cohort", "admin1", "GET", "/api/v1/cycles/"+review+"/cohort?limit=5&sort=-enterprise_id", nil)
	add("GET /api/v1/me/timeline", "enterprise1", "GET", "/api/v1/me/timeline", nil)
	add("GET /api/v1/applications/{id}/check", "enterprise1", "GET", "/api/v1/applications/"+itoa(f.app)+"/check", nil)
	add("", "enterprise1", "GET", "/api/v1/applications/"+itoa(f.otherApp)+"/evidence", nil)
	add("", "", "GET", "/api/v1/certificates/NO-SUCH-NUMBER", nil)
	// Refusals of every kind.
	add("", "", "GET", "/api/v1/me", nil)
	add("", "expert1", "GET", "/api/v1/cycles", nil)
	add("", "enterprise1", "GET", "/api/v1/applications/"+itoa(f.otherApp), nil)
	add("", "admin1", "GET", "/api/v1/me/tokens?limit=0", nil)
	add("", "admin1", "POST", "/api/v1/announcements", map[string]any{"title_en": "no Chinese title"})
	for _, rt := range s.srv.routes {
		if _, path, _ := strings.Cut(rt.pattern, " "); strings.HasPrefix(path, apiPrefix) && !covered[rt.pattern] &&
			rt.pattern != "DELETE /api/v1/me/tokens/{id}" && // 204: no body
			rt.pattern != "GET /api/v1/applications/{id}/evidence/{sha}" && // a file, not JSON
			rt.pattern != "GET /api/v1/applications/{id}/template.xlsx" && // a file, not JSON
			rt.pattern != "GET /api/v1/programs/versions/{id}/definition.yaml" && // a file, not JSON
			rt.pattern != "GET /api/v1/certificates/{number}/pdf" && // a file, not JSON
			rt.pattern != "GET /api/v1/cycles/{id}/certificates/archive" && // a file, not JSON
			!slices.Contains(apiWriteRoutes, rt.pattern) && // checked by TestAPIWritesJourney
			!slices.Contains(apiRecordRoutes, rt.pattern) && // checked by TestAPIRecordsJourney
			!slices.Contains(apiReviewRoutes, rt.pattern) { // checked by TestAPIReviewJourney
			t.Errorf("no answer of %s was checked against its schema", rt.pattern)
		}
	}
	tmp := t.TempDir()
	docFile, samplesFile := filepath.Join(tmp, "openapi.json"), filepath.Join(tmp, "samples.json")
	if err := os.WriteFile(docFile, servedOpenAPI(t, s), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(samples)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(samplesFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runCheck(t, node, dir, "conform.mjs", docFile, samplesFile)
	if code != 0 {
		t.Fatalf("answers that do not match the document (exit %d):\n%s", code, out)
	}
	if want := fmt.Sprintf("%d of %d answers conform", len(samples), len(samples)); !strings.Contains(out, want) {
		t.Errorf("the check says %q, want %q", out, want)
	}
}

// pointerToken escapes s as one token of a JSON pointer inside a URI
// fragment: ~ and / as JSON pointers want, then the characters a
// fragment cannot hold percent-encoded.
func pointerToken(s string) string {
	s = strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
