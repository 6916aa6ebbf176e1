package web

// adminRoutes are the administrators' pages under /admin (besides the
// announcements in routes.go and certificates in certificates.go).
func (s *Server) adminRoutes() []route { return nil }
