package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runAnnualReport(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "annual-report", []subcommand{
		{"submit", "file a title holder's annual report on a year", annualSubmit},
		{"list", "list the annual reports on a year: submitted, due or overdue", annualList},
	}, args)
}

// annualSubmit files a report (workflow.SubmitAnnualReport): its data is
// the --data JSON object, with KEY=VALUE pairs laid over it (a number
// when VALUE is one, true or false, else text).
func annualSubmit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "annual-report submit", "annual-report submit --recognition ID --year YEAR [KEY=VALUE ...] [--data FILE.json|-] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	rec := fs.String("recognition", "", "the title the report is filed under (its id: see 'exemplar recognition list')")
	year := fs.Int("year", 0, "the year reported on")
	data := fs.String("data", "", "a JSON object of the report's data (- reads stdin)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	rid, err := parseID("--recognition", *rec)
	if err != nil {
		return err
	}
	if *year == 0 {
		return usagef("say the year reported on with --year")
	}
	kvs, err := keyValues("a report field", pos)
	if err != nil {
		return err
	}
	if *data == "" && len(kvs) == 0 {
		return usagef("say what the report holds: KEY=VALUE pairs or --data FILE.json")
	}
	m := map[string]any{}
	if *data != "" {
		b, err := readJSONArg(env, "--data", *data)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil || m == nil {
			return errs.New(errs.Invalid, "--data %s: want a JSON object", *data)
		}
	}
	for _, kv := range kvs {
		m[kv[0]] = reportValue(kv[1])
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.s.SubmitAnnualReport(ctx, a.actor, rid, *year, body)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, r)
	}
	fmt.Fprintf(env.Stdout, "filed annual report %d on %d under title %d (due %s)\n", r.ID, r.Year, r.RecognitionID, showDay(r.DueOn))
	return nil
}

// reportValue types a report field given on the command line.
func reportValue(v string) any {
	switch strings.ToLower(v) {
	case "true", "yes":
		return true
	case "false", "no":
		return false
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return json.Number(v)
	}
	return v
}

func annualList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "annual-report list", "annual-report list [--year Y] [--program NAME] [--enterprise ID|CODE] [--status submitted|due|overdue] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	year := fs.Int("year", 0, "the year reported on (default: the last year that is over)")
	prog := fs.String("program", "", "only titles of this program (its name)")
	ent := fs.String("enterprise", "", "only this enterprise: its id or credit code")
	status := fs.String("status", "", "only reports in this status: submitted, due or overdue")
	l := pagingFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if _, _, err := l.check(); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	q := workflow.AnnualReportQuery{Year: *year, Status: *status}
	if *prog != "" {
		err := a.db.Read(ctx, func(tx *store.Tx) error {
			p, err := tx.ProgramByName(ctx, *prog)
			q.ProgramID = p.ID
			return err
		})
		if errs.CodeOf(err) == errs.NotFound {
			return errs.New(errs.NotFound, "--program: no program called %q is registered", *prog)
		} else if err != nil {
			return err
		}
	}
	if *ent != "" {
		e, err := a.enterpriseRef(ctx, "--enterprise", *ent)
		if err != nil {
			return err
		}
		q.EnterpriseID = e.ID
	}
	items, err := a.s.AnnualReports(ctx, q)
	if err != nil {
		return err
	}
	shown := page(l, items)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(items) == 0 {
		fmt.Fprintln(env.Stdout, "no annual reports owed or filed on that year")
		return nil
	}
	tw := newTable(env.Stdout, "YEAR\tPROGRAM\tCODE\tNAME\tTITLE\tDUE\tSTATUS\tSUBMITTED")
	for _, it := range shown {
		sub := ""
		if it.Report != nil {
			sub = showTimePtr(it.Report.SubmittedAt)
			if it.Late {
				sub += " (late)"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", it.Year, it.ProgramName, it.EnterpriseUSCC, oneLine(it.EnterpriseName, 30),
			it.Recognition.ID, showDay(it.DueOn), it.Status, sub)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(items), len(shown))
	return nil
}
