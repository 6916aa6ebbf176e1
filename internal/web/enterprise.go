package web

// enterpriseRoutes are the pages of an enterprise's users, under
// /enterprise.
func (s *Server) enterpriseRoutes() []route { return nil }
