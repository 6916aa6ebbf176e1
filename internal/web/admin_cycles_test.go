package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The route walk reaches the cycle pages' routes with values of their
// own: a step that exists (on a cycle that does not), and ids of records
// that do not exist — the walk checks who gets past the rule, not what
// the page says.
func init() {
	extraSeeds = append(extraSeeds, func(s *site) {
		for _, m := range []string{"GET", "POST"} {
			s.params[m+" /admin/cycles/{id}/transitions/{action} {action}"] = "open"
			s.params[m+" /admin/cycles/{id}/decisions/{decision} {decision}"] = "999999"
			s.params[m+" /admin/cycles/{id}/decisions/{decision}/finalise {decision}"] = "999999"
			s.params[m+" /admin/cycles/{id}/objections/{objection} {objection}"] = "999999"
		}
	})
}

// clockSite is a seeded site whose service runs on clock, so that a test
// can let a notice period pass.
func clockSite(t *testing.T, db *store.DB, clock *demo.Clock) *site {
	t.Helper()
	svc := workflow.New(db, workflow.WithClock(clock.Now))
	srv, err := New(svc, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	s.seed()
	return s
}

// cycleFirms registers miit-tide, the channels of n story firms (and the
// seed's jiangsu), and returns the program version and the firms.
func cycleFirms(t *testing.T, svc *workflow.Service, n int) (store.ProgramVersion, []demo.Firm) {
	t.Helper()
	ctx := context.Background()
	v, err := svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	story := demo.Story(7, n)
	for _, f := range story {
		if _, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: f.Channel, NameZh: f.Channel + "渠道", NameEn: f.Channel, Kind: "province"}); err != nil {
			t.Fatal(err)
		}
	}
	return v, story
}

