package web

// recommenderRoutes are the pages of a channel's recommenders, under
// /recommender.
func (s *Server) recommenderRoutes() []route { return nil }
