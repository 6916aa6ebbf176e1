package workflow

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/store"
)

// StartDeliberation drafts the decisions (evaluation → deliberation): one
// per enterprise the engine evaluated in the cycle's latest run, pass when
// the engine's outcome is pass and fail otherwise, with the engine's
// reason in Chinese and English. The drafts are edited with
// UpdateDecision. It refuses a cycle in another phase (conflict).
//
// For a program with an expert review it first applies the review (see
// applyReviews): it refuses while the review is incomplete (conflict;
// StartDeliberationOverridingReviews goes on with a recorded reason), and
// drafts the decisions from the engine run again with the experts'
// combined values.
func (s *Service) StartDeliberation(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.startDeliberation(ctx, actor, id, "")
}

func (s *Service) startDeliberation(ctx context.Context, actor Actor, id int64, reviewOverride string) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "start_deliberation", PhaseEvaluation, PhaseDeliberation, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		if err := s.applyReviews(ctx, tx, j, c, reviewOverride); err != nil {
			return err
		}
		run, err := tx.LatestEngineRun(ctx, c.ID)
		if err != nil {
			return internalf("cycle %d is in phase %q without an engine run: %v", c.ID, c.Phase, err)
		}
		results, err := tx.Results(ctx, run.ID)
		if err != nil {
			return err
		}
		ds := make([]store.Decision, len(results))
		for i, r := range results {
			// Only the reason is needed of the stored result.
			var doc struct {
				Reason textDoc `json:"reason"`
			}
			if err := json.Unmarshal(r.Result, &doc); err != nil {
				return internalf("result of enterprise %d in run %d: %v", r.EnterpriseID, run.ID, err)
			}
			ds[i] = store.Decision{CycleID: c.ID, EnterpriseID: r.EnterpriseID, RunID: run.ID, Outcome: OutcomeFail,
				ReasonZh: doc.Reason.Zh, ReasonEn: doc.Reason.En, State: DecisionDrafted, DraftedBy: j.userID,
				CreatedAt: j.now, UpdatedAt: j.now}
			if r.Pass {
				ds[i].Outcome = OutcomePass
			}
		}
		if err := tx.InsertDecisions(ctx, ds); err != nil {
			return err
		}
		for _, d := range ds {
			j.record("decision.draft", "decision", d.ID, nil, d)
		}
		return nil
	})
}

// maxReason bounds a decision's or a handling's reason (in characters).
const maxReason = 4000

// UpdateDecision changes a drafted decision's outcome and reasons, if
// version is still its version: a stale version is refused, never
// silently overwritten. Decisions are drafted during deliberation, and
// again during the notice or after the announcement when an upheld
// objection reopened them.
//
// It refuses an outcome other than pass or fail and a missing reason in
// either language (invalid); a stale version, a decision that is proposed
// or final, and a cycle in a phase where decisions are not edited
// (conflict).
func (s *Service) UpdateDecision(ctx context.Context, actor Actor, id, version int64, outcome, reasonZh, reasonEn string) (store.Decision, error) {
	reasonZh, reasonEn = strings.TrimSpace(reasonZh), strings.TrimSpace(reasonEn)
	switch {
	case outcome != OutcomePass && outcome != OutcomeFail:
		return store.Decision{}, invalidf("decision %d: outcome %q is not %s", id, outcome, oneOf([]string{OutcomePass, OutcomeFail}))
	case reasonZh == "" || reasonEn == "":
		return store.Decision{}, invalidf("decision %d: give the reason in Chinese (reason_zh) and in English (reason_en)", id)
	case utf8.RuneCountInString(reasonZh) > maxReason || utf8.RuneCountInString(reasonEn) > maxReason:
		return store.Decision{}, invalidf("decision %d: a reason is limited to %d characters", id, maxReason)
	}
	var d store.Decision
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockDecision(ctx, tx, id)
		if err != nil {
			return err
		}
		d = locked
		if err := needPhase(c.ID, c.Phase, "update_decision", PhaseDeliberation, PhaseNotice, PhaseAnnounced); err != nil {
			return err
		}
		if err := needDrafted(d, "update"); err != nil {
			return err
		}
		if err := needVersion("decision", d.ID, d.Version, version); err != nil {
			return err
		}
		before := d
		d.Outcome, d.ReasonZh, d.ReasonEn, d.DraftedBy, d.UpdatedAt = outcome, reasonZh, reasonEn, j.userID, j.now
		if err := tx.UpdateDecision(ctx, &d); err != nil {
			return err
		}
		j.record("decision.update", "decision", d.ID, before, d)
		return nil
	})
	return result(d, err)
}

// FinaliseDecision settles a decision that an upheld objection reopened,
// once it has been re-decided (UpdateDecision), if version is still its
// version. During the notice it becomes proposed again and Announce
// finalises it with the others; after the announcement it becomes final
// at once and takes effect (a supplementary announcement: the title is
// granted, confirmed or revoked).
//
// It refuses a stale version, a decision that is not drafted, and a cycle
// outside the notice and announced phases — during deliberation
// PublishNotice proposes every draft (conflict).
func (s *Service) FinaliseDecision(ctx context.Context, actor Actor, id, version int64) (store.Decision, error) {
	var d store.Decision
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockDecision(ctx, tx, id)
		if err != nil {
			return err
		}
		d = locked
		if err := needPhase(c.ID, c.Phase, "finalise_decision", PhaseNotice, PhaseAnnounced); err != nil {
			return err
		}
		if err := needDrafted(d, "finalise"); err != nil {
			return err
		}
		if err := needVersion("decision", d.ID, d.Version, version); err != nil {
			return err
		}
		before := d
		d.UpdatedAt = j.now
		if c.Phase == PhaseNotice {
			d.State = DecisionProposed
		} else {
			d.State, d.FinalisedAt = DecisionFinal, &j.now
		}
		if err := tx.UpdateDecision(ctx, &d); err != nil {
			return err
		}
		j.record("decision.finalise", "decision", d.ID, before, d)
		if d.State == DecisionFinal {
			return s.takeEffect(ctx, tx, j, c, d)
		}
		return nil
	})
	return result(d, err)
}

// needDrafted refuses action on a decision that is not drafted, saying
// why it is frozen.
func needDrafted(d store.Decision, action string) error {
	switch d.State {
	case DecisionDrafted:
		return nil
	case DecisionProposed:
		return conflictf("decision %d is %q: the public notice lists it; %q needs %q, and only an upheld objection reopens a proposed decision",
			d.ID, d.State, action, DecisionDrafted)
	}
	return needStatus("decision", d.ID, d.State, action, DecisionDrafted)
}

// lockDecision locks decision id and its cycle, cycle first, and returns
// both.
func (s *Service) lockDecision(ctx context.Context, tx *store.Tx, id int64) (store.Cycle, store.Decision, error) {
	d, err := tx.Decision(ctx, id)
	if err != nil {
		return store.Cycle{}, d, missing(err, "decision %d", id)
	}
	c, err := tx.CycleForUpdate(ctx, d.CycleID)
	if err != nil {
		return c, d, err
	}
	d, err = tx.DecisionForUpdate(ctx, id)
	return c, d, err
}
