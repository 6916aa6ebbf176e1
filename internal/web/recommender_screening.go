package web

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The screening list of one cycle: the channel's applications with their
// status, key inputs and the check of the program's gates, searchable,
// sortable and paged, with the quota and the forms that recommend, do not
// recommend and return.

// screeningSorts are the orders of the screening list (?sort=); ties fall
// back to the application id, so pages do not shuffle.
var screeningSorts = map[string]func(a, b workflow.ScreeningRow) int{
	"":       func(a, b workflow.ScreeningRow) int { return 0 },
	"name":   func(a, b workflow.ScreeningRow) int { return strings.Compare(a.EnterpriseName, b.EnterpriseName) },
	"uscc":   func(a, b workflow.ScreeningRow) int { return strings.Compare(a.USCC, b.USCC) },
	"status": func(a, b workflow.ScreeningRow) int { return strings.Compare(a.Status, b.Status) },
	"submitted": func(a, b workflow.ScreeningRow) int {
		return compareTimes(a.SubmittedAt, b.SubmittedAt)
	},
	// Unranked rows after the ranked ones.
	"rank": func(a, b workflow.ScreeningRow) int {
		return cmp.Compare(rankOrder(a.RecommendRank), rankOrder(b.RecommendRank))
	},
	// Failing rows first, the most failures first; unchecked last.
	"check": func(a, b workflow.ScreeningRow) int { return cmp.Compare(checkOrder(a), checkOrder(b)) },
}

func checkOrder(r workflow.ScreeningRow) int {
	if !r.Checked {
		return 1 << 20
	}
	return -len(r.Failed)
}

// screenedStatuses are the statuses the list shows: a draft is the
// enterprise's own work until it is submitted.
var screenedStatuses = []string{workflow.StatusSubmitted, workflow.StatusReturned, workflow.StatusRecommended,
	workflow.StatusNotRecommended, workflow.StatusWithdrawn}

// recommenderCycle is the screening list of cycle {id} for the caller's
// channel.
func (s *Server) recommenderCycle(w http.ResponseWriter, r *request) {
	c, chID, err := s.recommenderCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderScreening(w, r, http.StatusOK, c, chID, "")
}

// renderScreening shows the screening list with status and, when set,
// the refusal problem; applications selected in the form sent stay
// selected.
func (s *Server) renderScreening(w http.ResponseWriter, r *request, status int, c store.Cycle, chID int64, problem string) {
	q := r.URL.Query()
	sortKey, filter, check := q.Get("sort"), q.Get("status"), q.Get("check")
	by, ok := screeningSorts[sortKey]
	if !ok {
		s.fail(w, r, errs.New(errs.Invalid, "sort %q: sort by name, uscc, status, submitted, rank or check", sortKey))
		return
	}
	sc, err := s.svc.Screening(r.Context(), c.ID, chID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	drafts := 0
	words := strings.Fields(strings.ToLower(q.Get("q")))
	rows := slices.DeleteFunc(slices.Clone(sc.Rows), func(x workflow.ScreeningRow) bool {
		if x.Status == workflow.StatusDraft {
			drafts++
			return true
		}
		if filter != "" && x.Status != filter ||
			check == "fail" && (!x.Checked || len(x.Failed) == 0) ||
			check == "pass" && (!x.Checked || len(x.Failed) > 0) {
			return true
		}
		for _, word := range words {
			if !strings.Contains(strings.ToLower(x.EnterpriseName), word) && !strings.Contains(strings.ToLower(x.USCC), word) {
				return true
			}
		}
		return false
	})
	desc := q.Get("desc") == "1"
	slices.SortStableFunc(rows, func(a, b workflow.ScreeningRow) int {
		n := by(a, b)
		if desc {
			n = -n
		}
		if n == 0 {
			n = cmp.Compare(a.ID, b.ID)
		}
		return n
	})
	page := pageOf(r)
	p := newPager(r, page, len(rows))
	from := min((page-1)*pageSize, len(rows))
	selected := map[int64]bool{}
	for _, v := range r.PostForm["app"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			selected[id] = true
		}
	}
	var items []screeningItem
	for _, x := range rows[from:min(from+pageSize, len(rows))] {
		it := screeningItem{ScreeningRow: x, Selected: selected[x.ID]}
		for _, v := range x.Values {
			it.Shown = append(it.Shown, formatValue(v))
		}
		items = append(items, it)
	}
	s.render(w, r, status, "recommender_cycle", map[string]any{"Cycle": c, "S": sc, "Rows": items,
		"Pager": p, "Status": filter, "Check": check, "Statuses": screenedStatuses, "Drafts": drafts,
		"Error": problem, "Screening": slices.Contains(screeningPhases, c.Phase),
		"Recommending": c.Phase == workflow.PhaseRecommendation, "Returning": c.Phase == workflow.PhaseOpen})
}

// screeningItem is a row of the screening list as the page shows it.
type screeningItem struct {
	workflow.ScreeningRow
	Shown    []string // the key inputs' values, formatted
	Selected bool     // ticked in the form that came back refused
}

// formatValue shows a number as people read it: with thousands
// separators, to at most two decimals; "—" when missing. The column's
// header names the unit.
func formatValue(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return "—"
	}
	return scoring.FormatValue(math.Round(*v*100)/100, "", "en")
}
