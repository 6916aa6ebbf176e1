package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The administrator's panel of a cycle's expert review, under
// /admin/cycles/{id}/experts: the progress table (experts assigned and
// submitted per application, the combined values), automatic assignment,
// manual additions and removals, and the override that starts the
// deliberation while the review is incomplete. (admin_cycle_review.go is
// about review cycles — 复核评价 — not this.)

// adminReviewRoutes are the routes of the review panel.
func (s *Server) adminReviewRoutes() []route {
	return []route{
		{"GET /admin/cycles/{id}/experts", admins, s.adminReviewPanel},
		{"POST /admin/cycles/{id}/experts/assign", admins, s.adminAssignExperts},
		{"POST /admin/cycles/{id}/experts/add", admins, s.adminAddExpert},
		{"POST /admin/cycles/{id}/experts/remove", admins, s.adminRemoveExpert},
		{"POST /admin/cycles/{id}/experts/deliberate", admins, s.adminDeliberateOverride},
	}
}

// adminReviewPanel shows the review of cycle {id}.
func (s *Server) adminReviewPanel(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderReviewPanel(w, r, http.StatusOK, c.ID, "")
}

func (s *Server) renderReviewPanel(w http.ResponseWriter, r *request, status int, id int64, problem string) {
	c, err := s.svc.Cycle(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Cycle": c, "Error": problem, "Evaluation": c.Phase == workflow.PhaseEvaluation}
	pr, err := s.svc.ReviewProgress(r.Context(), id)
	switch {
	case errs.Is(err, errs.Conflict):
		data["None"] = true
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		data["P"] = pr
		data["Before"] = phaseIndex(c.Phase) < phaseIndex(workflow.PhaseEvaluation)
	}
	s.render(w, r, status, "admin_cycle_experts", data)
}

// reviewRefusal shows a refusal the administrator can act on (too small
// a pool, a conflicted expert, an incomplete review) on the panel; other
// errors fail.
func (s *Server) reviewRefusal(w http.ResponseWriter, r *request, id int64, err error) {
	if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict || code == errs.NotFound {
		s.renderReviewPanel(w, r, statusOf(err), id, err.Error())
		return
	}
	s.fail(w, r, err)
}

// reviewSummary says whether cycle c's program has an expert review and,
// from the evaluation on, how far it is (nil before), for the cycle's page.
func (s *Server) reviewSummary(r *request, c store.Cycle) (bool, *workflow.ReviewProgress, error) {
	has, err := s.svc.CycleHasReview(r.Context(), c.ID)
	if err != nil || !has || phaseIndex(c.Phase) < phaseIndex(workflow.PhaseEvaluation) {
		return has, nil, err
	}
	pr, err := s.svc.ReviewProgress(r.Context(), c.ID)
	return has, &pr, err
}

func reviewPanelPath(id int64) string {
	return "/admin/cycles/" + strconv.FormatInt(id, 10) + "/experts"
}

// adminAssignExperts assigns experts automatically: per (default the
// program's minimum) and seed from the form.
func (s *Server) adminAssignExperts(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	per, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("per")))
	seed, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("seed")), 10, 64)
	if _, err := s.svc.AssignReviewers(r.Context(), r.actor(), c.ID, workflow.AssignSpec{PerApplication: per, Seed: seed}); err != nil {
		s.reviewRefusal(w, r, c.ID, err)
		return
	}
	flash(w, "rev.assigned_done")
	http.Redirect(w, r.Request, reviewPanelPath(c.ID), http.StatusSeeOther)
}

// adminAddExpert assigns the expert named by username to an application.
func (s *Server) adminAddExpert(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	appID := parseID(r.PostFormValue("application"))
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("expert")))
	u, err := s.svc.ExpertByUsername(r.Context(), name)
	if err != nil {
		s.reviewRefusal(w, r, c.ID, err)
		return
	}
	if a, err := s.svc.Application(r.Context(), appID); err != nil || a.CycleID != c.ID {
		s.reviewRefusal(w, r, c.ID, errs.New(errs.NotFound, "application %q is not one of cycle %d", r.PostFormValue("application"), c.ID))
		return
	}
	if _, err := s.svc.AddReviewer(r.Context(), r.actor(), appID, u.ID); err != nil {
		s.reviewRefusal(w, r, c.ID, err)
		return
	}
	flash(w, "rev.added")
	http.Redirect(w, r.Request, reviewPanelPath(c.ID), http.StatusSeeOther)
}

// adminRemoveExpert removes an assignment of the cycle at the version the
// panel showed.
func (s *Server) adminRemoveExpert(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := parseID(r.PostFormValue("assignment"))
	a, err := s.svc.ReviewAssignment(r.Context(), id)
	if err != nil || a.CycleID != c.ID {
		s.reviewRefusal(w, r, c.ID, errs.New(errs.NotFound, "review assignment %q is not one of cycle %d", r.PostFormValue("assignment"), c.ID))
		return
	}
	if err := s.svc.RemoveReviewer(r.Context(), r.actor(), id, postedVersion(r)); err != nil {
		s.reviewRefusal(w, r, c.ID, err)
		return
	}
	flash(w, "rev.removed")
	http.Redirect(w, r.Request, reviewPanelPath(c.ID), http.StatusSeeOther)
}

// adminDeliberateOverride starts the deliberation although the review is
// incomplete, with the administrator's reason (audited).
func (s *Server) adminDeliberateOverride(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.StartDeliberationOverridingReviews(r.Context(), r.actor(), c.ID, r.PostFormValue("reason")); err != nil {
		s.reviewRefusal(w, r, c.ID, err)
		return
	}
	flash(w, "rev.deliberation_done")
	http.Redirect(w, r.Request, cyclePath(c.ID), http.StatusSeeOther)
}
