package web

import (
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// adminAnnouncements lists every announcement, drafts first.
func (s *Server) adminAnnouncements(w http.ResponseWriter, r *request) {
	q := r.URL.Query().Get("q")
	page := pageOf(r)
	list, total, err := s.svc.Announcements(r.Context(), store.AnnouncementFilter{Search: q, Limit: pageSize, Offset: (page - 1) * pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_announcements", map[string]any{"Announcements": list, "Pager": newPager(r, page, total)})
}

// newAnnouncementForm shows the form for a news announcement.
func (s *Server) newAnnouncementForm(w http.ResponseWriter, r *request) {
	s.render(w, r, http.StatusOK, "announcement_form", map[string]any{"Spec": workflow.AnnouncementSpec{}})
}

// createAnnouncement saves a news announcement as a draft; a refused one
// comes back in its form with the message.
func (s *Server) createAnnouncement(w http.ResponseWriter, r *request) {
	spec := workflow.AnnouncementSpec{TitleZh: r.PostFormValue("title_zh"), TitleEn: r.PostFormValue("title_en"),
		BodyZh: r.PostFormValue("body_zh"), BodyEn: r.PostFormValue("body_en")}
	if _, err := s.svc.CreateAnnouncement(r.Context(), r.actor(), spec); err != nil {
		if errs.Is(err, errs.Invalid) {
			s.render(w, r, statusOf(err), "announcement_form", map[string]any{"Spec": spec, "Error": err.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "admin.ann.saved")
	http.Redirect(w, r.Request, "/admin/announcements", http.StatusSeeOther)
}

// confirmIssueAnnouncement asks before issuing: the public sees it at once
// and the time of issue cannot change.
func (s *Server) confirmIssueAnnouncement(w http.ResponseWriter, r *request) {
	id, err := announcementID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.Announcement(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "announcement_issue", map[string]any{"A": a})
}

// issueAnnouncement publishes a draft.
func (s *Server) issueAnnouncement(w http.ResponseWriter, r *request) {
	id, err := announcementID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		s.fail(w, r, errs.New(errs.Invalid, "version: the form lacks the announcement's version; reload the page"))
		return
	}
	if _, err := s.svc.IssueAnnouncement(r.Context(), r.actor(), id, version); err != nil {
		s.fail(w, r, err)
		return
	}
	s.views.forget(id)
	flash(w, "admin.ann.done")
	http.Redirect(w, r.Request, "/announcements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
