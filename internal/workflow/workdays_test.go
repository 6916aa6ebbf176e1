package workflow_test

import (
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/workflow"
)

// calendar2018 is the 2018 calendar around National Day as a Calendar.
func calendar2018() workflow.Calendar {
	cal := workflow.Calendar{}
	for _, d := range holidays2018 {
		cal[d.Day.Format(time.DateOnly)] = d.Working
	}
	return cal
}

func TestAddWorkingDays(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, workflow.ChinaTime)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cal := calendar2018()
	scenarios := []struct {
		name  string
		start string
		n     int
		cal   workflow.Calendar
		want  string
	}{
		{"zero days is the start itself", "2018-07-26", 0, nil, "2018-07-26"},
		{"one day within the week", "2018-07-26", 1, nil, "2018-07-27"},
		{"across a weekend", "2018-07-26", 5, nil, "2018-08-02"},
		{"from a Saturday, the weekend does not count", "2018-07-28", 1, nil, "2018-07-30"},
		{"from a Friday to Monday", "2018-07-27", 1, nil, "2018-07-30"},
		{"two weeks", "2018-07-26", 10, nil, "2018-08-09"},
		{"a holiday on Monday is skipped", "2018-09-21", 1, cal, "2018-09-25"},
		{"a make-up Saturday counts", "2018-09-28", 1, cal, "2018-09-29"},
		{"the make-up weekend then the Golden Week", "2018-09-28", 3, cal, "2018-10-08"},
		{"the Golden Week is skipped entirely", "2018-09-30", 1, cal, "2018-10-08"},
		{"from inside the holiday", "2018-10-03", 1, cal, "2018-10-08"},
		{"15 days from Tuesday 25 September", "2018-09-24", 15, cal, "2018-10-18"},
		{"without the calendar the same count ends earlier", "2018-09-24", 15, nil, "2018-10-15"},
		{"backwards across a weekend", "2018-07-30", -1, nil, "2018-07-27"},
		{"backwards across the holiday", "2018-10-08", -1, cal, "2018-09-30"},
		{"a calendar may also declare a weekday working (no-op)", "2018-07-26", 1, workflow.Calendar{"2018-07-27": true}, "2018-07-27"},
	}
	for _, sc := range scenarios {
		got := workflow.AddWorkingDays(day(sc.start), sc.n, sc.cal)
		if got.Format(time.DateOnly) != sc.want || got.Location() != workflow.ChinaTime || got.Hour() != 0 {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %v, want %s at midnight in the start's zone", sc.name, sc.start, sc.n, got, sc.want)
		}
	}
}

func TestAddWorkingDaysIgnoresTimeOfDay(t *testing.T) {
	late := time.Date(2018, 7, 27, 23, 59, 0, 0, workflow.ChinaTime) // Friday night
	if got := workflow.AddWorkingDays(late, 1, nil); got.Format(time.DateOnly) != "2018-07-30" {
		t.Errorf("AddWorkingDays(Friday 23:59, 1) = %v, want Monday 2018-07-30", got)
	}
	// The same instant is already Saturday in China but still Friday in UTC:
	// the day is the start's own location's.
	utc := time.Date(2018, 7, 27, 16, 30, 0, 0, time.UTC)
	if got := workflow.AddWorkingDays(utc, 1, nil); got.Format(time.DateOnly) != "2018-07-30" || got.Location() != time.UTC {
		t.Errorf("AddWorkingDays(Friday 16:30 UTC, 1) = %v, want Monday 2018-07-30 UTC", got)
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := calendar2018()
	for d, want := range map[string]bool{
		"2018-09-22": false, // Saturday
		"2018-09-24": false, // Mid-Autumn Festival, a Monday
		"2018-09-25": true,  // Tuesday
		"2018-09-29": true,  // make-up Saturday
		"2018-09-30": true,  // make-up Sunday
		"2018-10-01": false, // National Day
		"2018-10-05": false, // Golden Week Friday
		"2018-10-06": false, // weekend inside the Golden Week
		"2018-10-08": true,
	} {
		day, _ := time.Parse(time.DateOnly, d)
		if got := cal.IsWorkingDay(day); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
}
