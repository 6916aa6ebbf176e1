package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Annual reports in the API: an enterprise lists the reports it filed
// and owes, reads one it filed and files one, as its reports pages do
// (enterprise_reports.go); an administrator lists a year's reports and
// reads any. A title of another enterprise is not found, exactly like
// one that does not exist.

// apiReportReaders may read a filed report: administrators any, an
// enterprise its own titles' (see apiReportRecognition).
var apiReportReaders = &access{name: "administrators and enterprises", signIn: true,
	roles: []string{workflow.RoleAdmin, workflow.RoleEnterprise}}

var apiReportSorts = &sorter[workflow.AnnualReportItem]{def: "-year", keys: map[string]func(a, b workflow.AnnualReportItem) int{
	"year":   func(a, b workflow.AnnualReportItem) int { return cmp.Compare(a.Year, b.Year) },
	"due_on": func(a, b workflow.AnnualReportItem) int { return a.DueOn.Compare(b.DueOn) },
	"status": func(a, b workflow.AnnualReportItem) int { return cmp.Compare(a.Status, b.Status) },
	"enterprise_uscc": func(a, b workflow.AnnualReportItem) int {
		return cmp.Compare(a.EnterpriseUSCC, b.EnterpriseUSCC)
	},
}}

// queryReportStatus reads the optional ?status= of a report list.
func queryReportStatus(r *request) (string, error) {
	st := r.URL.Query().Get("status")
	if st != "" && !slices.Contains(reportStatuses, st) {
		return "", errs.WithField("status", errs.New(errs.Invalid, "status: one of %v, not %q", reportStatuses, st))
	}
	return st, nil
}

// apiMyReports lists the annual reports the caller's enterprises filed
// and owe (submitted, due, overdue), for every year of their titles that
// is over, newest year first by default; ?status= selects.
func (s *Server) apiMyReports(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiReportSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status, err := queryReportStatus(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := eachOwnEnterprise(r, func(id int64) ([]workflow.AnnualReportItem, error) {
		return s.svc.EnterpriseAnnualReports(r.Context(), id)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list = slices.DeleteFunc(list, func(it workflow.AnnualReportItem) bool { return status != "" && it.Status != status })
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiReportSorts))
}

// apiReports lists, for an administrator, the annual reports on ?year=
// (by default the last year that is over): every report filed and one
// row for each standing title that owes one (workflow AnnualReports);
// ?status= and ?program_id= select. A year outside 1990–2200 is invalid.
func (s *Server) apiReports(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiReportSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status, err := queryReportStatus(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	programID, err := queryID(r, "program_id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := 0
	if v := r.URL.Query().Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil {
			s.fail(w, r, errs.WithField("year", errs.New(errs.Invalid, "year: a year such as 2024, not %q", v)))
			return
		}
	}
	items, err := s.svc.AnnualReports(r.Context(), workflow.AnnualReportQuery{Year: year, ProgramID: programID, Status: status})
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("year", err) // the only thing it refuses: a year out of range
		}
		s.fail(w, r, err)
		return
	}
	if items == nil {
		items = []workflow.AnnualReportItem{}
	}
	// The workflow's order (program, enterprise code) is kept for ties.
	writeJSON(w, http.StatusOK, pageItems(items, lq, apiReportSorts))
}

// apiFiledReport is an annual report as filed, with the title it was
// filed under and the enterprise.
type apiFiledReport struct {
	Report      store.AnnualReport `json:"report"`
	Recognition store.Recognition  `json:"recognition"`
	Enterprise  store.Enterprise   `json:"enterprise"`
	// Program is the name of the title's program; none for a title
	// loaded from history.
	Program string `json:"program,omitempty"`
	// Late: filed after its due day.
	Late bool `json:"late"`
}

// apiReportRecognition returns the recognition {id} and the {year} of the
// path when the caller may reach it: an administrator any when admins is
// set, an enterprise user its enterprises' titles. Any other is not found, with the message
// of one that does not exist.
func (s *Server) apiReportRecognition(r *request, admins bool) (store.Recognition, int, error) {
	id, err := pathID(r, "title")
	if err != nil {
		return store.Recognition{}, 0, err
	}
	year, yerr := strconv.Atoi(r.PathValue("year"))
	notFound := errs.New(errs.NotFound, "title %d has no annual report %q", id, r.PathValue("year"))
	if yerr != nil {
		return store.Recognition{}, 0, notFound
	}
	if admins && hasRole(r, workflow.RoleAdmin) {
		// Administrators reach every title; the workflow says whether it
		// exists.
		return store.Recognition{ID: id}, year, nil
	}
	for _, eid := range ownEnterpriseIDs(r) {
		recs, err := s.svc.Recognitions(r.Context(), eid)
		if err != nil {
			return store.Recognition{}, 0, err
		}
		for _, rec := range recs {
			if rec.ID == id {
				return rec, year, nil
			}
		}
	}
	return store.Recognition{}, 0, notFound
}

