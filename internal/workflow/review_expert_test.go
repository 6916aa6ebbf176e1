package workflow_test

import (
	"math"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestReviewAssignment: automatic assignment gives each application the
// program's 5 experts, never one who declared a conflict, balances the
// load, is reproducible, and refuses — assigning nothing — when the pool
// is too small.
func TestReviewAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db, 6)
		a, b := f.hnteFirm("jiangsu"), f.hnteFirm("zhejiang")
		c := f.toEvaluation([]*firm{a, b})
		// expert1 conflicts with a's enterprise, expert2 with zhejiang.
		f.step("review.conflict", func() error {
			_, err := f.s.DeclareConflict(f.ctx, f.experts[0], workflow.ConflictSpec{EnterpriseCode: a.code, Reason: "former employer"})
			return err
		})
		f.step("review.conflict", func() error {
			_, err := f.s.DeclareConflict(f.ctx, f.experts[1], workflow.ConflictSpec{ChannelCode: "zhejiang", Reason: "sits on the provincial panel"})
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.DeclareConflict(f.ctx, f.experts[1], workflow.ConflictSpec{ChannelCode: "zhejiang", Reason: "again"})
			return err
		})
		f.refuse(errs.Forbidden, func() error {
			_, err := f.s.DeclareConflict(f.ctx, admin, workflow.ConflictSpec{ChannelCode: "zhejiang", Reason: "x"})
			return err
		}, "no user account")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.DeclareConflict(f.ctx, f.experts[2], workflow.ConflictSpec{Reason: "x"})
			return err
		}, "either an enterprise")
		// Six experts, one of them conflicted with each application:
		// five are left for each, as many as the program needs.
		var made []store.ReviewAssignment
		f.step("review.assign", func() (err error) {
			made, err = f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{Seed: 7})
			return err
		})
		if len(made) != 10 {
			t.Fatalf("made %d assignments, want 10", len(made))
		}
		load := map[int64]int{}
		for _, m := range made {
			load[m.ExpertID]++
			if m.ExpertID == f.experts[0].UserID && m.ApplicationID == a.app.ID || m.ExpertID == f.experts[1].UserID && m.ApplicationID == b.app.ID {
				t.Errorf("expert %d assigned despite a conflict: %+v", m.ExpertID, m)
			}
		}
		for _, e := range f.experts {
			if load[e.UserID] < 1 || load[e.UserID] > 2 {
				t.Errorf("expert %s has %d assignments; the load should be 1 or 2", e.Name, load[e.UserID])
			}
		}
		// Already complete: a second run assigns nothing (and records nothing).
		if again, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{Seed: 7}); err != nil || len(again) != 0 {
			t.Errorf("second assignment made %d more: %v", len(again), err)
		}
		if entries := f.newEntries(); len(entries) != 0 {
			t.Errorf("a second assignment recorded %d entries", len(entries))
		}
		// Six per application: a has only five experts without a conflict.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{PerApplication: 6})
			return err
		}, "needs 1 more experts", "1 declared a conflict")
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{PerApplication: 7})
			return err
		}, "the pool has 6 experts")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{PerApplication: 3})
			return err
		}, "below the program's minimum of 5")
		// Manual: a conflicted expert is refused; removing and adding back works.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.AddReviewer(f.ctx, admin, a.app.ID, f.experts[0].UserID)
			return err
		}, "declared a conflict")
		rm := f.sheetOf(f.experts[2], a)
		f.step("review.unassign", func() error { return f.s.RemoveReviewer(f.ctx, admin, rm.ID, rm.Version) })
		f.step("review.assign", func() error { _, err := f.s.AddReviewer(f.ctx, admin, a.app.ID, f.experts[2].UserID); return err })
		f.refuse(errs.Conflict, func() error { _, err := f.s.AddReviewer(f.ctx, admin, a.app.ID, f.experts[2].UserID); return err }, "already assigned")
		// A conflict declared later withdraws the unsubmitted assignment.
		victim := f.sheetOf(f.experts[3], a)
		f.step("review.unassign", func() error {
			_, err := f.s.DeclareConflict(f.ctx, f.experts[3], workflow.ConflictSpec{EnterpriseCode: a.code, Reason: "consulted for it"})
			return err
		})
		if _, err := f.s.ExpertScoresheet(f.ctx, f.experts[3], victim.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("the conflicting assignment is still there: %v", err)
		}
		f.verifyAudit()
	})
}

