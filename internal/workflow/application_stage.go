package workflow

import (
	"context"

	"github.com/exemplar/exemplar/internal/store"
)

// Application stages beyond the application's own status: where a
// recommended application stands as its cycle moves on. An application
// keeps the status "recommended" for the rest of its cycle; its stage says
// what the enterprise may know of it at each phase.
const (
	StageUnderEvaluation = "under_evaluation" // evaluation or deliberation: nothing public yet
	StageNoticePass      = "notice_pass"      // in the public notice, proposed to pass
	StageNoticeFail      = "notice_fail"      // in the public notice, proposed not to pass
	StagePassed          = "passed"           // announced: passed
	StageFailed          = "failed"           // announced: not passed
)

// ApplicationStage returns where application a of cycle c stands, as its
// enterprise may see it. It is a's status except for a recommended
// application past the recommendation phase, whose stage comes from the
// phase and from d, the decision on the enterprise in c (nil when there is
// none). A decision still being drafted is never revealed: it shows as
// under evaluation until the notice publishes it.
func ApplicationStage(a store.Application, c store.Cycle, d *store.Decision) string {
	if a.Status != StatusRecommended {
		return a.Status
	}
	switch c.Phase {
	case PhaseEvaluation, PhaseDeliberation:
		return StageUnderEvaluation
	case PhaseNotice:
		if d == nil || d.State == DecisionDrafted {
			return StageUnderEvaluation
		}
		if d.Outcome == OutcomePass {
			return StageNoticePass
		}
		return StageNoticeFail
	case PhaseAnnounced, PhaseClosed:
		if d == nil || d.State != DecisionFinal {
			return StageUnderEvaluation
		}
		if d.Outcome == OutcomePass {
			return StagePassed
		}
		return StageFailed
	}
	return a.Status
}

// EnterpriseDecisions returns every decision on enterprise id, in any
// cycle and state.
func (s *Service) EnterpriseDecisions(ctx context.Context, id int64) ([]store.Decision, error) {
	var out []store.Decision
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.EnterpriseDecisions(ctx, id)
		return err
	})
	return out, err
}
