package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
)

// An enterprise that holds a title files a report on each year of it
// (workflow.SubmitAnnualReport): the year's figures and a summary. The
// workflow keeps the report as a JSON object; this form asks for the
// program's yearly figures and head counts, as that year's values, keyed
// by input id (as the demo's reports are), plus "year" and "summary".

// maxSummary bounds the report's summary, in characters.
const maxSummary = 4000

// reportField is one figure of the annual report form.
type reportField struct {
	*program.InputInfo
	Value string
	Error string
}

// enterpriseReports lists the enterprise's annual reports: filed, due and
// overdue, newest year first, with a link to file each one owed.
func (s *Server) enterpriseReports(w http.ResponseWriter, r *request) {
	id, err := ownEnterpriseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := s.svc.EnterpriseAnnualReports(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enterprise_reports", map[string]any{"Items": items})
}

// ownRecognition returns recognition {id} of the path and {year} when the
// recognition is the caller's enterprise's; any other is not found.
func (s *Server) ownRecognition(r *request) (store.Recognition, int, error) {
	eid, err := ownEnterpriseID(r)
	if err != nil {
		return store.Recognition{}, 0, err
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	year, yerr := strconv.Atoi(r.PathValue("year"))
	recs, err := s.svc.Recognitions(r.Context(), eid)
	if err != nil {
		return store.Recognition{}, 0, err
	}
	for _, rec := range recs {
		if rec.ID == id && id > 0 && yerr == nil {
			return rec, year, nil
		}
	}
	return store.Recognition{}, 0, errs.New(errs.NotFound, "title %q has no annual report %q of yours", r.PathValue("id"), r.PathValue("year"))
}

// reportFields are the figures the annual report of a title of program p
// asks for: its yearly numbers and its head counts. A title whose program
// is not known (loaded from history) is reported by its summary alone.
func reportFields(p *program.Program) []reportField {
	if p == nil {
		return nil
	}
	var out []reportField
	for _, in := range p.Inputs {
		if in.Kind == program.KindNumber && (in.Yearly || in.Unit == "persons") {
			out = append(out, reportField{InputInfo: in})
		}
	}
	return out
}

// annualReportForm is the form to file the report on {year} of title
// {id}; once that report is filed, the report as filed.
func (s *Server) annualReportForm(w http.ResponseWriter, r *request) {
	rec, year, err := s.ownRecognition(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch f, err := s.svc.AnnualReport(r.Context(), rec.ID, year); {
	case err == nil:
		s.render(w, r, http.StatusOK, "annual_report", viewAnnualReport(r.lang, f, "/enterprise/reports"))
		return
	case !errs.Is(err, errs.NotFound):
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.RecognitionProgram(r.Context(), rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enterprise_report_form", map[string]any{"Rec": rec, "Year": year, "Fields": reportFields(p)})
}

// fileAnnualReport files the report. Figures that are not numbers come
// back beside their fields; the workflow's refusals (a year not over, a
// report filed already, a title no longer standing) above the form.
func (s *Server) fileAnnualReport(w http.ResponseWriter, r *request) {
	rec, year, err := s.ownRecognition(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.RecognitionProgram(r.Context(), rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields := reportFields(p)
	summary := strings.TrimSpace(r.PostFormValue("summary"))
	data := map[string]any{"year": year}
	bad := false
	for i := range fields {
		f := &fields[i]
		f.Value = strings.TrimSpace(r.PostFormValue("r." + f.ID))
		if f.Value == "" {
			continue
		}
		n, err := sheet.ParseNumber(f.Value)
		switch {
		case err != nil:
			f.Error = err.Error()
		case f.Min != nil && n < *f.Min:
			f.Error = r.t("ent.report.too_small") + " " + strconv.FormatFloat(*f.Min, 'g', -1, 64)
		default:
			data[f.ID] = json.Number(strconv.FormatFloat(n, 'g', -1, 64))
			continue
		}
		bad = true
	}
	problem := ""
	switch {
	case utf8.RuneCountInString(summary) > maxSummary:
		problem = r.t("ent.report.too_long")
	case summary == "":
		problem = r.t("ent.report.need_summary")
	}
	render := func(status int, problem string) {
		s.render(w, r, status, "enterprise_report_form", map[string]any{"Rec": rec, "Year": year, "Fields": fields,
			"Summary": summary, "Error": problem})
	}
	if bad || problem != "" {
		if problem == "" {
			problem = r.t("ent.fix_fields")
		}
		render(http.StatusUnprocessableEntity, problem)
		return
	}
	data["summary"] = summary
	raw, _ := json.Marshal(data) // numbers and text always encode
	if _, err := s.svc.SubmitAnnualReport(r.Context(), r.actor(), rec.ID, year, raw); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			render(statusOf(err), err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "ent.report.done")
	http.Redirect(w, r.Request, "/enterprise/reports", http.StatusSeeOther)
}