// applyAll registers the firms and submits their applications to cycle
// id (which is open), returning their enterprises in order.
func applyAll(t *testing.T, svc *workflow.Service, id int64, firms []demo.Firm) []store.Enterprise {
	t.Helper()
	ctx := context.Background()
	var out []store.Enterprise
	for _, f := range firms {
		e, err := svc.RegisterEnterprise(ctx, system, f.Code, f.Name, f.Channel)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		a, err := svc.CreateApplication(ctx, system, id, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(f.Identification)
		if a, err = svc.SaveApplication(ctx, system, a.ID, a.Version, raw); err != nil {
			t.Fatal(err)
		}
		if _, err = svc.SubmitApplication(ctx, system, a.ID, a.Version, fmt.Sprintf("cyc-test-%d-%s", id, f.Code)); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// step sends the confirmation form of transition action of cycle id and
// checks that the cycle reached phase want.
func step(t *testing.T, cl *client, svc *workflow.Service, id int64, action, want string) {
	t.Helper()
	path := fmt.Sprintf("/admin/cycles/%d/transitions/%s", id, action)
	resp, body := cl.get(path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("GET %s: status %d, or no confirmation form: %s", path, resp.StatusCode, firstLine(body))
	}
	resp, body = cl.postForm(path, url.Values{"confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, problemOf(body))
	}
	if c, err := svc.Cycle(context.Background(), id); err != nil || c.Phase != want {
		t.Fatalf("after %s the cycle is in %q (%v), want %q", action, c.Phase, err, want)
	}
}

var problemRe = regexp.MustCompile(`(?s)<p class="error" role="alert"[^>]*>(.*?)</p>`)

// problemOf is the error a page shows, for messages.
func problemOf(body string) string {
	if m := problemRe.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return firstLine(body)
}

// TestAdminDrivesCycle: an administrator creates a cycle through its form
// and drives it through every phase over HTTP, each step through its
// confirmation page; a step posted without the confirmation changes
// nothing, and one the workflow refuses shows why. On the way: the
// results table sorts and filters by failed gate, a stale edit of a
// decision is refused, an upheld objection reopens a decision that is
// then settled, and text typed into forms is shown escaped.
func TestAdminDrivesCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := demo.NewClock()
		clock.Set(time.Date(2031, 3, 3, 9, 0, 0, 0, workflow.ChinaTime)) // a Monday
		s := clockSite(t, db, clock)
		v, firms := cycleFirms(t, s.svc, 8)
		// One firm fails the employees gate.
		firms[2].Identification["employees"] = float64(120)
		admin := s.as(workflow.RoleAdmin)

		// The form, a refusal that keeps what was typed, and the cycle.
		resp, body := admin.get("/admin/cycles/new")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`<option value="%d"`, v.ID)) {
			t.Fatalf("new cycle form: status %d; offers the program version: %v", resp.StatusCode, strings.Contains(body, "miit-tide"))
		}
		form := url.Values{"program_version": {fmt.Sprint(v.ID)}, "kind": {"identification"}, "year": {"twenty"},
			"title_zh": {"<script>alert(1)</script>2031年认定"}, "title_en": {"2031 identification"}, "notice_days": {"1"},
			"applications_due": {"2031-06-30T17:00"}, "quota_" + firms[0].Channel: {"5"}}
		resp, body = admin.postForm("/admin/cycles", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "year") || !strings.Contains(body, "&lt;script&gt;alert(1)") {
			t.Fatalf("bad year: status %d; the form must come back with the reason and the title typed (escaped): %s", resp.StatusCode, problemOf(body))
		}
		form.Set("year", "2031")
		resp, body = admin.postForm("/admin/cycles", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create cycle: status %d: %s", resp.StatusCode, problemOf(body))
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(resp.Header.Get("Location"), "/admin/cycles/"), 10, 64)
		if err != nil {
			t.Fatalf("create cycle: sent to %q", resp.Header.Get("Location"))
		}
		base := fmt.Sprintf("/admin/cycles/%d", id)
		resp, body = admin.get(base)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;2031年认定") {
			t.Fatalf("cycle page: status %d; the title must be shown escaped", resp.StatusCode)
		}
		if !strings.Contains(body, base+"/transitions/open") {
			t.Errorf("the draft cycle's page does not offer to open it")
		}
		resp, body = admin.get("/admin")
		for _, link := range []string{base, "/admin/programs", "/admin/users", "/admin/audit", "/admin/announcements", "/admin/cycles/new"} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+link+`"`) {
				t.Errorf("the dashboard (status %d) lacks a link to %s", resp.StatusCode, link)
			}
		}

		// Without its confirmation a step changes nothing; a step of
		// another phase is explained, with no button.
		resp, _ = admin.postForm(base+"/transitions/open", nil)
		if c, _ := s.svc.Cycle(ctx, id); resp.StatusCode != http.StatusUnprocessableEntity || c.Phase != workflow.PhaseDraft {
			t.Fatalf("open without confirmation: status %d, phase %q; want 422 and draft", resp.StatusCode, c.Phase)
		}
		resp, body = admin.get(base + "/transitions/announce")
		if resp.StatusCode != http.StatusConflict || strings.Contains(body, `name="confirm"`) {
			t.Errorf("announce a draft: status %d, want 409 without a form", resp.StatusCode)
		}
		if resp, _ := admin.get(base + "/transitions/explode"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown step: status %d, want 404", resp.StatusCode)
		}

		step(t, admin, s.svc, id, "open", workflow.PhaseOpen)
		ents := applyAll(t, s.svc, id, firms)
		step(t, admin, s.svc, id, "close-applications", workflow.PhaseRecommendation)
		apps, err := s.svc.Applications(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		byChannel := map[int64][]int64{}
		for _, a := range apps {
			byChannel[a.ChannelID] = append(byChannel[a.ChannelID], a.ID)
		}
		for ch, ids := range byChannel {
			if _, err := s.svc.Recommend(ctx, system, ch, ids); err != nil {
				t.Fatal(err)
			}
		}
		// Two of the enterprises follow their application from their
		// dashboards; ents[2] fails a gate.
		watch := []store.Enterprise{ents[2], ents[3]}
		logins := []*client{enterpriseLogin(t, s, ents[2]), enterpriseLogin(t, s, ents[3])}
		for i, e := range watch {
			checkStage(t, s, logins[i], e, id, workflow.StatusRecommended)
		}
		step(t, admin, s.svc, id, "start-evaluation", workflow.PhaseEvaluation)
		for i, e := range watch {
			checkStage(t, s, logins[i], e, id, workflow.StageUnderEvaluation)
		}

		checkResultsTable(t, admin, base, ents[2])

		step(t, admin, s.svc, id, "start-deliberation", workflow.PhaseDeliberation)
		checkDecisionEdit(t, admin, s.svc, id, ents[0])

		for i, e := range watch { // drafted decisions are not shown
			checkStage(t, s, logins[i], e, id, workflow.StageUnderEvaluation)
		}
		step(t, admin, s.svc, id, "publish-notice", workflow.PhaseNotice)
		if got := decisionStage(t, s, ents[2], id, false); got != workflow.StageNoticeFail {
			t.Errorf("the firm that fails the employees gate is at stage %s in the notice", got)
		}
		for i, e := range watch {
			checkStage(t, s, logins[i], e, id, decisionStage(t, s, e, id, false))
		}
		n, err := s.svc.Notice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		target := ents[1]
		o, err := s.svc.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: target.ID, FilerName: "<i>王五</i>",
			FilerContact: "13900000000", Grounds: "<script>x()</script>研发数据不实"})
		if err != nil {
			t.Fatal(err)
		}
		// The notice still runs and an objection is open: the workflow's
		// refusal is shown on the cycle's page.
		resp, body = admin.postForm(base+"/transitions/announce", url.Values{"confirm": {"yes"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(problemOf(body), "notice") {
			t.Errorf("announce during the notice: status %d, problem %q", resp.StatusCode, problemOf(body))
		}
		checkObjection(t, admin, s.svc, id, o.ID, target)

		clock.Set(n.EndsAt.Add(time.Hour))
		admin = s.as(workflow.RoleAdmin) // the session ran out with the clock
		step(t, admin, s.svc, id, "announce", workflow.PhaseAnnounced)
		for i, e := range watch {
			logins[i] = signIn(t, s, fmt.Sprintf("ent-%d", e.ID)) // sessions ran out with the clock
			checkStage(t, s, logins[i], e, id, decisionStage(t, s, e, id, true))
		}
		resp, body = admin.get(base)
		if !strings.Contains(body, base+"/certificates") || !strings.Contains(body, base+"/announcement") {
			t.Errorf("the announced cycle's page lacks its certificates or announcement: %d", resp.StatusCode)
		}
		resp, body = admin.postForm(base+"/announcement", nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/admin/announcements/\d+/issue$`).MatchString(loc) {
			t.Errorf("draft the results announcement: status %d, sent to %q: %s", resp.StatusCode, loc, problemOf(body))
		}
		step(t, admin, s.svc, id, "close", workflow.PhaseClosed)
		if _, body := admin.get(base); strings.Contains(body, base+"/transitions/") {
			t.Errorf("a closed cycle still offers a step")
		}
	})
}

// resultRow finds the enterprise names of the results table's rows.
var resultRow = regexp.MustCompile(`(?s)<tr>\s*<td class="num">[^<]*</td>\s*<td>([^<]*)</td>\s*<td class="code">([^<]*)</td>\s*<td>[^<]*</td>\s*<td class="num">([^<]*)</td>`)

// checkResultsTable: sorted by total, descending, the totals fall; by a
// pillar's score too; filtered by the gate failed, only the failing
// enterprise is left.
func checkResultsTable(t *testing.T, cl *client, base string, failing store.Enterprise) {
	t.Helper()
	resp, body := cl.get(base + "/results?sort=total&desc=1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("results: status %d: %s", resp.StatusCode, problemOf(body))
	}
	rows := resultRow.FindAllStringSubmatch(body, -1)
	if len(rows) != 8 {
		t.Fatalf("results: %d rows, want 8", len(rows))
	}
	prev := 1e300
	for _, r := range rows {
		if r[3] == "—" {
			prev = -1e300 // unscored rows come last
			continue
		}
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil || v > prev {
			t.Errorf("sorted by total, descending: %q after %v", r[3], prev)
		}
		prev = v
	}
	node := regexp.MustCompile(`<option value="node:([a-z_0-9]+)"`).FindStringSubmatch(body)
	if node == nil {
		t.Fatalf("the results page offers no framework node to sort by")
	}
	if resp, body := cl.get(base + "/results?sort=node:" + node[1]); resp.StatusCode != http.StatusOK || len(resultRow.FindAllString(body, -1)) != 8 {
		t.Errorf("sorted by node %s: status %d", node[1], resp.StatusCode)
	}
	_, body = cl.get(base + "/results?gate=employees")
	rows = resultRow.FindAllStringSubmatch(body, -1)
	if len(rows) != 1 || rows[0][2] != failing.USCC {
		t.Errorf("filtered by the employees gate: %v, want only %s", rows, failing.USCC)
	}
	if _, body = cl.get(base + "/results?gate=none"); len(resultRow.FindAllString(body, -1)) != 7 {
		t.Errorf("filtered to the eligible: %d rows, want 7", len(resultRow.FindAllString(body, -1)))
	}
	if resp, _ := cl.get(base + "/results?sort=node:nonesuch"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown sort: status %d, want 422", resp.StatusCode)
	}
}

// decisionOf returns the decision on enterprise e in cycle id.
func decisionOf(t *testing.T, svc *workflow.Service, id int64, e store.Enterprise) store.Decision {
	t.Helper()
	ds, err := svc.Decisions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.EnterpriseID == e.ID {
			return d
		}
	}
	t.Fatalf("no decision on %s", e.Name)
	return store.Decision{}
}

// checkDecisionEdit: a drafted decision is edited at its version; the
// same edit at the old version is refused with a conflict shown in the
// form, which keeps what was typed.
func checkDecisionEdit(t *testing.T, cl *client, svc *workflow.Service, id int64, e store.Enterprise) {
	t.Helper()
	d := decisionOf(t, svc, id, e)
	path := fmt.Sprintf("/admin/cycles/%d/decisions/%d", id, d.ID)
	if resp, body := cl.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`name="version" value="%d"`, d.Version)) {
		t.Fatalf("decision form: status %d", resp.StatusCode)
	}
	edit := url.Values{"outcome": {"fail"}, "reason_zh": {"<b>专家意见</b>：研发投入不足"}, "reason_en": {"Experts: too little R&D"}, "version": {fmt.Sprint(d.Version)}}
	if resp, body := cl.postForm(path, edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit decision: status %d: %s", resp.StatusCode, problemOf(body))
	}
	resp, body := cl.postForm(path, edit) // the version it was read at is stale now
	if resp.StatusCode != http.StatusConflict || !strings.Contains(problemOf(body), "changed since") || !strings.Contains(body, "&lt;b&gt;专家意见&lt;/b&gt;") {
		t.Errorf("stale edit: status %d, problem %q; want 409 with the text kept", resp.StatusCode, problemOf(body))
	}
	if got := decisionOf(t, svc, id, e); got.Outcome != workflow.OutcomeFail || got.Version != d.Version+1 {
		t.Errorf("after one edit and a stale one: %+v", got)
	}
	if resp, _ := cl.get(fmt.Sprintf("/admin/cycles/%d/decisions/999999", id)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a decision that does not exist: status %d", resp.StatusCode)
	}
}

// checkObjection: the objection is listed (its filer escaped); handling
// it needs a verdict and the confirmation; upheld, it reopens the
// decision, which is re-decided and settled back into the notice.
func checkObjection(t *testing.T, cl *client, svc *workflow.Service, id, objection int64, e store.Enterprise) {
	t.Helper()
	base := fmt.Sprintf("/admin/cycles/%d/objections", id)
	resp, body := cl.get(base)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "&lt;i&gt;王五&lt;/i&gt;") || strings.Contains(body, "<script>x()") {
		t.Fatalf("objections: status %d; the filer and grounds must be escaped", resp.StatusCode)
	}
	path := fmt.Sprintf("%s/%d", base, objection)
	if resp, body := cl.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="verdict"`) {
		t.Fatalf("objection form: status %d", resp.StatusCode)
	}
	if resp, _ := cl.postForm(path, url.Values{"reason": {"核实"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no verdict: status %d, want 422", resp.StatusCode)
	}
	if resp, _ := cl.postForm(path, url.Values{"verdict": {"upheld"}, "reason": {"核实"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("not confirmed: status %d, want 422", resp.StatusCode)
	}
	if d := decisionOf(t, svc, id, e); d.State != workflow.DecisionProposed {
		t.Fatalf("before the objection is upheld the decision is %s", d.State)
	}
	resp, body = cl.postForm(path, url.Values{"verdict": {"upheld"}, "reason": {"经核实，研发费用口径有误。"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("uphold: status %d: %s", resp.StatusCode, problemOf(body))
	}
	d := decisionOf(t, svc, id, e)
	if d.State != workflow.DecisionDrafted {
		t.Fatalf("after the upheld objection the decision is %s, want drafted", d.State)
	}
	if _, body := cl.get(path); !strings.Contains(body, "decisions?state=drafted") {
		t.Errorf("the handled objection's page does not say the decision reopened")
	}
	dpath := fmt.Sprintf("/admin/cycles/%d/decisions/%d", id, d.ID)
	if _, body := cl.get(dpath); !strings.Contains(body, dpath+"/finalise") {
		t.Errorf("the reopened decision's page offers no way to settle it")
	}
	if resp, body := cl.postForm(dpath, url.Values{"outcome": {"fail"}, "reason_zh": {"研发费用不实"}, "reason_en": {"R&D misreported"},
		"version": {fmt.Sprint(d.Version)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-decide: status %d: %s", resp.StatusCode, problemOf(body))
	}
	d = decisionOf(t, svc, id, e)
	if resp, _ := cl.postForm(dpath+"/finalise", url.Values{"version": {fmt.Sprint(d.Version)}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("finalise without confirmation: status %d, want 422", resp.StatusCode)
	}
	if resp, body := cl.postForm(dpath+"/finalise", url.Values{"version": {fmt.Sprint(d.Version)}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finalise: status %d: %s", resp.StatusCode, problemOf(body))
	}
	if d := decisionOf(t, svc, id, e); d.State != workflow.DecisionProposed || d.Outcome != workflow.OutcomeFail {
		t.Errorf("settled during the notice, the decision is %s %s; want proposed fail", d.State, d.Outcome)
	}
}
