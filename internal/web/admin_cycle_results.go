package web

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The results table of a cycle's latest engine run, for administrators:
// every evaluated enterprise with its total, its framework scores, the
// gates it failed and its outcome; sortable by the total and by any
// node's score, filtered by channel and by failed gate, searched, paged.
//
// The whole run is loaded (workflow keeps its parsed results, so this is
// one light query), filtered and sorted in Go, and one page is rendered:
// for a run of 10,000 enterprises that is a few milliseconds of sorting.

// resultItem is one row of the page.
type resultItem struct {
	workflow.ResultRow
	Shown  []string // the scores of the columns shown, formatted
	Total  string
	Failed []string // the names of the gates failed
}

// resultColumn is a framework node shown as a column.
type resultColumn struct {
	Index int // in ResultTable.Nodes
	workflow.ResultNode
}

// resultFilter is a gate the filter offers, with how many failed it.
type resultFilter struct {
	workflow.ResultGate
	Failed int
}

// adminCycleResults shows the results table of cycle {id}. Parameters:
// ?q= (name or code), ?channel= (a channel code), ?gate= (a gate id: the
// enterprises that failed it; "any": those that failed one; "none": the
// eligible), ?sort= (rank, total, name, uscc, channel, or node:ID for a
// framework node's score) with ?desc=1, and ?page=.
func (s *Server) adminCycleResults(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	t, err := s.svc.ResultTable(r.Context(), c.ID)
	if errs.Is(err, errs.NotFound) {
		s.render(w, r, http.StatusOK, "admin_cycle_results", map[string]any{"Cycle": c, "None": true})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	by, err := resultOrder(q.Get("sort"), t.Nodes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channel, gate := q.Get("channel"), q.Get("gate")
	words := strings.Fields(strings.ToLower(q.Get("q")))
	failed := map[string]int{}
	channels := map[string]string{}
	rows := make([]workflow.ResultRow, 0, len(t.Rows))
	for _, x := range t.Rows {
		for _, g := range x.Failed {
			failed[g]++
		}
		if x.ChannelCode != "" {
			channels[x.ChannelCode] = pick(r.lang, x.ChannelNameZh, x.ChannelNameEn)
		}
		if channel != "" && x.ChannelCode != channel || !gateMatches(gate, x.Failed) || !wordsMatch(words, x.Name, x.USCC) {
			continue
		}
		rows = append(rows, x)
	}
	desc := q.Get("desc") == "1"
	slices.SortFunc(rows, func(a, b workflow.ResultRow) int {
		ma, mb := by.missing(a), by.missing(b)
		var n int
		switch {
		case ma && !mb:
			return 1
		case mb && !ma:
			return -1
		case !ma:
			n = by.cmp(a, b)
		}
		if desc {
			n = -n
		}
		if n == 0 {
			n = strings.Compare(a.USCC, b.USCC)
		}
		return n
	})
	page := pageOf(r)
	from := min((page-1)*pageSize, len(rows))
	var cols []resultColumn
	for i, n := range t.Nodes {
		if n.Depth == 1 {
			cols = append(cols, resultColumn{Index: i, ResultNode: n})
		}
	}
	gateNames := map[string]string{}
	var filters []resultFilter
	for _, g := range t.Gates {
		gateNames[g.ID] = pick(r.lang, g.NameZh, g.NameEn)
		filters = append(filters, resultFilter{ResultGate: g, Failed: failed[g.ID]})
	}
	items := make([]resultItem, 0, pageSize)
	for _, x := range rows[from:min(from+pageSize, len(rows))] {
		it := resultItem{ResultRow: x, Total: formatScore(x.Score)}
		for _, col := range cols {
			v := x.Scores[col.Index]
			it.Shown = append(it.Shown, formatScore(&v))
		}
		for _, g := range x.Failed {
			it.Failed = append(it.Failed, cmp.Or(gateNames[g], g))
		}
		items = append(items, it)
	}
	codes := make([]string, 0, len(channels))
	for code := range channels {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	s.render(w, r, http.StatusOK, "admin_cycle_results", map[string]any{"Cycle": c, "Table": t, "Rows": items, "Columns": cols,
		"Gates": filters, "Channels": codes, "ChannelNames": channels, "Channel": channel, "Gate": gate,
		"Sort": q.Get("sort"), "Desc": desc, "Pager": newPager(r, page, len(rows)), "All": len(t.Rows)})
}

// resultSort is an order of the results table: cmp compares two rows
// that both have a value; rows for which missing says they have none
// (not scored, not ranked) come last whichever the direction.
type resultSort struct {
	cmp     func(a, b workflow.ResultRow) int
	missing func(x workflow.ResultRow) bool
}

// resultOrder returns the order of ?sort=key.
func resultOrder(key string, nodes []workflow.ResultNode) (resultSort, error) {
	never := func(workflow.ResultRow) bool { return false }
	switch key {
	case "", "rank":
		return resultSort{func(a, b workflow.ResultRow) int { return cmp.Compare(a.Rank, b.Rank) },
			func(x workflow.ResultRow) bool { return x.Rank == 0 }}, nil
	case "total":
		return resultSort{func(a, b workflow.ResultRow) int { return cmp.Compare(*a.Score, *b.Score) },
			func(x workflow.ResultRow) bool { return x.Score == nil || math.IsNaN(*x.Score) }}, nil
	case "name":
		return resultSort{func(a, b workflow.ResultRow) int { return strings.Compare(a.Name, b.Name) }, never}, nil
	case "uscc":
		return resultSort{func(a, b workflow.ResultRow) int { return strings.Compare(a.USCC, b.USCC) }, never}, nil
	case "channel":
		return resultSort{func(a, b workflow.ResultRow) int { return strings.Compare(a.ChannelCode, b.ChannelCode) }, never}, nil
	}
	if id, ok := strings.CutPrefix(key, "node:"); ok {
		for i, n := range nodes {
			if n.ID == id {
				return resultSort{func(a, b workflow.ResultRow) int { return cmp.Compare(a.Scores[i], b.Scores[i]) },
					func(x workflow.ResultRow) bool { return math.IsNaN(x.Scores[i]) }}, nil
			}
		}
	}
	return resultSort{}, errs.New(errs.Invalid, "sort %q: sort by rank, total, name, uscc, channel or node:ID of a framework node", key)
}

// gateMatches applies the gate filter to a row's failed gates.
func gateMatches(gate string, failed []string) bool {
	switch gate {
	case "":
		return true
	case "any":
		return len(failed) > 0
	case "none":
		return len(failed) == 0
	}
	return slices.Contains(failed, gate)
}

// wordsMatch reports whether every word occurs in one of texts (case
// ignored).
func wordsMatch(words []string, texts ...string) bool {
	for _, w := range words {
		found := false
		for _, t := range texts {
			if strings.Contains(strings.ToLower(t), w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// formatScore shows a score with two decimals, "—" when there is none.
func formatScore(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// splitWords splits a search into lower-case words.
func splitWords(q string) []string { return strings.Fields(strings.ToLower(q)) }
