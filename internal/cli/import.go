package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// runImport loads enterprises and their applications into a cycle from a
// spreadsheet, all or nothing (workflow.ImportApplications).
func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", "import --cycle ID --in FILE.xlsx|FILE.csv [--channel CODE] [--actor NAME] [--database URL]")
	dbURL := databaseFlag(fs)
	cycle := fs.String("cycle", "", "the cycle to apply to (its id); it must be open for applications")
	in := fs.String("in", "", "the spreadsheet: the program's template (.xlsx) or a CSV with the same headers")
	channel := fs.String("channel", "", "the channel the file speaks for: rows without a channel get it, rows naming another are refused")
	actor := fs.String("actor", "cli", "who imports, as the audit log records it")
	id, db, err := openCycleCommand(ctx, fs, args, dbURL, cycle, "--in", in)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgress(env, "import")
	res, err := workflow.New(db).ImportApplications(ctx, workflow.Actor{Name: *actor}, id, *in, workflow.ImportOptions{
		Channel: *channel,
		Progress: func(stage string, rows int, f float64) {
			bar.label = stage
			bar.rows(rows, f)
		},
	})
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d rows of %s into cycle %d: %d enterprises created, %d updated; %d applications created, %d updated; %d rows unchanged\n",
		res.Rows, *in, id, res.EnterprisesCreated, res.EnterprisesUpdated, res.ApplicationsCreated, res.ApplicationsUpdated, res.Unchanged)
	return nil
}

// openCycleCommand parses the flags of a command on one cycle and one
// file (import, export): no positional arguments, --cycle and the file
// flag required; then it opens the existing database.
func openCycleCommand(ctx context.Context, fs *flag.FlagSet, args []string, dbURL *string, cycle *string, fileFlag string, file *string) (int64, *store.DB, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return 0, nil, err
	}
	if len(pos) > 0 {
		return 0, nil, usagef("unexpected argument %q", pos[0])
	}
	id, err := cycleFlag(*cycle)
	if err != nil {
		return 0, nil, err
	}
	if *file == "" {
		return 0, nil, usagef("say which file with %s", fileFlag)
	}
	db, err := openExisting(ctx, databaseURL(*dbURL))
	return id, db, err
}

// cycleFlag reads --cycle.
func cycleFlag(v string) (int64, error) {
	if v == "" {
		return 0, usagef("say which cycle with --cycle ID")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("--cycle must be a cycle's id (a positive number), got %q", v)
	}
	return id, nil
}
