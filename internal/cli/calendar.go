package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runCalendar(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "calendar", []subcommand{
		{"set", "record public holidays and swapped working days (workflow.SetCalendarDays)", calendarSet},
		{"list", "list the calendar's exceptions between two dates", calendarList},
	}, args)
}

// calendarSet records DATE=holiday and DATE=working days in one
// transaction, each replacing what the calendar said of its day.
func calendarSet(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "calendar set", "calendar set DATE=holiday|working ... [--name-zh NAME] [--name-en NAME] [--as NAME] [--database URL]")
	c := writeFlags(fs)
	nameZh := fs.String("name-zh", "", "the Chinese name of the days (国庆节)")
	nameEn := fs.String("name-en", "", "the English name of the days (National Day)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say which days: DATE=holiday (a weekday off) or DATE=working (a weekend day worked)")
	}
	kvs, err := keyValues("a day", pos)
	if err != nil {
		return err
	}
	days := make([]store.CalendarDay, len(kvs))
	for i, kv := range kvs {
		d, err := time.Parse(time.DateOnly, kv[0])
		if err != nil {
			return usagef("%s: the day must be a date like 2018-10-01", kv[0]+"="+kv[1])
		}
		var working bool
		switch strings.ToLower(kv[1]) {
		case "holiday", "off":
			working = false
		case "working", "work", "workday":
			working = true
		default:
			return usagef("%s: say holiday or working, not %q", kv[0], kv[1])
		}
		days[i] = store.CalendarDay{Day: d, Working: working, NameZh: *nameZh, NameEn: *nameEn}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.s.SetCalendarDays(ctx, a.actor, days...); err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, days)
	}
	fmt.Fprintf(env.Stdout, "recorded %s in the calendar\n", plural(len(days), "day"))
	return nil
}

func calendarList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "calendar list", "calendar list --from DATE --to DATE [--json] [--database URL]")
	c := readFlags(fs)
	from := fs.String("from", "", "the first day (2018-01-01); default 1 January of this year")
	to := fs.String("to", "", "the last day (2018-12-31); default 31 December of --from's year")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	start := time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, workflow.ChinaTime)
	if *from != "" {
		if start, err = parseDay("--from", *from); err != nil {
			return err
		}
	}
	end := time.Date(start.Year(), 12, 31, 0, 0, 0, 0, workflow.ChinaTime)
	if *to != "" {
		if end, err = parseDay("--to", *to); err != nil {
			return err
		}
	}
	if end.Before(start) {
		return usagef("--to %s is before --from %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	var days []store.CalendarDay
	err = a.db.Read(ctx, func(tx *store.Tx) (err error) {
		days, err = tx.CalendarDays(ctx, start, end)
		return err
	})
	if err != nil {
		return err
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Day.Before(days[j].Day) })
	if a.json {
		return printJSON(env.Stdout, nonNil(days))
	}
	if len(days) == 0 {
		fmt.Fprintf(env.Stdout, "no exceptions from %s to %s: Monday to Friday are working days\n", start.Format(time.DateOnly), end.Format(time.DateOnly))
		return nil
	}
	tw := newTable(env.Stdout, "DAY\tWEEKDAY\tWORKING\tNAME")
	for _, d := range days {
		name := strings.TrimSpace(d.NameZh + " " + d.NameEn)
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", showDay(d.Day), d.Day.UTC().Weekday().String()[:3], d.Working, name)
	}
	return tw.Flush()
}
