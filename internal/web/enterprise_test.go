package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

func init() { extraSeeds = append(extraSeeds, seedEnterprisePages) }

// seedEnterprisePages tells the route walk how to fill in the enterprise
// pages' {id}s. It writes nothing: the API's seed (which runs first) gave
// the seeded enterprise an application to an open cycle. Pages that read
// get that application; those that change state get an id that does not
// exist (404 for the enterprise user, which is past the rule), so that
// the walk neither submits nor withdraws it.
func seedEnterprisePages(s *site) {
	app := strconv.FormatInt(s.api().app, 10)
	for _, rt := range s.srv.enterpriseRoutes() {
		if !strings.Contains(rt.pattern, "{id}") {
			continue
		}
		v := app
		if !strings.HasPrefix(rt.pattern, "GET ") || strings.HasPrefix(rt.pattern, "GET /enterprise/reports/") {
			v = "999999"
		}
		s.params[rt.pattern+" {id}"] = v
	}
	s.params["{sha}"] = strings.Repeat("ab", 32)
	s.params["{year}"] = "2025"
}

// multipartForm sends a form with one file to path, as a browser does.
func (c *client) multipartForm(path string, fields url.Values, fileField, filename string, content []byte) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if !fields.Has(csrfField) {
		fields.Set(csrfField, c.token())
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(fileField, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.site.http.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var (
	versionInput = regexp.MustCompile(`name="version" value="(\d+)"`)
	keyInput     = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// field returns the first submatch of re in body, or fails.
func field(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page lacks %s", re)
	}
	return m[1]
}

// filledTemplate writes, under dir, the program's template columns with
// one row: a firm's data as the demo holds it, under credit code code
// and channel jiangsu.
func filledTemplate(t *testing.T, p *program.Program, dir, code string, data map[string]any) []byte {
	t.Helper()
	path := filepath.Join(dir, "filled.xlsx")
	w, err := sheet.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var headers []string
	var row []any
	for _, col := range ingest.Columns(p) {
		headers = append(headers, col.Header)
		v := data[col.Input.ID]
		switch col.Input {
		case p.IDInput:
			v = code
		case p.ChannelInput:
			v = "jiangsu"
		}
		if col.Input.Yearly {
			v = v.([]any)[col.Year]
		}
		switch v := v.(type) {
		case bool:
			if v {
				row = append(row, "yes")
			} else {
				row = append(row, "no")
			}
		default:
			row = append(row, v)
		}
	}
	if err := w.WriteHeader(headers, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// minimalPDF is a small, well-formed PDF document.
const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

// TestEnterpriseJourney walks an enterprise through its pages over HTTP:
// it registers, applies to the open cycle, saves a form with one bad
// field (the error beside it, nothing saved), fixes it, fills the form
// from the XLSX template, attaches evidence (a PDF, and a fake one that is
// refused), checks its eligibility, submits twice with one key (one
// submission) and withdraws after confirming. Every text it types with
// HTML in it comes back escaped. (SQLite: evidence files need the data
// folder that a SQLite database gives the service.)
func TestEnterpriseJourney(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newSite(t, db, Config{})
	ctx := context.Background()
	firm := demo.Story(7, 1)[0]
	code := demo.CreditCode(rand.New(rand.NewPCG(9, 9)), "320500")
	evil := "<script>alert(1)</script>"
	cl := s.client()
	resp, body := cl.postForm("/register", url.Values{"uscc": {code}, "name": {evil + "苏州创新有限公司"}, "channel": {"jiangsu"},
		"username": {"suzhou"}, "display_name": {"<b>王</b>"}, "password": {password}, "password2": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", resp.StatusCode, firstLine(body))
	}
	resp, body = cl.get("/enterprise")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("dashboard: %d; the name must show escaped", resp.StatusCode)
	}
	if !strings.Contains(body, "2026年认定") || !strings.Contains(body, "/apply") {
		t.Fatalf("the dashboard does not offer the open cycle")
	}
	if !strings.Contains(body, `class="empty"`) {
		t.Errorf("the dashboard has no empty states for an enterprise with nothing yet")
	}
	cycleID := s.api().cycleID
	resp, _ = cl.postForm(fmt.Sprintf("/enterprise/cycles/%d/apply", cycleID), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: status %d", resp.StatusCode)
	}
	appPath := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(appPath, "/enterprise/applications/"), 10, 64)
	if err != nil {
		t.Fatalf("apply sent the browser to %q", appPath)
	}
	// Applying twice is refused, on the dashboard, with the reason.
	if resp, body := cl.postForm(fmt.Sprintf("/enterprise/cycles/%d/apply", cycleID), nil); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `class="error"`) {
		t.Errorf("second application: status %d", resp.StatusCode)
	}

	resp, body = cl.get(appPath)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("application page: %d", resp.StatusCode)
	}
	for _, want := range []string{`name="in.sales.0"`, `name="in.sales.2"`, "万元", "<th scope=\"col\">2025</th>", `name="in.tech_centre"`, `value="national"`,
		`name="in.sound_credit"`, `name="decl.true_and_complete"`, code} {
		if !strings.Contains(body, want) {
			t.Errorf("the application form lacks %s", want)
		}
	}
	version := field(t, versionInput, body)
	form := url.Values{"version": {version}, "in.employees": {"-5"}, "in.sales.0": {"310000"}, "in.sales.1": {"320000"}, "in.sales.2": {"330000"},
		"in.industry": {"<i>装备</i>"}, "in.tech_centre": {"national"}, "in.sound_credit": {"yes"}}
	resp, body = cl.postForm(appPath, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad field: status %d", resp.StatusCode)
	}
	errBeside := regexp.MustCompile(`(?s)id="f-employees-0"[^>]*aria-invalid="true".*?<p class="error" id="err-employees">[^<]*at least 0`)
	if !errBeside.MatchString(body) || !strings.Contains(body, `value="330000"`) || !strings.Contains(body, "&lt;i&gt;装备&lt;/i&gt;") {
		t.Errorf("the refused form must come back as typed with the error beside employees")
	}
	if a, _ := s.svc.Application(ctx, id); string(a.Inputs) != "{}" {
		t.Errorf("a refused form saved %s", a.Inputs)
	}
	form.Set("in.employees", "2600")
	form.Set("decl.true_and_complete", "yes")
	if resp, body = cl.postForm(appPath, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, firstLine(body))
	}
	a, _ := s.svc.Application(ctx, id)
	if !strings.Contains(string(a.Inputs), `"employees":2600`) || !strings.Contains(string(a.Declarations), `"true_and_complete":true`) {
		t.Errorf("saved inputs %s, declarations %s", a.Inputs, a.Declarations)
	}
	// The page of the first version is stale now.
	if resp, body = cl.postForm(appPath, form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已被他人修改") {
		t.Errorf("a stale save: status %d, must say someone else changed it", resp.StatusCode)
	}

	// The template, filled in with the demo firm's data.
	resp, tpl := cl.get(appPath + "/template.xlsx")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(tpl, "PK") {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	p, err := s.svc.CycleProgram(ctx, cycleID)
	if err != nil {
		t.Fatal(err)
	}
	_, body = cl.get(appPath)
	version = field(t, versionInput, body)
	filled := filledTemplate(t, p, t.TempDir(), code, firm.Identification)
	resp, body = cl.multipartForm(appPath+"/upload", url.Values{"version": {version}}, "file", "我的申报.xlsx", []byte(minimalPDF))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "PDF") {
		t.Errorf("a PDF as the template: status %d", resp.StatusCode)
	}
	other := filledTemplate(t, p, t.TempDir(), firm.Code, firm.Identification)
	resp, body = cl.multipartForm(appPath+"/upload", url.Values{"version": {version}}, "file", "other.xlsx", other)
	if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`row \d+, column A`).MatchString(body) {
		t.Errorf("another enterprise's template: status %d; the error must name the row and column: %s", resp.StatusCode, errorText(body))
	}
	resp, body = cl.multipartForm(appPath+"/upload", url.Values{"version": {version}}, "file", "filled.xlsx", filled)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", resp.StatusCode, errorText(body))
	}
	a, _ = s.svc.Application(ctx, id)
	var got map[string]any
	_ = json.Unmarshal(a.Inputs, &got)
	if fmt.Sprint(got["sales"]) != fmt.Sprint(firm.Identification["sales"]) || got["tech_centre"] != firm.Identification["tech_centre"] {
		t.Errorf("after the upload: sales %v, want %v", got["sales"], firm.Identification["sales"])
	}

	// Evidence: a PDF is attached and downloaded again; a fake one is refused.
	resp, body = cl.multipartForm(appPath+"/evidence", url.Values{}, "file", "<img src=x>审计报告.pdf", []byte(minimalPDF))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("evidence: %d %s", resp.StatusCode, firstLine(body))
	}
	resp, body = cl.multipartForm(appPath+"/evidence", url.Values{}, "file", "fake.pdf", []byte("just text, not a PDF"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "fake.pdf") {
		t.Errorf("a fake PDF: status %d", resp.StatusCode)
	}
	_, body = cl.get(appPath)
	if strings.Contains(body, "<img src=x>") || !strings.Contains(body, "&lt;img src=x&gt;审计报告.pdf") {
		t.Errorf("the evidence list must show the file name escaped")
	}
	evs, _ := s.svc.Evidence(ctx, id)
	if len(evs) != 1 {
		t.Fatalf("%d evidence files, want 1", len(evs))
	}
	if resp, pdf := cl.get(appPath + "/evidence/" + evs[0].SHA256); resp.StatusCode != http.StatusOK || pdf != minimalPDF {
		t.Errorf("download evidence: %d", resp.StatusCode)
	}

	// The self-check shows every gate with the enterprise's own values.
	resp, body = cl.get(appPath + "/check")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("self-check: %d", resp.StatusCode)
	}
	staff := scoring.FormatValue(firm.Identification["employees"].(float64), "persons", "zh")
	if n := strings.Count(body, `<tr class="gate-`); n != len(p.Gates) || !strings.Contains(body, "职工人数不少于300人") || !strings.Contains(body, staff) {
		t.Errorf("self-check: %d gates of %d, shows employees %s: %v", n, len(p.Gates), staff, strings.Contains(body, staff))
	}

	// Submit twice with the page's key: one submission.
	_, body = cl.get(appPath)
	sub := url.Values{"version": {field(t, versionInput, body)}, "key": {field(t, keyInput, body)}}
	for range 2 {
		if resp, body = cl.postForm(appPath+"/submit", sub); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", resp.StatusCode, firstLine(body))
		}
	}
	events, _ := s.svc.Timeline(ctx, a.EnterpriseID)
	submits := 0
	for _, e := range events {
		if e.Kind == "application.submit" && e.EntityID == id {
			submits++
		}
	}
	if a, _ = s.svc.Application(ctx, id); a.Status != workflow.StatusSubmitted || submits != 1 {
		t.Errorf("after two presses: status %s, %d submissions", a.Status, submits)
	}

	// Withdraw, after a confirmation.
	resp, body = cl.get(appPath + "/withdraw")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm"`) {
		t.Fatalf("withdraw confirmation: %d", resp.StatusCode)
	}
	w := url.Values{"version": {field(t, versionInput, body)}}
	if resp, _ = cl.postForm(appPath+"/withdraw", w); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("withdraw without the box ticked: %d", resp.StatusCode)
	}
	w.Set("confirm", "yes")
	if resp, body = cl.postForm(appPath+"/withdraw", w); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", resp.StatusCode, firstLine(body))
	}
	if a, _ = s.svc.Application(ctx, id); a.Status != workflow.StatusWithdrawn {
		t.Errorf("status %s after withdrawing", a.Status)
	}
	_, body = cl.get("/enterprise/timeline")
	if !strings.Contains(body, "<li>") {
		t.Errorf("the timeline is empty")
	}
}

