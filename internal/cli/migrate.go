package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/exemplar/exemplar/internal/store"
)

// Environment variables that say where the database is.
const (
	envDatabaseURL = "EXEMPLAR_DATABASE_URL"
	envData        = "EXEMPLAR_DATA"
)

// databaseFlag adds --database to a command.
func databaseFlag(fs *flag.FlagSet) *string {
	return fs.String("database", "", "database: a SQLite file, sqlite:PATH or postgres://… (default $"+envDatabaseURL+
		", else exemplar.db in $"+envData+" or the current folder)")
}

// databaseURL is the database a command works on: --database, else
// $EXEMPLAR_DATABASE_URL, else exemplar.db in $EXEMPLAR_DATA or the
// current folder.
func databaseURL(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if u := os.Getenv(envDatabaseURL); u != "" {
		return u
	}
	return filepath.Join(os.Getenv(envData), "exemplar.db")
}

// openExisting opens a database that must already exist, without
// migrating it: the commands that only read or copy a database should not
// create one by mistake or change its schema.
func openExisting(ctx context.Context, rawURL string) (*store.DB, error) {
	d, path, err := store.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if d == store.SQLite {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (run 'exemplar migrate' to create one, or say which with --database or $%s)", path, envDatabaseURL)
		}
	}
	return store.Open(ctx, rawURL, store.WithoutMigrate())
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--database URL] [--status]")
	dbURL := databaseFlag(fs)
	status := fs.Bool("status", false, "list the migrations, applied and pending, and change nothing")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	u := databaseURL(*dbURL)
	if *status {
		return migrationStatus(ctx, env, u)
	}
	db, err := store.Open(ctx, u, store.WithoutMigrate())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(env.Stdout, "database: %s (%s)\n", db, db.Dialect())
	applied, err := db.Migrate(ctx)
	for _, m := range applied {
		fmt.Fprintf(env.Stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.Stdout, "up to date: schema version %d\n", v)
	} else {
		fmt.Fprintf(env.Stdout, "schema version %d\n", v)
	}
	return nil
}

func migrationStatus(ctx context.Context, env *Env, u string) error {
	db, err := openExisting(ctx, u)
	if err != nil {
		return err
	}
	defer db.Close()
	states, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "database: %s (%s)\n\n", db, db.Dialect())
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE")
	pending := 0
	for _, s := range states {
		state := "pending"
		if s.Applied() {
			state = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		} else {
			pending++
		}
		name := s.Name
		if name == "" {
			name = "(unknown to this exemplar)"
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", s.Version, name, state)
	}
	tw.Flush()
	if pending > 0 {
		fmt.Fprintf(env.Stdout, "\n%s pending: run 'exemplar migrate' to apply\n", plural(pending, "migration"))
	}
	return nil
}
