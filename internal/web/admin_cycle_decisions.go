package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// A cycle's decisions for administrators: the list with reasons, the
// form that edits a drafted decision (at its version: an edit based on a
// version someone else changed is refused, never applied over theirs),
// and the finalising of a decision an upheld objection reopened.

// decisionStates are the values ?state= accepts.
var decisionStates = []string{workflow.DecisionDrafted, workflow.DecisionProposed, workflow.DecisionFinal}

// adminCycleDecisions lists cycle {id}'s decisions: ?state= selects one
// state, and the public list's parameters (?q=, ?outcome=, ?sort=,
// ?desc=1, ?page=) work as there.
func (s *Server) adminCycleDecisions(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	state := r.URL.Query().Get("state")
	var states []string
	if slices.Contains(decisionStates, state) {
		states = []string{state}
	} else {
		state = ""
	}
	rows, p, err := s.decisionList(r, c.ID, states...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_cycle_decisions", map[string]any{"Cycle": c, "Rows": rows, "Pager": p,
		"State": state, "States": decisionStates, "Outcome": r.URL.Query().Get("outcome"), "Reopened": reopenPhase(c)})
}

// reopenPhase reports whether a drafted decision of c was reopened by an
// upheld objection (so it is settled with FinaliseDecision) rather than
// drafted in deliberation (when PublishNotice proposes it).
func reopenPhase(c store.Cycle) bool {
	return c.Phase == workflow.PhaseNotice || c.Phase == workflow.PhaseAnnounced
}

// cycleDecisionOf reads cycle {id} and its decision {decision}.
func (s *Server) cycleDecisionOf(r *request) (store.Cycle, store.DecisionRow, error) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		return c, store.DecisionRow{}, err
	}
	id := parseID(r.PathValue("decision"))
	d, err := s.svc.CycleDecision(r.Context(), c.ID, id)
	if errs.Is(err, errs.NotFound) {
		err = errs.New(errs.NotFound, "decision %q of cycle %d does not exist", r.PathValue("decision"), c.ID)
	}
	return c, d, err
}

// decisionForm shows decision {decision} with the form that edits it
// while it is drafted.
func (s *Server) decisionForm(w http.ResponseWriter, r *request) {
	c, d, err := s.cycleDecisionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderDecision(w, r, http.StatusOK, c, d, d.Decision, "")
}

// renderDecision shows decision d with the form holding typed (the values
// to edit: d's own, or those a refused edit sent).
func (s *Server) renderDecision(w http.ResponseWriter, r *request, status int, c store.Cycle, d store.DecisionRow, typed store.Decision, problem string) {
	s.render(w, r, status, "admin_cycle_decision", map[string]any{"Cycle": c, "D": d, "Typed": typed, "Error": problem,
		"Editable": d.State == workflow.DecisionDrafted, "Reopened": d.State == workflow.DecisionDrafted && reopenPhase(c)})
}

// updateDecision saves the edit of a drafted decision at the version the
// form was read at. A refusal — a stale version above all — comes back in
// the form with the text typed and the decision as it is now.
func (s *Server) updateDecision(w http.ResponseWriter, r *request) {
	c, d, err := s.cycleDecisionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	typed := store.Decision{Outcome: r.PostFormValue("outcome"), ReasonZh: r.PostFormValue("reason_zh"), ReasonEn: r.PostFormValue("reason_en")}
	typed.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := s.svc.UpdateDecision(r.Context(), r.actor(), d.ID, typed.Version, typed.Outcome, typed.ReasonZh, typed.ReasonEn); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			// The form carries the current version now: sent again, it
			// replaces what the other person wrote, knowingly.
			typed.Version = d.Version
			s.renderDecision(w, r, statusOf(err), c, d, typed, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "cyc.decision_saved")
	http.Redirect(w, r.Request, cyclePath(c.ID)+"/decisions/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

// confirmFinaliseDecision asks before settling a reopened decision:
// during the notice it is proposed again, after the announcement it takes
// effect at once.
func (s *Server) confirmFinaliseDecision(w http.ResponseWriter, r *request) {
	c, d, err := s.cycleDecisionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_cycle_finalise", map[string]any{"Cycle": c, "D": d})
}

// finaliseDecision settles a reopened decision once its confirmation page
// was sent (confirm=yes); without it nothing changes.
func (s *Server) finaliseDecision(w http.ResponseWriter, r *request) {
	c, d, err := s.cycleDecisionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_cycle_finalise", map[string]any{"Cycle": c, "D": d, "Error": r.t("cyc.confirm_needed")})
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := s.svc.FinaliseDecision(r.Context(), r.actor(), d.ID, version); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.render(w, r, statusOf(err), "admin_cycle_finalise", map[string]any{"Cycle": c, "D": d, "Error": err.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "cyc.decision_finalised")
	http.Redirect(w, r.Request, cyclePath(c.ID)+"/decisions/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}
