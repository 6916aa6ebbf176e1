package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// demoDatabase is the name of the story's database in --keep's folder.
const demoDatabase = "exemplar-demo.db"

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--seed N] [--keep DIR] [--database PATH] [--serve=false] [--addr HOST:PORT] [--check]")
	seed := fs.Uint64("seed", demo.Seed, "seed of the generated sample enterprises")
	serve := fs.Bool("serve", true, "after the story, serve the web site on its database until interrupted")
	addr := fs.String("addr", "127.0.0.1:8080", "where the site listens")
	check := fs.Bool("check", false, "start the site, fetch its main pages once, print what they answered, and stop (for CI)")
	keep := fs.String("keep", "", "keep the sample spreadsheets and the story's database ("+demoDatabase+") in this folder")
	dbPath := fs.String("database", "", "keep the story's database in this new SQLite file")
	lang := langFlag(fs)
	if err := parseOnlyFlags(fs, args, lang); err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "exemplar-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := *dbPath
	if path == "" {
		path = filepath.Join(dir, demoDatabase)
	}
	if _, err := os.Stat(path); err == nil {
		return usagef("the demo writes a new database, and %s exists: remove it or name another file", path)
	}
	out := env.Stdout
	fmt.Fprintf(out, "Exemplar demo (seed %d)\n\n", *seed)
	fmt.Fprintln(out, "1. The built-in programs scored on fictional sample enterprises")
	for _, name := range program.BuiltinNames() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := demoSample(out, dir, name, *seed, *lang); err != nil {
			return err
		}
	}
	site := *serve || *check
	logins, err := demoStory(ctx, out, path, *seed, *lang, site)
	if err != nil {
		return err
	}
	if *keep != "" || *dbPath != "" {
		fmt.Fprintf(out, "\nKept: the story's database %s", path)
		if *keep != "" {
			fmt.Fprintf(out, " and the sample spreadsheets in %s; score one yourself with\n  exemplar score --program hnte --in %s --out results.xlsx", dir, filepath.Join(dir, "hnte-sample.csv"))
		}
		fmt.Fprintf(out, "\nRead its audit log with\n  exemplar audit list --database %s\n", path)
	}
	if !site {
		return nil
	}
	if *check {
		*addr = "127.0.0.1:0"
	}
	return demoServe(ctx, env, path, *addr, logins, *check)
}

