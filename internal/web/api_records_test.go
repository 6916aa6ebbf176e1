package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// apiRecordRoutes are the routes of what the pages do beyond the first
// API (titles, certificates, annual reports, evidence, the public lists,
// the set-up) whose answers TestAPIRecordsJourney checks against the
// OpenAPI document; TestOpenAPIConformance leaves them to it. The
// evidence download sends a file, not JSON: the journey checks its
// bytes instead.
var apiRecordRoutes = []string{
	"GET /api/v1/me/recognitions", "GET /api/v1/me/certificates", "GET /api/v1/me/timeline", "GET /api/v1/me/reports",
	"GET /api/v1/recognitions/{id}/reports/{year}", "POST /api/v1/recognitions/{id}/reports/{year}",
	"GET /api/v1/applications/{id}/check", "GET /api/v1/applications/{id}/evidence", "POST /api/v1/applications/{id}/evidence",
	"GET /api/v1/certificates/{number}", "GET /api/v1/cycles/{id}/notice", "GET /api/v1/cycles/{id}/final-results",
	"GET /api/v1/programs", "GET /api/v1/programs/versions/{id}",
	"GET /api/v1/reports", "GET /api/v1/cycles/{id}/certificates", "POST /api/v1/cycles/{id}/certificates",
	"POST /api/v1/programs", "GET /api/v1/channels", "PUT /api/v1/channels/{code}",
	"GET /api/v1/users", "POST /api/v1/users", "POST /api/v1/users/{id}/roles", "POST /api/v1/users/{id}/roles/revoke",
	"GET /api/v1/audit", "GET /api/v1/audit/verify",
	"GET /api/v1/me/enterprises", "GET /api/v1/users/{id}", "POST /api/v1/users/{id}/disable", "GET /api/v1/users/{id}/tokens",
	"DELETE /api/v1/users/{id}/tokens/{token}", "POST /api/v1/cycles/{id}/announcement", "GET /api/v1/recognitions/lapsed",
	"POST /api/v1/recognitions/expire", "GET /api/v1/calendar", "POST /api/v1/calendar", "POST /api/v1/applications/{id}/sheet",
	"POST /api/v1/programs/check", "GET /api/v1/cycles/{id}/quotas",
}

func init() { extraSeeds = append(extraSeeds, seedAPIRecords) }

// seedAPIRecords tells the route walks how to fill in the parameters of
// these routes (it runs after seedAPI, whose fixtures it uses). Reads get
// the seeded application and cycle; writes get ids that do not exist, or
// bodies refused before anything changes, so that the walk changes
// nothing.
func seedAPIRecords(s *site) {
	f := s.api()
	app, cycle, none := strconv.FormatInt(f.app, 10), strconv.FormatInt(f.cycleID, 10), "999999"
	set := func(pattern, name, v string) { s.params[pattern+" "+name] = v }
	for _, p := range []string{"GET /api/v1/applications/{id}/check", "GET /api/v1/applications/{id}/evidence",
		"GET /api/v1/applications/{id}/evidence/{sha}"} {
		set(p, "{id}", app)
	}
	set("GET /api/v1/applications/{id}/evidence/{sha}", "{sha}", strings.Repeat("ab", 32))
	set("POST /api/v1/applications/{id}/evidence", "{id}", none)
	set("POST /api/v1/applications/{id}/sheet", "{id}", none)
	set("GET /api/v1/applications/{id}/template.xlsx", "{id}", none) // 404: the token walk wants JSON
	for _, p := range []string{"GET /api/v1/recognitions/{id}/reports/{year}", "POST /api/v1/recognitions/{id}/reports/{year}"} {
		set(p, "{id}", none)
		set(p, "{year}", "2025")
	}
	set("GET /api/v1/certificates/{number}", "{number}", "MIIT-TIDE-2024-I-0001")
	set("GET /api/v1/certificates/{number}/pdf", "{number}", "MIIT-TIDE-2024-I-0001")
	set("GET /api/v1/cycles/{id}/certificates/archive", "{id}", none)
	for _, p := range []string{"GET /api/v1/cycles/{id}/notice", "GET /api/v1/cycles/{id}/final-results", "GET /api/v1/cycles/{id}/quotas"} {
		set(p, "{id}", cycle)
	}
	for _, p := range []string{"GET /api/v1/cycles/{id}/certificates", "POST /api/v1/cycles/{id}/certificates",
		"GET /api/v1/programs/versions/{id}", "POST /api/v1/users/{id}/roles", "POST /api/v1/users/{id}/roles/revoke"} {
		set(p, "{id}", none)
	}
	set("PUT /api/v1/channels/{code}", "{code}", "walk_channel")
	set("GET /api/v1/programs/versions/{id}/definition.yaml", "{id}", none) // 404: the token walk wants JSON
	for _, p := range []string{"GET /api/v1/users/{id}", "GET /api/v1/users/{id}/tokens"} {
		set(p, "{id}", strconv.FormatInt(f.userIDs["admin1"], 10))
	}
	for _, p := range []string{"POST /api/v1/users/{id}/disable", "DELETE /api/v1/users/{id}/tokens/{token}",
		"POST /api/v1/cycles/{id}/announcement", "GET /api/v1/cycles/{id}/cohort"} {
		set(p, "{id}", none)
	}
	set("DELETE /api/v1/users/{id}/tokens/{token}", "{token}", none)
}

