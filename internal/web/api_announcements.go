package web

import (
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Announcements in the API: the public reads the issued ones; an
// administrator also sees drafts, writes them and issues them.

// maxAnnouncementBody bounds the body of POST /api/v1/announcements: two
// bodies of workflow's largest (a million characters, up to four bytes
// each in UTF-8) and their titles.
const maxAnnouncementBody = 9 << 20

// apiListAnnouncements lists announcements newest issue first, with
// ?q= (words of the title) and ?kind= (news or results). The public sees
// issued announcements only; an administrator sees drafts too, first.
func (s *Server) apiListAnnouncements(w http.ResponseWriter, r *request) {
	lq, err := parseList[store.Announcement](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && kind != workflow.AnnouncementNews && kind != workflow.AnnouncementResults {
		s.fail(w, r, errs.WithField("kind", errs.New(errs.Invalid, "kind: %q or %q, not %q",
			workflow.AnnouncementNews, workflow.AnnouncementResults, kind)))
		return
	}
	cycleID, err := queryID(r, "cycle_id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.svc.Announcements(r.Context(), store.AnnouncementFilter{IssuedOnly: !hasRole(r, workflow.RoleAdmin),
		Kind: kind, CycleID: cycleID, Search: q.Get("q"), Limit: lq.limit, Offset: lq.offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Announcement{}
	}
	writeJSON(w, http.StatusOK, apiList[store.Announcement]{Items: list, Total: total, Limit: lq.limit, Offset: lq.offset})
}

// apiGetAnnouncement answers with announcement {id}; a draft is not found
// for anyone but an administrator. Reading it here is not counted as a
// view: views count people reading the page.
func (s *Server) apiGetAnnouncement(w http.ResponseWriter, r *request) {
	a, err := s.publicAnnouncement(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiAnnouncementSpec is the body of POST /api/v1/announcements.
type apiAnnouncementSpec struct {
	TitleZh string `json:"title_zh"`
	TitleEn string `json:"title_en,omitempty"`
	BodyZh  string `json:"body_zh,omitempty"`
	BodyEn  string `json:"body_en,omitempty"`
}

// apiCreateAnnouncement writes a news announcement as a draft and answers
// 201 with it.
func (s *Server) apiCreateAnnouncement(w http.ResponseWriter, r *request) {
	var body apiAnnouncementSpec
	if err := decodeJSON(w, r, maxAnnouncementBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.CreateAnnouncement(r.Context(), r.actor(), workflow.AnnouncementSpec(body))
	if err != nil {
		s.fail(w, r, namedField(err, map[string]string{"title_zh": "title_zh"}))
		return
	}
	writeCreated(w, "/api/v1/announcements/"+strconv.FormatInt(a.ID, 10), a)
}

// apiVersionRequest is the body of a request that changes a record at
// the version the caller read.
type apiVersionRequest struct {
	Version int64 `json:"version"`
}

// apiIssueAnnouncement issues draft announcement {id} at the body's
// version: the public sees it from now on. Issuing twice, or at a stale
// version, is a conflict.
func (s *Server) apiIssueAnnouncement(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "announcement")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiVersionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := needVersion(body.Version, "announcement"); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.IssueAnnouncement(r.Context(), r.actor(), id, body.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.views.forget(id)
	writeJSON(w, http.StatusOK, a)
}
