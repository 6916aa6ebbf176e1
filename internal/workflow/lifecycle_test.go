package workflow_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestIdentificationCycle runs an identification cycle of miit-tide from
// draft to closed with six enterprises across two channels: one fails the
// size gate, the engine decides the others.
func TestIdentificationCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		var firms []*firm
		for i := 0; i < 6; i++ {
			ch := "jiangsu"
			if i%2 == 1 {
				ch = "zhejiang"
			}
			firms = append(firms, f.newFirm(ch))
		}
		small := firms[3]
		small.inputs["employees"] = 180.0 // the gate asks for 300

		// Setting up: the cycle, its channels' quotas, the applicants.
		c := f.createCycle(workflow.KindIdentification, 2018, map[string]int{"jiangsu": 3, "zhejiang": 3})
		if c.Phase != workflow.PhaseDraft || c.NoticeWorkingDays != 15 || c.ProgramVersionID != f.version.ID {
			t.Fatalf("new cycle = %+v; want phase draft, 15 notice days (miit-tide's), program version %d", c, f.version.ID)
		}
		f.step("cycle.open", func() (err error) { c, err = f.s.OpenCycle(ctx, admin, c.ID); return err })
		for _, fm := range firms {
			f.apply(c.ID, fm)
			if fm.app.Status != workflow.StatusSubmitted || fm.app.SubmittedAt == nil {
				t.Fatalf("application %d after submit: %+v", fm.app.ID, fm.app)
			}
		}
		// An enterprise renames itself during the cycle: the history keeps both.
		f.clock.Set(cst(2018, 5, 20, 9))
		f.step("enterprise.rename", func() error {
			_, err := f.s.RegisterEnterprise(ctx, admin, firms[0].code, firms[0].name+"（集团）", "")
			return err
		})
		e0, names, err := f.s.Enterprise(ctx, firms[0].e.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNames := []store.EnterpriseName{
			{ValidFrom: time.Date(2018, 5, 2, 0, 0, 0, 0, time.UTC), Name: firms[0].name},
			{ValidFrom: time.Date(2018, 5, 20, 0, 0, 0, 0, time.UTC), Name: firms[0].name + "（集团）"},
		}
		if e0.Name != wantNames[1].Name || fmt.Sprint(names) != fmt.Sprint(wantNames) {
			t.Errorf("after the rename: %q with history %+v, want %+v", e0.Name, names, wantNames)
		}
		// Registering it again unchanged records nothing.
		if _, err := f.s.RegisterEnterprise(ctx, admin, firms[0].code, wantNames[1].Name, firms[0].channel); err != nil {
			t.Fatal(err)
		}
		if e := f.newEntries(); len(e) != 0 {
			t.Errorf("an unchanged registration recorded %s", e[0].Action)
		}
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.RegisterEnterprise(ctx, admin, "91320100MA1XYZ0000", "某公司", "jiangsu")
			return err
		}, "unified social credit code")

		f.step("cycle.close_applications", func() (err error) { c, err = f.s.CloseApplications(ctx, admin, c.ID); return err })
		f.recommendAll(firms)
		recs, err := f.s.Recommendations(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 6 || recs[0].Rank != 1 || recs[2].Rank != 3 {
			t.Errorf("recommendations = %+v, want 3 per channel ranked 1..3", recs)
		}

		// Evaluation: the engine decides.
		f.step("engine_run.create", func() (err error) { c, err = f.s.StartEvaluation(ctx, admin, c.ID); return err })
		run, results, err := f.s.Results(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 6 || run.Status != "finished" || run.ProgramVersionID != f.version.ID {
			t.Fatalf("run %+v with %d results, want 6", run, len(results))
		}
		engine := engineVerdicts(t, firms)
		for _, r := range results {
			fm := firmOf(firms, r.EnterpriseID)
			want := engine[fm.code]
			var doc struct {
				ID       string `json:"id"`
				Channel  string `json:"channel"`
				Outcome  string `json:"outcome"`
				Failures []struct {
					Gate string `json:"gate"`
				} `json:"failures"`
				Scores []struct {
					Node string `json:"node"`
				} `json:"scores"`
				Reason struct{ Zh, En string } `json:"reason"`
			}
			if err := json.Unmarshal(r.Result, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.ID != fm.code || doc.Channel != fm.channel || doc.Outcome != want.Outcome.String() || len(doc.Scores) == 0 {
				t.Errorf("result of %s = %s; want id, channel %s, outcome %s and scores", fm.code, r.Result, fm.channel, want.Outcome)
			}
			if r.Pass != (want.Outcome == scoring.Pass) || r.Eligible != want.Eligible || !sameNumber(r.Score, want.Total) || r.Rank != want.Rank {
				t.Errorf("result row of %s = pass %v eligible %v score %v rank %d; the engine says %v %v %v %d",
					fm.code, r.Pass, r.Eligible, r.Score, r.Rank, want.Outcome == scoring.Pass, want.Eligible, want.Total, want.Rank)
			}
			if fm == small && (len(doc.Failures) != 1 || doc.Failures[0].Gate != "employees" || !strings.Contains(doc.Reason.En, "300")) {
				t.Errorf("the small enterprise's result = %s; want the employees gate failed", r.Result)
			}
		}

		// Deliberation: one decision per enterprise, from the engine.
		f.step("decision.draft", func() (err error) { c, err = f.s.StartDeliberation(ctx, admin, c.ID); return err })
		for _, fm := range firms {
			d := f.decisionOf(c.ID, fm)
			want := workflow.OutcomeFail
			if engine[fm.code].Outcome == scoring.Pass {
				want = workflow.OutcomePass
			}
			if d.Outcome != want || d.State != workflow.DecisionDrafted || d.ReasonZh != engine[fm.code].Reason.Zh || d.ReasonEn != engine[fm.code].Reason.En {
				t.Errorf("decision on %s = %+v; want %s with the engine's reason", fm.code, d, want)
			}
		}
		if d := f.decisionOf(c.ID, small); d.Outcome != workflow.OutcomeFail || !strings.Contains(d.ReasonZh, "300") {
			t.Errorf("decision on the small enterprise = %+v, want fail for its size", d)
		}
		// The administrator adds to a reason.
		d0 := f.decisionOf(c.ID, firms[0])
		f.step("decision.update", func() (err error) {
			d0, err = f.s.UpdateDecision(ctx, admin, d0.ID, d0.Version, d0.Outcome, d0.ReasonZh+"；专家组同意", d0.ReasonEn+"; the expert panel agrees")
			return err
		})

		// The notice: published Tuesday 25 September 2018 for 15 working
		// days, across the National Day holiday and its make-up weekend.
		f.clock.Set(cst(2018, 9, 25, 10))
		var n store.Notice
		f.step("notice.publish", func() (err error) { n, err = f.s.PublishNotice(ctx, admin, c.ID); return err })
		if !n.EndsAt.Equal(cst(2018, 10, 19, 0)) || n.WorkingDays != 15 || !n.StartsAt.Equal(cst(2018, 9, 25, 10)) {
			t.Errorf("notice = %+v; want 15 working days from 2018-09-25 10:00, ending 2018-10-19 00:00 CST", n)
		}
		for _, fm := range firms {
			if d := f.decisionOf(c.ID, fm); d.State != workflow.DecisionProposed {
				t.Errorf("decision on %s is %s during the notice, want proposed", fm.code, d.State)
			}
		}
		// An objection, dismissed.
		f.clock.Set(cst(2018, 10, 9, 15))
		var o store.Objection
		f.step("objection.file", func() (err error) {
			o, err = f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: firms[0].e.ID,
				FilerName: "张三", FilerContact: "13800000000", Grounds: "研发投入数据存疑"})
			return err
		})
		f.step("objection.dismiss", func() (err error) {
			o, err = f.s.HandleObjection(ctx, admin, o.ID, false, "经核查，研发投入数据属实")
			return err
		})

		// The announcement, the day after the notice's last day.
		f.clock.Set(cst(2018, 10, 19, 9))
		f.step("cycle.announce", func() (err error) { c, err = f.s.Announce(ctx, admin, c.ID); return err })
		granted := 0
		for _, fm := range firms {
			d := f.decisionOf(c.ID, fm)
			if d.State != workflow.DecisionFinal || d.FinalisedAt == nil {
				t.Errorf("decision on %s after the announcement: %+v, want final", fm.code, d)
			}
			recs, err := f.s.Recognitions(ctx, fm.e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Outcome == workflow.OutcomeFail {
				if len(recs) != 0 {
					t.Errorf("%s failed but holds %+v", fm.code, recs)
				}
				continue
			}
			granted++
			want := store.Recognition{EnterpriseID: fm.e.ID, ProgramID: c.ProgramID, GrantedYear: 2018,
				ValidFrom: time.Date(2018, 10, 19, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2021, 10, 19, 0, 0, 0, 0, time.UTC),
				Status: workflow.RecognitionActive, GrantedCycleID: c.ID}
			if len(recs) != 1 || recs[0].EnterpriseID != want.EnterpriseID || recs[0].GrantedYear != want.GrantedYear ||
				!recs[0].ValidFrom.Equal(want.ValidFrom) || !recs[0].ValidUntil.Equal(want.ValidUntil) ||
				recs[0].Status != want.Status || recs[0].GrantedCycleID != want.GrantedCycleID {
				t.Errorf("%s passed and holds %+v; want one like %+v", fm.code, recs, want)
			}
		}
		if granted < 4 {
			t.Errorf("%d of 6 granted; the generated data should let every firm but the small one pass", granted)
		}
		f.step("cycle.close", func() (err error) { c, err = f.s.CloseCycle(ctx, admin, c.ID); return err })
		if c.Phase != workflow.PhaseClosed {
			t.Errorf("phase %s after CloseCycle", c.Phase)
		}
		f.verifyAudit()
	})
}

