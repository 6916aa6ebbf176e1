package web

// certificateRoutes are the routes of certificates: the public
// verification page and the PDFs.
func (s *Server) certificateRoutes() []route { return nil }
