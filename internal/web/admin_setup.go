package web

import (
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
)

// adminSetupRoutes are the administrators' set-up pages: programs
// (admin_programs*.go), users and roles (admin_users*.go), channels and
// the working-day calendar (admin_channels*.go), the audit log
// (admin_audit*.go) and annual reports with the expiry of titles
// (admin_reports*.go). Every one is for administrators only; what they
// change goes through workflow, which checks and audits it.
func (s *Server) adminSetupRoutes() []route {
	return []route{
		{"GET /admin/programs", admins, s.adminPrograms},
		{"GET /admin/programs/new", admins, s.programUploadForm},
		{"POST /admin/programs/check", admins, s.checkProgram},
		{"POST /admin/programs", admins, s.registerProgram},
		{"GET /admin/programs/versions/{id}", admins, s.programVersionPage},
		{"GET /admin/programs/versions/{id}/definition.yaml", admins, s.programVersionYAML},

		{"GET /admin/users", admins, s.adminUsers},
		{"GET /admin/users/new", admins, s.newUserForm},
		{"POST /admin/users", admins, s.createUser},
		{"GET /admin/users/{id}", admins, s.adminUser},
		{"POST /admin/users/{id}/roles", admins, s.grantRole},
		{"POST /admin/users/{id}/roles/revoke", admins, s.revokeRole},
		{"GET /admin/users/{id}/disable", admins, s.confirmDisableUser},
		{"POST /admin/users/{id}/disable", admins, s.disableUser},
		{"GET /admin/users/{id}/tokens/{token}/revoke", admins, s.confirmRevokeToken},
		{"POST /admin/users/{id}/tokens/{token}/revoke", admins, s.revokeToken},

		{"GET /admin/channels", admins, s.adminChannels},
		{"GET /admin/channels/new", admins, s.newChannelForm},
		{"GET /admin/channels/{code}/edit", admins, s.editChannelForm},
		{"POST /admin/channels", admins, s.saveChannel},
		{"GET /admin/calendar", admins, s.adminCalendar},
		{"POST /admin/calendar", admins, s.setCalendarDays},

		{"GET /admin/audit", admins, s.adminAudit},
		{"GET /admin/audit/verify", admins, s.verifyAudit},

		{"GET /admin/reports", admins, s.adminReports},
		{"GET /admin/reports/expire", admins, s.confirmExpireRecognitions},
		{"GET /admin/reports/{id}/{year}", admins, s.adminAnnualReport},
		{"POST /admin/reports/expire", admins, s.expireRecognitions},
	}
}

// pathInt reads the positive integer {name} of the path; a malformed one
// is not found, named as what.
func pathInt(r *request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "%s %q does not exist", what, r.PathValue(name))
	}
	return id, nil
}
