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

// A cycle becomes public with its notice: before that its list is the
// administrators' working draft. The public sees the notice (the proposed
// decisions, open for objections for its working days) and, once the
// cycle is announced, the final results.

// publicCycle returns cycle {id} and its notice; a cycle without a notice
// is not found, as if it did not exist.
func (s *Server) publicCycle(r *request) (store.Cycle, store.Notice, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Cycle{}, store.Notice{}, errs.New(errs.NotFound, "cycle %q does not exist", r.PathValue("id"))
	}
	c, err := s.svc.Cycle(r.Context(), id)
	if err != nil {
		return c, store.Notice{}, err
	}
	n, err := s.svc.Notice(r.Context(), id)
	if errs.Is(err, errs.NotFound) {
		return c, n, errs.New(errs.NotFound, "cycle %d has published no notice yet", id)
	}
	return c, n, err
}

// decisionList reads the list parameters of a decision table: ?q= search,
// ?sort= and ?desc=1, ?outcome=pass|fail, ?page=.
func (s *Server) decisionList(r *request, cycleID int64, states ...string) ([]store.DecisionRow, pager, error) {
	q := r.URL.Query()
	outcome := q.Get("outcome")
	if outcome != "" && outcome != workflow.OutcomePass && outcome != workflow.OutcomeFail {
		outcome = ""
	}
	page := pageOf(r)
	rows, total, err := s.svc.DecisionRows(r.Context(), store.DecisionQuery{CycleID: cycleID, States: states, Outcome: outcome,
		Search: q.Get("q"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Limit: pageSize, Offset: (page - 1) * pageSize})
	if err != nil {
		return nil, pager{}, err
	}
	return rows, newPager(r, page, total), nil
}

// noticeOpen reports whether notice n takes objections at now.
func noticeOpen(c store.Cycle, n store.Notice, now time.Time) bool {
	return c.Phase == workflow.PhaseNotice && !now.Before(n.StartsAt) && now.Before(n.EndsAt)
}

// cycleNotice is the public notice of a cycle: the proposed decisions,
// the period, and a way to object while it runs.
func (s *Server) cycleNotice(w http.ResponseWriter, r *request) {
	c, n, err := s.publicCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, p, err := s.decisionList(r, c.ID, workflow.DecisionProposed, workflow.DecisionFinal)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The last day of the notice: EndsAt is the instant it closes.
	last := n.EndsAt.Add(-time.Nanosecond)
	s.render(w, r, http.StatusOK, "cycle_notice", map[string]any{"Cycle": c, "Notice": n, "Rows": rows, "Pager": p,
		"Open": noticeOpen(c, n, s.svc.Now()), "Last": &last, "Outcome": r.URL.Query().Get("outcome")})
}

// cycleResults is the final list of an announced cycle.
func (s *Server) cycleResults(w http.ResponseWriter, r *request) {
	c, n, err := s.publicCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Phase != workflow.PhaseAnnounced && c.Phase != workflow.PhaseClosed {
		s.fail(w, r, errs.New(errs.NotFound, "cycle %d is not announced yet: see its notice", c.ID))
		return
	}
	rows, p, err := s.decisionList(r, c.ID, workflow.DecisionFinal)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cycle_results", map[string]any{"Cycle": c, "Notice": n, "Rows": rows, "Pager": p,
		"Outcome": r.URL.Query().Get("outcome")})
}

// objectionForm is the form to object to one listed enterprise's
// proposed decision (?enterprise=ID), during the notice.
func (s *Server) objectionForm(w http.ResponseWriter, r *request) {
	c, n, err := s.publicCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderObjection(w, r, http.StatusOK, c, n, workflow.Filing{EnterpriseID: parseID(r.URL.Query().Get("enterprise"))}, "")
}

// fileObjection files an objection; a refused one comes back in its form
// with the reason.
func (s *Server) fileObjection(w http.ResponseWriter, r *request) {
	c, n, err := s.publicCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := workflow.Filing{NoticeID: n.ID, EnterpriseID: parseID(r.PostFormValue("enterprise")),
		FilerName: r.PostFormValue("name"), FilerContact: r.PostFormValue("contact"), Grounds: r.PostFormValue("grounds")}
	o, err := s.svc.FileObjection(r.Context(), f)
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderObjection(w, r, statusOf(err), c, n, f, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusCreated, "objection_filed", map[string]any{"Cycle": c, "Notice": n, "Objection": o})
}

// renderObjection shows the objection form with the listed enterprise it
// concerns.
func (s *Server) renderObjection(w http.ResponseWriter, r *request, status int, c store.Cycle, n store.Notice, f workflow.Filing, problem string) {
	var listed *store.DecisionRow
	if f.EnterpriseID != 0 {
		rows, _, err := s.svc.DecisionRows(r.Context(), store.DecisionQuery{CycleID: c.ID, States: []string{workflow.DecisionProposed}, Limit: 1,
			Search: s.enterpriseCode(r, f.EnterpriseID)})
		if err == nil && len(rows) == 1 && rows[0].EnterpriseID == f.EnterpriseID {
			listed = &rows[0]
		}
	}
	s.render(w, r, status, "objection_form", map[string]any{"Cycle": c, "Notice": n, "Filing": f, "Listed": listed,
		"Open": noticeOpen(c, n, s.svc.Now()), "Error": problem})
}

// enterpriseCode is enterprise id's credit code ("" when unknown), to
// find its row in the notice.
func (s *Server) enterpriseCode(r *request, id int64) string {
	e, _, err := s.svc.Enterprise(r.Context(), id)
	if err != nil {
		return "-"
	}
	return e.USCC
}

func parseID(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
