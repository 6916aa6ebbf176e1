package web

import (
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/workflow"
)

// A user's page: its roles with their scopes (granted and revoked here),
// its API tokens (revoked here, after a confirmation) and disabling it
// (after a confirmation: a disabled user cannot be enabled again).

// enterprisePickLimit is how many enterprises a scope search offers.
const enterprisePickLimit = 20

// adminUser shows user {id}. ?eq= searches the enterprises to grant an
// enterprise role for.
func (s *Server) adminUser(w http.ResponseWriter, r *request) {
	s.renderUser(w, r, http.StatusOK, "", "")
}

// renderUser shows user {id}'s page with the grant form's role and the
// reason it was refused, if it was.
func (s *Server) renderUser(w http.ResponseWriter, r *request, status int, grantRole, grantError string) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.svc.User(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tokens, err := s.svc.APITokens(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channels, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	eq := r.URL.Query().Get("eq")
	if eq == "" {
		eq = r.PostFormValue("eq")
	}
	var found any
	if eq != "" {
		list, err := s.svc.SearchEnterprises(r.Context(), eq, enterprisePickLimit)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		found = list
	}
	s.render(w, r, status, "admin_users_user", map[string]any{"U": acc, "RoleViews": s.scopeNamer(r).views(acc.Roles),
		"Tokens": tokens, "Channels": channels, "Roles": roleNames, "EQ": eq, "Found": found,
		"GrantRole": grantRole, "GrantError": grantError})
}

// grantRole gives user {id} a role with its scope: the channel chosen for
// a recommender, the enterprise chosen for an enterprise user, none for
// the others.
func (s *Server) grantRole(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	role := r.PostFormValue("role")
	var scope int64
	switch role {
	case workflow.RoleRecommender:
		scope, err = formInt(r, "channel")
	case workflow.RoleEnterprise:
		scope, err = formInt(r, "enterprise")
	}
	if err == nil {
		_, err = s.svc.GrantRole(r.Context(), r.actor(), id, role, scope)
	}
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict || c == errs.NotFound {
			s.renderUser(w, r, statusOf(err), role, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.users.granted")
	http.Redirect(w, r.Request, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// formInt reads a positive integer form field; a missing or malformed
// one is invalid, naming the field.
func formInt(r *request, field string) (int64, error) {
	n, err := strconv.ParseInt(r.PostFormValue(field), 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.WithField(field, errs.New(errs.Invalid, "%s: %s", field, r.t("setup.users.pick_scope")))
	}
	return n, nil
}

// revokeRole takes a role with its scope from user {id}. It can be
// granted again, so it needs no confirmation.
func (s *Server) revokeRole(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope, _ := strconv.ParseInt(r.PostFormValue("scope"), 10, 64)
	if err := s.svc.RevokeRole(r.Context(), r.actor(), id, r.PostFormValue("role"), scope); err != nil {
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.users.revoked")
	http.Redirect(w, r.Request, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// confirmDisableUser asks before disabling user {id}: it cannot be
// undone.
func (s *Server) confirmDisableUser(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.svc.User(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_users_disable", map[string]any{"U": acc, "Self": r.acc != nil && r.acc.ID == acc.ID})
}

// disableUser disables user {id} at the version the confirmation showed.
func (s *Server) disableUser(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		s.fail(w, r, errs.New(errs.Invalid, "version: the form lacks the user's version; confirm on the user's page"))
		return
	}
	if _, err := s.svc.DisableUser(r.Context(), r.actor(), id, version); err != nil {
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.users.disabled")
	http.Redirect(w, r.Request, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// confirmRevokeToken asks before revoking API token {token} of user
// {id}: the scripts using it stop working at once.
func (s *Server) confirmRevokeToken(w http.ResponseWriter, r *request) {
	id, tokenID, err := userToken(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.svc.User(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tokens, err := s.svc.APITokens(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, t := range tokens {
		if t.ID == tokenID {
			s.render(w, r, http.StatusOK, "admin_users_token", map[string]any{"U": acc, "Token": t})
			return
		}
	}
	s.fail(w, r, errs.New(errs.NotFound, "API token %d of user %s does not exist", tokenID, acc.Username))
}

// revokeToken revokes API token {token} of user {id}.
func (s *Server) revokeToken(w http.ResponseWriter, r *request) {
	id, tokenID, err := userToken(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.RevokeAPIToken(r.Context(), r.actor(), id, tokenID); err != nil {
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.users.token_revoked")
	http.Redirect(w, r.Request, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func userToken(r *request) (user, token int64, err error) {
	if user, err = pathID(r, "user"); err != nil {
		return 0, 0, err
	}
	token, err = pathInt(r, "token", "API token")
	return user, token, err
}
