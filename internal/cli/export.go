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
	id, db, err := openCycleCommand(ctx, fs, args, dbURL, cycle, "--out", out)
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
