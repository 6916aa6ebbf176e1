package web

import (
	"net/http"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
)

// loginForm shows the sign-in form.
func (s *Server) loginForm(w http.ResponseWriter, r *request) {
	if r.acc != nil {
		http.Redirect(w, r.Request, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", map[string]any{"Next": localPath(r.URL.Query().Get("next"))})
}

// login signs a user in: a session cookie, then back to the page that
// asked for it. Failed attempts are throttled per username and address.
func (s *Server) login(w http.ResponseWriter, r *request) {
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	next := localPath(r.PostFormValue("next"))
	userKey, addrKey := "user:"+username, "addr:"+clientAddr(r.Request)
	again := func(status int, err error) {
		s.render(w, r, status, "login", map[string]any{"Next": next, "Username": username, "Error": err.Error()})
	}
	if wait := s.throttle.wait(userKey, addrKey); wait > 0 {
		err := errTooManyAttempts(r.lang, wait)
		w.Header().Set("Retry-After", retryAfterOf(err))
		again(http.StatusTooManyRequests, err)
		return
	}
	token, sess, _, err := s.svc.SignIn(r.Context(), username, r.PostFormValue("password"), 0)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Unauthorised || c == errs.Forbidden {
			s.throttle.fail(userKey, addrKey)
			again(statusOf(err), err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.throttle.succeed(userKey)
	// A new session gets a new cookie: a token planted before sign-in
	// (session fixation) signs no one in.
	s.setSessionCookie(w, token, sess.ExpiresAt)
	http.Redirect(w, r.Request, next, http.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.svc.SignOut(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r.Request, "/", http.StatusSeeOther)
}
