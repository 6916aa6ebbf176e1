package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/report"
	"github.com/exemplar/exemplar/internal/scoring"
)

func runScore(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "score", "score --program NAME|FILE --in DATA.xlsx|.csv [--out OUT.xlsx|.csv|.json]")
	prog := fs.String("program", "", "built-in program name or definition file")
	in := fs.String("in", "", "enterprises' data: .xlsx or .csv, one row per enterprise")
	out := fs.String("out", "", "write one row per enterprise to .xlsx, .csv or .json")
	sheetName := fs.String("sheet", "", "sheet to read (default: the first)")
	ignore := fs.Bool("ignore-unknown-columns", false, "skip columns that name no input instead of refusing the file")
	lang := langFlag(fs)
	if err := parseOnlyFlags(fs, args, lang); err != nil {
		return err
	}
	if *in == "" {
		return usagef("--in is required")
	}
	if *out != "" {
		if err := report.CheckFormat(*out); err != nil {
			return usagef("%v", err)
		}
	}
	p, err := loadProgram(*prog)
	if err != nil {
		return err
	}
	bar := newProgress(env, "reading "+filepath.Base(*in))
	t, err := ingest.Read(p, *in, ingest.Options{Sheet: *sheetName, IgnoreUnknown: *ignore, Progress: bar.rows})
	bar.done()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bar = newProgress(env, "scoring")
	r, err := scoring.Run(p, t, scoring.Options{Progress: bar.fraction})
	bar.done()
	if err != nil {
		return err
	}
	if *out != "" {
		if err := report.Write(*out, r, *lang); err != nil {
			return err
		}
	}
	printSummary(env.Stdout, r, *lang)
	if *out != "" {
		fmt.Fprintf(env.Stdout, "\nWrote %s (%s).\n", *out, plural(r.N, "row"))
	}
	return nil
}

// Summary counts a result's outcomes and the reasons behind them.
type Summary struct {
	N, Eligible, Passed int
	ByOutcome           map[scoring.Outcome]int
	// GateFails counts the enterprises failing each gate, in gate order.
	GateFails []int
}

// Summarise counts r's outcomes.
func Summarise(r *scoring.Result) Summary {
	s := Summary{N: r.N, ByOutcome: map[scoring.Outcome]int{}, GateFails: make([]int, len(r.P.Gates))}
	for i := 0; i < r.N; i++ {
		if r.Eligible[i] {
			s.Eligible++
		}
		s.ByOutcome[r.Outcome[i]]++
		if r.Outcome[i] == scoring.Pass {
			s.Passed++
		}
	}
	for g, col := range r.Gate {
		for _, v := range col {
			if v != 1 {
				s.GateFails[g]++
			}
		}
	}
	return s
}

func printSummary(w io.Writer, r *scoring.Result, lang string) {
	p := r.P
	s := Summarise(r)
	fmt.Fprintf(w, "%s — %s\n", p.Def.Name, p.Def.Title.In(lang))
	fmt.Fprintf(w, "  enterprises  %d\n  eligible     %d\n  passed       %d\n  failed       %d\n",
		s.N, s.Eligible, s.Passed, s.N-s.Passed)
	if s.N == s.Passed {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nWhy they failed:")
	for _, o := range []scoring.Outcome{scoring.NotEligible, scoring.NotScored, scoring.BelowThreshold, scoring.OverQuota} {
		if n := s.ByOutcome[o]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", o, n, outcomeDetail(r, o))
		}
	}
	tw.Flush()
	if s.N-s.Eligible > 0 && len(p.Gates) > 0 {
		fmt.Fprintln(w, "\nGates failed (an enterprise may fail several):")
		idx := make([]int, len(p.Gates))
		for g := range idx {
			idx[g] = g
		}
		sort.SliceStable(idx, func(a, b int) bool { return s.GateFails[idx[a]] > s.GateFails[idx[b]] })
		for _, g := range idx {
			if s.GateFails[g] > 0 {
				fmt.Fprintf(tw, "  %s\t%d\t%s\n", p.Gates[g].ID, s.GateFails[g], p.Gates[g].Name.In(lang))
			}
		}
		tw.Flush()
	}
	// A few examples, so the reasons read as sentences.
	shown := 0
	for i := 0; i < r.N && shown < 5; i++ {
		if r.Outcome[i] == scoring.Pass {
			continue
		}
		if shown == 0 {
			fmt.Fprintln(w, "\nFor example:")
		}
		e := r.Enterprise(i)
		fmt.Fprintf(w, "  %s: %s\n", displayID(r, i), e.Reason.In(lang))
		shown++
	}
}

func outcomeDetail(r *scoring.Result, o scoring.Outcome) string {
	d := r.P.Def.Decision
	switch o {
	case scoring.NotEligible:
		return "failed at least one gate"
	case scoring.NotScored:
		return fmt.Sprintf("less than %.0f%% of indicators present", 100*r.P.Def.Scoring.Pipeline.Coverage)
	case scoring.BelowThreshold:
		op := "below"
		if d.Strict {
			op = "not above"
		}
		return fmt.Sprintf("score %s %v", op, *d.Threshold)
	case scoring.OverQuota:
		return "ranked beyond their channel's quota"
	}
	return ""
}

// displayID names enterprise i for people: its id, and its name when the
// program has a text input called name.
func displayID(r *scoring.Result, i int) string {
	id := r.ID(i)
	if in, ok := r.P.Input("name"); ok && in.Kind == program.KindText {
		if n := r.Text[in.TextCol][i]; n != "" {
			return strings.TrimSpace(id + " " + n)
		}
	}
	if id == "" {
		return fmt.Sprintf("row %d", i+2)
	}
	return id
}
