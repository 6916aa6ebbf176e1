package cli

import (
	"context"
	"fmt"

	"github.com/exemplar/exemplar/internal/store"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "backup", "backup FILE [--database URL] [--force]")
	dbURL := databaseFlag(fs)
	force := fs.Bool("force", false, "replace FILE if it exists")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backup takes one argument: the file to write")
	}
	u := databaseURL(*dbURL)
	if d, _, err := store.ParseURL(u); err == nil && d == store.Postgres {
		// Told before connecting: pg_dump is the tool, whether or not the
		// server is up.
		fmt.Fprintf(env.Stdout, "PostgreSQL is backed up with pg_dump, which copies a consistent snapshot while the database is in use:\n\n  %s\n\n"+
			"The password is not shown: give it with PGPASSWORD or ~/.pgpass. Restore with pg_restore --clean --if-exists --dbname=URL FILE.\n",
			store.PgDumpCommand(u, pos[0]))
		return usagef("exemplar backup copies SQLite databases only; run pg_dump as shown")
	}
	db, err := openExisting(ctx, u)
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := db.Backup(ctx, pos[0], *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s (%s)\n", db, info.Path, sizeText(info.Size))
	fmt.Fprintf(env.Stdout, "verified: integrity check ok, schema version %d, audit chain head %d:%s\n", info.SchemaVersion, info.AuditHead, info.AuditHash)
	return nil
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "restore", "restore FILE [--database URL] [--force]")
	dbURL := databaseFlag(fs)
	force := fs.Bool("force", false, "replace the database if one exists (stop every exemplar using it first)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore takes one argument: the backup file")
	}
	u := databaseURL(*dbURL)
	info, err := store.Restore(ctx, pos[0], u, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s to %s (%s, schema version %d, audit chain head %d:%s)\n",
		pos[0], info.Path, sizeText(info.Size), info.SchemaVersion, info.AuditHead, info.AuditHash)
	if info.SchemaVersion < store.LatestVersion() {
		fmt.Fprintf(env.Stdout, "the backup has schema version %d; exemplar migrates it to %d when it next opens the database\n", info.SchemaVersion, store.LatestVersion())
	}
	return nil
}

// sizeText is a file size for people: "512 B", "3.2 MiB".
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
