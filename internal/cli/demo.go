package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--seed N] [--keep DIR]")
	seed := fs.Uint64("seed", demo.Seed, "seed of the generated sample enterprises")
	keep := fs.String("keep", "", "also keep the sample spreadsheets in this folder")
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
	fmt.Fprintf(env.Stdout, "Exemplar demo: the built-in programs scored on fictional sample enterprises (seed %d).\n", *seed)
	for _, name := range program.BuiltinNames() {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := program.Builtin(name)
		if err != nil {
			return err
		}
		n, ok := demo.Samples[name]
		if !ok {
			continue
		}
		path := filepath.Join(dir, name+"-sample.csv")
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		err = demo.WriteCSV(f, p, n, *seed)
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
		fmt.Fprintln(env.Stdout)
		fmt.Fprintln(env.Stdout, "────────────────────────────────────────────────────────────")
		printSummary(env.Stdout, r, *lang)
		printTop(env, r, *lang)
	}
	if *keep != "" {
		fmt.Fprintf(env.Stdout, "\nThe sample spreadsheets are in %s; score one yourself with\n  exemplar score --program hnte --in %s --out results.xlsx\n", dir, filepath.Join(dir, "hnte-sample.csv"))
	}
	return nil
}

// printTop lists the best-ranked enterprises.
func printTop(env *Env, r *scoring.Result, lang string) {
	if len(r.Order) == 0 {
		return
	}
	fmt.Fprintln(env.Stdout, "\nTop of the ranking:")
	for k, i := range r.Order {
		if k == 5 {
			break
		}
		e := r.Enterprise(int(i))
		fmt.Fprintf(env.Stdout, "  %2d. %-40s %s\n", e.Rank, displayID(r, int(i)), e.Reason.In(lang))
	}
}
