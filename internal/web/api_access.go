package web

import (
	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The API's access rules beyond everyone, signedIn and admins (access.go).
// They say which roles may call a route at all; which records a caller
// sees is decided per record below, from the scope of its roles.
var (
	apiEnterprises = &access{name: "enterprises", signIn: true, roles: []string{workflow.RoleEnterprise}}
	// apiScreeners see a cycle's applications: all of them for an
	// administrator, their channel's for a recommender.
	apiScreeners = &access{name: "administrators and recommenders", signIn: true,
		roles: []string{workflow.RoleAdmin, workflow.RoleRecommender}}
	// apiApplicationReaders may ask for one application; each sees only
	// those its roles reach (see readableApplication).
	apiApplicationReaders = &access{name: "administrators, recommenders and enterprises", signIn: true,
		roles: []string{workflow.RoleAdmin, workflow.RoleRecommender, workflow.RoleEnterprise}}
)

// hasRole reports whether r's caller holds role (in any scope).
func hasRole(r *request, role string) bool {
	if r.acc == nil {
		return false
	}
	for _, ro := range r.acc.Roles {
		if ro.Role == role {
			return true
		}
	}
	return false
}

// scopes returns the channels r's caller recommends for and the
// enterprises it acts for.
func scopes(r *request) (channels, enterprises map[int64]bool) {
	channels, enterprises = map[int64]bool{}, map[int64]bool{}
	if r.acc == nil {
		return
	}
	for _, ro := range r.acc.Roles {
		switch {
		case ro.Role == workflow.RoleRecommender && ro.ChannelID != 0:
			channels[ro.ChannelID] = true
		case ro.Role == workflow.RoleEnterprise && ro.EnterpriseID != 0:
			enterprises[ro.EnterpriseID] = true
		}
	}
	return
}

// mayRead reports whether r's caller may read application a: an
// administrator any, a recommender its channel's, an enterprise user its
// enterprise's.
func mayRead(r *request, a store.Application) bool {
	if hasRole(r, workflow.RoleAdmin) {
		return true
	}
	channels, enterprises := scopes(r)
	return channels[a.ChannelID] || enterprises[a.EnterpriseID]
}

// readableApplication returns application id when r's caller may read it.
// One it may not read is not found, with the very message of one that
// does not exist, so that nobody learns which ids exist by trying them.
func (s *Server) readableApplication(r *request, id int64) (store.Application, error) {
	a, err := s.svc.Application(r.Context(), id)
	if err == nil && mayRead(r, a) {
		return a, nil
	}
	if err == nil || errs.Is(err, errs.NotFound) {
		return store.Application{}, errs.New(errs.NotFound, "application %d does not exist", id)
	}
	return store.Application{}, err
}
