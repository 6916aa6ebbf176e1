package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Cycles in the API, for administrators: the cycles, and a cycle's engine
// results and decisions.

var apiCycleSorts = &sorter[store.Cycle]{def: "-year", keys: map[string]func(a, b store.Cycle) int{
	"id":   func(a, b store.Cycle) int { return cmp.Compare(a.ID, b.ID) },
	"year": func(a, b store.Cycle) int { return cmp.Compare(a.Year, b.Year) },
	"phase": func(a, b store.Cycle) int {
		return cmp.Compare(slices.Index(workflow.Phases, a.Phase), slices.Index(workflow.Phases, b.Phase))
	},
}}

// apiListCycles lists every cycle, newest year first by default; ?phase=
// and ?kind= select.
func (s *Server) apiListCycles(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiCycleSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	phase, kind := q.Get("phase"), q.Get("kind")
	if phase != "" && !slices.Contains(workflow.Phases, phase) {
		s.fail(w, r, errs.WithField("phase", errs.New(errs.Invalid, "phase: one of %v, not %q", workflow.Phases, phase)))
		return
	}
	if kind != "" && kind != workflow.KindIdentification && kind != workflow.KindReview {
		s.fail(w, r, errs.WithField("kind", errs.New(errs.Invalid, "kind: %q or %q, not %q", workflow.KindIdentification, workflow.KindReview, kind)))
		return
	}
	all, err := s.svc.Cycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := slices.DeleteFunc(all, func(c store.Cycle) bool {
		return phase != "" && c.Phase != phase || kind != "" && c.Kind != kind
	})
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiCycleSorts))
}

// apiGetCycle answers with cycle {id}.
func (s *Server) apiGetCycle(w http.ResponseWriter, r *request) {
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// pathCycle returns the cycle {id} names.
func (s *Server) pathCycle(r *request) (store.Cycle, error) {
	id, err := pathID(r, "cycle")
	if err != nil {
		return store.Cycle{}, err
	}
	return s.svc.Cycle(r.Context(), id)
}

// apiResults is a page of a cycle's engine results, with the run they
// come from.
type apiResults struct {
	Run store.EngineRun `json:"run"`
	apiList[store.Result]
}

var apiResultSorts = &sorter[store.Result]{def: "rank", keys: map[string]func(a, b store.Result) int{
	"enterprise_id": func(a, b store.Result) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) },
	// Unranked results (rank 0) come after the ranked ones.
	"rank": func(a, b store.Result) int {
		return cmp.Compare(rankOrder(a.Rank), rankOrder(b.Rank))
	},
	"score": func(a, b store.Result) int { return compareOptional(a.Score, b.Score) },
}}

func rankOrder(rank int) int {
	if rank == 0 {
		return int(^uint(0) >> 1)
	}
	return rank
}

// apiCycleResults answers with the results of cycle {id}'s latest engine
// run, in rank order by default; ?eligible= and ?pass= (true or false)
// select. Before the cycle was evaluated there are none: not found.
func (s *Server) apiCycleResults(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiResultSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	eligible, err := queryBool(r, "eligible")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pass, err := queryBool(r, "pass")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run, all, err := s.svc.Results(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := slices.DeleteFunc(all, func(x store.Result) bool {
		return eligible != nil && x.Eligible != *eligible || pass != nil && x.Pass != *pass
	})
	writeJSON(w, http.StatusOK, apiResults{Run: run, apiList: pageItems(list, lq, apiResultSorts)})
}

var apiDecisionSorts = &sorter[store.Decision]{def: "enterprise_id", keys: map[string]func(a, b store.Decision) int{
	"enterprise_id": func(a, b store.Decision) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) },
	"outcome":       func(a, b store.Decision) int { return cmp.Compare(a.Outcome, b.Outcome) },
	"state":         func(a, b store.Decision) int { return cmp.Compare(a.State, b.State) },
	"updated_at":    func(a, b store.Decision) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
}}

// apiCycleDecisions answers with cycle {id}'s decisions, by enterprise by
// default; ?outcome= and ?state= select.
func (s *Server) apiCycleDecisions(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiDecisionSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	outcome, state := q.Get("outcome"), q.Get("state")
	if outcome != "" && outcome != workflow.OutcomePass && outcome != workflow.OutcomeFail {
		s.fail(w, r, errs.WithField("outcome", errs.New(errs.Invalid, "outcome: %q or %q, not %q", workflow.OutcomePass, workflow.OutcomeFail, outcome)))
		return
	}
	if states := []string{workflow.DecisionDrafted, workflow.DecisionProposed, workflow.DecisionFinal}; state != "" && !slices.Contains(states, state) {
		s.fail(w, r, errs.WithField("state", errs.New(errs.Invalid, "state: one of %v, not %q", states, state)))
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.svc.Decisions(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := slices.DeleteFunc(all, func(d store.Decision) bool {
		return outcome != "" && d.Outcome != outcome || state != "" && d.State != state
	})
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiDecisionSorts))
}

// queryBool reads an optional true/false parameter (nil when absent).
func queryBool(r *request, name string) (*bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "":
		return nil, nil
	case "true", "false":
		b := v == "true"
		return &b, nil
	default:
		return nil, errs.WithField(name, errs.New(errs.Invalid, "%s: true or false, not %q", name, v))
	}
}
