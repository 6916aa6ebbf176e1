package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestReviewCycle recognises three enterprises in 2018 and reviews them
// in 2021: the two that still meet the standards keep the title, the one
// that made a loss loses it, with the engine's reason.
func TestReviewCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu")}
		id := f.openCycleWith(nil)
		for _, fm := range firms {
			f.apply(id.ID, fm)
		}
		n := f.toNotice(id, firms)
		f.clock.Set(n.EndsAt)
		f.step("recognition.grant", func() error { _, err := f.s.Announce(ctx, admin, id.ID); return err })
		f.step("cycle.close", func() error { _, err := f.s.CloseCycle(ctx, admin, id.ID); return err })

		// 2021: the review.
		f.clock.Set(cst(2021, 4, 1, 9))
		rc := f.createCycle(workflow.KindReview, 2021, nil)
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, rc.ID); return err })
		// A holder is reviewed, not identified again.
		again := f.createCycle(workflow.KindIdentification, 2021, nil)
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, again.ID); return err })
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, again.ID, firms[0].e.ID)
			return err
		}, "already holds the title of program miit-tide", "it is reviewed, not identified again")

		loser := firms[2]
		loser.inputs["profit"] = []any{1200.0, -300.0, 800.0}
		for _, fm := range firms {
			fm.app = store.Application{}
			f.apply(rc.ID, fm)
		}
		n = f.toNotice(rc, firms)
		f.clock.Set(n.EndsAt.Add(time.Hour))
		f.step("recognition.revoke", func() error { _, err := f.s.Announce(ctx, admin, rc.ID); return err })
		end := n.EndsAt.In(workflow.ChinaTime) // the announcement's day
		announced := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
		for _, fm := range firms {
			recs, err := f.s.Recognitions(ctx, fm.e.ID)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%s holds %+v (%v), want its 2018 recognition", fm.code, recs, err)
			}
			r := recs[0]
			if fm == loser {
				if r.Status != workflow.RecognitionRevoked || r.RevokedCycleID != rc.ID || r.RevokedAt == nil ||
					!strings.Contains(r.RevokedReasonEn, "profit") || !strings.Contains(r.RevokedReasonZh, "利润") {
					t.Errorf("the loss-maker's recognition is %+v; want revoked by cycle %d with the profit gate's reason", r, rc.ID)
				}
				continue
			}
			if r.Status != workflow.RecognitionPassedReview || r.ConfirmedCycleID != rc.ID || r.GrantedYear != 2018 ||
				!r.ValidUntil.Equal(announced.AddDate(3, 0, 0)) {
				t.Errorf("%s's recognition is %+v; want passed review in cycle %d, valid until %s", fm.code, r, rc.ID, announced.AddDate(3, 0, 0))
			}
		}
		// A revoked enterprise no longer holds the title: it may apply again.
		f.step("application.create", func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, again.ID, loser.e.ID)
			return err
		})
		f.verifyAudit()
	})
}
