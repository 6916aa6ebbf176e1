package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
)

// ErrBackupPostgres is the cause of Backup's refusal on PostgreSQL, whose
// own tool does the job properly.
var ErrBackupPostgres = errors.New("back up PostgreSQL with pg_dump")

// BackupInfo describes a verified SQLite copy.
type BackupInfo struct {
	Path          string
	Size          int64
	SchemaVersion int
	// AuditHead and AuditHash are the audit chain's head in the copy: noting
	// them elsewhere anchors the log (see VerifyAudit).
	AuditHead int64
	AuditHash string
}

// Backup writes a consistent copy of the SQLite database to file while the
// database stays in use (VACUUM INTO copies one read snapshot; writers go
// on meanwhile), then checks the copy (integrity_check, the same schema
// version and tables) before moving it into place. It refuses an existing
// file unless overwrite, and never leaves a half-written file at file. On
// PostgreSQL it returns an error wrapping ErrBackupPostgres whose message
// gives the pg_dump command.
func (db *DB) Backup(ctx context.Context, file string, overwrite bool) (BackupInfo, error) {
	if db.dialect == Postgres {
		return BackupInfo{}, &errs.Error{Code: errs.Invalid, Err: ErrBackupPostgres, Msg: "store: backup: PostgreSQL is backed up with pg_dump:\n  " + PgDumpCommand(db.display, file)}
	}
	target, err := filepath.Abs(file)
	if err != nil {
		return BackupInfo{}, invalid("backup to %s: %v", file, err)
	}
	if src, err := filepath.Abs(db.path); err == nil && src == target {
		return BackupInfo{}, invalid("backup to %s: that is the database itself", file)
	}
	if _, err := os.Stat(target); err == nil && !overwrite {
		return BackupInfo{}, &errs.Error{Code: errs.Conflict, Msg: fmt.Sprintf("store: backup to %s: the file exists (pass --force to replace it)", file)}
	}
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return BackupInfo{}, err
	}
	// A connection of its own: VACUUM INTO writes a file, which the
	// read-only pool may not, and it should not hold up the writer.
	conn, err := sql.Open("sqlite", db.path+"?"+sqliteParams)
	if err != nil {
		return BackupInfo{}, db.wrap(err, "backup %s", db.path)
	}
	defer conn.Close()
	info, err := copyVerified(ctx, conn, target, version)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup %s to %s: %w", db.path, file, err)
	}
	return info, nil
}

// Restore replaces the SQLite database at dbURL with a copy of the backup
// file src, after checking src: a SQLite file that passes integrity_check,
// holds Exemplar's schema at a version this binary knows (an older one is
// migrated when the database is next opened) and nothing else is changed
// if it does not. It refuses to replace an existing database unless force.
//
// Stop every exemplar using the database first: the old database's WAL
// and shared-memory files are removed, which would pull the file from
// under a running process.
func Restore(ctx context.Context, src, dbURL string, force bool) (BackupInfo, error) {
	d, dst, err := ParseURL(dbURL)
	if err != nil {
		return BackupInfo{}, err
	}
	if d != SQLite {
		return BackupInfo{}, &errs.Error{Code: errs.Invalid, Err: ErrBackupPostgres, Msg: "store: restore: PostgreSQL is restored with pg_restore from a pg_dump archive"}
	}
	version, err := InspectSQLite(ctx, src)
	if err != nil {
		return BackupInfo{}, err
	}
	target, err := filepath.Abs(dst)
	if err != nil {
		return BackupInfo{}, invalid("restore to %s: %v", dst, err)
	}
	if from, err := filepath.Abs(src); err == nil && from == target {
		return BackupInfo{}, invalid("restore %s: that is the database itself", src)
	}
	if _, err := os.Stat(target); err == nil && !force {
		return BackupInfo{}, &errs.Error{Code: errs.Conflict, Msg: fmt.Sprintf("store: restore to %s: a database is there already (stop exemplar, then pass --force to replace it)", dst)}
	}
	conn, err := sql.Open("sqlite", readOnlyURI(src))
	if err != nil {
		return BackupInfo{}, invalid("restore %s: %v", src, err)
	}
	defer conn.Close()
	info, err := copyVerified(ctx, conn, target, version)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: restore %s to %s: %w", src, dst, err)
	}
	return info, nil
}