// engineVerdicts runs the engine directly on the firms' inputs, laid out
// by the test itself, to check the numbers the workflow stored.
func engineVerdicts(t *testing.T, firms []*firm) map[string]scoring.Enterprise {
	t.Helper()
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	tab := scoring.NewTable(p, len(firms))
	for i, fm := range firms {
		for id, v := range fm.inputs {
			in, _ := p.Input(id)
			switch v := v.(type) {
			case float64:
				tab.Num[in.Col][i] = v
			case bool:
				tab.Num[in.Col][i] = map[bool]float64{false: 0, true: 1}[v]
			case []any:
				for y, yv := range v {
					tab.Num[in.Col+y][i] = yv.(float64)
				}
			case string:
				if in.Kind == program.KindChoice {
					tab.Num[in.Col][i], _ = in.Code(v)
				} else {
					tab.Text[in.TextCol][i] = v
				}
			}
		}
		id, _ := p.Input("uscc")
		tab.Text[id.TextCol][i] = fm.code
		ch, _ := p.Input("channel")
		tab.Num[ch.Col][i], _ = ch.Code(fm.channel)
	}
	res, err := scoring.Run(p, tab, scoring.Options{Quotas: map[string]int{"jiangsu": 3, "zhejiang": 3}}) // the cycle's quotas
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]scoring.Enterprise{}
	for i, fm := range firms {
		out[fm.code] = res.Enterprise(i)
	}
	return out
}

func firmOf(firms []*firm, enterpriseID int64) *firm {
	for _, fm := range firms {
		if fm.e.ID == enterpriseID {
			return fm
		}
	}
	return nil
}

func sameNumber(stored *float64, engine float64) bool {
	if math.IsNaN(engine) {
		return stored == nil
	}
	return stored != nil && *stored == engine
}
