package web

import "net/http"

// routeTable is every route of the site, with who may use it. A route
// without a rule is refused by buildHandler, and TestRouteAccess walks
// this table for every role, so a new route cannot slip in unguarded.
func (s *Server) routeTable() []route {
	routes := []route{
		// The public site.
		{"GET /{$}", everyone, s.home},
		{"GET /announcements", everyone, s.announcementList},
		{"GET /announcements/{id}", everyone, s.announcementPage},
		{"GET /announcements/{id}/qr.svg", everyone, s.announcementQR},
		{"GET /programs", everyone, s.programList},
		{"GET /programs/{name}", everyone, s.programPage},
		{"GET /cycles/{id}/notice", everyone, s.cycleNotice},
		{"GET /cycles/{id}/results", everyone, s.cycleResults},
		{"GET /cycles/{id}/objection", everyone, s.objectionForm},
		{"POST /cycles/{id}/objection", everyone, s.fileObjection},
		{"GET /lang/{lang}", everyone, s.switchLanguage},
		{"GET /static/{file}", everyone, s.static},

		// Signing in and out.
		{"GET /register", everyone, s.registerForm},
		{"POST /register", everyone, s.register},
		{"GET /login", everyone, s.loginForm},
		{"POST /login", everyone, s.login},
		{"POST /logout", signedIn, s.logout},
		{"GET /account", signedIn, s.account},

		// Administrators.
		{"GET /admin/announcements", admins, s.adminAnnouncements},
		{"GET /admin/announcements/new", admins, s.newAnnouncementForm},
		{"POST /admin/announcements", admins, s.createAnnouncement},
		{"GET /admin/announcements/{id}/issue", admins, s.confirmIssueAnnouncement},
		{"POST /admin/announcements/{id}/issue", admins, s.issueAnnouncement},

		// Operations.
		{"GET /healthz", everyone, s.healthz},
		{"GET /metrics", everyone, s.metricsPage},
	}
	// The JSON API, certificates and each role's pages keep their routes
	// in files of their own.
	for _, more := range [][]route{s.apiRoutes(), s.certificateRoutes(), s.enterpriseRoutes(), s.recommenderRoutes(), s.adminRoutes(), s.adminSetupRoutes(),
		s.expertRoutes(), s.adminReviewRoutes()} {
		routes = append(routes, more...)
	}
	return routes
}

// route is one entry of the route table: a net/http pattern, the rule of
// who may use it, and its handler.
type route struct {
	pattern string
	who     *access
	handle  func(w http.ResponseWriter, r *request)
}
