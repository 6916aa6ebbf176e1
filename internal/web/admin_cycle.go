package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// A cycle's administration page and its phase transitions. Each
// transition is a button that leads to a page saying what will happen;
// only that page's form, with its confirm field, makes the change. None
// can be undone, so every one asks.

// cycleTransition is one step of the cycle's state machine as the pages
// offer it.
type cycleTransition struct {
	Action string // its path segment and message key
	From   string // the phase it needs
	To     string // the phase it leads to
	// Final marks the steps whose consequences reach the public or end
	// the cycle for good: their page wants a box ticked.
	Final bool
}

// cycleTransitions are the transitions, in the order of the phases.
var cycleTransitions = []cycleTransition{
	{"open", workflow.PhaseDraft, workflow.PhaseOpen, false},
	{"close-applications", workflow.PhaseOpen, workflow.PhaseRecommendation, false},
	{"start-evaluation", workflow.PhaseRecommendation, workflow.PhaseEvaluation, false},
	{"start-deliberation", workflow.PhaseEvaluation, workflow.PhaseDeliberation, false},
	{"publish-notice", workflow.PhaseDeliberation, workflow.PhaseNotice, true},
	{"announce", workflow.PhaseNotice, workflow.PhaseAnnounced, true},
	{"close", workflow.PhaseAnnounced, workflow.PhaseClosed, true},
}

// nextTransitions maps a phase to the action that leaves it, for
// templates.
var nextTransitions = func() map[string]string {
	m := map[string]string{}
	for _, t := range cycleTransitions {
		m[t.From] = t.Action
	}
	return m
}()

// transitionOf returns the transition {action} of the path.
func transitionOf(r *request) (cycleTransition, error) {
	for _, t := range cycleTransitions {
		if t.Action == r.PathValue("action") {
			return t, nil
		}
	}
	return cycleTransition{}, errs.New(errs.NotFound, "there is no cycle step %q", r.PathValue("action"))
}

// run makes transition t of cycle c. A review cycle opens with its
// cohort's applications (OpenReviewCycle).
func (t cycleTransition) run(ctx context.Context, svc *workflow.Service, actor workflow.Actor, c store.Cycle) error {
	var err error
	switch t.Action {
	case "open":
		if c.Kind == workflow.KindReview {
			_, _, err = svc.OpenReviewCycle(ctx, actor, c.ID)
		} else {
			_, err = svc.OpenCycle(ctx, actor, c.ID)
		}
	case "close-applications":
		_, err = svc.CloseApplications(ctx, actor, c.ID)
	case "start-evaluation":
		_, err = svc.StartEvaluation(ctx, actor, c.ID)
	case "start-deliberation":
		_, err = svc.StartDeliberation(ctx, actor, c.ID)
	case "publish-notice":
		_, err = svc.PublishNotice(ctx, actor, c.ID)
	case "announce":
		_, err = svc.Announce(ctx, actor, c.ID)
	case "close":
		_, err = svc.CloseCycle(ctx, actor, c.ID)
	default:
		err = errs.New(errs.NotFound, "there is no cycle step %q", t.Action)
	}
	return err
}

// adminCycle is a cycle's administration page: its phase, its counts, the
// next step, and links to everything about it.
func (s *Server) adminCycle(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCycle(w, r, http.StatusOK, c.ID, "")
}

// renderCycle shows cycle id's page with status and, when set, the
// refusal problem of the step just tried.
func (s *Server) renderCycle(w http.ResponseWriter, r *request, status int, id int64, problem string) {
	o, err := s.svc.CycleOverview(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var next *cycleTransition
	for _, t := range cycleTransitions {
		if t.From == o.Cycle.Phase {
			next = &t
		}
	}
	// The expert review's summary and panel, for programs that have one.
	hasReview, review, err := s.reviewSummary(r, o.Cycle)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.svc.Now()
	var last any
	if o.Notice != nil {
		l := o.Notice.EndsAt.Add(-1)
		last = &l
	}
	s.render(w, r, status, "admin_cycle", map[string]any{"O": o, "Next": next, "Error": problem, "Phases": workflow.Phases,
		"PhaseIndex": phaseIndex(o.Cycle.Phase), "NoticeOver": o.Notice != nil && !now.Before(o.Notice.EndsAt), "NoticeLast": last,
		"Announced": o.Cycle.Phase == workflow.PhaseAnnounced || o.Cycle.Phase == workflow.PhaseClosed,
		"Review":    o.Cycle.Kind == workflow.KindReview, "ExpertReview": hasReview, "ReviewProgress": review})
}

func phaseIndex(phase string) int {
	for i, p := range workflow.Phases {
		if p == phase {
			return i
		}
	}
	return -1
}

// confirmTransition is the page that says what step {action} will do to
// cycle {id} and asks to go ahead. A step the cycle's phase does not
// allow is explained instead (409), with no button.
func (s *Server) confirmTransition(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := transitionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if c.Phase != t.From {
		status = http.StatusConflict
	}
	s.renderTransition(w, r, status, c, t, "")
}

func (s *Server) renderTransition(w http.ResponseWriter, r *request, status int, c store.Cycle, t cycleTransition, problem string) {
	o, err := s.svc.CycleOverview(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"O": o, "T": t, "Possible": c.Phase == t.From, "Error": problem, "Review": c.Kind == workflow.KindReview}
	if t.Action == "open" && c.Kind == workflow.KindReview && c.Phase == t.From {
		if cohort, err := s.svc.ReviewCohort(r.Context(), c.ProgramVersionID, c.Year); err == nil {
			data["Cohort"] = len(cohort.Members)
		} else {
			data["CohortError"] = err.Error()
		}
	}
	s.render(w, r, status, "admin_cycle_confirm", data)
}

// transition makes step {action} of cycle {id} once its confirmation page
// was sent (confirm=yes); without that field it changes nothing and shows
// the page again. A step the workflow refuses (a wrong phase, a notice
// still running, objections unhandled) comes back on the cycle's page
// with the workflow's reason.
func (s *Server) transition(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := transitionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.renderTransition(w, r, http.StatusUnprocessableEntity, c, t, r.t("cyc.confirm_needed"))
		return
	}
	if err := t.run(r.Context(), s.svc, r.actor(), c); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderCycle(w, r, statusOf(err), c.ID, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "cyc.tr_done."+t.Action)
	http.Redirect(w, r.Request, cyclePath(c.ID), http.StatusSeeOther)
}

// draftResultsAnnouncement writes the draft announcement of an announced
// cycle's results and opens its issue page, which asks before the public
// sees it.
func (s *Server) draftResultsAnnouncement(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.DraftResultsAnnouncement(r.Context(), r.actor(), c.ID)
	if err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			s.renderCycle(w, r, statusOf(err), c.ID, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "cyc.ann_drafted")
	http.Redirect(w, r.Request, "/admin/announcements/"+strconv.FormatInt(a.ID, 10)+"/issue", http.StatusSeeOther)
}