// copyVerified copies the database conn reads into target through a
// temporary file beside it, checks the copy, and renames it into place.
// Any -wal and -shm files of a database replaced at target go too: they
// belong to the old file and SQLite would apply them to the new one.
func copyVerified(ctx context.Context, conn *sql.DB, target string, version int) (BackupInfo, error) {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := target + ".tmp-" + hex.EncodeToString(rnd[:])
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return BackupInfo{}, err
	}
	got, err := InspectSQLite(ctx, tmp)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("the copy failed its check: %w", err)
	}
	if got != version {
		return BackupInfo{}, fmt.Errorf("the copy has schema version %d, the original %d", got, version)
	}
	info := BackupInfo{Path: target, SchemaVersion: got}
	if err := func() error {
		c, err := sql.Open("sqlite", readOnlyURI(tmp))
		if err != nil {
			return err
		}
		defer c.Close()
		return c.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&info.AuditHead, &info.AuditHash)
	}(); err != nil {
		return BackupInfo{}, fmt.Errorf("read the copy's audit head: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return BackupInfo{}, err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return BackupInfo{}, err
	}
	if err := syncFile(filepath.Dir(target)); err != nil {
		return BackupInfo{}, err
	}
	st, err := os.Stat(target)
	if err != nil {
		return BackupInfo{}, err
	}
	info.Size = st.Size()
	return info, nil
}

// syncFile flushes a file or folder to disk, so a rename that follows (or
// preceded) survives a crash.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// readOnlyURI opens path read-only: inspecting or copying a backup must
// not change it (not even by converting it to WAL).
func readOnlyURI(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(abs))
	return "file:" + esc + "?mode=ro&_pragma=busy_timeout(10000)&_time_format=sqlite"
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// InspectSQLite checks that path is a SQLite database holding Exemplar's
// schema and returns its schema version. It checks, in order: the file's
// header, PRAGMA integrity_check, a schema_migrations table with versions
// this binary knows, and that its tables, columns, foreign keys and indexes
// are exactly those of that version. It does not change the file.
func InspectSQLite(ctx context.Context, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, invalid("%v", err)
	}
	head := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteMagic) {
		return 0, invalid("%s is not a SQLite database", path)
	}
	conn, err := sql.Open("sqlite", readOnlyURI(path))
	if err != nil {
		return 0, invalid("open %s: %v", path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return 0, invalid("%s: integrity check: %v", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, invalid("%s: integrity check: %v", path, err)
		}
		if s != "ok" && len(problems) < 5 {
			problems = append(problems, s)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, invalid("%s: integrity check: %v", path, err)
	}
	if len(problems) > 0 {
		return 0, invalid("%s fails SQLite's integrity check: %s", path, strings.Join(problems, "; "))
	}
	var one int
	if err := conn.QueryRowContext(ctx, SQLite.tableExistsQuery(), "schema_migrations").Scan(&one); err != nil {
		return 0, invalid("%s is a SQLite database but not an Exemplar one (no schema_migrations table)", path)
	}
	var version int
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return 0, invalid("%s: read schema version: %v", path, err)
	}
	if version > LatestVersion() {
		return 0, &errs.Error{Code: errs.Conflict, Err: ErrNewerSchema, Msg: fmt.Sprintf(
			"store: %s has schema version %d, but this exemplar knows versions up to %d only: upgrade exemplar", path, version, LatestVersion())}
	}
	if version == 0 {
		return 0, invalid("%s is an Exemplar database with no migrations applied", path)
	}
	have, err := readSchema(ctx, conn, SQLite)
	if err != nil {
		return 0, invalid("%s: read schema: %v", path, err)
	}
	want, err := sqliteSchemaAt(ctx, version)
	if err != nil {
		return 0, err
	}
	if diff := want.Diff(have); len(diff) > 0 {
		if len(diff) > 5 {
			diff = append(diff[:5], "…")
		}
		return 0, invalid("%s does not hold Exemplar's schema version %d: %s", path, version, strings.Join(diff, "; "))
	}
	return version, nil
}

// sqliteSchemaAt is the schema the SQLite migrations produce up to version,
// built in a scratch in-memory database.
func sqliteSchemaAt(ctx context.Context, version int) (Schema, error) {
	ms, err := Migrations(SQLite)
	if err != nil {
		return Schema{}, err
	}
	scratch, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return Schema{}, err
	}
	defer scratch.Close()
	scratch.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	if _, err := scratch.ExecContext(ctx, SQLite.schemaMigrationsDDL()); err != nil {
		return Schema{}, err
	}
	for _, m := range ms {
		if m.Version > version {
			break
		}
		if _, err := scratch.ExecContext(ctx, m.sql); err != nil {
			return Schema{}, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return readSchema(ctx, scratch, SQLite)
}

// PgDumpCommand is the command line that backs up the PostgreSQL database
// at rawURL into file, with the password left out (pg_dump reads it from
// PGPASSWORD or ~/.pgpass). A search_path parameter, which pgx takes but
// libpq does not, becomes --schema.
func PgDumpCommand(rawURL, file string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "pg_dump --format=custom --file=" + shellQuote(file) + " --dbname=URL"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	q.Del("password")
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	cmd := "pg_dump --format=custom --file=" + shellQuote(file)
	if schema != "" {
		cmd += " --schema=" + shellQuote(schema)
	}
	return cmd + " --dbname=" + shellQuote(u.String())
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
