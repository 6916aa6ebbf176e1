package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

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
	return a, visible(r, a)
}

// visible refuses a draft to anyone but an administrator, as not found.
func visible(r *request, a store.Announcement) error {
	if a.IssuedAt == nil && !(page{User: r.acc}).Has("admin") {
		return errs.New(errs.NotFound, "announcement %d does not exist", a.ID)
	}
	return nil
}

// announcementPage shows one announcement with its time of issue, view
// count (this read included) and the QR code of its address.
//
// Rendering the page (a results announcement lists every enterprise) costs
// far more than counting the read, so an anonymous reader's page is
// rendered once per cached announcement, language and site address, cut
// around its view count, and each reader gets it with the count filled in
// (see viewCounter). Everything else on that page is the same for every
// anonymous reader of its address; pages for a signed-in user, with a
// flash message or another address (a query string) are rendered each
// time.
func (s *Server) announcementPage(w http.ResponseWriter, r *request) {
	id, err := announcementID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, c, err := s.views.readEntry(r.Context(), id)
	if err == nil {
		err = visible(r, a)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path := "/announcements/" + strconv.FormatInt(a.ID, 10)
	url := s.publicURL(r, path)
	if !keepsPage(r, a, path) {
		s.render(w, r, http.StatusOK, "announcement", map[string]any{"A": a, "URL": url})
		return
	}
	key := r.lang + " " + url
	p := c.page(key)
	if p == nil {
		if p = s.splitAnnouncement(r, a, url); p == nil {
			s.render(w, r, http.StatusOK, "announcement", map[string]any{"A": a, "URL": url})
			return
		}
		s.views.keepPage(c, key, p)
	}
	count := formatInt(a.Views)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	h.Set("Content-Length", strconv.Itoa(len(p.head)+len(count)+len(p.tail)))
	w.WriteHeader(http.StatusOK)
	// One write of the whole page: three would cost the connection an
	// extra system call.
	buf := pageBuffers.Get().(*[]byte)
	b := append(append(append((*buf)[:0], p.head...), count...), p.tail...)
	_, _ = w.Write(b)
	*buf = b
	pageBuffers.Put(buf)
}

// pageBuffers hold kept pages put back together for one reader.
var pageBuffers = sync.Pool{New: func() any { return new([]byte) }}

// keepsPage reports whether announcement a's page for r may be the kept
// one: an issued announcement, an anonymous reader (the layout shows no
// account and no form token), no flash message to show, and the page's
// own address (the layout's language switch links back to it).
func keepsPage(r *request, a store.Announcement, path string) bool {
	if a.IssuedAt == nil || r.acc != nil || r.URL.RequestURI() != path {
		return false
	}
	_, err := r.Cookie("exemplar_flash")
	return err != nil
}

// Stand-ins rendered where the view count and the reader's form token
// would be, to find (and make sure of) what differs between readers.
const (
	viewsStandIn int64 = 8_420_630_197_531_864_209
	csrfStandIn        = "csrf-stand-in-5f0c9e27a1d84b36"
)

// splitAnnouncement renders a's page for r's language and address with a
// stand-in view count, and cuts it there. It returns nil (render for each
// reader) when the stand-in does not appear exactly once, or when the
// page shows the reader's form token.
func (s *Server) splitAnnouncement(r *request, a store.Announcement, url string) *splitPage {
	t, ok := s.pages.byName["announcement"]
	if !ok {
		return nil
	}
	a.Views = viewsStandIn
	var buf bytes.Buffer
	p := page{Lang: r.lang, CSRF: csrfStandIn, Path: r.URL.RequestURI(), Data: map[string]any{"A": a, "URL": url}}
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil
	}
	out, mark := buf.Bytes(), []byte(formatInt(viewsStandIn))
	if bytes.Count(out, mark) != 1 || bytes.Contains(out, []byte(csrfStandIn)) {
		return nil
	}
	i := bytes.Index(out, mark)
	return &splitPage{head: bytes.Clone(out[:i]), tail: bytes.Clone(out[i+len(mark):])}
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