// TestEnterpriseIsolation: an enterprise user reaches only its own
// enterprise's applications; another's id is answered like one that does
// not exist, for every page that takes an id.
func TestEnterpriseIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		f := s.api()
		cl := s.as(workflow.RoleEnterprise)
		mine, theirs := fmt.Sprint(f.app), fmt.Sprint(f.otherApp)
		if resp, _ := cl.get("/enterprise/applications/" + mine); resp.StatusCode != http.StatusOK {
			t.Fatalf("own application: %d", resp.StatusCode)
		}
		_, missing := cl.get("/enterprise/applications/999999")
		for _, path := range []string{"", "/check", "/template.xlsx", "/withdraw", "/evidence/" + strings.Repeat("ab", 32)} {
			resp, body := cl.get("/enterprise/applications/" + theirs + path)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "杭州") {
				t.Errorf("GET another's application%s: %d", path, resp.StatusCode)
			}
		}
		for _, path := range []string{"", "/submit", "/withdraw", "/upload", "/evidence"} {
			if resp, _ := cl.postForm("/enterprise/applications/"+theirs+path, url.Values{"version": {"1"}, "key": {"k"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST another's application%s: %d", path, resp.StatusCode)
			}
		}
		_, body := cl.get("/enterprise/applications/" + theirs)
		if strings.ReplaceAll(body, theirs, "N") != strings.ReplaceAll(strings.ReplaceAll(missing, "999999", "N"), theirs, "N") {
			t.Errorf("another's application must read exactly like a missing one")
		}
		if a, _ := s.svc.Application(context.Background(), f.otherApp); a.Status != workflow.StatusDraft {
			t.Errorf("another's application became %s", a.Status)
		}
	})
}

