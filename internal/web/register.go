package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/workflow"
)

// registerForm shows the form an enterprise opens its account with.
func (s *Server) registerForm(w http.ResponseWriter, r *request) {
	s.renderRegister(w, r, http.StatusOK, workflow.SignUp{}, "")
}

// register opens an enterprise's account and signs its first user in; a
// refused form comes back filled in (but for the password), with the
// reason.
func (s *Server) register(w http.ResponseWriter, r *request) {
	in := workflow.SignUp{USCC: r.PostFormValue("uscc"), Name: r.PostFormValue("name"), Channel: r.PostFormValue("channel"),
		Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Password: r.PostFormValue("password")}
	if in.Password != r.PostFormValue("password2") {
		in.Password = ""
		s.renderRegister(w, r, http.StatusUnprocessableEntity, in, r.t("register.mismatch"))
		return
	}
	if _, _, err := s.svc.SignUpEnterprise(r.Context(), in); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict || c == errs.NotFound {
			in.Password = ""
			s.renderRegister(w, r, statusOf(err), in, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	token, sess, _, err := s.svc.SignIn(r.Context(), in.Username, in.Password, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSessionCookie(w, token, sess.ExpiresAt)
	flash(w, "register.done")
	http.Redirect(w, r.Request, "/account", http.StatusSeeOther)
}

func (s *Server) renderRegister(w http.ResponseWriter, r *request, status int, in workflow.SignUp, problem string) {
	channels, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "register", map[string]any{"In": in, "Channels": channels, "Error": problem})
}
