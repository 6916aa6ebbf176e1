package cli

import (
	"context"
	"fmt"

	"github.com/exemplar/exemplar/internal/workflow"
)

// runExport writes a cycle's results and decisions to a spreadsheet
// (workflow.ExportCycle).
func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "export", "export --cycle ID --out FILE.xlsx|FILE.csv [--database URL]")
	dbURL := databaseFlag(fs)
	cycle := fs.String("cycle", "", "the cycle to export (its id)")
	out := fs.String("out", "", "the file to write: .xlsx or .csv; it appears whole or not at all")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	id, err := cycleFlag(*cycle)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("say which file to write with --out")
	}
	db, err := openExisting(ctx, databaseURL(*dbURL))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := workflow.New(db).ExportCycle(ctx, id, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s of cycle %d to %s\n", res, id, *out)
	return nil
}
