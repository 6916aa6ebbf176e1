package workflow_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestExpireRecognitions recognises four enterprises in 2018 and reviews
// three of them in 2021 (two pass, one is revoked; the fourth does not
// take part and keeps its 2018 title). Titles expire the day after their
// valid_until in China time, not on it: the fourth at its original date,
// the passed ones at their extended date; the revoked one stays revoked,
// and a second run changes and records nothing.
func TestExpireRecognitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu"), f.newFirm("zhejiang")}
		id := f.openCycleWith(nil)
		for _, fm := range firms {
			f.apply(id.ID, fm)
		}
		n := f.toNotice(id, firms)
		f.clock.Set(n.EndsAt)
		f.step("recognition.grant", func() error { _, err := f.s.Announce(ctx, admin, id.ID); return err })
		end := n.EndsAt.In(workflow.ChinaTime)
		granted := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
		f.step("cycle.close", func() error { _, err := f.s.CloseCycle(ctx, admin, id.ID); return err })

		// 2021: the review of the first three.
		f.clock.Set(cst(2021, 4, 1, 9))
		rc := f.createCycle(workflow.KindReview, 2021, nil)
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, rc.ID); return err })
		reviewed, loser, bystander := firms[:3], firms[2], firms[3]
		loser.inputs["profit"] = []any{1200.0, -300.0, 800.0}
		for _, fm := range reviewed {
			fm.app = store.Application{}
			f.apply(rc.ID, fm)
		}
		n = f.toNotice(rc, reviewed)
		f.clock.Set(n.EndsAt.Add(time.Hour))
		f.step("recognition.revoke", func() error { _, err := f.s.Announce(ctx, admin, rc.ID); return err })
		end = n.EndsAt.In(workflow.ChinaTime)
		confirmed := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)

		recognition := func(fm *firm) store.Recognition {
			t.Helper()
			recs, err := f.s.Recognitions(ctx, fm.e.ID)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%s holds %+v (%v), want its 2018 recognition", fm.code, recs, err)
			}
			return recs[0]
		}
		status := func(fm *firm, want string, until time.Time) {
			t.Helper()
			if r := recognition(fm); r.Status != want || !r.ValidUntil.Equal(until) {
				t.Errorf("%s's recognition is %s until %s; want %s until %s", fm.code, r.Status,
					r.ValidUntil.Format(time.DateOnly), want, until.Format(time.DateOnly))
			}
		}
		originalUntil, extendedUntil := granted.AddDate(3, 0, 0), confirmed.AddDate(3, 0, 0)
		status(bystander, workflow.RecognitionActive, originalUntil)
		status(firms[0], workflow.RecognitionPassedReview, extendedUntil)
		status(firms[1], workflow.RecognitionPassedReview, extendedUntil)
		status(loser, workflow.RecognitionRevoked, originalUntil)
		if !originalUntil.Before(extendedUntil) {
			t.Fatalf("the extended date %s is not after the original %s", extendedUntil, originalUntil)
		}
		lastDay := func(d time.Time, hour, min int) time.Time {
			return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, workflow.ChinaTime)
		}

		// expire runs ExpireRecognitions as of asOf and checks that it expired
		// exactly want, each with one recognition.expire entry from its status
		// before to expired, and nothing else.
		expire := func(asOf time.Time, want map[*firm]string) {
			t.Helper()
			got, err := f.s.ExpireRecognitions(ctx, admin, asOf)
			if err != nil {
				t.Fatalf("ExpireRecognitions(%s): %v", asOf, err)
			}
			if got != len(want) {
				t.Errorf("ExpireRecognitions(%s) expired %d; want %d", asOf, got, len(want))
			}
			entries := f.newEntries()
			if len(entries) != len(want) {
				t.Fatalf("ExpireRecognitions(%s) left %d audit entries; want %d", asOf, len(entries), len(want))
			}
			byID := map[string]store.AuditRecord{}
			for _, e := range entries {
				if e.Action != "recognition.expire" || e.Entity != "recognition" || e.Actor != admin.Name {
					t.Errorf("audit entry %+v; want recognition.expire of a recognition by %s", e, admin.Name)
				}
				byID[e.EntityID] = e
			}
			for fm, from := range want {
				r := recognition(fm)
				e, ok := byID[strconv.FormatInt(r.ID, 10)]
				if !ok {
					t.Errorf("no recognition.expire entry for recognition %d of %s", r.ID, fm.code)
					continue
				}
				var before, after store.Recognition
				if err := json.Unmarshal(e.Before, &before); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(e.After, &after); err != nil {
					t.Fatal(err)
				}
				if before.Status != from || after.Status != workflow.RecognitionExpired || after.Version != before.Version+1 ||
					!after.ValidUntil.Equal(before.ValidUntil) || after.Version != r.Version {
					t.Errorf("recognition %d: audit before %s v%d, after %s v%d, stored v%d; want %s → expired, one version on",
						r.ID, before.Status, before.Version, after.Status, after.Version, r.Version, from)
				}
			}
		}

		// The last day of the original validity, even late in the evening
		// in China (already the next day nowhere west of it), changes nothing.
		expire(lastDay(originalUntil, 0, 0), nil)
		expire(lastDay(originalUntil, 23, 59), nil)
		status(bystander, workflow.RecognitionActive, originalUntil)
		// Just after midnight of the next day in China — still the last day
		// in UTC — the bystander's title expires; the others do not.
		expire(lastDay(originalUntil.AddDate(0, 0, 1), 0, 30), map[*firm]string{bystander: workflow.RecognitionActive})
		status(bystander, workflow.RecognitionExpired, originalUntil)
		status(firms[0], workflow.RecognitionPassedReview, extendedUntil)
		status(loser, workflow.RecognitionRevoked, originalUntil)
		// Twice: nothing more.
		expire(lastDay(originalUntil.AddDate(0, 0, 1), 0, 30), nil)

		// The passed review's extended date: valid on it, expired after it.
		expire(lastDay(extendedUntil, 12, 0), nil)
		status(firms[0], workflow.RecognitionPassedReview, extendedUntil)
		expire(lastDay(extendedUntil.AddDate(0, 0, 1), 0, 0), map[*firm]string{
			firms[0]: workflow.RecognitionPassedReview, firms[1]: workflow.RecognitionPassedReview})
		status(firms[0], workflow.RecognitionExpired, extendedUntil)
		status(firms[1], workflow.RecognitionExpired, extendedUntil)
		// Much later: still nothing; the revoked title stays revoked.
		expire(lastDay(extendedUntil.AddDate(10, 0, 0), 9, 0), nil)
		status(loser, workflow.RecognitionRevoked, originalUntil)
		status(bystander, workflow.RecognitionExpired, originalUntil)

		// Refusals record nothing.
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.ExpireRecognitions(ctx, workflow.Actor{}, lastDay(extendedUntil, 0, 0))
			return err
		}, "actor")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.ExpireRecognitions(ctx, admin, time.Time{})
			return err
		}, "as_of")
		f.verifyAudit()
	})
}