// TestReviewDeterministic: the same seed draws the same experts.
func TestReviewDeterministic(t *testing.T) {
	draw := func(seed int64) map[int64][]int64 {
		db := storetest.Open(t, store.SQLite)
		f := newReviewFixture(t, db, 9)
		firms := []*firm{f.hnteFirm("jiangsu"), f.hnteFirm("jiangsu"), f.hnteFirm("zhejiang")}
		c := f.toEvaluation(firms)
		made, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64][]int64{}
		for _, m := range made {
			out[m.ApplicationID] = append(out[m.ApplicationID], m.ExpertID)
		}
		return out
	}
	x, y := draw(42), draw(42)
	for app, ex := range x {
		if len(ex) != 5 || len(y[app]) != 5 {
			t.Fatalf("application %d: %v and %v", app, ex, y[app])
		}
		for i := range ex {
			if ex[i] != y[app][i] {
				t.Fatalf("seed 42 drew %v then %v for application %d", ex, y[app], app)
			}
		}
	}
}

// TestReviewScoresheet: values outside an item's range or its band are
// refused naming the item and the range; a draft may be partial; a
// submitted sheet is locked; an expert sees others' scores only after
// submitting its own, and never another expert's sheet.
func TestReviewScoresheet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db, 5)
		a := f.hnteFirm("jiangsu")
		c := f.toEvaluation([]*firm{a})
		f.step("review.assign", func() error { _, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{}); return err })
		e1, e2 := f.experts[0], f.experts[1]
		s1 := f.sheetOf(e1, a)
		sh, err := f.s.ExpertScoresheet(f.ctx, e1, s1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Items) != 11 || sh.Others != nil {
			t.Fatalf("scoresheet: %d items, others %v", len(sh.Items), sh.Others)
		}
		for _, it := range sh.Items {
			if it.ID == "transformation_points" && (it.Range.Lo != 19 || it.Range.Hi != 24 || it.Range.Band != "B" || it.Declared == nil || *it.Declared != 24) {
				t.Errorf("transformation item: %+v", it)
			}
		}
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SaveScoresheet(f.ctx, e1, s1.ID, s1.Version, map[string]float64{"transformation_points": 12, "ip_support_points": 9}, "")
			return err
		}, "transformation_points (Transformation points", "12 is outside 19–24 (band B)", "ip_support_points", "9 is outside 0–8")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SaveScoresheet(f.ctx, e1, s1.ID, s1.Version, map[string]float64{"standards_points": 1}, "")
			return err
		}, "standards_points: not an item")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SubmitScoresheet(f.ctx, e1, s1.ID, s1.Version, map[string]float64{"transformation_points": 20}, "")
			return err
		}, "no value for ip_advancement_points, ip_support_points,", "every item needs one")
		f.step("review.save", func() (err error) {
			s1, err = f.s.SaveScoresheet(f.ctx, e1, s1.ID, s1.Version, map[string]float64{"transformation_points": 20}, "<b>draft</b>")
			return err
		})
		if s1.Status != workflow.AssignmentDraft {
			t.Errorf("saved status %q", s1.Status)
		}
		// Another expert's sheet does not exist for e2.
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.SaveScoresheet(f.ctx, e2, s1.ID, s1.Version, sheetValues(5, 5, 7, 4, 20, 4, 4, 2, 2, 7, 3), "")
			return err
		}, "does not exist")
		if _, err := f.s.ExpertScoresheet(f.ctx, e2, s1.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("e2 reads e1's sheet: %v", err)
		}
		// A stale version is refused.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SaveScoresheet(f.ctx, e1, s1.ID, s1.Version-1, map[string]float64{}, "")
			return err
		}, "version")
		// e2 submits; e1 still sees nobody's scores.
		f.submit(e2, a, sheetValues(4, 4, 8, 4, 19, 4, 4, 2, 2, 7, 3))
		if sh, _ := f.s.ExpertScoresheet(f.ctx, e1, s1.ID); sh.Others != nil {
			t.Fatalf("e1 sees others before submitting: %+v", sh.Others)
		}
		// e1 submits and now sees e2's sheet (anonymous), three pending.
		f.step("review.submit", func() (err error) {
			s1, err = f.s.SubmitScoresheet(f.ctx, e1, s1.ID, s1.Version, sheetValues(5, 5, 7, 4, 20, 4, 4, 2, 2, 7, 3), "fine")
			return err
		})
		sh, err = f.s.ExpertScoresheet(f.ctx, e1, s1.ID)
		if err != nil || len(sh.Others) != 1 || sh.Others[0].Scores["transformation_points"] != 19 || sh.Pending != 3 {
			t.Fatalf("after submitting: %+v, %v", sh.Others, err)
		}
		// Locked.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SaveScoresheet(f.ctx, e1, s1.ID, s1.Version, sheetValues(5, 5, 7, 4, 21, 4, 4, 2, 2, 7, 3), "")
			return err
		}, `is "submitted"`)
		f.refuse(errs.Conflict, func() error { return f.s.RemoveReviewer(f.ctx, admin, s1.ID, s1.Version) }, `is "submitted"`)
		pr, err := f.s.ReviewProgress(f.ctx, c.ID)
		if err != nil || len(pr.Rows) != 1 || pr.Rows[0].Submitted != 2 || len(pr.Rows[0].Assignments) != 5 || pr.Rows[0].Combined != nil {
			t.Fatalf("progress: %+v, %v", pr, err)
		}
		f.verifyAudit()
	})
}