// apiGetReport answers with the annual report on {year} filed under title
// {id} (workflow.Service.AnnualReport). One not filed, or of another
// enterprise's title, is not found.
func (s *Server) apiGetReport(w http.ResponseWriter, r *request) {
	rec, year, err := s.apiReportRecognition(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.svc.AnnualReport(r.Context(), rec.ID, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiFiledReport{Report: f.Report, Recognition: f.Recognition, Enterprise: f.Enterprise, Late: f.Late}
	if f.Program != nil {
		out.Program = f.Program.Def.Name
	}
	writeJSON(w, http.StatusOK, out)
}

// apiReportRequest is the body of POST
// /api/v1/recognitions/{id}/reports/{year} (as documented; apiFileReport
// reads the figures one by one).
type apiReportRequest struct {
	// Figures are the year's values of the program's yearly numbers and
	// head counts, keyed by input id; any may be left out.
	Figures map[string]float64 `json:"figures,omitempty"`
	Summary string             `json:"summary"`
}

// apiFileReport files the annual report on {year} under the caller's
// title {id}, as the report form does: figures must be the program's
// yearly numbers and head counts, at least their minimum, and the summary
// is needed, at most maxSummary characters; a refusal names the member
// (`figures.rd_spending`, `summary`). The workflow refuses a year not
// over or outside the title (invalid), a title no longer standing or a
// second report (conflict). There is no version: a report is filed once.
func (s *Server) apiFileReport(w http.ResponseWriter, r *request) {
	rec, year, err := s.apiReportRecognition(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The figures are read one by one, so that one that is not a number
	// is named (`figures.employees`), not just the object.
	var body struct {
		Figures map[string]json.RawMessage `json:"figures,omitempty"`
		Summary string                     `json:"summary"`
	}
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.RecognitionProgram(r.Context(), rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields := reportFields(p)
	data := map[string]any{"year": year}
	keys := make([]string, 0, len(body.Figures))
	for k := range body.Figures {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var n float64
		if err := json.Unmarshal(body.Figures[k], &n); err != nil {
			s.fail(w, r, errs.WithField("figures."+k, errs.New(errs.Invalid, "figures.%s: a number, not %s", k, body.Figures[k])))
			return
		}
		i := slices.IndexFunc(fields, func(f reportField) bool { return f.ID == k })
		if i < 0 {
			ids := make([]string, len(fields))
			for j, f := range fields {
				ids[j] = f.ID
			}
			s.fail(w, r, errs.WithField("figures."+k, errs.New(errs.Invalid, "figures.%s: this report has no such figure; it takes %s",
				k, strings.Join(ids, ", "))))
			return
		}
		if m := fields[i].Min; m != nil && n < *m {
			s.fail(w, r, errs.WithField("figures."+k, errs.New(errs.Invalid, "figures.%s: must be at least %s, got %s",
				k, strconv.FormatFloat(*m, 'g', -1, 64), strconv.FormatFloat(n, 'g', -1, 64))))
			return
		}
		data[k] = json.Number(strconv.FormatFloat(n, 'g', -1, 64))
	}
	summary := strings.TrimSpace(body.Summary)
	switch {
	case summary == "":
		s.fail(w, r, errs.WithField("summary", errs.New(errs.Invalid, "summary: a report needs its summary")))
		return
	case utf8.RuneCountInString(summary) > maxSummary:
		s.fail(w, r, errs.WithField("summary", errs.New(errs.Invalid, "summary: at most %d characters", maxSummary)))
		return
	}
	data["summary"] = summary
	raw, _ := json.Marshal(data) // numbers and text always encode
	a, err := s.svc.SubmitAnnualReport(r.Context(), r.actor(), rec.ID, year, raw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/recognitions/"+strconv.FormatInt(rec.ID, 10)+"/reports/"+strconv.Itoa(year), a)
}
