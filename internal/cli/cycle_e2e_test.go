package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestIdentificationCycleThroughCLI drives a small identification cycle
// from an empty database to closed through the commands alone, then
// checks what the database holds and what the audit log says.
func TestIdentificationCycleThroughCLI(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	codes := creditCodes(2)
	good, small := codes[0], codes[1]
	id := func(v int64) string { return strconv.FormatInt(v, 10) }

	// Enterprises, a cycle, the calendar.
	l.ok("enterprise", "register", good, "--name", "好企业", "--channel", "jiangsu", "--as", "jiangsu-officer")
	l.ok("enterprise", "register", small, "--name", "小企业", "--channel", "zhejiang", "--as", "zhejiang-officer")
	if out := l.ok("enterprise", "list"); !strings.Contains(out, good) || !strings.Contains(out, "zhejiang") {
		t.Errorf("enterprise list:\n%s", out)
	}
	l.ok("calendar", "set", "2018-05-07=holiday", "--name-en", "Test holiday", "--as", "admin")
	var cy idOf
	l.json(&cy, "cycle", "create", "--program", "mini", "--kind", "identification", "--year", "2018", "--title-en", "Mini 2018", "--as", "admin")
	c := id(cy.ID)
	if cy.Phase != workflow.PhaseDraft {
		t.Fatalf("created cycle %+v", cy)
	}
	if out := l.ok("cycle", "open", c, "--as", "admin"); !strings.Contains(out, "phase open") {
		t.Errorf("open: %s", out)
	}

	// Applications: inputs as KEY=VALUE, declarations, submission.
	var a1, a2 idOf
	l.json(&a1, "application", "create", "--cycle", c, "--enterprise", good, "--as", "good-user")
	l.json(&a2, "application", "create", "--cycle", c, "--enterprise", small, "--as", "small-user")
	app1, app2 := id(a1.ID), id(a2.ID)
	l.ok("application", "save", app1, "staff=50", "sales=100,300", "note=示范", "--as", "good-user")
	l.ok("application", "save", app2, "staff=5", "sales=100,150", "--as", "small-user")
	l.ok("application", "declare", app1, "independent=yes", "sound_credit=yes", "--as", "good-user")
	l.ok("application", "submit", app1, "--key", "k-1", "--as", "good-user")
	// A retry with the same key changes nothing and succeeds.
	if out := l.ok("application", "submit", app1, "--key", "k-1", "--as", "good-user"); !strings.Contains(out, "submitted") {
		t.Errorf("retried submit: %s", out)
	}
	l.ok("application", "submit", app2, "--as", "small-user")
	if out := l.ok("application", "show", app1); !strings.Contains(out, "staff: 50") || !strings.Contains(out, "independent: true") {
		t.Errorf("application show:\n%s", out)
	}

	// The channels screen and recommend; the engine evaluates.
	l.ok("cycle", "close-applications", c, "--as", "admin")
	l.ok("application", "recommend", "--channel", "jiangsu", app1, "--as", "jiangsu-officer")
	l.ok("application", "recommend", "--channel", "zhejiang", app2, "--as", "zhejiang-officer")
	if out := l.ok("application", "list", "--cycle", c, "--sort", "rank"); strings.Count(out, "recommended") != 2 {
		t.Errorf("application list:\n%s", out)
	}
	l.ok("cycle", "start-evaluation", c, "--as", "admin")
	if out := l.ok("cycle", "results", c); !strings.Contains(out, good) || !strings.Contains(out, "pass") {
		t.Errorf("results:\n%s", out)
	}
	l.ok("cycle", "start-deliberation", c, "--as", "admin")
	var ds []struct {
		idOf
		USCC    string `json:"uscc"`
		Outcome string `json:"outcome"`
	}
	l.json(&ds, "decision", "list", "--cycle", c)
	if len(ds) != 2 {
		t.Fatalf("decisions: %+v", ds)
	}
	dec := map[string]string{}
	for _, d := range ds {
		dec[d.USCC] = id(d.ID)
		want := map[string]string{good: workflow.OutcomePass, small: workflow.OutcomeFail}[d.USCC]
		if d.Outcome != want || d.State != workflow.DecisionDrafted {
			t.Errorf("decision on %s: %+v, want %s drafted", d.USCC, d, want)
		}
	}
	l.ok("decision", "edit", dec[good], "--reason-en", "Meets every gate; growth 200", "--as", "admin")

	// The notice, with two objections: one upheld, one dismissed.
	if out := l.ok("cycle", "publish-notice", c, "--as", "admin"); !strings.Contains(out, "phase notice") || !strings.Contains(out, "10 working days") {
		t.Errorf("notice: %s", out)
	}
	var o1, o2 idOf
	l.json(&o1, "objection", "file", "--cycle", c, "--enterprise", small, "--name", "张三", "--contact", "13800000000", "--grounds", "职工人数统计有误")
	l.json(&o2, "objection", "file", "--cycle", c, "--enterprise", good, "--name", "李四", "--contact", "li@example.com", "--grounds", "数据不实")
	l.ok("objection", "handle", id(o1.ID), "--uphold", "--reason", "复核属实", "--as", "admin")
	l.ok("objection", "handle", id(o2.ID), "--dismiss", "--reason", "经核查数据属实", "--as", "admin")
	if out := l.ok("objection", "list", "--cycle", c); !strings.Contains(out, "upheld") || !strings.Contains(out, "dismissed") {
		t.Errorf("objection list:\n%s", out)
	}
	// The upheld objection reopened the decision: re-decide and settle it.
	l.ok("decision", "edit", dec[small], "--outcome", "fail", "--reason-zh", "职工人数不足10人", "--reason-en", "Fewer than 10 staff", "--as", "admin")
	var settled idOf
	l.json(&settled, "decision", "finalise", dec[small], "--yes", "--as", "admin")
	if settled.State != workflow.DecisionProposed {
		t.Errorf("settled decision during the notice: %+v, want proposed", settled)
	}

	// Not before the notice ends; then announce and close.
	l.fails(ExitError, []string{"cycle", "announce", c, "--yes", "--as", "admin"}, "runs through 2018-05-16", "possible from 2018-05-17")
	if out := l.ok("notice", "show", "--cycle", c); !strings.Contains(out, "running") {
		t.Errorf("notice show:\n%s", out)
	}
	l.clock.Set(time.Date(2018, 6, 1, 9, 0, 0, 0, workflow.ChinaTime))
	if out := l.ok("cycle", "announce", c, "--yes", "--as", "admin"); !strings.Contains(out, "phase announced") {
		t.Errorf("announce: %s", out)
	}
	var recs []struct {
		idOf
		GrantedYear int `json:"granted_year"`
	}
	l.json(&recs, "recognition", "list")
	if len(recs) != 1 || recs[0].Status != workflow.RecognitionActive || recs[0].GrantedYear != 2018 {
		t.Fatalf("recognitions after the announcement: %+v", recs)
	}
	if out := l.ok("recognition", "list", "--enterprise", good); !strings.Contains(out, "active") {
		t.Errorf("recognition list --enterprise:\n%s", out)
	}
	l.ok("cycle", "close", c, "--yes", "--as", "admin")

	// A year later the holder files its annual report on 2018.
	l.clock.Set(time.Date(2019, 3, 1, 9, 0, 0, 0, workflow.ChinaTime))
	l.ok("annual-report", "submit", "--recognition", id(recs[0].ID), "--year", "2018", "employees=60", "rd=12.5", "--as", "good-user")
	if out := l.ok("annual-report", "list", "--year", "2018"); !strings.Contains(out, "submitted") || !strings.Contains(out, good) {
		t.Errorf("annual-report list:\n%s", out)
	}
	if out := l.ok("enterprise", "timeline", good); !strings.Contains(out, "application.submit") || !strings.Contains(out, "annual_report.submit") {
		t.Errorf("timeline:\n%s", out)
	}
	if out := l.ok("cycle", "show", c); !strings.Contains(out, "phase          closed") || !strings.Contains(out, "final/pass 1") {
		t.Errorf("cycle show:\n%s", out)
	}

	// What the database holds, read without the commands.
	ctx := context.Background()
	db, err := store.Open(ctx, l.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := workflow.New(db)
	got, err := s.Cycle(ctx, cy.ID)
	if err != nil || got.Phase != workflow.PhaseClosed {
		t.Errorf("cycle %d: %+v, %v", cy.ID, got, err)
	}
	final, err := s.Decisions(ctx, cy.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range final {
		if d.State != workflow.DecisionFinal {
			t.Errorf("decision %d is %s after the close", d.ID, d.State)
		}
	}
	res, err := db.VerifyAudit(ctx)
	if err != nil || !res.OK {
		t.Fatalf("audit: %+v %v", res, err)
	}
	entries, err := db.ListAudit(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string]bool{}
	actions := map[string]bool{}
	for _, e := range entries {
		actors[e.Actor] = true
		actions[e.Action] = true
	}
	for _, a := range []string{"admin", "good-user", "jiangsu-officer", "public: 张三"} {
		if !actors[a] {
			t.Errorf("no audit entry by %q; actors %v", a, actors)
		}
	}
	for _, a := range []string{"cycle.announce", "cycle.close", "objection.uphold", "objection.dismiss", "decision.finalise", "application.recommend"} {
		if !actions[a] {
			t.Errorf("no audit entry %q; actions %v", a, actions)
		}
	}
}
