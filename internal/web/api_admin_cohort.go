package web

import (
	"cmp"
	"net/http"
	"strconv"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// A review cycle's cohort and the working-day calendar in the API, for
// administrators, as their pages show them (admin_cycle_review.go,
// admin_channels_calendar.go).

var apiCohortSorts = &sorter[workflow.CohortMember]{def: "enterprise_id", keys: map[string]func(a, b workflow.CohortMember) int{
	"enterprise_id": func(a, b workflow.CohortMember) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) },
	"reason":        func(a, b workflow.CohortMember) int { return cmp.Compare(a.Reason, b.Reason) },
}}

// apiCohort is a page of a review cycle's cohort.
type apiCohort struct {
	Program   string `json:"program"`
	Year      int    `json:"year"`
	BasisYear int    `json:"basis_year"`
	apiList[workflow.CohortMember]
}

// apiCycleCohort lists the cohort review cycle {id} re-examines
// (workflow ReviewCohort): the titles granted, or passed review, in its
// basis year, each with why it is in. An identification cycle has no
// cohort (not found).
func (s *Server) apiCycleCohort(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiCohortSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
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
		s.fail(w, r, err)
		return
	}
	members := cohort.Members
	if members == nil {
		members = []workflow.CohortMember{}
	}
	writeJSON(w, http.StatusOK, apiCohort{Program: cohort.Program, Year: cohort.Year, BasisYear: cohort.BasisYear,
		apiList: pageItems(members, lq, apiCohortSorts)})
}

// apiCalendar lists the calendar's exceptions to the working week of
// ?year= (this year by default): holidays and working weekend days, by
// day.
func (s *Server) apiCalendar(w http.ResponseWriter, r *request) {
	lq, err := parseList[store.CalendarDay](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.svc.Now().In(workflow.ChinaTime).Year()
	if v := r.URL.Query().Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1990 || y > 2200 {
			s.fail(w, r, errs.WithField("year", errs.New(errs.Invalid, "year: a year from 1990 to 2200, not %q", v)))
			return
		}
		year = y
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	days, err := s.svc.CalendarDays(r.Context(), from, from.AddDate(1, 0, -1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if days == nil {
		days = []store.CalendarDay{}
	}
	writeJSON(w, http.StatusOK, pageItems(days, lq, nil))
}

// apiCalendarRequest is the body of POST /api/v1/calendar.
type apiCalendarRequest struct {
	// From and To (YYYY-MM-DD; To may be left out for one day) are the
	// days, at most maxCalendarRun of them.
	From string `json:"from"`
	To   string `json:"to,omitempty"`
	// Kind is holiday or working.
	Kind   string `json:"kind"`
	NameZh string `json:"name_zh,omitempty"`
	NameEn string `json:"name_en,omitempty"`
}

// apiSetCalendar records the days from..to as holidays or working days
// (workflow SetCalendarDays), checked as the calendar form checks them,
// and answers with the days recorded. A refusal names the member.
func (s *Server) apiSetCalendar(w http.ResponseWriter, r *request) {
	var body apiCalendarRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	days, err := calendarRun(r, calendarIn(body))
	if err == nil {
		err = s.svc.SetCalendarDays(r.Context(), r.actor(), days...)
	}
	if err != nil {
		s.fail(w, r, namedField(err, map[string]string{"from": "from", "to": "to", "kind": "kind"}))
		return
	}
	writeJSON(w, http.StatusOK, apiList[store.CalendarDay]{Items: days, Total: len(days), Limit: len(days)})
}