// TestReviewDeliberation: deliberation is refused while the review is
// incomplete, or goes on with a recorded override; with every sheet
// submitted the engine runs again with the experts' mean values, and the
// total is the one worked out by hand.
func TestReviewDeliberation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db, 5)
		a, b := f.hnteFirm("jiangsu"), f.hnteFirm("zhejiang")
		c := f.toEvaluation([]*firm{a, b})
		_, res, err := f.s.Results(f.ctx, c.ID)
		if err != nil || len(res) != 2 || res[0].Score == nil || *res[0].Score != 77 || !res[0].Pass {
			t.Fatalf("self-declared: %+v, %v", res, err)
		}
		f.refuse(errs.Conflict, func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err },
			"expert review is incomplete", "at least 5 submitted", "0 of 5 submitted")
		f.step("review.assign", func() error { _, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{}); return err })
		for i, e := range f.experts {
			adv := []float64{4, 5, 6, 4, 6}[i]
			count := []float64{7, 7, 8, 7, 7}[i]
			transf := []float64{19, 20, 21, 19, 21}[i]
			f.submit(e, a, sheetValues(adv, 5, count, 4, transf, 4, 4, 2, 2, 7, 3))
		}
		// b's review is still open: refused, then overridden with a reason.
		f.refuse(errs.Conflict, func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err }, "0 of 5 submitted")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.StartDeliberationOverridingReviews(f.ctx, admin, c.ID, " ")
			return err
		}, "needs a reason")
		f.step("review.override", func() error {
			_, err := f.s.StartDeliberationOverridingReviews(f.ctx, admin, c.ID, "two experts fell ill; the ministry accepts b's own points")
			return err
		})
		_, res, err = f.s.Results(f.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// By hand: IP 5 + 5 + 7.2 + 4 + 0 = 21.2; transformation 20;
		// organisation 4 + 4 + 2 + 2 = 12; growth 7 + 3 = 10: 63.2,
		// not above 70. b keeps its own 77.
		for _, r := range res {
			want, pass := 77.0, true
			if r.ApplicationID == a.app.ID {
				want, pass = 63.2, false
			}
			if r.Score == nil || math.Abs(*r.Score-want) > 1e-9 || r.Pass != pass {
				t.Errorf("application %d: score %v pass %v; want %v %v", r.ApplicationID, r.Score, r.Pass, want, pass)
			}
		}
		if d := f.decisionOf(c.ID, a); d.Outcome != workflow.OutcomeFail {
			t.Errorf("a's decision %q, want fail", d.Outcome)
		}
		f.verifyAudit()
	})
}