var errorParagraph = regexp.MustCompile(`(?s)<p class="error"[^>]*>.*?</p>`)

// errorText is the first error paragraph of a page, for test messages.
func errorText(body string) string { return errorParagraph.FindString(body) }

// TestEnterprisePagesReadable: the application form and the self-check
// speak the page's language. The form shows units as the language writes
// them ("单位：人", not "persons") with no stray separator before
// "必填", and its label column wraps; the self-check names each value by
// its input's name, with the year of a yearly input's value, and shows
// yes/no and choices as their answers, not as ids and codes.
func TestEnterprisePagesReadable(t *testing.T) {
	s := newSite(t, storetest.Open(t, store.SQLite), Config{})
	code := demo.CreditCode(rand.New(rand.NewPCG(21, 22)), "320500")
	cl := s.client()
	resp, body := cl.postForm("/register", url.Values{"uscc": {code}, "name": {"苏州明德有限公司"}, "channel": {"jiangsu"},
		"username": {"mingde"}, "display_name": {"王"}, "password": {password}, "password2": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", resp.StatusCode, firstLine(body))
	}
	resp, _ = cl.postForm(fmt.Sprintf("/enterprise/cycles/%d/apply", s.api().cycleID), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: status %d", resp.StatusCode)
	}
	appPath := resp.Header.Get("Location")

	_, body = cl.get(appPath)
	for _, bad := range []string{"单位：persons", "单位：count", "单位：ratio"} {
		if strings.Contains(body, bad) {
			t.Errorf("the Chinese form shows %q", bad)
		}
	}
	for _, want := range []string{"单位：人", "单位：万元", "单位：个"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Chinese form lacks %q", want)
		}
	}
	if stray := regexp.MustCompile(`<small class="muted">\s*·`).FindString(body); stray != "" {
		t.Errorf("a field's notes start with a separator: %q", stray)
	}
	css := regexp.MustCompile(`href="(/static/enterprise[^"]*\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("the form links no enterprise.css")
	}
	_, sheet := cl.get(css[1])
	labels := regexp.MustCompile(`table\.ent-form th\[scope=row\] \{[^}]*\}`).FindString(sheet)
	if !strings.Contains(labels, "white-space: normal") {
		t.Errorf("the form's label column does not wrap (app.css keeps th on one line): %q", labels)
	}

	form := url.Values{"version": {field(t, versionInput, body)}, "in.employees": {"2600"},
		"in.sales.0": {"310000"}, "in.sales.1": {"320000"}, "in.sales.2": {"330000"},
		"in.profit.0": {"30000"}, "in.profit.1": {"31000"}, "in.profit.2": {"32000"},
		"in.tech_centre": {"national"}, "in.sound_credit": {"yes"}, "in.china_controlled": {"no"}}
	if resp, body = cl.postForm(appPath, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, errorText(body))
	}
	_, body = cl.get(appPath + "/check")
	for _, bad := range []string{"sound_credit", "tech_centre", "sales[", "profit["} {
		if strings.Contains(body, bad) {
			t.Errorf("the self-check shows the id %q", bad)
		}
	}
	for _, want := range []string{"独立法人，财务管理健全，会计、纳税和银行信用良好：是", "研发和生产基地在中国境内且由中方控股：否",
		"企业技术中心级别：国家级", "产品销售收入 2025：330,000 万元", "利润总额 2023：30,000 万元", "职工人数：2,600 人"} {
		if !strings.Contains(body, want) {
			t.Errorf("the self-check lacks %q", want)
		}
	}
	cl.get("/lang/en?back=/")
	_, body = cl.get(appPath + "/check")
	for _, want := range []string{"Enterprise technology centre level: National", "Product sales 2025: 330,000 ×10,000 yuan",
		"Independent legal person with sound finances and good accounting, tax and bank credit: Yes", "Employees: 2,600 persons"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English self-check lacks %q", want)
		}
	}
	_, body = cl.get(appPath)
	if !strings.Contains(body, "Unit: persons") || !strings.Contains(body, "Unit: ×10,000 yuan") {
		t.Errorf("the English form lacks its units in English")
	}
}
