package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Users in the API, for administrators, as the users pages handle them
// (admin_users.go, admin_users_roles.go): the list, one user, a new user,
// its roles, disabling it, and its API tokens.

// apiUserSorts are the store's orders of users (the store sorts and
// pages; the comparisons are never called).
var apiUserSorts = &sorter[workflow.Account]{def: "username", keys: map[string]func(a, b workflow.Account) int{
	"username": nil, "name": nil, "created": nil,
}}

// apiListUsers lists the users with their roles: ?q= searches the
// username and display name, ?role= selects holders of a role.
func (s *Server) apiListUsers(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiUserSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	role := q.Get("role")
	if role != "" && !slices.Contains(roleNames, role) {
		s.fail(w, r, errs.WithField("role", errs.New(errs.Invalid, "role: one of %v, not %q", roleNames, role)))
		return
	}
	key, desc := strings.CutPrefix(lq.sort, "-")
	users, total, err := s.svc.SearchUsers(r.Context(), store.UserQuery{Search: q.Get("q"), Role: role, Sort: key, Desc: desc,
		Limit: lq.limit, Offset: lq.offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if users == nil {
		users = []workflow.Account{}
	}
	for i := range users {
		users[i] = withRoles(users[i])
	}
	writeJSON(w, http.StatusOK, apiList[workflow.Account]{Items: users, Total: total, Limit: lq.limit, Offset: lq.offset, Sort: lq.sort})
}

// withRoles is acc with its roles as a list, empty rather than null.
func withRoles(acc workflow.Account) workflow.Account {
	if acc.Roles == nil {
		acc.Roles = []store.Role{}
	}
	return acc
}

// apiUserRequest is the body of POST /api/v1/users.
type apiUserRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

// apiCreateUser creates a user with no roles (workflow CreateUser) and
// answers 201 with it; a refusal names the member. A username taken is a
// conflict.
func (s *Server) apiCreateUser(w http.ResponseWriter, r *request) {
	var body apiUserRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.svc.CreateUser(r.Context(), r.actor(), body.Username, body.DisplayName, body.Password)
	if err != nil {
		f := userField(err.Error())
		if named := errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict); named && f != "" && errs.FieldOf(err) == "" {
			err = errs.WithField(f, err)
		}
		s.fail(w, r, err)
		return
	}
	acc, err := s.svc.User(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/users/"+strconv.FormatInt(u.ID, 10), withRoles(acc))
}

// apiRoleRequest is the body of POST /api/v1/users/{id}/roles and
// /roles/revoke.
type apiRoleRequest struct {
	// Role is admin, recommender, enterprise or expert.
	Role string `json:"role"`
	// ChannelID is a recommender's channel, EnterpriseID an enterprise
	// user's enterprise; the other roles have no scope.
	ChannelID    int64 `json:"channel_id,omitempty"`
	EnterpriseID int64 `json:"enterprise_id,omitempty"`
}

// scope is the role's scope as the workflow takes it, or a refusal
// naming the member a role needs.
func (b apiRoleRequest) scope() (int64, error) {
	switch b.Role {
	case workflow.RoleRecommender:
		if b.ChannelID <= 0 {
			return 0, errs.WithField("channel_id", errs.New(errs.Invalid, "channel_id: a recommender acts for a channel: give its id"))
		}
		return b.ChannelID, nil
	case workflow.RoleEnterprise:
		if b.EnterpriseID <= 0 {
			return 0, errs.WithField("enterprise_id", errs.New(errs.Invalid, "enterprise_id: an enterprise user acts for an enterprise: give its id"))
		}
		return b.EnterpriseID, nil
	case "":
		return 0, errs.WithField("role", errs.New(errs.Invalid, "role: one of %v", roleNames))
	}
	return 0, nil
}

// apiRoleChange grants (or, with revoke, takes) a role with its scope
// of user {id}, and answers with the user's account as it is now.
func (s *Server) apiRoleChange(w http.ResponseWriter, r *request, revoke bool) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiRoleRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	scope, err := body.scope()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.User(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if revoke {
		err = s.svc.RevokeRole(r.Context(), r.actor(), id, body.Role, scope)
	} else {
		_, err = s.svc.GrantRole(r.Context(), r.actor(), id, body.Role, scope)
	}
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" && strings.Contains(err.Error(), "role") {
			err = errs.WithField("role", err)
		}
		s.fail(w, r, err)
		return
	}
	acc, err := s.svc.User(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withRoles(acc))
}

// apiGrantRole gives user {id} a role with its scope; a role held
// already is a conflict, a channel or enterprise that does not exist not
// found.
func (s *Server) apiGrantRole(w http.ResponseWriter, r *request) { s.apiRoleChange(w, r, false) }

// apiRevokeRole takes a role with its scope from user {id}; a role the
// user does not hold is not found.
func (s *Server) apiRevokeRole(w http.ResponseWriter, r *request) { s.apiRoleChange(w, r, true) }

// pathUser returns the account of user {id}.
func (s *Server) pathUser(r *request) (workflow.Account, error) {
	id, err := pathID(r, "user")
	if err != nil {
		return workflow.Account{}, err
	}
	return s.svc.User(r.Context(), id)
}

// apiGetUser answers with user {id} and its roles.
func (s *Server) apiGetUser(w http.ResponseWriter, r *request) {
	acc, err := s.pathUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withRoles(acc))
}

// apiDisableUser disables user {id} at the body's version (workflow
// DisableUser): it can no longer sign in, nor its API tokens. It cannot
// be undone. A stale version, or a user disabled already, is a conflict.
func (s *Server) apiDisableUser(w http.ResponseWriter, r *request) {
	acc, err := s.pathUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiVersionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := needVersion(body.Version, "user"); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.DisableUser(r.Context(), r.actor(), acc.ID, body.Version); err != nil {
		s.fail(w, r, err)
		return
	}
	if acc, err = s.svc.User(r.Context(), acc.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withRoles(acc))
}

// apiUserTokens lists user {id}'s API tokens (never the tokens
// themselves), newest first by default.
func (s *Server) apiUserTokens(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiTokenSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.pathUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.APITokens(r.Context(), acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.APIToken{}
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiTokenSorts))
}

// apiRevokeUserToken revokes API token {token} of user {id} (workflow
// RevokeAPIToken); 204. A token of another user, or revoked already, is
// not found.
func (s *Server) apiRevokeUserToken(w http.ResponseWriter, r *request) {
	acc, err := s.pathUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, perr := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if perr != nil || token <= 0 {
		s.fail(w, r, errs.New(errs.NotFound, "API token %q of user %d does not exist", r.PathValue("token"), acc.ID))
		return
	}
	if err := s.svc.RevokeAPIToken(r.Context(), r.actor(), acc.ID, token); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
