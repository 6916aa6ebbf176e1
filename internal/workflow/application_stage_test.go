package workflow

import (
	"testing"

	"github.com/exemplar/exemplar/internal/store"
)

// TestApplicationStage walks a recommended application through its
// cycle's phases with each kind of decision, and checks that a status
// other than recommended is shown as it is and that a decision is never
// revealed before the notice publishes it.
func TestApplicationStage(t *testing.T) {
	rec := store.Application{Status: StatusRecommended}
	dec := func(state, outcome string) *store.Decision { return &store.Decision{State: state, Outcome: outcome} }
	for _, tc := range []struct {
		status, phase string
		d             *store.Decision
		want          string
	}{
		{StatusSubmitted, PhaseRecommendation, nil, StatusSubmitted},
		{StatusNotRecommended, PhaseAnnounced, nil, StatusNotRecommended},
		{StatusWithdrawn, PhaseClosed, dec(DecisionFinal, OutcomePass), StatusWithdrawn},
		{StatusRecommended, PhaseRecommendation, nil, StatusRecommended},
		{StatusRecommended, PhaseEvaluation, nil, StageUnderEvaluation},
		{StatusRecommended, PhaseDeliberation, dec(DecisionDrafted, OutcomeFail), StageUnderEvaluation},
		{StatusRecommended, PhaseNotice, dec(DecisionProposed, OutcomePass), StageNoticePass},
		{StatusRecommended, PhaseNotice, dec(DecisionProposed, OutcomeFail), StageNoticeFail},
		// An upheld objection sent it back to deliberation.
		{StatusRecommended, PhaseNotice, dec(DecisionDrafted, OutcomePass), StageUnderEvaluation},
		{StatusRecommended, PhaseNotice, nil, StageUnderEvaluation},
		{StatusRecommended, PhaseAnnounced, dec(DecisionFinal, OutcomePass), StagePassed},
		{StatusRecommended, PhaseClosed, dec(DecisionFinal, OutcomeFail), StageFailed},
		{StatusRecommended, PhaseAnnounced, dec(DecisionProposed, OutcomePass), StageUnderEvaluation},
	} {
		a := rec
		a.Status = tc.status
		if got := ApplicationStage(a, store.Cycle{Phase: tc.phase}, tc.d); got != tc.want {
			t.Errorf("%s application, %s cycle, decision %+v: stage %s, want %s", tc.status, tc.phase, tc.d, got, tc.want)
		}
	}
}
