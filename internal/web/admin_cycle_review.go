package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The pages only a review cycle has: its cohort, and the titles it
// revokes.

// cohortItem is a member of a review cycle's cohort with its enterprise.
type cohortItem struct {
	workflow.CohortMember
	Enterprise store.Enterprise
}

// adminCohort shows the cohort a review cycle re-examines — computed from
// the recognitions — and, while the cycle is a draft, the step that opens
// it with one application per member. ?q= searches, ?page= pages.
func (s *Server) adminCohort(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Kind != workflow.KindReview {
		s.fail(w, r, errs.New(errs.NotFound, "cycle %d is an identification cycle: only a review cycle has a cohort", c.ID))
		return
	}
	cohort, err := s.svc.ReviewCohort(r.Context(), c.ProgramVersionID, c.Year)
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			s.render(w, r, statusOf(err), "admin_cycle_cohort", map[string]any{"Cycle": c, "Error": err.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	ids := make([]int64, len(cohort.Members))
	for i, m := range cohort.Members {
		ids[i] = m.EnterpriseID
	}
	ents, err := s.svc.EnterprisesByID(r.Context(), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	words := splitWords(r.URL.Query().Get("q"))
	var items []cohortItem
	for _, m := range cohort.Members {
		e := ents[m.EnterpriseID]
		if wordsMatch(words, e.Name, e.USCC) {
			items = append(items, cohortItem{CohortMember: m, Enterprise: e})
		}
	}
	page := pageOf(r)
	from := min((page-1)*pageSize, len(items))
	s.render(w, r, http.StatusOK, "admin_cycle_cohort", map[string]any{"Cycle": c, "Cohort": cohort, "Members": items[from:min(from+pageSize, len(items))],
		"Pager": newPager(r, page, len(items)), "Draft": c.Phase == workflow.PhaseDraft})
}

// adminRevocations lists a review cycle's fail decisions: titles revoked
// once final, proposed or drafted revocations before. The public list's
// parameters work as there.
func (s *Server) adminRevocations(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Kind != workflow.KindReview {
		s.fail(w, r, errs.New(errs.NotFound, "cycle %d is an identification cycle: only a review revokes titles", c.ID))
		return
	}
	q := r.URL.Query()
	page := pageOf(r)
	rows, total, err := s.svc.DecisionRows(r.Context(), store.DecisionQuery{CycleID: c.ID, Outcome: workflow.OutcomeFail,
		Search: q.Get("q"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Limit: pageSize, Offset: (page - 1) * pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_cycle_revocations", map[string]any{"Cycle": c, "Rows": rows, "Pager": newPager(r, page, total)})
}