// tokenFor gives user name an API token, for journey calls as that user.
func tokenFor(t *testing.T, s *site, name string) {
	t.Helper()
	ctx := context.Background()
	users, err := s.svc.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == name {
			token, _, err := s.svc.CreateAPIToken(ctx, system, u.ID, "tests")
			if err != nil {
				t.Fatal(err)
			}
			f := s.api()
			apiFixturesMu.Lock()
			f.tokens[name] = token
			apiFixturesMu.Unlock()
			return
		}
	}
	t.Fatalf("no user %q", name)
}

// upload sends content as the file of a multipart form to path, as user
// (by API token), and keeps the answer for the document check.
func (j *journey) upload(pattern, user, path, filename string, content []byte) (int, map[string]any) {
	j.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		j.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, j.s.http.URL+path, &buf)
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+j.s.api().tokens[user])
	return j.sample(pattern, user, req)
}

// sample sends req and keeps its JSON answer as a sample of pattern.
func (j *journey) sample(pattern, user string, req *http.Request) (int, map[string]any) {
	j.t.Helper()
	resp, text := j.s.client().do(req)
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		j.t.Fatalf("%s %s: not JSON: %v: %.200s", req.Method, req.URL.Path, err, text)
	}
	_, tmpl, _ := strings.Cut(pattern, " ")
	ptr := "#/components/schemas/Error"
	if resp.StatusCode < 300 {
		ptr = fmt.Sprintf("#/paths/%s/%s/responses/%d/content/application~1json/schema", pointerToken(tmpl),
			strings.ToLower(req.Method), resp.StatusCode)
		j.covered[pattern] = true
	}
	j.samples = append(j.samples, map[string]any{"name": fmt.Sprintf("%s %s as %q → %d", req.Method, req.URL.Path, user, resp.StatusCode),
		"schema": ptr, "body": v})
	return resp.StatusCode, v
}

// get calls GET path as user and wants status.
func (j *journey) get(pattern, user, path string, status int) map[string]any {
	j.t.Helper()
	got, v := j.call(pattern, user, apiCall{method: http.MethodGet, path: path})
	j.want("GET "+path+" as "+user, status, "", got, v)
	return v
}