// demoSample writes the sample spreadsheet of a built-in program to dir,
// scores it and prints one line of what the engine decided.
func demoSample(out io.Writer, dir, name string, seed uint64, lang string) error {
	p, err := program.Builtin(name)
	if err != nil {
		return err
	}
	n, ok := demo.Samples[name]
	if !ok {
		return nil
	}
	path := filepath.Join(dir, name+"-sample.csv")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = demo.WriteCSV(f, p, n, seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	t, err := ingest.Read(p, path, ingest.Options{})
	if err != nil {
		return err
	}
	r, err := scoring.Run(p, t, scoring.Options{})
	if err != nil {
		return err
	}
	s := Summarise(r)
	fmt.Fprintf(out, "   %-10s %d enterprises: %d eligible, %d pass, %d fail — %s\n", name, s.N, s.Eligible, s.Passed, s.N-s.Passed, p.Def.Title.In(lang))
	return nil
}

// demoStory tells the story of the 2015 cohort on a new database at path
// and prints what the engine and the database say.
//
// With site, it then readies the database for the web site (accounts for
// each role, the results announcements) and returns the accounts.
func demoStory(ctx context.Context, out io.Writer, path string, seed uint64, lang string, site bool) ([]demo.Login, error) {
	clock := demo.NewClock()
	db, err := store.Open(ctx, path, store.WithClock(clock.Now))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	res, err := demo.RunStory(ctx, db, clock, seed)
	if err != nil {
		return nil, fmt.Errorf("demo story: %w", err)
	}
	day := func(t time.Time) string { return t.In(workflow.ChinaTime).Format(time.DateOnly) }
	last := func(n store.Notice) string { return day(n.EndsAt.Add(-time.Nanosecond)) }
	zh := lang == "zh"
	title := "National Technological Innovation Demonstration Enterprises"
	if zh {
		title = "国家技术创新示范企业"
	}
	fmt.Fprintf(out, "\n2. The story: %s, 2015–2018, on an embedded SQLite database\n", title)
	fmt.Fprintf(out, "   program %s %s, %d recommending channels, %d enterprises generated\n",
		res.Program.Program, res.Program.Label, res.Channels, demo.StoryFirms)
	c := res.Identification
	fmt.Fprintf(out, "\n   2015 identification (cycle %d, %s)\n", c.ID, c.Phase)
	fmt.Fprintf(out, "     applications submitted and recommended  %d\n", res.IDApplications)
	fmt.Fprintf(out, "     passed by the engine                    %d\n", res.IDPassed)
	fmt.Fprintf(out, "     public notice                           %s to %s (%d working days)\n", day(res.IDNotice.StartsAt), last(res.IDNotice), res.IDNotice.WorkingDays)
	fmt.Fprintf(out, "     announced                               %s\n", day(res.AnnouncedID))
	fmt.Fprintf(out, "     recognised                              %d\n", res.Recognised)
	fmt.Fprintln(out, "\n   Annual innovation reports (due 30 April of the next year), as of 2018-06-01")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "     on\ton time\tlate\toverdue")
	for _, r := range res.Reports {
		fmt.Fprintf(tw, "     %d\t%d\t%d\t%d\n", r.Year, r.OnTime, r.Late, r.Overdue)
	}
	tw.Flush()
	c = res.Review
	fmt.Fprintf(out, "\n   2018 review (cycle %d, %s)\n", c.ID, c.Phase)
	fmt.Fprintf(out, "     cohort (recognised in 2015)             %d\n", res.Cohort)
	fmt.Fprintf(out, "     applications with 2015–2017 data        %d\n", res.ReviewApplications)
	fmt.Fprintf(out, "     public notice                           %s to %s (%d working days)\n", day(res.ReviewNotice.StartsAt), last(res.ReviewNotice), res.ReviewNotice.WorkingDays)
	if o := res.Objection; o.ID != 0 {
		fmt.Fprintf(out, "     objection %d, filed %s by %s against %s %s:\n       %s\n",
			o.ID, day(o.FiledAt), o.FilerName, res.ObjectionCode, res.ObjectionName, o.Grounds)
		when := ""
		if o.HandledAt != nil {
			when = " " + day(*o.HandledAt)
		}
		fmt.Fprintf(out, "       %s%s: %s (the decision stays %s)\n", o.Status, when, o.HandlingReason, res.ObjectionOutcome)
	}
	fmt.Fprintf(out, "     announced %s\n", day(res.AnnouncedReview))
	fmt.Fprintf(out, "     reviewed  %d\n     passed    %d\n     revoked   %d\n", res.Reviewed, res.Passed, len(res.Revoked))
	if len(res.Revoked) > 0 {
		fmt.Fprintln(out, "\n   Titles revoked, with the engine's reason:")
		for _, r := range res.Revoked {
			reason := r.ReasonEn
			if zh {
				reason = r.ReasonZh
			}
			fmt.Fprintf(out, "     %s %s (%s)\n       %s\n", r.Code, r.Name, r.Channel, reason)
		}
	}
	a := res.Audit
	if a.OK {
		fmt.Fprintf(out, "\n   Audit chain verified: %d entries, head %d, hash %s\n", a.Entries, a.Head, a.HeadHash)
	} else {
		fmt.Fprintf(out, "\n   Audit chain BROKEN at entry %d: %s\n", a.BrokenSeq, a.Reason)
	}
	if !site {
		return nil, nil
	}
	logins, err := demo.PrepareSite(ctx, db, clock, res)
	if err != nil {
		return nil, fmt.Errorf("demo site: %w", err)
	}
	return logins, nil
}