// TestReviewTrimmedMean: with combine trimmed_mean the highest and the
// lowest of five values are dropped.
func TestReviewTrimmedMean(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newReviewFixture(t, db, 5, "combine: mean", "combine: trimmed_mean")
	a := f.hnteFirm("jiangsu")
	c := f.toEvaluation([]*firm{a})
	f.step("review.assign", func() error { _, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{}); return err })
	for i, e := range f.experts {
		transf := []float64{19, 24, 20, 21, 22}[i]
		f.submit(e, a, sheetValues(5, 5, 7, 4, transf, 4, 4, 2, 2, 7, 3))
	}
	pr, err := f.s.ReviewProgress(f.ctx, c.ID)
	if err != nil || !pr.Rows[0].Complete || pr.Rows[0].Combined["transformation_points"] != 21 {
		t.Fatalf("trimmed: %+v, %v", pr.Rows, err)
	}
	f.step("cycle.start_deliberation", func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err })
	_, res, _ := f.s.Results(f.ctx, c.ID)
	// 5 + 5 + 7 + 4 + 21 + 12 + 10 = 64.
	if res[0].Score == nil || math.Abs(*res[0].Score-64) > 1e-9 {
		t.Errorf("total %v, want 64", res[0].Score)
	}
}

// TestReviewTimeline: the enterprise's timeline says in words that the
// experts' points applied.
func TestReviewTimeline(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newReviewFixture(t, db, 5)
	a := f.hnteFirm("jiangsu")
	c := f.toEvaluation([]*firm{a})
	f.step("review.assign", func() error { _, err := f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{}); return err })
	for _, e := range f.experts {
		f.submit(e, a, sheetValues(5, 5, 7, 4, 20, 4, 4, 2, 2, 7, 3))
	}
	f.step("review.apply", func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err })
	events, err := f.s.Timeline(f.ctx, a.e.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range events {
		if ev.Kind == "review.apply" {
			found = ev.SummaryEn == "application to the 2021 identification cycle: expert review complete, the experts' combined points apply"
		}
	}
	if !found {
		t.Errorf("no review.apply event in words: %+v", events)
	}
}

// TestReviewSkipsIneligible: an application that failed a gate is not
// reviewed — automatic assignment leaves it out, a manual one is refused —
// and does not hold up the deliberation.
func TestReviewSkipsIneligible(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newReviewFixture(t, db, 5)
	a, bad := f.hnteFirm("jiangsu"), f.hnteFirm("zhejiang")
	bad.inputs["staff_tech"] = 5 // 5 of 120: below 10 %
	c := f.toEvaluation([]*firm{a, bad})
	var made []store.ReviewAssignment
	f.step("review.assign", func() (err error) {
		made, err = f.s.AssignReviewers(f.ctx, admin, c.ID, workflow.AssignSpec{})
		return err
	})
	for _, m := range made {
		if m.ApplicationID == bad.app.ID {
			t.Fatalf("the ineligible application was assigned: %+v", m)
		}
	}
	f.refuse(errs.Invalid, func() error {
		_, err := f.s.AddReviewer(f.ctx, admin, bad.app.ID, f.experts[0].UserID)
		return err
	}, "not under review")
	for _, e := range f.experts {
		f.submit(e, a, sheetValues(5, 5, 7, 4, 20, 4, 4, 2, 2, 7, 3))
	}
	f.step("review.apply", func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err })
	if d := f.decisionOf(c.ID, bad); d.Outcome != workflow.OutcomeFail {
		t.Errorf("the ineligible application's decision: %q", d.Outcome)
	}
}
