package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Applications in the API. Who sees which is decided record by record
// (api_access.go): an administrator every one, a recommender its
// channel's, an enterprise user its enterprise's.

var apiApplicationSorts = &sorter[store.Application]{def: "id", keys: map[string]func(a, b store.Application) int{
	"id":            func(a, b store.Application) int { return cmp.Compare(a.ID, b.ID) },
	"enterprise_id": func(a, b store.Application) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) },
	"status":        func(a, b store.Application) int { return cmp.Compare(a.Status, b.Status) },
	"submitted_at":  func(a, b store.Application) int { return compareTimes(a.SubmittedAt, b.SubmittedAt) },
	"updated_at":    func(a, b store.Application) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
}}

// applicationStatuses are the values ?status= accepts.
var applicationStatuses = []string{workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusWithdrawn,
	workflow.StatusReturned, workflow.StatusRecommended, workflow.StatusNotRecommended}

// queryStatus reads the optional ?status= of an application list.
func queryStatus(r *request) (string, error) {
	st := r.URL.Query().Get("status")
	if st != "" && !slices.Contains(applicationStatuses, st) {
		return "", errs.WithField("status", errs.New(errs.Invalid, "status: one of %v, not %q", applicationStatuses, st))
	}
	return st, nil
}

// apiCycleApplications lists cycle {id}'s applications: every one for an
// administrator, only its own channel's for a recommender. ?status=
// selects.
func (s *Server) apiCycleApplications(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiApplicationSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status, err := queryStatus(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var statuses []string
	if status != "" {
		statuses = []string{status}
	}
	all, err := s.svc.Applications(r.Context(), c.ID, statuses...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := slices.DeleteFunc(all, func(a store.Application) bool { return !mayRead(r, a) })
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiApplicationSorts))
}

// apiMyApplications lists the applications of the enterprises the caller
// acts for, to every cycle; ?cycle_id= and ?status= select.
func (s *Server) apiMyApplications(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiApplicationSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status, err := queryStatus(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cycleID, err := queryID(r, "cycle_id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, enterprises := scopes(r)
	ids := make([]int64, 0, len(enterprises))
	for id := range enterprises {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := []store.Application{}
	for _, id := range ids {
		apps, err := s.svc.EnterpriseApplications(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, a := range apps {
			if (status == "" || a.Status == status) && (cycleID == 0 || a.CycleID == cycleID) {
				list = append(list, a)
			}
		}
	}
	slices.SortFunc(list, func(a, b store.Application) int { return cmp.Compare(a.ID, b.ID) })
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiApplicationSorts))
}

// apiGetApplication answers with application {id}, to an administrator,
// its channel's recommender or its enterprise's users. Anyone else is
// told it does not exist (404, never 403), so that ids cannot be probed.
func (s *Server) apiGetApplication(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "application")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.readableApplication(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
