package web

import (
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The pages of an enterprise's users, under /enterprise. Every page shows
// only the signed-in user's own enterprise: its id comes from the user's
// enterprise role, never from the address, and an application of another
// enterprise is answered exactly like one that does not exist (404), so
// that nobody learns which ids exist by trying them.

// enterprises may use the enterprise pages: holders of the enterprise role.
var enterprises = &access{name: "enterprises", signIn: true, roles: []string{workflow.RoleEnterprise}}

// enterpriseRoutes are the pages of an enterprise's users, under
// /enterprise.
func (s *Server) enterpriseRoutes() []route {
	return []route{
		{"GET /enterprise", enterprises, s.enterpriseHome},
		{"GET /enterprise/profile", enterprises, s.enterpriseProfile},
		{"GET /enterprise/timeline", enterprises, s.enterpriseTimeline},
		{"POST /enterprise/cycles/{id}/apply", enterprises, s.enterpriseApply},
		{"GET /enterprise/applications/{id}", enterprises, s.applicationPage},
		{"POST /enterprise/applications/{id}", enterprises, s.saveApplication},
		{"GET /enterprise/applications/{id}/template.xlsx", enterprises, s.applicationTemplate},
		{"POST /enterprise/applications/{id}/upload", enterprises, s.uploadApplicationSheet},
		{"POST /enterprise/applications/{id}/evidence", enterprises, s.attachEvidence},
		{"GET /enterprise/applications/{id}/evidence/{sha}", enterprises, s.downloadEvidence},
		{"GET /enterprise/applications/{id}/check", enterprises, s.applicationSelfCheck},
		{"POST /enterprise/applications/{id}/submit", enterprises, s.submitApplication},
		{"GET /enterprise/applications/{id}/withdraw", enterprises, s.confirmWithdrawApplication},
		{"POST /enterprise/applications/{id}/withdraw", enterprises, s.withdrawApplication},
		{"GET /enterprise/reports", enterprises, s.enterpriseReports},
		{"GET /enterprise/reports/{id}/{year}", enterprises, s.annualReportForm},
		{"POST /enterprise/reports/{id}/{year}", enterprises, s.fileAnnualReport},
	}
}

// ownEnterpriseID is the enterprise the caller acts for: the scope of its
// enterprise role (the first, should it hold several). The route's rule
// guarantees the role; a role without a scope is refused.
func ownEnterpriseID(r *request) (int64, error) {
	if r.acc != nil {
		for _, ro := range r.acc.Roles {
			if ro.Role == workflow.RoleEnterprise && ro.EnterpriseID != 0 {
				return ro.EnterpriseID, nil
			}
		}
	}
	return 0, errs.New(errs.Forbidden, "your account acts for no enterprise: ask an administrator")
}

// ownEnterprise returns the caller's enterprise with its name history.
func (s *Server) ownEnterprise(r *request) (store.Enterprise, []store.EnterpriseName, error) {
	id, err := ownEnterpriseID(r)
	if err != nil {
		return store.Enterprise{}, nil, err
	}
	return s.svc.Enterprise(r.Context(), id)
}

// ownApplication returns application {id} of the path when it is the
// caller's enterprise's, with its cycle. Any other id — another
// enterprise's, or none — is not found, with the same message.
func (s *Server) ownApplication(r *request) (store.Application, store.Cycle, error) {
	eid, err := ownEnterpriseID(r)
	if err != nil {
		return store.Application{}, store.Cycle{}, err
	}
	raw := r.PathValue("id")
	id, perr := strconv.ParseInt(raw, 10, 64)
	notFound := errs.New(errs.NotFound, "application %q does not exist", raw)
	if perr != nil || id <= 0 {
		return store.Application{}, store.Cycle{}, notFound
	}
	a, err := s.svc.Application(r.Context(), id)
	switch {
	case errs.Is(err, errs.NotFound) || err == nil && a.EnterpriseID != eid:
		return store.Application{}, store.Cycle{}, notFound
	case err != nil:
		return a, store.Cycle{}, err
	}
	c, err := s.svc.Cycle(r.Context(), a.CycleID)
	return a, c, err
}

// applicationPath is the address of an enterprise's application page.
func applicationPath(id int64) string { return "/enterprise/applications/" + strconv.FormatInt(id, 10) }

// editable reports whether the enterprise may still change application a
// of cycle c now: a draft or returned application of an open cycle whose
// applications are not due. The workflow checks again on every change;
// this only decides which forms the page offers.
func (s *Server) editable(a store.Application, c store.Cycle) bool {
	return (a.Status == workflow.StatusDraft || a.Status == workflow.StatusReturned) && s.cycleTakesApplications(c)
}

// cycleTakesApplications reports whether cycle c takes applications now.
func (s *Server) cycleTakesApplications(c store.Cycle) bool {
	return c.Phase == workflow.PhaseOpen && (c.ApplicationsDueAt == nil || !s.svc.Now().After(*c.ApplicationsDueAt))
}

// withdrawable reports whether application a of cycle c may be withdrawn.
func withdrawable(a store.Application, c store.Cycle) bool {
	switch a.Status {
	case workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusReturned:
		return c.Phase == workflow.PhaseOpen
	}
	return false
}
