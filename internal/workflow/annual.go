package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// Annual report statuses, as AnnualReports computes them.
const (
	ReportSubmitted = "submitted" // filed (on time or late: see AnnualReportItem.Late)
	ReportDue       = "due"       // not filed, and its due day has not passed
	ReportOverdue   = "overdue"   // not filed, and its due day has passed
)

// AnnualReportDueOn is the day (midnight UTC) by which the annual report
// on year is due under program p: its definition's
// procedure.annual_report_due of the following year (30 April when it
// names none, or when p is nil: a title loaded from history).
func AnnualReportDueOn(p *program.Program, year int) time.Time {
	if p == nil {
		return program.Procedure{}.ReportDueOn(year)
	}
	return p.Def.Procedure.ReportDueOn(year)
}

// SubmitAnnualReport files the annual report on year under recognition
// recognitionID: data is a JSON object, kept as given. The report is due
// on AnnualReportDueOn; one filed after that day is still accepted (and
// listed as late). It refuses data that is not a JSON object, a year
// outside the recognition's validity or not yet over by the service's
// clock (invalid); an unknown recognition (not found); a recognition that
// is not standing (revoked or expired) and a second report on the same
// year (conflict).
func (s *Service) SubmitAnnualReport(ctx context.Context, actor Actor, recognitionID int64, year int, data json.RawMessage) (store.AnnualReport, error) {
	trimmed := bytes.TrimSpace(data)
	if !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
		return store.AnnualReport{}, invalidf("annual report %d of recognition %d: the data is not a JSON object", year, recognitionID)
	}
	if year < 1990 || year > 2200 {
		return store.AnnualReport{}, invalidf("annual report year %d is not between 1990 and 2200", year)
	}
	var a store.AnnualReport
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		r, err := tx.RecognitionForUpdate(ctx, recognitionID)
		if err != nil {
			return missing(err, "recognition %d", recognitionID)
		}
		if err := needStatus("recognition", r.ID, r.Status, "submit_annual_report", RecognitionActive, RecognitionPassedReview); err != nil {
			return err
		}
		if this := s.today(j.now).Year(); year >= this {
			return invalidf("annual report %d of recognition %d: %d is not over yet; its report can be filed from 1 January %d", year, r.ID, year, year+1)
		}
		if year < r.ValidFrom.Year() || !r.ValidUntil.After(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)) {
			return invalidf("annual report %d of recognition %d: the recognition is valid from %s until %s, not in %d",
				year, r.ID, r.ValidFrom.Format(time.DateOnly), r.ValidUntil.Format(time.DateOnly), year)
		}
		prev, err := tx.AnnualReport(ctx, r.ID, year)
		switch {
		case err == nil:
			return conflictf("recognition %d already has its annual report on %d (report %d, filed %s)", r.ID, year, prev.ID, s.when(*prev.SubmittedAt))
		case !errs.Is(err, errs.NotFound):
			return err
		}
		p, err := s.recognitionProgram(ctx, tx, r)
		if err != nil {
			return err
		}
		now := j.now
		a = store.AnnualReport{RecognitionID: r.ID, Year: year, DueOn: AnnualReportDueOn(p, year), SubmittedAt: &now,
			Data: json.RawMessage(trimmed), CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertAnnualReport(ctx, &a); err != nil {
			return err
		}
		j.record("annual_report.submit", "annual_report", a.ID, nil, a)
		return nil
	})
	return result(a, err)
}

// AnnualReportQuery selects the rows of AnnualReports.
type AnnualReportQuery struct {
	// Year is the year reported on; 0 means the last year that is over by
	// the service's clock.
	Year         int
	ProgramID    int64  // 0 for every program
	EnterpriseID int64  // 0 for every enterprise
	Status       string // ReportSubmitted, ReportDue or ReportOverdue; "" for all
}

// AnnualReportItem is one recognition's annual report on a year: filed,
// or owed.
type AnnualReportItem struct {
	store.AnnualReportRow
	Year   int       `json:"year"`
	DueOn  time.Time `json:"due_on"` // a day, midnight UTC
	Status string    `json:"status"` // ReportSubmitted, ReportDue or ReportOverdue
	Late   bool      `json:"late"`   // submitted after its due day
}

// AnnualReports lists, for the administrator, the annual reports on
// q.Year: every report filed, and one row for each standing recognition
// valid in that year that has not filed one. Status is computed against
// the service's clock in its time zone: a report not filed is due up to
// and including its due day, overdue from the day after. Ordered by
// program, then enterprise code. It refuses a year outside 1990–2200 and
// an unknown status (invalid).
func (s *Service) AnnualReports(ctx context.Context, q AnnualReportQuery) ([]AnnualReportItem, error) {
	now := s.clock()
	today := dateOnly(s.today(now))
	if q.Year == 0 {
		q.Year = today.Year() - 1
	}
	if q.Year < 1990 || q.Year > 2200 {
		return nil, invalidf("annual report year %d is not between 1990 and 2200", q.Year)
	}
	switch q.Status {
	case "", ReportSubmitted, ReportDue, ReportOverdue:
	default:
		return nil, invalidf("annual report status %q is not %s", q.Status, oneOf([]string{ReportSubmitted, ReportDue, ReportOverdue}))
	}
	var out []AnnualReportItem
	err := s.read(ctx, func(tx *store.Tx) error {
		rows, err := tx.AnnualReportRows(ctx, store.AnnualReportFilter{Year: q.Year, ProgramID: q.ProgramID, EnterpriseID: q.EnterpriseID})
		if err != nil {
			return err
		}
		programs := map[[2]int64]*program.Program{} // by the cycles that granted and confirmed the title
		for _, r := range rows {
			key := [2]int64{r.Recognition.GrantedCycleID, r.Recognition.ConfirmedCycleID}
			p, ok := programs[key]
			if !ok {
				if p, err = s.recognitionProgram(ctx, tx, r.Recognition); err != nil {
					return err
				}
				programs[key] = p
			}
			it := AnnualReportItem{AnnualReportRow: r, Year: q.Year, DueOn: AnnualReportDueOn(p, q.Year)}
			switch {
			case r.Report != nil && r.Report.SubmittedAt != nil:
				it.Status, it.DueOn = ReportSubmitted, r.Report.DueOn
				it.Late = dateOnly(s.today(*r.Report.SubmittedAt)).After(it.DueOn)
			case today.After(it.DueOn):
				it.Status = ReportOverdue
			default:
				it.Status = ReportDue
			}
			if q.Status == "" || q.Status == it.Status {
				out = append(out, it)
			}
		}
		return nil
	})
	return out, err
}
