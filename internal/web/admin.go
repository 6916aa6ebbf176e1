package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// adminRoutes are the administrators' dashboard and cycle pages under
// /admin (besides the announcements in routes.go, certificates in
// certificates.go, and programs, users and the audit log in their own
// files). Every one is for administrators only; each page that changes
// something irreversible asks first on a page of its own, and the POST
// that does it changes nothing without that page's confirm field.
func (s *Server) adminRoutes() []route {
	return []route{
		{"GET /admin", admins, s.adminHome},
		{"GET /admin/cycles", admins, s.adminCycles},
		{"GET /admin/cycles/new", admins, s.newCycleForm},
		{"POST /admin/cycles", admins, s.createCycle},
		{"GET /admin/cycles/{id}", admins, s.adminCycle},
		{"GET /admin/cycles/{id}/transitions/{action}", admins, s.confirmTransition},
		{"POST /admin/cycles/{id}/transitions/{action}", admins, s.transition},
		{"GET /admin/cycles/{id}/results", admins, s.adminCycleResults},
		{"GET /admin/cycles/{id}/decisions", admins, s.adminCycleDecisions},
		{"GET /admin/cycles/{id}/decisions/{decision}", admins, s.decisionForm},
		{"POST /admin/cycles/{id}/decisions/{decision}", admins, s.updateDecision},
		{"GET /admin/cycles/{id}/decisions/{decision}/finalise", admins, s.confirmFinaliseDecision},
		{"POST /admin/cycles/{id}/decisions/{decision}/finalise", admins, s.finaliseDecision},
		{"GET /admin/cycles/{id}/objections", admins, s.adminObjections},
		{"GET /admin/cycles/{id}/objections/{objection}", admins, s.objectionHandlingForm},
		{"POST /admin/cycles/{id}/objections/{objection}", admins, s.handleObjection},
		{"POST /admin/cycles/{id}/announcement", admins, s.draftResultsAnnouncement},
		{"GET /admin/cycles/{id}/cohort", admins, s.adminCohort},
		{"GET /admin/cycles/{id}/revocations", admins, s.adminRevocations},
	}
}

// adminHome is the administrators' dashboard: every part of the
// administration, and the cycles with their phase and next step.
func (s *Server) adminHome(w http.ResponseWriter, r *request) {
	cycles, err := s.svc.Cycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	active := make([]store.Cycle, 0, len(cycles))
	closed := 0
	for _, c := range cycles {
		if c.Phase == "closed" {
			closed++
			continue
		}
		active = append(active, c)
	}
	s.render(w, r, http.StatusOK, "admin_home", map[string]any{"Cycles": active, "Closed": closed, "Total": len(cycles),
		"Next": nextTransitions})
}

// adminCycleOf reads the cycle {id} of an administrator's path.
func (s *Server) adminCycleOf(r *request) (store.Cycle, error) {
	id := parseID(r.PathValue("id"))
	if id == 0 {
		return store.Cycle{}, errs.New(errs.NotFound, "cycle %q does not exist", r.PathValue("id"))
	}
	return s.svc.Cycle(r.Context(), id)
}
