package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The audit log pages: a search of the log (by actor, action, entity,
// date range and text) with each entry's change shown as a diff of
// fields, and the check of the log's hash chain.

// auditIn is the audit search form as sent.
type auditIn struct {
	Actor, Action, Entity, EntityID, From, To, Text string
}

// auditEntry is one entry of the log with its diff.
type auditEntry struct {
	store.AuditRecord
	Changes []fieldChange
	Same    int // fields that did not change
}

// adminAudit searches the audit log, newest first.
func (s *Server) adminAudit(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	in := auditIn{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Entity: strings.TrimSpace(q.Get("entity")), EntityID: strings.TrimSpace(q.Get("entity_id")),
		From: q.Get("from"), To: q.Get("to"), Text: q.Get("q")}
	page := pageOf(r)
	aq := store.AuditQuery{Actor: in.Actor, Action: in.Action, Entity: in.Entity, EntityID: in.EntityID, Text: in.Text,
		Limit: pageSize, Offset: (page - 1) * pageSize}
	var problem string
	var err error
	if aq.From, err = auditDay(in.From, 0); err != nil {
		problem = "from: " + r.t("setup.cal.bad_date")
	}
	// The range includes its last day: entries before the next midnight.
	if aq.To, err = auditDay(in.To, 1); err != nil {
		problem = "to: " + r.t("setup.cal.bad_date")
	}
	var entries []auditEntry
	total := 0
	if problem == "" {
		recs, n, err := s.svc.SearchAudit(r.Context(), aq)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		total = n
		entries = auditEntries(recs)
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "admin_audit", map[string]any{"In": in, "Entries": entries, "Pager": newPager(r, page, total),
		"Error": problem, "Filtered": in != auditIn{}})
}

func auditEntries(recs []store.AuditRecord) []auditEntry {
	out := make([]auditEntry, len(recs))
	for i, rec := range recs {
		changes, same := auditDiff(rec.Before, rec.After)
		out[i] = auditEntry{AuditRecord: rec, Changes: changes, Same: same}
	}
	return out
}

// auditDay reads a date of the search form as the start of that day (plus
// days) in China's time zone, where the programs' days fall; "" is no
// bound.
func auditDay(s string, days int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, workflow.ChinaTime)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, days), nil
}

// verifyAudit checks the hash chain of the whole log and shows the
// result: the entries read and the head to note down, or the first
// broken link, why, and the entry itself when it is still there.
func (s *Server) verifyAudit(w http.ResponseWriter, r *request) {
	res, err := s.svc.VerifyAudit(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var broken []auditEntry
	if !res.OK && res.BrokenSeq > 0 {
		recs, _, err := s.svc.SearchAudit(r.Context(), store.AuditQuery{Seq: res.BrokenSeq, Limit: 1})
		if err != nil && !errs.Is(err, errs.NotFound) {
			s.fail(w, r, err)
			return
		}
		broken = auditEntries(recs)
	}
	s.render(w, r, http.StatusOK, "admin_audit_verify", map[string]any{"R": res, "Broken": broken,
		"Anchor": strconv.FormatInt(res.Head, 10) + ":" + res.HeadHash})
}
