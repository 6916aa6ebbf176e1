package program

import (
	"fmt"
	"time"
)

// Defaults of the procedure when a definition gives none.
const (
	DefaultNoticeWorkingDays = 10
	maxNoticeWorkingDays     = 60
)

// Procedure holds the program's deadlines: how long a public notice runs
// and by when a titled enterprise files its annual report.
type Procedure struct {
	// NoticeWorkingDays is the length of a cycle's public notice when the
	// cycle's creator gives none; 0 means DefaultNoticeWorkingDays.
	NoticeWorkingDays int `yaml:"notice_working_days"`
	// AnnualReportDue is the day of the following year by which the
	// report on a year is due; nil means 30 April.
	AnnualReportDue *MonthDay `yaml:"annual_report_due"`
	Source          string    `yaml:"source"`
}

// MonthDay is a day of the year, e.g. {month: 4, day: 30}.
type MonthDay struct {
	Month int `yaml:"month"`
	Day   int `yaml:"day"`
}

// NoticeDays returns the notice length in working days.
func (p Procedure) NoticeDays() int {
	if p.NoticeWorkingDays == 0 {
		return DefaultNoticeWorkingDays
	}
	return p.NoticeWorkingDays
}

// ReportDueOn returns the day (midnight UTC) by which the annual report on
// year is due: AnnualReportDue of the year after, 30 April by default.
func (p Procedure) ReportDueOn(year int) time.Time {
	d := MonthDay{Month: 4, Day: 30}
	if p.AnnualReportDue != nil {
		d = *p.AnnualReportDue
	}
	return time.Date(year+1, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// compileProcedure checks the procedure: a notice of 1–60 working days and
// a due day that every year has (so not 29 February).
func (p *Program) compileProcedure(ps *problems) {
	pr := p.Def.Procedure
	if n := pr.NoticeWorkingDays; n < 0 || n > maxNoticeWorkingDays {
		ps.add("procedure.notice_working_days", "must be between 1 and %d, got %d", maxNoticeWorkingDays, n)
	}
	if d := pr.AnnualReportDue; d != nil {
		t := time.Date(2001, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC) // 2001: not a leap year
		if d.Month < 1 || d.Month > 12 || d.Day < 1 || t.Day() != d.Day {
			ps.add("procedure.annual_report_due", "%s is not a day that every year has", fmt.Sprintf("month %d, day %d", d.Month, d.Day))
		}
	}
}
