package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The recommender's quotas in the API, as its home page shows them
// (recommender.go): for each channel the caller recommends for, how many
// applications of a cycle it may put forward and how many it has.

// apiChannelQuota is a channel's quota in a cycle and how much of it is
// used (workflow.Quota).
type apiChannelQuota struct {
	ChannelID int64 `json:"channel_id"`
	// Limit is how many applications the channel may recommend; Limited
	// is false when nothing limits it (Limit is then 0).
	Limit   int  `json:"limit"`
	Limited bool `json:"limited"`
	// Used is how many it has recommended; Left how many more it may
	// (-1: unlimited).
	Used int `json:"used"`
	Left int `json:"left"`
}

// apiCycleQuotas lists, for each channel the caller recommends for, its
// quota in cycle {id} and how much of it is used, as Recommend counts
// them. A draft cycle is not found: nobody but administrators sees it.
func (s *Server) apiCycleQuotas(w http.ResponseWriter, r *request) {
	lq, err := parseList[apiChannelQuota](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err == nil && c.Phase == workflow.PhaseDraft {
		err = errs.New(errs.NotFound, "cycle %d does not exist", c.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channels, _ := scopes(r)
	ids := make([]int64, 0, len(channels))
	for id := range channels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := make([]apiChannelQuota, 0, len(ids))
	for _, id := range ids {
		q, err := s.svc.ChannelQuota(r.Context(), c.ID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		list = append(list, apiChannelQuota{ChannelID: id, Limit: q.Limit, Limited: q.Limited, Used: q.Used, Left: q.Left()})
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, nil))
}

// apiScreening is the screening list of a cycle in the API, as the
// recommender's page shows it: the applications of the caller's channels
// (drafts left out) with their key inputs and the engine's check of the
// program's gates on each one's saved inputs.
type apiScreening struct {
	apiList[workflow.ScreeningRow]
	// Inputs are the key inputs whose values each row's values give, in
	// order; Gates is how many gates the program has.
	Inputs []workflow.KeyInput `json:"inputs"`
	Gates  int                 `json:"gates"`
}

// apiScreeningSorts are the orders of the screening list; "check" puts
// the rows that fail the most gates first, the unchecked last.
var apiScreeningSorts = &sorter[workflow.ScreeningRow]{def: "id", keys: map[string]func(a, b workflow.ScreeningRow) int{
	"id":      func(a, b workflow.ScreeningRow) int { return cmp.Compare(a.ID, b.ID) },
	"name":    screeningSorts["name"],
	"uscc":    screeningSorts["uscc"],
	"status":  screeningSorts["status"],
	"rank":    screeningSorts["rank"],
	"check":   screeningSorts["check"],
	"channel": func(a, b workflow.ScreeningRow) int { return cmp.Compare(a.ChannelID, b.ChannelID) },
}}

// apiCycleScreening lists the screening rows of cycle {id} for every
// channel the caller recommends for. A draft cycle is not found.
func (s *Server) apiCycleScreening(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiScreeningSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err == nil && c.Phase == workflow.PhaseDraft {
		err = errs.New(errs.NotFound, "cycle %d does not exist", c.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channels, _ := scopes(r)
	ids := make([]int64, 0, len(channels))
	for id := range channels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := apiScreening{Inputs: []workflow.KeyInput{}}
	rows := []workflow.ScreeningRow{}
	for _, id := range ids {
		sc, err := s.svc.Screening(r.Context(), c.ID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out.Inputs, out.Gates = sc.Inputs, sc.Gates
		for _, row := range sc.Rows {
			if slices.Contains(screenedStatuses, row.Status) {
				rows = append(rows, row)
			}
		}
	}
	out.apiList = pageItems(rows, lq, apiScreeningSorts)
	writeJSON(w, http.StatusOK, out)
}
