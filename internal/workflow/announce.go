package workflow

import (
	"context"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// Announce makes the cycle's decisions final and lets them take effect
// (notice → announced), once the notice period has ended and every
// objection to it has been handled.
//
// Every proposed decision becomes final. In an identification cycle each
// passing enterprise is granted the title, valid from today for the
// program's validity_years; in a review cycle each reviewed enterprise's
// title is confirmed (passed review, valid for another validity_years from
// today) or revoked with the decision's reason. Decisions still drafted
// after an upheld objection are left out: FinaliseDecision settles them
// later, with the same effect.
//
// It refuses a cycle in another phase, a notice that has not ended yet
// (saying until when it runs) and objections not yet handled (naming
// them) (conflict).
func (s *Service) Announce(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "announce", PhaseNotice, PhaseAnnounced, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		n, err := tx.LatestNotice(ctx, c.ID)
		if err != nil {
			return internalf("cycle %d is in phase %q without a notice: %v", c.ID, c.Phase, err)
		}
		if j.now.Before(n.EndsAt) {
			last := n.EndsAt.In(s.loc).AddDate(0, 0, -1)
			return conflictf("the notice of cycle %d (notice %d, %d working days) runs through %s; %q is possible from %s",
				c.ID, n.ID, n.WorkingDays, last.Format(time.DateOnly), "announce", s.when(n.EndsAt))
		}
		filed, err := tx.Objections(ctx, n.ID, ObjectionFiled)
		if err != nil {
			return err
		}
		if len(filed) > 0 {
			ids := make([]int64, len(filed))
			for i, o := range filed {
				ids[i] = o.ID
			}
			return conflictf("notice %d has %s not yet handled (%s); handle %s before %q",
				n.ID, count(len(ids), "objection", "objections"), idList(ids), pronoun(len(ids)), "announce")
		}
		ds, err := tx.Decisions(ctx, c.ID)
		if err != nil {
			return err
		}
		var final, left []int64
		for i := range ds {
			d := &ds[i]
			if d.State != DecisionProposed {
				if d.State == DecisionDrafted {
					left = append(left, d.EnterpriseID)
				}
				continue
			}
			d.State, d.FinalisedAt, d.UpdatedAt = DecisionFinal, &j.now, j.now
			if err := tx.UpdateDecision(ctx, d); err != nil {
				return err
			}
			final = append(final, d.ID)
		}
		j.record("cycle.finalise_decisions", "cycle", c.ID, stateOf(final, DecisionProposed), struct {
			stateChange
			Reopened []int64 `json:"reopened_enterprises,omitempty"`
		}{stateOf(final, DecisionFinal), left})
		for _, d := range ds {
			if d.State == DecisionFinal {
				if err := s.takeEffect(ctx, tx, j, *c, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// takeEffect applies final decision d of cycle c to the enterprise's
// title: granted for a pass in an identification cycle, confirmed or
// revoked in a review cycle. A fail in an identification cycle changes
// nothing.
func (s *Service) takeEffect(ctx context.Context, tx *store.Tx, j *journal, c store.Cycle, d store.Decision) error {
	p, err := s.program(ctx, tx, c.ProgramVersionID)
	if err != nil {
		return err
	}
	// Recognitions keep calendar days; as midnight UTC they read back equal.
	today := dateOnly(s.today(j.now))
	until := today.AddDate(p.Def.ValidityYears, 0, 0)
	if c.Kind == KindIdentification {
		if d.Outcome != OutcomePass {
			return nil
		}
		r := store.Recognition{EnterpriseID: d.EnterpriseID, ProgramID: c.ProgramID, GrantedYear: c.Year,
			ValidFrom: today, ValidUntil: until, Status: RecognitionActive, GrantedCycleID: c.ID, CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertRecognition(ctx, &r); err != nil {
			return err
		}
		j.record("recognition.grant", "recognition", r.ID, nil, r)
		return nil
	}
	r, err := tx.CurrentRecognition(ctx, d.EnterpriseID, c.ProgramID)
	if errs.Is(err, errs.NotFound) {
		return conflictf("cycle %d reviewed enterprise %d, which no longer holds a standing title of the program: nothing to confirm or revoke", c.ID, d.EnterpriseID)
	}
	if err != nil {
		return err
	}
	before := r
	r.ConfirmedCycleID, r.UpdatedAt = c.ID, j.now
	action := "recognition.confirm"
	if d.Outcome == OutcomePass {
		r.Status, r.ValidUntil = RecognitionPassedReview, until
	} else {
		action = "recognition.revoke"
		r.ConfirmedCycleID = before.ConfirmedCycleID
		r.Status, r.RevokedCycleID, r.RevokedReasonZh, r.RevokedReasonEn, r.RevokedAt = RecognitionRevoked, c.ID, d.ReasonZh, d.ReasonEn, &j.now
	}
	if err := tx.UpdateRecognition(ctx, &r); err != nil {
		return err
	}
	j.record(action, "recognition", r.ID, before, r)
	return nil
}

// dateOnly is the calendar day of t (in t's location) as midnight UTC, the
// form the store reads days back in.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
