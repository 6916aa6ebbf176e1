package web

// apiRoutes are the routes of the JSON API under /api/v1.
func (s *Server) apiRoutes() []route { return nil }
