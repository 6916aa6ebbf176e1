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

// The users pages: the list (search, filter by role, sort, pages) and the
// creation of a user. A user's own page, its roles and tokens, is in
// admin_users_roles.go.

// userSorts are the columns the user list sorts by.
var userSorts = []string{"username", "name", "created"}

// roleNames are the roles, in the order pages offer them.
var roleNames = []string{workflow.RoleAdmin, workflow.RoleRecommender, workflow.RoleEnterprise, workflow.RoleExpert}

// roleView is a role a user holds, with its scope named.
type roleView struct {
	store.Role
	Scope string // the channel's or the enterprise's name; "" for none
}

// userRow is a user in the list.
type userRow struct {
	workflow.Account
	RoleViews []roleView
}

// adminUsers lists the users.
func (s *Server) adminUsers(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	page := pageOf(r)
	uq := store.UserQuery{Search: q.Get("q"), Role: q.Get("role"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1",
		Limit: pageSize, Offset: (page - 1) * pageSize}
	if !slices.Contains(roleNames, uq.Role) {
		uq.Role = ""
	}
	if !slices.Contains(userSorts, uq.Sort) {
		uq.Sort = ""
	}
	users, total, err := s.svc.SearchUsers(r.Context(), uq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scopes := s.scopeNamer(r)
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{Account: u, RoleViews: scopes.views(u.Roles)}
	}
	s.render(w, r, http.StatusOK, "admin_users", map[string]any{"Users": rows, "Pager": newPager(r, page, total),
		"Role": uq.Role, "Roles": roleNames})
}

// scopeNamer names the channels and enterprises roles are scoped to,
// reading each at most once per request.
type scopeNamer struct {
	s           *Server
	r           *request
	channels    map[int64]string
	enterprises map[int64]string
}

func (s *Server) scopeNamer(r *request) *scopeNamer {
	return &scopeNamer{s: s, r: r, enterprises: map[int64]string{}}
}

func (n *scopeNamer) views(roles []store.Role) []roleView {
	out := make([]roleView, len(roles))
	for i, role := range roles {
		out[i] = roleView{Role: role}
		switch {
		case role.ChannelID != 0:
			if n.channels == nil {
				n.channels = map[int64]string{}
				if chans, err := n.s.svc.Channels(n.r.Context()); err == nil {
					for _, c := range chans {
						n.channels[c.ID] = pick(n.r.lang, c.NameZh, c.NameEn)
					}
				}
			}
			out[i].Scope = n.channels[role.ChannelID]
		case role.EnterpriseID != 0:
			name, ok := n.enterprises[role.EnterpriseID]
			if !ok {
				if e, _, err := n.s.svc.Enterprise(n.r.Context(), role.EnterpriseID); err == nil {
					name = e.Name
				}
				n.enterprises[role.EnterpriseID] = name
			}
			out[i].Scope = name
		}
		if out[i].Scope == "" && (role.ChannelID != 0 || role.EnterpriseID != 0) {
			out[i].Scope = "#" + strconv.FormatInt(role.ChannelID+role.EnterpriseID, 10)
		}
	}
	return out
}

// newUserIn is the new-user form as sent (never the password back).
type newUserIn struct{ Username, DisplayName string }

// newUserForm shows the form for a new user.
func (s *Server) newUserForm(w http.ResponseWriter, r *request) {
	s.render(w, r, http.StatusOK, "admin_users_new", map[string]any{"In": newUserIn{}, "Errors": map[string]string{}})
}

// createUser creates a user with no roles and opens its page, where roles
// are granted; a refused form comes back with the reason beside the field
// it concerns.
func (s *Server) createUser(w http.ResponseWriter, r *request) {
	in := newUserIn{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name")}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_users_new", map[string]any{"In": in,
			"Errors": map[string]string{"password2": r.t("register.mismatch")}})
		return
	}
	u, err := s.svc.CreateUser(r.Context(), r.actor(), in.Username, in.DisplayName, password)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			s.render(w, r, statusOf(err), "admin_users_new", map[string]any{"In": in,
				"Errors": map[string]string{userField(err.Error()): err.Error()}})
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.users.created")
	http.Redirect(w, r.Request, "/admin/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
}

// userField says which field of the new-user form a refusal of
// CreateUser concerns, from its message ("username …", "… the password
// …", "… display name …"); "" for the form as a whole.
func userField(msg string) string {
	switch {
	case strings.HasPrefix(msg, "username"):
		return "username"
	case strings.Contains(msg, "password"):
		return "password"
	case strings.Contains(msg, "display name"):
		return "display_name"
	}
	return ""
}
