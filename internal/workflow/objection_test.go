package workflow_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestObjections follows a notice with three objections: one upheld and
// re-decided during the notice, one upheld and left for after the
// announcement, one dismissed; and the announcement refused until the
// notice is over and every objection handled.
func TestObjections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a, b, c, d := f.newFirm("jiangsu"), f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("zhejiang")
		firms := []*firm{a, b, c, d}
		cy := f.openCycleWith(nil)
		for _, fm := range firms {
			f.apply(cy.ID, fm)
		}
		f.clock.Set(cst(2018, 9, 25, 10))
		n := f.toNotice(cy, firms)
		for _, fm := range firms {
			if d := f.decisionOf(cy.ID, fm); d.Outcome != workflow.OutcomePass {
				t.Fatalf("the generated firm %s does not pass: %+v", fm.code, d)
			}
		}

		file := func(fm *firm, grounds string) store.Objection {
			t.Helper()
			var o store.Objection
			f.step("objection.file", func() (err error) {
				o, err = f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: fm.e.ID, FilerName: "匿名群众",
					FilerContact: "139 0000 0000", Grounds: grounds})
				return err
			})
			if o.Status != workflow.ObjectionFiled || o.FiledAt.IsZero() {
				t.Errorf("filed objection %+v", o)
			}
			return o
		}
		f.clock.Set(cst(2018, 10, 9, 11))
		oa, ob, oc := file(a, "研发费用归集不实"), file(b, "存在重大安全事故"), file(c, "专利数量有误")
		if e, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "objection", EntityID: fmt.Sprint(oa.ID)}); len(e) != 1 || e[0].Actor != "public: 匿名群众" {
			t.Errorf("the filing's audit entry is %+v, want it by the public filer", e)
		}
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: a.e.ID, FilerName: "x", FilerContact: "y", Grounds: "  "})
			return err
		}, "the grounds is required")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: 999, FilerName: "x", FilerContact: "y", Grounds: "z"})
			return err
		}, fmt.Sprintf("notice %d does not list enterprise 999", n.ID))
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: 999, EnterpriseID: a.e.ID, FilerName: "x", FilerContact: "y", Grounds: "z"})
			return err
		}, "notice 999 does not exist")

		// Too early: the notice runs 15 working days, through 18 October.
		f.refuse(errs.Conflict, func() error { _, err := f.s.Announce(ctx, admin, cy.ID); return err },
			fmt.Sprintf("the notice of cycle %d (notice %d, 15 working days) runs through 2018-10-18", cy.ID, n.ID),
			`"announce" is possible from 2018-10-19 00:00 +08:00`)

		// Upheld: a's decision goes back to deliberation and is re-decided.
		f.step("decision.reopen", func() (err error) {
			oa, err = f.s.HandleObjection(ctx, admin, oa.ID, true, "经核查，研发费用归集不实")
			return err
		})
		if oa.Status != workflow.ObjectionUpheld || oa.HandledAt == nil || oa.HandlingReason == "" {
			t.Errorf("upheld objection %+v", oa)
		}
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.HandleObjection(ctx, admin, oa.ID, false, "再议")
			return err
		}, fmt.Sprintf("objection %d was already upheld", oa.ID))
		da := f.decisionOf(cy.ID, a)
		if da.State != workflow.DecisionDrafted {
			t.Fatalf("after the upheld objection a's decision is %s, want drafted", da.State)
		}
		// Frozen decisions stay frozen.
		dc := f.decisionOf(cy.ID, c)
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.UpdateDecision(ctx, admin, dc.ID, dc.Version, "fail", "不通过", "fail")
			return err
		}, fmt.Sprintf(`decision %d is "proposed": the public notice lists it`, dc.ID))
		f.step("decision.update", func() (err error) {
			da, err = f.s.UpdateDecision(ctx, admin, da.ID, da.Version, workflow.OutcomeFail, "研发费用归集不实，不予认定", "R&D spending misreported: not recognised")
			return err
		})
		f.step("decision.finalise", func() (err error) {
			da, err = f.s.FinaliseDecision(ctx, admin, da.ID, da.Version)
			return err
		})
		if da.State != workflow.DecisionProposed {
			t.Errorf("re-finalised during the notice, a's decision is %s, want proposed (Announce makes it final)", da.State)
		}
		// Upheld too, but not re-decided before the announcement.
		f.step("decision.reopen", func() (err error) {
			ob, err = f.s.HandleObjection(ctx, admin, ob.ID, true, "需进一步核查安全生产情况")
			return err
		})

		// After the notice: no more objections; the announcement waits for
		// the one still filed.
		f.clock.Set(cst(2018, 10, 19, 9))
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: d.e.ID, FilerName: "x", FilerContact: "y", Grounds: "z"})
			return err
		}, fmt.Sprintf("notice %d ended at 2018-10-19 00:00 +08:00", n.ID))
		f.refuse(errs.Conflict, func() error { _, err := f.s.Announce(ctx, admin, cy.ID); return err },
			fmt.Sprintf("notice %d has 1 objection not yet handled (%d); handle it before \"announce\"", n.ID, oc.ID))
		f.step("objection.dismiss", func() (err error) {
			oc, err = f.s.HandleObjection(ctx, admin, oc.ID, false, "专利数量经核实无误")
			return err
		})
		if f.decisionOf(cy.ID, c).State != workflow.DecisionProposed {
			t.Errorf("a dismissed objection changed c's decision")
		}
		f.step("cycle.announce", func() (err error) { cy, err = f.s.Announce(ctx, admin, cy.ID); return err })

		holds := func(fm *firm) []store.Recognition {
			t.Helper()
			recs, err := f.s.Recognitions(ctx, fm.e.ID)
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		if got := f.decisionOf(cy.ID, a); got.State != workflow.DecisionFinal || got.Outcome != workflow.OutcomeFail || len(holds(a)) != 0 {
			t.Errorf("a: decision %+v, recognitions %+v; want final fail and no title", got, holds(a))
		}
		if got := f.decisionOf(cy.ID, b); got.State != workflow.DecisionDrafted || len(holds(b)) != 0 {
			t.Errorf("b: decision %+v, recognitions %+v; want left out of the announcement", got, holds(b))
		}
		for _, fm := range []*firm{c, d} {
			if got := f.decisionOf(cy.ID, fm); got.State != workflow.DecisionFinal || len(holds(fm)) != 1 {
				t.Errorf("%s: decision %+v, recognitions %+v; want final and granted", fm.code, got, holds(fm))
			}
		}
		// The cycle cannot close while b waits; b is settled later, in a
		// supplementary announcement, and takes effect at once.
		db2 := f.decisionOf(cy.ID, b)
		f.refuse(errs.Conflict, func() error { _, err := f.s.CloseCycle(ctx, admin, cy.ID); return err },
			fmt.Sprintf("cycle %d still has 1 decision not final (reopened by an upheld objection): %d; finalise it before closing the cycle", cy.ID, db2.ID))
		f.clock.Set(cst(2018, 11, 1, 10))
		f.step("decision.update", func() (err error) {
			db2, err = f.s.UpdateDecision(ctx, admin, db2.ID, db2.Version, workflow.OutcomePass, "经核查无安全事故，予以认定", "no accident found: recognised")
			return err
		})
		f.step("recognition.grant", func() (err error) {
			db2, err = f.s.FinaliseDecision(ctx, admin, db2.ID, db2.Version)
			return err
		})
		if recs := holds(b); db2.State != workflow.DecisionFinal || len(recs) != 1 ||
			!recs[0].ValidFrom.Equal(time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC)) || recs[0].GrantedYear != 2018 {
			t.Errorf("b after the supplementary announcement: %+v, %+v", db2, recs)
		}
		f.step("cycle.close", func() error { _, err := f.s.CloseCycle(ctx, admin, cy.ID); return err })
		objs, err := f.s.Objections(ctx, n.ID)
		if err != nil || len(objs) != 3 {
			t.Errorf("objections %+v, %v", objs, err)
		}
		f.verifyAudit()
	})
}
