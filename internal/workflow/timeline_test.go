package workflow_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestTimeline builds an enterprise's history through the service —
// registered, renamed, returned for correction, recognised in 2018, an
// annual report, reviewed and revoked in 2021 — and reads it back in
// order.
func TestTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		fm, other := f.newFirm("jiangsu"), f.newFirm("zhejiang")
		f.register(fm)
		oldName := fm.name
		fm.name = fm.name + "股份有限公司"
		f.step("enterprise.rename", func() (err error) {
			fm.e, err = f.s.RegisterEnterprise(ctx, admin, fm.code, fm.name, "jiangsu")
			return err
		})
		c := f.openCycleWith(nil)
		f.apply(c.ID, fm)
		f.step("application.return", func() (err error) {
			fm.app, err = f.s.ReturnApplication(ctx, jiangsuOfficer, f.channels["jiangsu"].ID, fm.app.ID, fm.app.Version, "缺少审计报告")
			return err
		})
		f.step("application.submit", func() (err error) {
			fm.app, err = f.s.SubmitApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, "resubmit-1")
			return err
		})
		f.apply(c.ID, other)
		n := f.toNotice(c, []*firm{fm, other})
		f.clock.Set(n.EndsAt)
		f.step("recognition.grant", func() error { _, err := f.s.Announce(ctx, admin, c.ID); return err })
		recs, err := f.s.Recognitions(ctx, fm.e.ID)
		if err != nil || len(recs) != 1 {
			t.Fatalf("recognitions: %+v, %v", recs, err)
		}
		f.clock.Set(cst(2019, 4, 2, 9))
		f.step("annual_report.submit", func() error {
			_, err := f.s.SubmitAnnualReport(ctx, enterpriseUser, recs[0].ID, 2018, json.RawMessage(`{"rd_pct": 4}`))
			return err
		})

		f.clock.Set(cst(2021, 3, 1, 9))
		rc := f.createCycle(workflow.KindReview, 2021, nil)
		var apps []store.Application
		f.step("cycle.open", func() (err error) { _, apps, err = f.s.OpenReviewCycle(ctx, admin, rc.ID); return err })
		fm.inputs["profit"] = []any{1200.0, -300.0, 800.0}
		f.reviewFrom(rc, apps, []*firm{fm, other})

		// A revoked title files no more reports.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SubmitAnnualReport(ctx, enterpriseUser, recs[0].ID, 2020, json.RawMessage(`{}`))
			return err
		}, `recognition`, `is "revoked"`)

		events, err := f.s.Timeline(ctx, fm.e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i, e := range events {
			kinds = append(kinds, e.Kind)
			if e.SummaryZh == "" || e.SummaryEn == "" || e.At.IsZero() {
				t.Errorf("event %d %+v lacks a time or summary", i, e)
			}
			if i > 0 && e.At.Before(events[i-1].At) {
				t.Errorf("event %d (%s at %s) is before event %d (%s)", i, e.Kind, e.At, i-1, events[i-1].At)
			}
			if e.Entity == "application" || e.Entity == "decision" {
				if e.CycleID != c.ID && e.CycleID != rc.ID {
					t.Errorf("event %+v names no cycle of the enterprise", e)
				}
			}
		}
		want := []string{
			"enterprise.create", "enterprise.rename",
			"application.create", "application.save", "application.submit", "application.return", "application.submit",
			"application.recommend", "decision.draft", "decision.final", "recognition.grant", "annual_report.submit",
			"application.create", "application.save", "application.submit", "application.recommend", "decision.draft",
			"decision.final", "recognition.revoke",
		}
		if strings.Join(kinds, " ") != strings.Join(want, " ") {
			t.Errorf("timeline kinds:\n got %v\nwant %v", kinds, want)
		}
		text := map[string][]string{}
		for _, e := range events {
			text[e.Kind] = append(text[e.Kind], e.SummaryZh+" | "+e.SummaryEn)
		}
		for kind, parts := range map[string][]string{
			"enterprise.create":    {oldName, fm.code},
			"enterprise.rename":    {"更名为“" + fm.name, "formerly " + oldName},
			"application.create":   {"2018年认定", "the 2018 identification cycle"},
			"application.return":   {"缺少审计报告", "submitted → returned", "已提交 → 退回修改"},
			"recognition.grant":    {"获得称号", "recognised in 2018"},
			"annual_report.submit": {"2018年度报告", "annual report on 2018"},
			"recognition.revoke":   {"撤销称号：", "利润", "title revoked: ", "profit"},
			"decision.final":       {"2021年复核评价结论公布：不通过", "the 2021 review cycle announced: fail"},
		} {
			all := strings.Join(text[kind], " || ")
			for _, p := range parts {
				if !strings.Contains(all, p) {
					t.Errorf("%s summaries %q lack %q", kind, all, p)
				}
			}
		}
		if _, err := f.s.Timeline(ctx, 9999); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("Timeline(9999) = %v, want not found", err)
		}
	})
}
