package web

import (
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/report"
	"github.com/exemplar/exemplar/internal/store"
)

// announcementList is the public list of issued announcements, newest
// first, with a title search.
func (s *Server) announcementList(w http.ResponseWriter, r *request) {
	q := r.URL.Query().Get("q")
	page := pageOf(r)
	list, total, err := s.svc.Announcements(r.Context(), store.AnnouncementFilter{IssuedOnly: true, Search: q,
		Limit: pageSize, Offset: (page - 1) * pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "announcements", map[string]any{"Announcements": list, "Pager": newPager(r, page, total)})
}

// announcementID reads the {id} of the path; a malformed one is not found.
func announcementID(r *request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "announcement %q does not exist", r.PathValue("id"))
	}
	return id, nil
}

// publicAnnouncement returns issued announcement id; a draft is not found
// for anyone but an administrator.
func (s *Server) publicAnnouncement(r *request, count bool) (store.Announcement, error) {
	id, err := announcementID(r)
	if err != nil {
		return store.Announcement{}, err
	}
	var a store.Announcement
	if count {
		a, err = s.views.read(r.Context(), id)
	} else {
		a, _, err = s.views.get(r.Context(), id)
	}
	if err != nil {
		return a, err
	}
	if a.IssuedAt == nil && !(page{User: r.acc}).Has("admin") {
		return store.Announcement{}, errs.New(errs.NotFound, "announcement %d does not exist", id)
	}
	return a, nil
}

// announcementPage shows one announcement with its time of issue, view
// count (this read included) and the QR code of its address.
func (s *Server) announcementPage(w http.ResponseWriter, r *request) {
	a, err := s.publicAnnouncement(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "announcement", map[string]any{"A": a, "URL": s.publicURL(r, "/announcements/"+strconv.FormatInt(a.ID, 10))})
}

// announcementQR is the QR code (SVG) that opens the announcement on a
// phone.
func (s *Server) announcementQR(w http.ResponseWriter, r *request) {
	a, err := s.publicAnnouncement(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	svg, err := report.QRSVG(s.publicURL(r, "/announcements/"+strconv.FormatInt(a.ID, 10)))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(svg)
}

// publicURL is the address of path on the public site: Config.BaseURL,
// or the scheme and host the request came to.
func (s *Server) publicURL(r *request, path string) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL + path
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
