package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/store"
)

// home is the public front page: the latest announcements.
func (s *Server) home(w http.ResponseWriter, r *request) {
	list, total, err := s.svc.Announcements(r.Context(), store.AnnouncementFilter{IssuedOnly: true, Limit: 5})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", map[string]any{"Announcements": list, "Total": total})
}

// switchLanguage sets the visitor's language and goes back to the page it
// came from (given as ?back=, a path on this site).
func (s *Server) switchLanguage(w http.ResponseWriter, r *request) {
	lang := r.PathValue("lang")
	if lang != "zh" && lang != "en" {
		s.notFound(w, r.Request)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r.Request, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// account shows the signed-in user and the roles it holds.
func (s *Server) account(w http.ResponseWriter, r *request) {
	s.render(w, r, http.StatusOK, "account", nil)
}
