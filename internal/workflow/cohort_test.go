package workflow_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// history builds recognition histories by hand: cycle ids are the
// cycle's year (identification) or 10000 + year (review).
type history struct {
	recs   []store.CohortRecognition
	passes []store.ReviewPass
}

// grant recognises enterprise e in year.
func (h *history) grant(e int64, year int) *store.CohortRecognition {
	h.recs = append(h.recs, store.CohortRecognition{Recognition: store.Recognition{
		ID: int64(len(h.recs) + 1), EnterpriseID: e, ProgramID: 1, GrantedYear: year, Status: workflow.RecognitionActive,
		GrantedCycleID: int64(year), ValidFrom: time.Date(year, 6, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(year+3, 6, 1, 0, 0, 0, 0, time.UTC)}})
	return &h.recs[len(h.recs)-1]
}

// pass records that the enterprise of r passed the review of year.
func (h *history) pass(r *store.CohortRecognition, year int) {
	r.Status, r.ConfirmedCycleID, r.ConfirmedYear = workflow.RecognitionPassedReview, int64(10000+year), year
	h.passes = append(h.passes, store.ReviewPass{EnterpriseID: r.EnterpriseID, CycleID: int64(10000 + year), Year: year})
}

// revoke records that the review of year revoked r.
func revoke(r *store.CohortRecognition, year int) {
	at := time.Date(year, 6, 1, 0, 0, 0, 0, time.UTC)
	r.Status, r.RevokedCycleID, r.RevokedYear, r.RevokedAt = workflow.RecognitionRevoked, int64(10000+year), year, &at
}

// cohort is SelectCohort for the review of year (period 3) on what h
// holds, as "enterprise:reason:recognition" strings.
func (h *history) cohort(year int) []string {
	var passes []store.ReviewPass
	for _, p := range h.passes {
		if p.Year == year-3 { // as the store selects them
			passes = append(passes, p)
		}
	}
	var out []string
	for _, m := range workflow.SelectCohort(year, 3, h.recs, passes) {
		out = append(out, fmt.Sprintf("%d:%s:%d", m.EnterpriseID, m.Reason, m.Recognition.ID))
	}
	return out
}

func TestSelectCohort(t *testing.T) {
	check := func(h *history, year int, want ...string) {
		t.Helper()
		if got := h.cohort(year); !slices.Equal(got, want) {
			t.Errorf("cohort of %d = %q, want %q", year, got, want)
		}
	}
	t.Run("recognised in 2015: reviewed in 2018", func(t *testing.T) {
		h := &history{}
		h.grant(1, 2015)
		check(h, 2018, "1:granted:1")
		check(h, 2017)
		check(h, 2019)
	})
	t.Run("recognised in 2016: not reviewed in 2018", func(t *testing.T) {
		h := &history{}
		h.grant(1, 2016)
		check(h, 2018)
		check(h, 2019, "1:granted:1")
	})
	t.Run("passed review in 2018: reviewed in 2021, once", func(t *testing.T) {
		h := &history{}
		r := h.grant(1, 2015)
		h.pass(r, 2018)
		check(h, 2021, "1:passed_review:1")
		// The 2018 review examined it for its 2015 grant, and still did
		// after it passed.
		check(h, 2018, "1:granted:1")
		m := workflow.SelectCohort(2021, 3, h.recs, h.passes)
		if m[0].BasisCycleID != 12018 || m[0].ReasonEn != "passed review in 2018 (recognised in 2015, recognition 1)" ||
			m[0].ReasonZh != "2018年复核评价通过（2015年认定，称号1）" {
			t.Errorf("member = %+v; want the 2018 review cycle and its reason", m[0])
		}
		// Passed again in 2021: the pass of 2018 is still on record, and
		// the member is in the 2024 cohort too.
		h.pass(r, 2021)
		check(h, 2021, "1:passed_review:1")
		check(h, 2024, "1:passed_review:1")
	})
	t.Run("revoked in 2018: not reviewed in 2021", func(t *testing.T) {
		h := &history{}
		r := h.grant(1, 2015)
		revoke(r, 2018)
		check(h, 2021)
		// The 2018 review that revoked it did examine it.
		check(h, 2018, "1:granted:1")
	})
	t.Run("revoked in 2021 after passing in 2018", func(t *testing.T) {
		h := &history{}
		r := h.grant(1, 2015)
		h.pass(r, 2018)
		revoke(r, 2021)
		check(h, 2021, "1:passed_review:1")
		check(h, 2024)
	})
	t.Run("expired and revoked titles are not reviewed", func(t *testing.T) {
		h := &history{}
		h.grant(1, 2015).Status = workflow.RecognitionExpired
		revoke(h.grant(2, 2015), 2017) // revoked outside a review: gone
		h.grant(3, 2015)
		check(h, 2018, "3:granted:3")
	})
	t.Run("a pass counts for the recognition the review examined", func(t *testing.T) {
		h := &history{}
		old := h.grant(1, 2012)
		revoke(old, 2015)
		renewed := h.grant(1, 2016) // applied again and recognised anew
		h.pass(renewed, 2019)
		check(h, 2015, "1:granted:1") // the review that revoked the old one
		check(h, 2019, "1:granted:2")
		check(h, 2022, "1:passed_review:2")
	})
	t.Run("many enterprises, sorted", func(t *testing.T) {
		h := &history{}
		h.grant(7, 2015)
		h.pass(h.grant(3, 2012), 2015)
		h.grant(5, 2016)
		check(h, 2018, "3:passed_review:2", "7:granted:1")
	})
}

// recognise runs the 2018 identification cycle over firms, all passing,
// to its announcement, and returns the cycle.
func (f *fixture) recognise(firms ...*firm) store.Cycle {
	f.t.Helper()
	c := f.openCycleWith(nil)
	for _, fm := range firms {
		f.apply(c.ID, fm)
	}
	n := f.toNotice(c, firms)
	f.clock.Set(n.EndsAt)
	f.step("recognition.grant", func() error { _, err := f.s.Announce(f.ctx, admin, c.ID); return err })
	return c
}

// reviewFrom takes review cycle rc, opened with its cohort's
// applications apps, through saving and submitting every firm's inputs
// to its announcement.
func (f *fixture) reviewFrom(rc store.Cycle, apps []store.Application, firms []*firm) {
	f.t.Helper()
	for _, fm := range firms {
		for _, a := range apps {
			if a.EnterpriseID == fm.e.ID {
				fm.app = a
			}
		}
		f.step("application.save", func() (err error) {
			fm.app, err = f.s.SaveApplication(f.ctx, enterpriseUser, fm.app.ID, fm.app.Version, fm.json(f.t))
			return err
		})
		f.step("application.submit", func() (err error) {
			fm.app, err = f.s.SubmitApplication(f.ctx, enterpriseUser, fm.app.ID, fm.app.Version, fmt.Sprintf("review-%d", fm.app.ID))
			return err
		})
	}
	n := f.toNotice(rc, firms)
	f.clock.Set(n.EndsAt.Add(time.Hour))
	f.step("cycle.announce", func() error { _, err := f.s.Announce(f.ctx, admin, rc.ID); return err })
}

// members lists a cohort as "uscc:reason".
func members(c workflow.Cohort, firms []*firm) []string {
	code := map[int64]string{}
	for _, fm := range firms {
		code[fm.e.ID] = fm.code
	}
	var out []string
	for _, m := range c.Members {
		out = append(out, code[m.EnterpriseID]+":"+m.Reason)
	}
	slices.Sort(out)
	return out
}

// TestOpenReviewCycle recognises three enterprises in 2018, opens the
// 2021 review with its cohort computed from the data, revokes one, and
// finds the two others in the cohort of 2024.
func TestOpenReviewCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu")}
		idc := f.recognise(firms...)
		cohort := func(year int, want ...string) workflow.Cohort {
			t.Helper()
			c, err := f.s.ReviewCohort(ctx, f.version.ID, year)
			if err != nil {
				t.Fatalf("ReviewCohort(%d): %v", year, err)
			}
			slices.Sort(want)
			if got := members(c, firms); !slices.Equal(got, want) || c.BasisYear != year-3 || c.Program != "miit-tide" {
				t.Fatalf("cohort of %d = %q (basis %d, program %s), want %q (basis %d)", year, got, c.BasisYear, c.Program, want, year-3)
			}
			return c
		}
		c21 := cohort(2021, firms[0].code+":granted", firms[1].code+":granted", firms[2].code+":granted")
		if m := c21.Members[0]; m.BasisCycleID != idc.ID || m.Recognition.GrantedYear != 2018 || m.ReasonEn != fmt.Sprintf("recognised in 2018 (recognition %d)", m.Recognition.ID) {
			t.Errorf("member %+v: want granted by cycle %d in 2018", m, idc.ID)
		}
		cohort(2020)
		cohort(2022)
		if _, err := f.s.ReviewCohort(ctx, f.version.ID, 1900); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ReviewCohort(1900) = %v, want invalid", err)
		}
		if _, err := f.s.ReviewCohort(ctx, 9999, 2021); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("ReviewCohort of program version 9999 = %v, want not found", err)
		}

		f.clock.Set(cst(2021, 3, 1, 9))
		ident := f.createCycle(workflow.KindIdentification, 2021, nil)
		f.refuse(errs.Conflict, func() error { _, _, err := f.s.OpenReviewCycle(ctx, admin, ident.ID); return err },
			"only a review cycle opens with its cohort")
		empty := f.createCycle(workflow.KindReview, 2022, nil)
		f.refuse(errs.Conflict, func() error { _, _, err := f.s.OpenReviewCycle(ctx, admin, empty.ID); return err },
			"the cohort of review 2022 of program miit-tide is empty", "in 2019")

		rc := f.createCycle(workflow.KindReview, 2021, nil)
		var apps []store.Application
		f.step("cycle.open", func() (err error) {
			rc, apps, err = f.s.OpenReviewCycle(ctx, admin, rc.ID)
			return err
		})
		if rc.Phase != workflow.PhaseOpen || len(apps) != 3 {
			t.Fatalf("OpenReviewCycle = phase %s, %d applications; want open with 3", rc.Phase, len(apps))
		}
		for i, a := range apps {
			if a.Status != workflow.StatusDraft || a.CycleID != rc.ID || a.EnterpriseID != c21.Members[i].EnterpriseID {
				t.Errorf("application %+v; want a draft of cycle %d for enterprise %d", a, rc.ID, c21.Members[i].EnterpriseID)
			}
		}
		recs, err := db.ListAudit(ctx, store.AuditFilter{Entity: "application", EntityID: fmt.Sprint(apps[0].ID)})
		if err != nil || len(recs) != 1 || recs[0].Action != "application.create" || recs[0].Actor != "admin" {
			t.Errorf("audit of application %d = %+v, %v; want its creation by admin", apps[0].ID, recs, err)
		}
		f.refuse(errs.Conflict, func() error { _, _, err := f.s.OpenReviewCycle(ctx, admin, rc.ID); return err },
			`is in phase "open"`)
		// An enterprise cannot apply twice to the review.
		f.refuse(errs.Conflict, func() error { _, err := f.s.CreateApplication(ctx, enterpriseUser, rc.ID, firms[0].e.ID); return err })

		loser := firms[2]
		loser.inputs["profit"] = []any{1200.0, -300.0, 800.0}
		f.reviewFrom(rc, apps, firms)

		// The 2021 cohort is still what the 2021 review examined; 2024
		// reviews those that passed.
		cohort(2021, firms[0].code+":granted", firms[1].code+":granted", firms[2].code+":granted")
		c24 := cohort(2024, firms[0].code+":passed_review", firms[1].code+":passed_review")
		if m := c24.Members[0]; m.BasisCycleID != rc.ID || m.Recognition.Status != workflow.RecognitionPassedReview ||
			m.ReasonZh != fmt.Sprintf("2021年复核评价通过（2018年认定，称号%d）", m.Recognition.ID) {
			t.Errorf("2024 member %+v: want passed review in cycle %d", m, rc.ID)
		}
		f.clock.Set(cst(2024, 3, 1, 9))
		rc24 := f.createCycle(workflow.KindReview, 2024, nil)
		f.step("cycle.open", func() (err error) {
			_, apps, err = f.s.OpenReviewCycle(ctx, admin, rc24.ID)
			return err
		})
		if len(apps) != 2 {
			t.Errorf("the 2024 review opened with %d applications, want 2", len(apps))
		}
		f.verifyAudit()
	})
}
