package workflow

import "time"

// Calendar holds the exceptions to "Monday to Friday are working days",
// keyed by date ("2006-01-02"): false for a public holiday on a weekday
// (国庆 2018-10-01), true for a weekend day made a working day by a
// holiday swap (调休: Saturday 2018-09-29). Days it does not name follow
// the week. The calendar_days table is its source.
type Calendar map[string]bool

// IsWorkingDay reports whether the day of t (in t's location) is a
// working day.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	if working, ok := c[t.Format(time.DateOnly)]; ok {
		return working
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the day that is n working days after the day of
// start: the nth working day strictly after it, whether or not start is a
// working day itself, at midnight in start's location. n = 0 returns
// start's day; a negative n counts back the same way.
//
// A notice "for N working days from today" therefore ends with
// AddWorkingDays(yesterday, N): today counts as its first day when it is a
// working day.
func AddWorkingDays(start time.Time, n int, cal Calendar) time.Time {
	d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		// AddDate, not Add(24h): a day is not 24 hours where clocks change.
		d = d.AddDate(0, 0, step)
		if cal.IsWorkingDay(d) {
			n--
		}
	}
	return d
}