// TestAPIRecordsJourney: what the pages do beyond the first API, through
// the API alone, each answer checked against the OpenAPI document. Two
// enterprises hold titles from an announced cycle; the administrator
// issues its certificates (twice: the second issues nothing), which the
// public verifies; the public reads the notice and the final list; an
// enterprise reads its titles, certificates, timeline and owed report,
// files the report (bad figures and a missing summary refused by name),
// reads it, and cannot file it twice; the other enterprise reaches none
// of it (404); the administrator lists the year's reports. An enterprise
// checks its draft, attaches evidence (a file that is not what its name
// says is refused naming file), lists and downloads it; another
// enterprise gets 404 for all of it. The administrator reads the
// programs, registers a definition (a broken one refused with its path),
// upserts a channel, creates a user, grants and revokes a role, searches
// the audit log and verifies its chain.
func TestAPIRecordsJourney(t *testing.T) {
	ctx := context.Background()
	clock := demo.NewClock()
	clock.Set(time.Date(2031, 3, 3, 9, 0, 0, 0, workflow.ChinaTime))
	s := clockSite(t, storetest.Open(t, "sqlite"), clock)
	j := &journey{t: t, s: s, covered: map[string]bool{}, routes: apiRecordRoutes}
	f := s.api()
	v, firms := cycleFirms(t, s.svc, 2)
	ents := grantTitles(t, s, clock, 2031, v, firms)
	clock.Set(time.Date(2032, 2, 2, 10, 0, 0, 0, workflow.ChinaTime)) // the report on 2031 is due by 30 April
	var cycle int64
	cycles, err := s.svc.Cycles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cycles {
		if c.Year == 2031 {
			cycle = c.ID
		}
	}
	owner, other := fmt.Sprintf("ent-%d", ents[0].ID), fmt.Sprintf("ent-%d", ents[1].ID)
	enterpriseLogin(t, s, ents[0])
	enterpriseLogin(t, s, ents[1])
	tokenFor(t, s, owner)
	tokenFor(t, s, other)
	cyc := "/api/v1/cycles/" + itoa(cycle)

	// The public lists of the announced cycle; the open cycle has none.
	const notice, final = "GET /api/v1/cycles/{id}/notice", "GET /api/v1/cycles/{id}/final-results"
	if _, total := ids2(j.get(notice, "", cyc+"/notice?sort=-name", http.StatusOK)); total != 2 {
		t.Errorf("the notice lists %d enterprises, want 2", total)
	}
	list := j.get(final, "", cyc+"/final-results?outcome=pass&limit=1", http.StatusOK)
	if items := list["items"].([]any); len(items) != 1 || list["total"] != float64(2) || list["phase"] != "announced" {
		t.Errorf("final results: %v", list)
	}
	if _, ok := list["items"].([]any)[0].(map[string]any)["version"]; ok {
		t.Error("the public list shows a decision's internals")
	}
	got, ans := j.call(final, "", apiCall{method: http.MethodGet, path: cyc + "/final-results?outcome=maybe"})
	j.want("a bad outcome", http.StatusUnprocessableEntity, "outcome", got, ans)
	j.get(notice, "", "/api/v1/cycles/"+itoa(f.cycleID)+"/notice", http.StatusNotFound)

	// Certificates: issued once, verified by anyone.
	const issue = "POST /api/v1/cycles/{id}/certificates"
	got, ans = j.call(issue, "admin1", apiCall{method: http.MethodPost, path: cyc + "/certificates"})
	j.want("issue certificates", http.StatusOK, "", got, ans)
	if ans["issued"] != float64(2) || ans["total"] != float64(2) {
		t.Errorf("issued: %v, want 2 of 2", ans)
	}
	got, ans = j.call(issue, "admin1", apiCall{method: http.MethodPost, path: cyc + "/certificates"})
	j.want("issue again", http.StatusOK, "", got, ans)
	if ans["issued"] != float64(0) {
		t.Errorf("a second issue issued %v", ans["issued"])
	}
	got, ans = j.call(issue, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/cycles/" + itoa(f.cycleID) + "/certificates"})
	j.want("issue for an open cycle", http.StatusConflict, "", got, ans)
	certs := j.get("GET /api/v1/cycles/{id}/certificates", "admin1", cyc+"/certificates?sort=number", http.StatusOK)
	if certs["total"] != float64(2) {
		t.Fatalf("the cycle's certificates: %v", certs)
	}
	mine := j.get("GET /api/v1/me/certificates", owner, "/api/v1/me/certificates", http.StatusOK)
	if mine["total"] != float64(1) {
		t.Fatalf("the owner's certificates: %v", mine)
	}
	number := mine["items"].([]any)[0].(map[string]any)["number"].(string)
	cert := j.get("GET /api/v1/certificates/{number}", "", "/api/v1/certificates/"+strings.ToLower(number), http.StatusOK)
	if cert["status"] != workflow.CertificateValid || cert["number"] != number || cert["uscc"] != ents[0].USCC {
		t.Errorf("verification of %s: %v", number, cert)
	}
	j.get("GET /api/v1/certificates/{number}", "", "/api/v1/certificates/FORGED-0001", http.StatusNotFound)
	resp, text := s.client().do(mustRequest(t, http.MethodGet, s.http.URL+"/api/v1/certificates/"+number+"/pdf", ""))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(text, "%PDF") {
		t.Errorf("the certificate's PDF: %d %.20q", resp.StatusCode, text)
	}
	j.get("GET /api/v1/certificates/{number}/pdf", "", "/api/v1/certificates/FORGED-0001/pdf", http.StatusNotFound)
	j.get("GET /api/v1/cycles/{id}/certificates/archive", "admin1", cyc+"/certificates/archive", http.StatusNotFound)

	// The owner's titles, timeline and reports.
	recs := j.get("GET /api/v1/me/recognitions", owner, "/api/v1/me/recognitions", http.StatusOK)
	if recs["total"] != float64(1) {
		t.Fatalf("the owner's titles: %v", recs)
	}
	rec := int64(recs["items"].([]any)[0].(map[string]any)["id"].(float64))
	timeline := j.get("GET /api/v1/me/timeline", owner, "/api/v1/me/timeline?limit=500", http.StatusOK)
	events := timeline["items"].([]any)
	if len(events) < 3 {
		t.Fatalf("the owner's timeline: %v", timeline)
	}
	for i := 1; i < len(events); i++ {
		if events[i-1].(map[string]any)["at"].(string) < events[i].(map[string]any)["at"].(string) {
			t.Errorf("the timeline is not newest first at %d", i)
		}
	}
	// The other enterprise's lists hold its own records only.
	theirs := j.get("GET /api/v1/me/certificates", other, "/api/v1/me/certificates", http.StatusOK)
	theirRecs := j.get("GET /api/v1/me/recognitions", other, "/api/v1/me/recognitions", http.StatusOK)
	theirEvents := j.get("GET /api/v1/me/timeline", other, "/api/v1/me/timeline?limit=500", http.StatusOK)
	if theirs["total"] != float64(1) || theirs["items"].([]any)[0].(map[string]any)["number"] == number ||
		theirRecs["total"] != float64(1) || idOf(theirRecs["items"].([]any)[0].(map[string]any), "id") == rec {
		t.Errorf("the other enterprise's certificates %v and titles %v", theirs, theirRecs)
	}
	for _, ev := range theirEvents["items"].([]any) {
		if e := ev.(map[string]any); e["entity"] == "enterprise" && idOf(e, "entity_id") != ents[1].ID {
			t.Errorf("the other enterprise's timeline shows %v", e)
		}
	}
	owed := j.get("GET /api/v1/me/reports", owner, "/api/v1/me/reports?status=due", http.StatusOK)
	if owed["total"] != float64(1) || owed["items"].([]any)[0].(map[string]any)["year"] != float64(2031) {
		t.Fatalf("the owner's reports owed: %v", owed)
	}
	got, ans = j.call("GET /api/v1/me/reports", owner, apiCall{method: http.MethodGet, path: "/api/v1/me/reports?status=lost"})
	j.want("a bad status", http.StatusUnprocessableEntity, "status", got, ans)

	const fileReport, getReport = "POST /api/v1/recognitions/{id}/reports/{year}", "GET /api/v1/recognitions/{id}/reports/{year}"
	report := fmt.Sprintf("/api/v1/recognitions/%d/reports/2031", rec)
	p, err := s.svc.RecognitionProgram(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	figure := reportFields(p)[0].ID
	for _, c := range []struct {
		what, user string
		body       map[string]any
		status     int
		field      string
	}{
		{"a figure the report has not", owner, map[string]any{"figures": map[string]any{"nope": 1}, "summary": "x"}, http.StatusUnprocessableEntity, "figures.nope"},
		{"a figure that is no number", owner, map[string]any{"figures": map[string]any{figure: "many"}, "summary": "x"}, http.StatusUnprocessableEntity, "figures." + figure},
		{"no summary", owner, map[string]any{"figures": map[string]any{figure: 12345}}, http.StatusUnprocessableEntity, "summary"},
		{"another enterprise's title", other, map[string]any{"summary": "冒名"}, http.StatusNotFound, ""},
		{"the administrator", "admin1", map[string]any{"summary": "代报"}, http.StatusForbidden, ""},
	} {
		got, ans := j.call(fileReport, c.user, apiCall{method: http.MethodPost, path: report, body: c.body})
		j.want(c.what, c.status, c.field, got, ans)
	}
	if _, err := s.svc.AnnualReport(ctx, rec, 2031); !strings.Contains(fmt.Sprint(err), "does not exist") {
		t.Fatalf("a refused report was filed: %v", err)
	}
	body := map[string]any{"figures": map[string]any{figure: 12345}, "summary": "研发投入持续增长"}
	got, ans = j.call(fileReport, owner, apiCall{method: http.MethodPost, path: report, body: body})
	j.want("file the report", http.StatusCreated, "", got, ans)
	got, ans = j.call(fileReport, owner, apiCall{method: http.MethodPost, path: report, body: body})
	j.want("file it twice", http.StatusConflict, "", got, ans)
	filed := j.get(getReport, owner, report, http.StatusOK)
	data := filed["report"].(map[string]any)["data"].(map[string]any)
	if data[figure] != float64(12345) || data["summary"] != "研发投入持续增长" || filed["program"] != "miit-tide" {
		t.Errorf("the filed report: %v", filed)
	}
	j.get(getReport, "admin1", report, http.StatusOK)
	j.get(getReport, other, report, http.StatusNotFound)
	j.get(getReport, "admin1", "/api/v1/recognitions/999999/reports/2031", http.StatusNotFound)
	j.get(getReport, owner, fmt.Sprintf("/api/v1/recognitions/%d/reports/next", rec), http.StatusNotFound)
	j.get(getReport, owner, fmt.Sprintf("/api/v1/recognitions/%d/reports/2030", rec), http.StatusNotFound)
	for _, c := range []struct {
		path   string
		total  float64
		status int
		field  string
	}{
		{"/api/v1/reports?year=2031", 2, http.StatusOK, ""},
		{"/api/v1/reports?year=2031&status=submitted", 1, http.StatusOK, ""},
		{"/api/v1/reports?year=1800", 0, http.StatusUnprocessableEntity, "year"},
		{"/api/v1/reports?status=late", 0, http.StatusUnprocessableEntity, "status"},
	} {
		got, ans := j.call("GET /api/v1/reports", "admin1", apiCall{method: http.MethodGet, path: c.path})
		j.want(c.path, c.status, c.field, got, ans)
		if got == http.StatusOK && ans["total"] != c.total {
			t.Errorf("%s: total %v, want %v", c.path, ans["total"], c.total)
		}
	}

	// The seeded enterprise's draft: its self-check and evidence; the
	// other enterprise of the seed reaches none of it.
	app := "/api/v1/applications/" + itoa(f.app)
	check := j.get("GET /api/v1/applications/{id}/check", "enterprise1", app+"/check", http.StatusOK)
	if check["eligible"] != false || len(check["gates"].([]any)) == 0 {
		t.Errorf("the self-check of an empty draft: %v", check)
	}
	const evidence, attach = "GET /api/v1/applications/{id}/evidence", "POST /api/v1/applications/{id}/evidence"
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	got, ans = j.upload(attach, "enterprise1", app+"/evidence", "report.pdf", []byte("hello, not a PDF"))
	j.want("a file that is not what its name says", http.StatusUnprocessableEntity, "file", got, ans)
	got, ans = j.call(attach, "enterprise1", apiCall{method: http.MethodPost, path: app + "/evidence", body: map[string]any{}})
	j.want("no multipart form", http.StatusUnprocessableEntity, "file", got, ans)
	got, ans = j.upload(attach, f.otherEnterpriseLogin, app+"/evidence", "audit.pdf", pdf)
	j.want("another enterprise's application", http.StatusNotFound, "", got, ans)
	got, ans = j.upload(attach, "enterprise1", app+"/evidence", "audit.pdf", pdf)
	j.want("attach evidence", http.StatusCreated, "", got, ans)
	sum := ans["sha256"].(string)
	files := j.get(evidence, "enterprise1", app+"/evidence", http.StatusOK)
	if files["total"] != float64(1) {
		t.Errorf("the evidence: %v", files)
	}
	resp, text = s.client().do(mustRequest(t, http.MethodGet, s.http.URL+app+"/evidence/"+sum, f.tokens["enterprise1"]))
	if resp.StatusCode != http.StatusOK || text != string(pdf) || !strings.Contains(resp.Header.Get("Content-Disposition"), "audit.pdf") {
		t.Errorf("download the evidence: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), text)
	}
	for _, path := range []string{app + "/evidence/" + sum, app + "/evidence", app + "/check"} {
		resp, _ := s.client().do(mustRequest(t, http.MethodGet, s.http.URL+path, f.tokens[f.otherEnterpriseLogin]))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("another enterprise reads %s: %d, want 404", path, resp.StatusCode)
		}
	}

	// The input template, downloaded, filled in and uploaded.
	resp, text = s.client().do(mustRequest(t, http.MethodGet, s.http.URL+app+"/template.xlsx?lang=en", f.tokens["enterprise1"]))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(text, "PK") || resp.Header.Get("Content-Type") != xlsxType {
		t.Errorf("the template: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := s.client().do(mustRequest(t, http.MethodGet, s.http.URL+app+"/template.xlsx", f.tokens[f.otherEnterpriseLogin])); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise's template: %d, want 404", resp.StatusCode)
	}
	const sheet = "POST /api/v1/applications/{id}/sheet"
	_, a := j.call("GET /api/v1/applications/{id}", "enterprise1", apiCall{method: http.MethodGet, path: app})
	version := itoa(idOf(a, "version"))
	e, _, err := s.svc.Enterprise(ctx, s.enterpriseID)
	if err != nil {
		t.Fatal(err)
	}
	tide, err := s.svc.CycleProgram(ctx, f.cycleID)
	if err != nil {
		t.Fatal(err)
	}
	filled := filledTemplate(t, tide, t.TempDir(), e.USCC, demo.Story(7, 1)[0].Identification)
	got, ans = j.upload(sheet, "enterprise1", app+"/sheet", "filled.xlsx", filled)
	j.want("a sheet without the version", http.StatusUnprocessableEntity, "version", got, ans)
	got, ans = j.upload(sheet, "enterprise1", app+"/sheet?version="+version, "filled.xlsx", pdf)
	j.want("a PDF as the sheet", http.StatusUnprocessableEntity, "file", got, ans)
	got, ans = j.upload(sheet, f.otherEnterpriseLogin, app+"/sheet?version="+version, "filled.xlsx", filled)
	j.want("another enterprise's sheet", http.StatusNotFound, "", got, ans)
	got, ans = j.upload(sheet, "enterprise1", app+"/sheet?version="+version, "filled.xlsx", filled)
	j.want("upload the sheet", http.StatusOK, "", got, ans)
	if idOf(ans, "version") <= idOf(a, "version") {
		t.Errorf("the upload saved nothing: %v", ans)
	}
	got, ans = j.upload(sheet, "enterprise1", app+"/sheet?version="+version, "filled.xlsx", filled)
	j.want("the sheet at a stale version", http.StatusConflict, "", got, ans)

	// Programs, channels, users and the audit log.
	progs := j.get("GET /api/v1/programs", "", "/api/v1/programs", http.StatusOK)
	if progs["total"] != float64(1) {
		t.Errorf("programs: %v", progs)
	}
	sum1 := j.get("GET /api/v1/programs/versions/{id}", "", "/api/v1/programs/versions/"+itoa(v.ID), http.StatusOK)
	if sum1["title"].(map[string]any)["zh"] == "" || len(sum1["inputs"].([]any)) == 0 || len(sum1["gates"].([]any)) == 0 {
		t.Errorf("the program version's summary: %v", sum1)
	}
	const register = "POST /api/v1/programs"
	src, err := program.BuiltinSource("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	got, ans = j.call(register, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/programs", body: map[string]any{"definition": string(src)}})
	j.want("register the same text", http.StatusOK, "", got, ans)
	if ans["id"] != float64(v.ID) {
		t.Errorf("the same text registered as %v, want version %d", ans["id"], v.ID)
	}
	broken := strings.Replace(strings.Replace(string(src), "years: 3", "years: 0", 1), `version: "2010.2"`, `version: "9.9"`, 1)
	got, ans = j.call(register, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/programs", body: map[string]any{"definition": broken}})
	j.want("a broken definition", http.StatusUnprocessableEntity, "definition.years", got, ans)
	got, ans = j.call(register, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/programs", body: map[string]any{"definition": ""}})
	j.want("no definition", http.StatusUnprocessableEntity, "definition", got, ans)

	const checkProgram = "POST /api/v1/programs/check"
	got, ans = j.call(checkProgram, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/programs/check", body: map[string]any{"definition": string(src)}})
	j.want("check a definition", http.StatusOK, "", got, ans)
	if ver := ans["version"].(map[string]any); ver["label"] != "2010.2" || ver["id"] != float64(0) || len(ans["gates"].([]any)) == 0 {
		t.Errorf("the checked definition: %v", ans)
	}
	got, ans = j.call(checkProgram, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/programs/check", body: map[string]any{"definition": broken}})
	j.want("check a broken definition", http.StatusUnprocessableEntity, "definition.years", got, ans)
	resp, text = s.client().do(mustRequest(t, http.MethodGet, s.http.URL+"/api/v1/programs/versions/"+itoa(v.ID)+"/definition.yaml", f.tokens["admin1"]))
	if resp.StatusCode != http.StatusOK || text != string(src) {
		t.Errorf("the definition's text: %d, %d bytes of %d", resp.StatusCode, len(text), len(src))
	}

	const putChannel = "PUT /api/v1/channels/{code}"
	got, ans = j.call(putChannel, "admin1", apiCall{method: http.MethodPut, path: "/api/v1/channels/anhui",
		body: map[string]any{"name_zh": "安徽省", "name_en": "Anhui", "kind": "province"}})
	j.want("upsert a channel", http.StatusOK, "", got, ans)
	got, ans = j.call(putChannel, "admin1", apiCall{method: http.MethodPut, path: "/api/v1/channels/anhui",
		body: map[string]any{"name_zh": "安徽省", "name_en": "Anhui", "kind": "planet"}})
	j.want("a bad kind", http.StatusUnprocessableEntity, "kind", got, ans)
	got, ans = j.call(putChannel, "admin1", apiCall{method: http.MethodPut, path: "/api/v1/channels/anhui",
		body: map[string]any{"name_en": "Anhui", "kind": "province"}})
	j.want("no Chinese name", http.StatusUnprocessableEntity, "name_zh", got, ans)
	chans := j.get("GET /api/v1/channels", "admin1", "/api/v1/channels?sort=-code", http.StatusOK)
	if chans["items"].([]any)[0].(map[string]any)["code"] != "zhejiang" || chans["total"].(float64) < 3 {
		t.Errorf("channels by code, descending: %v", chans)
	}

	const createUser, grant, revoke = "POST /api/v1/users", "POST /api/v1/users/{id}/roles", "POST /api/v1/users/{id}/roles/revoke"
	newUser := map[string]any{"username": "auditor", "display_name": "Auditor", "password": password}
	got, ans = j.call(createUser, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/users", body: newUser})
	j.want("create a user", http.StatusCreated, "", got, ans)
	user := "/api/v1/users/" + itoa(idOf(ans, "id"))
	got, ans = j.call(createUser, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/users", body: newUser})
	j.want("the username again", http.StatusConflict, "username", got, ans)
	got, ans = j.call(createUser, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/users",
		body: map[string]any{"username": "x", "display_name": "X", "password": password}})
	j.want("a bad username", http.StatusUnprocessableEntity, "username", got, ans)
	got, ans = j.call(grant, "admin1", apiCall{method: http.MethodPost, path: user + "/roles", body: map[string]any{"role": "enterprise"}})
	j.want("an enterprise role without its enterprise", http.StatusUnprocessableEntity, "enterprise_id", got, ans)
	role := map[string]any{"role": "enterprise", "enterprise_id": ents[1].ID}
	got, ans = j.call(grant, "admin1", apiCall{method: http.MethodPost, path: user + "/roles", body: role})
	j.want("grant a role", http.StatusOK, "", got, ans)
	if len(ans["roles"].([]any)) != 1 {
		t.Errorf("the user's roles: %v", ans["roles"])
	}
	got, ans = j.call(grant, "admin1", apiCall{method: http.MethodPost, path: user + "/roles", body: role})
	j.want("grant it again", http.StatusConflict, "", got, ans)
	got, ans = j.call(revoke, "admin1", apiCall{method: http.MethodPost, path: user + "/roles/revoke", body: role})
	j.want("revoke the role", http.StatusOK, "", got, ans)
	if len(ans["roles"].([]any)) != 0 {
		t.Errorf("the user's roles after the revocation: %v", ans["roles"])
	}
	got, ans = j.call(grant, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/users/999999/roles", body: role})
	j.want("a user that does not exist", http.StatusNotFound, "", got, ans)
	users := j.get("GET /api/v1/users", "admin1", "/api/v1/users?role=admin", http.StatusOK)
	if users["total"] != float64(1) {
		t.Errorf("administrators: %v", users)
	}

	audit := j.get("GET /api/v1/audit", "admin1", "/api/v1/audit?action=user.create&limit=2", http.StatusOK)
	if items := audit["items"].([]any); len(items) != 2 || audit["total"].(float64) < 3 {
		t.Errorf("the audit search: %v", audit)
	}
	got, ans = j.call("GET /api/v1/audit", "admin1", apiCall{method: http.MethodGet, path: "/api/v1/audit?from=yesterday"})
	j.want("a bad day", http.StatusUnprocessableEntity, "from", got, ans)
	if ver := j.get("GET /api/v1/audit/verify", "admin1", "/api/v1/audit/verify", http.StatusOK); ver["ok"] != true {
		t.Errorf("the audit chain: %v", ver)
	}
	// The rest of the set-up: the results announcement, one user, its
	// tokens, disabling it; the lapsed titles (none yet) and their expiry.
	const draft = "POST /api/v1/cycles/{id}/announcement"
	got, ans = j.call(draft, "admin1", apiCall{method: http.MethodPost, path: cyc + "/announcement"})
	j.want("draft the results announcement", http.StatusCreated, "", got, ans)
	if ans["kind"] != "results" || ans["cycle_id"] != float64(cycle) {
		t.Errorf("the results announcement: %v", ans)
	}
	got, ans = j.call(draft, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/cycles/" + itoa(f.cycleID) + "/announcement"})
	j.want("draft for an open cycle", http.StatusConflict, "", got, ans)
	acc := j.get("GET /api/v1/users/{id}", "admin1", user, http.StatusOK)
	j.get("GET /api/v1/users/{id}", "admin1", "/api/v1/users/999999", http.StatusNotFound)
	tokenFor(t, s, "auditor")
	tokens := j.get("GET /api/v1/users/{id}/tokens", "admin1", user+"/tokens", http.StatusOK)
	if tokens["total"] != float64(1) {
		t.Fatalf("the user's tokens: %v", tokens)
	}
	token := itoa(idOf(tokens["items"].([]any)[0].(map[string]any), "id"))
	const revokeToken = "DELETE /api/v1/users/{id}/tokens/{token}"
	got, ans = j.call(revokeToken, "admin1", apiCall{method: http.MethodDelete, path: "/api/v1/users/" + itoa(f.userIDs["admin1"]) + "/tokens/" + token})
	j.want("another user's token", http.StatusNotFound, "", got, ans)
	got, ans = j.call(revokeToken, "admin1", apiCall{method: http.MethodDelete, path: user + "/tokens/" + token})
	j.want("revoke the user's token", http.StatusNoContent, "", got, ans)
	got, ans = j.call("GET /api/v1/me", "auditor", apiCall{method: http.MethodGet, path: "/api/v1/me"})
	j.want("a revoked token", http.StatusUnauthorized, "", got, ans)
	const disable = "POST /api/v1/users/{id}/disable"
	got, ans = j.call(disable, "admin1", apiCall{method: http.MethodPost, path: user + "/disable", body: map[string]any{}})
	j.want("disable without a version", http.StatusUnprocessableEntity, "version", got, ans)
	got, ans = j.call(disable, "admin1", apiCall{method: http.MethodPost, path: user + "/disable", body: map[string]any{"version": acc["version"].(float64) + 7}})
	j.want("disable at a stale version", http.StatusConflict, "", got, ans)
	got, ans = j.call(disable, "admin1", apiCall{method: http.MethodPost, path: user + "/disable", body: map[string]any{"version": acc["version"]}})
	j.want("disable the user", http.StatusOK, "", got, ans)
	if ans["disabled"] != true {
		t.Errorf("the disabled user: %v", ans)
	}
	lapsed := j.get("GET /api/v1/recognitions/lapsed", "admin1", "/api/v1/recognitions/lapsed", http.StatusOK)
	if lapsed["total"] != float64(0) || lapsed["day"] != "2032-02-02" {
		t.Errorf("lapsed titles: %v", lapsed)
	}
	const expire = "POST /api/v1/recognitions/expire"
	got, ans = j.call(expire, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/recognitions/expire", body: map[string]any{"day": "2032-02-01"}})
	j.want("expire with yesterday's list", http.StatusConflict, "day", got, ans)
	got, ans = j.call(expire, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/recognitions/expire", body: map[string]any{"day": lapsed["day"]}})
	j.want("expire", http.StatusOK, "", got, ans)
	if ans["expired"] != float64(0) {
		t.Errorf("expired: %v", ans)
	}
	// The recommenders' quotas: the seeded open cycle has none set.
	quotas := j.get("GET /api/v1/cycles/{id}/quotas", "recommender1", "/api/v1/cycles/"+itoa(f.cycleID)+"/quotas", http.StatusOK)
	if items := quotas["items"].([]any); len(items) != 1 || idOf(items[0].(map[string]any), "channel_id") != s.channelID {
		t.Errorf("recommender1's quotas: %v", quotas)
	}
	quotas = j.get("GET /api/v1/cycles/{id}/quotas", f.otherRecommenderLogin, cyc+"/quotas", http.StatusOK)
	if items := quotas["items"].([]any); len(items) != 1 || idOf(items[0].(map[string]any), "channel_id") != f.otherChannel {
		t.Errorf("the other recommender's quotas: %v", quotas)
	}
	j.get("GET /api/v1/cycles/{id}/quotas", "recommender1", "/api/v1/cycles/999999/quotas", http.StatusNotFound)

	// The calendar; an identification cycle has no cohort.
	const setCalendar = "POST /api/v1/calendar"
	got, ans = j.call(setCalendar, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/calendar",
		body: map[string]any{"from": "2032-10-01", "to": "2032-10-07", "kind": "holiday", "name_zh": "国庆节", "name_en": "National Day"}})
	j.want("set holidays", http.StatusOK, "", got, ans)
	if ans["total"] != float64(7) {
		t.Errorf("the holidays set: %v", ans)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"from": "1 October", "kind": "holiday"}, "from"},
		{map[string]any{"from": "2032-10-01", "to": "2032-12-31", "kind": "holiday"}, "to"},
		{map[string]any{"from": "2032-10-01", "kind": "party"}, "kind"},
	} {
		got, ans = j.call(setCalendar, "admin1", apiCall{method: http.MethodPost, path: "/api/v1/calendar", body: c.body})
		j.want(fmt.Sprintf("calendar %v", c.body), http.StatusUnprocessableEntity, c.field, got, ans)
	}
	if cal := j.get("GET /api/v1/calendar", "admin1", "/api/v1/calendar?year=2032&limit=3", http.StatusOK); cal["total"] != float64(7) ||
		len(cal["items"].([]any)) != 3 {
		t.Errorf("the calendar of 2032: %v", cal)
	}
	got, ans = j.call("GET /api/v1/calendar", "admin1", apiCall{method: http.MethodGet, path: "/api/v1/calendar?year=99"})
	j.want("a bad year", http.StatusUnprocessableEntity, "year", got, ans)
	j.get("GET /api/v1/cycles/{id}/cohort", "admin1", cyc+"/cohort", http.StatusNotFound)
	profiles := j.get("GET /api/v1/me/enterprises", owner, "/api/v1/me/enterprises", http.StatusOK)
	if items := profiles["items"].([]any); len(items) != 1 || items[0].(map[string]any)["uscc"] != ents[0].USCC ||
		len(items[0].(map[string]any)["names"].([]any)) == 0 {
		t.Errorf("the owner's enterprises: %v", profiles)
	}
	j.conform()
}

// ids2 returns the items and the total of a list answer.
func ids2(v map[string]any) ([]any, int) {
	items, _ := v["items"].([]any)
	total, _ := v["total"].(float64)
	return items, int(total)
}
