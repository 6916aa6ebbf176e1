package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/exemplar/exemplar/internal/workflow"
)

// A filed annual report is read on one page by the enterprise that filed
// it and by administrators: the figures under the names and units of the
// program's form, anything else the report holds (a report loaded from
// elsewhere may carry other keys) under its key, and the summary.

// reportFigure is one figure of a filed report, ready to show.
type reportFigure struct {
	Name, Value, Unit string
}

// annualReportView is the page of a filed report.
type annualReportView struct {
	workflow.FiledAnnualReport
	Figures []reportFigure
	Summary string
	Back    string // the list this page was opened from
}

// viewAnnualReport lays f out in lang, with a link back to back.
func viewAnnualReport(lang string, f workflow.FiledAnnualReport, back string) annualReportView {
	v := annualReportView{FiledAnnualReport: f, Back: back}
	data := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(f.Report.Data))
	dec.UseNumber()
	_ = dec.Decode(&data) // the workflow keeps JSON objects only; anything else shows no figures
	if s, ok := data["summary"].(string); ok {
		v.Summary = s
	}
	delete(data, "summary")
	delete(data, "year")
	for _, fl := range reportFields(f.Program) {
		val, ok := data[fl.ID]
		if !ok {
			continue
		}
		delete(data, fl.ID)
		v.Figures = append(v.Figures, reportFigure{Name: fl.Name.In(lang), Value: figureText(val), Unit: unitName(lang, fl.Unit)})
	}
	rest := make([]string, 0, len(data))
	for k := range data {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for _, k := range rest {
		v.Figures = append(v.Figures, reportFigure{Name: k, Value: figureText(data[k])})
	}
	return v
}

// figureText is a decoded JSON value as a reader expects it: a number
// with its digits grouped, text as it is, anything else as JSON.
func figureText(v any) string {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return formatInt(n)
		}
		if f, err := x.Float64(); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return x.String()
	case string:
		return x
	case nil:
		return "—"
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// adminAnnualReport shows the annual report on {year} filed under title
// {id}.
func (s *Server) adminAnnualReport(w http.ResponseWriter, r *request) {
	id, err := pathInt(r, "id", "title")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, _ := strconv.Atoi(r.PathValue("year"))
	f, err := s.svc.AnnualReport(r.Context(), id, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "annual_report", viewAnnualReport(r.lang, f, "/admin/reports?year="+strconv.Itoa(year)))
}
