package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The annual reports page: for a year, every recognition's report as
// submitted, due or overdue, with the counts and a filter by status and
// program; and the expiry of titles whose validity has run out, behind a
// confirmation that lists them.

// reportStatuses are the statuses of annual reports, in the order the
// page shows them.
var reportStatuses = []string{workflow.ReportSubmitted, workflow.ReportDue, workflow.ReportOverdue}

// maxLapsedShown bounds the titles the expiry confirmation names (it
// counts them all).
const maxLapsedShown = 100

// adminReports lists the annual reports of ?year= (by default the last
// year that is over), filtered by ?status= and ?program=.
func (s *Server) adminReports(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	programID, _ := strconv.ParseInt(q.Get("program"), 10, 64)
	status := q.Get("status")
	if !slices.Contains(reportStatuses, status) {
		status = ""
	}
	items, err := s.svc.AnnualReports(r.Context(), workflow.AnnualReportQuery{Year: year, ProgramID: programID})
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			// A year out of range: show the default year with the reason.
			items, err = s.svc.AnnualReports(r.Context(), workflow.AnnualReportQuery{ProgramID: programID})
			if err == nil {
				s.renderReports(w, r, http.StatusUnprocessableEntity, items, status, programID, r.t("setup.reports.bad_year"))
				return
			}
		}
		s.fail(w, r, err)
		return
	}
	s.renderReports(w, r, http.StatusOK, items, status, programID, "")
}

func (s *Server) renderReports(w http.ResponseWriter, r *request, code int, items []workflow.AnnualReportItem, status string, programID int64, problem string) {
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The year AnnualReports takes by default: the last one that is over.
	year := s.svc.Now().In(workflow.ChinaTime).Year() - 1
	counts := map[string]int{}
	var shown []workflow.AnnualReportItem
	for _, it := range items {
		counts[it.Status]++
		if status == "" || it.Status == status {
			shown = append(shown, it)
		}
	}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && problem == "" {
		year = y
	}
	page := pageOf(r)
	pager := newPager(r, page, len(shown))
	lo := min((page-1)*pageSize, len(shown))
	hi := min(lo+pageSize, len(shown))
	// ?expired=N is where expireRecognitions sends the browser: how many
	// titles it expired (0 is news too).
	expired, err := strconv.Atoi(r.URL.Query().Get("expired"))
	showExpired := err == nil && expired >= 0
	s.render(w, r, code, "admin_reports", map[string]any{"Items": shown[lo:hi], "Pager": pager, "Year": year,
		"Status": status, "Statuses": reportStatuses, "Counts": counts, "Total": len(items),
		"Programs": progs, "ProgramID": programID, "Error": problem, "Expired": expired, "ShowExpired": showExpired})
}

// lapsedView is a title the expiry would end, with its enterprise named.
type lapsedView struct {
	store.Recognition
	Enterprise string
}

// confirmExpireRecognitions lists the titles whose validity has run out
// by today and asks before expiring them: it cannot be undone.
func (s *Server) confirmExpireRecognitions(w http.ResponseWriter, r *request) {
	now := s.svc.Now()
	lapsed, err := s.svc.LapsedRecognitions(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	shown := make([]lapsedView, 0, min(len(lapsed), maxLapsedShown))
	for _, rec := range lapsed[:min(len(lapsed), maxLapsedShown)] {
		v := lapsedView{Recognition: rec}
		if e, _, err := s.svc.Enterprise(r.Context(), rec.EnterpriseID); err == nil {
			v.Enterprise = e.Name
		}
		shown = append(shown, v)
	}
	s.render(w, r, http.StatusOK, "admin_reports_expire", map[string]any{"Lapsed": shown, "Count": len(lapsed),
		"Today": now, "Day": chinaDay(now)})
}

// expireRecognitions expires the lapsed titles as of now. The form
// carries the day its confirmation was shown: on another day the list
// could differ, so it asks again.
func (s *Server) expireRecognitions(w http.ResponseWriter, r *request) {
	now := s.svc.Now()
	if r.PostFormValue("day") != chinaDay(now) {
		s.fail(w, r, errs.New(errs.Conflict, "%s", r.t("setup.reports.day_changed")))
		return
	}
	n, err := s.svc.ExpireRecognitions(r.Context(), r.actor(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r.Request, "/admin/reports?expired="+strconv.Itoa(n), http.StatusSeeOther)
}

// chinaDay is the calendar day of t in China, "2006-01-02".
func chinaDay(t time.Time) string { return t.In(workflow.ChinaTime).Format(time.DateOnly) }
