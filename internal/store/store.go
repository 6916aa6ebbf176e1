// Package store keeps Exemplar's state in SQL: SQLite by default (one file,
// pure Go) and PostgreSQL when several nodes share a database. It speaks
// hand-written, portable SQL; the few differences between the two live in
// dialect.go. Schema changes are embedded migrations (migrate.go), the audit
// log is hash-chained (audit.go), and SQLite databases can be backed up and
// restored online (backup.go).
//
// Every write happens inside DB.Tx, which commits or rolls back as a whole;
// reads outside a transaction use a separate pool. Errors carry an
// errs.Code: a duplicate is errs.Conflict, a broken constraint errs.Invalid,
// a missing row errs.NotFound.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// DB is an open database. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	// write runs every write transaction. On SQLite it holds exactly one
	// connection: SQLite allows one writer at a time anyway, and queueing
	// writers in Go (instead of letting several connections fight over the
	// file lock with busy retries) keeps latency predictable and makes
	// "BEGIN IMMEDIATE … COMMIT" a plain mutex. On PostgreSQL it is the pool.
	write *sql.DB
	// read serves reads outside write transactions: on SQLite a pool of
	// read-only connections (WAL lets them read while the writer writes),
	// on PostgreSQL the same pool as write.
	read *sql.DB
	// writeStmts and readStmts keep SQLite's statements prepared, for the
	// write and the read pool (stmtcache.go); nil on PostgreSQL.
	writeStmts, readStmts *stmtCache

	path     string // SQLite: the database file
	display  string // the URL with its password removed, for messages
	password string // to scrub from driver messages
	now      func() time.Time
}

// Option changes how Open opens a database.
type Option func(*options)

type options struct {
	migrate bool
	now     func() time.Time
}

// WithoutMigrate makes Open leave pending migrations alone (exemplar
// migrate --status uses it). Open still refuses a database newer than the
// binary.
func WithoutMigrate() Option { return func(o *options) { o.migrate = false } }

// WithClock sets the clock the store stamps rows and audit entries with
// (tests use a fixed one). The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// busyTimeout is how long a SQLite connection waits for a lock held by
// another process (a second exemplar on the same file) before failing.
const busyTimeout = 10 * time.Second

// Open opens the database at rawURL and, unless told WithoutMigrate, applies
// the migrations it lacks. rawURL is a PostgreSQL URL (postgres:// or
// postgresql://), or a SQLite file: a path or sqlite:PATH (sqlite:///abs
// also works). A missing SQLite file is created. Open refuses a database
// whose schema is newer than this binary knows.
//
// SQLite runs in WAL mode with foreign keys on and synchronous=FULL: in WAL
// mode NORMAL already survives a killed process, but FULL also survives a
// power cut or OS crash after COMMIT returned, and "nothing that was
// accepted is ever lost" is the rule; the cost is one fsync per
// transaction, which the single writer amortises over whole transactions.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	o := options{migrate: true, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	dialect, target, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db := &DB{dialect: dialect, now: o.now, display: RedactURL(rawURL)}
	if dialect == Postgres {
		err = db.openPostgres(ctx, target)
	} else {
		err = db.openSQLite(ctx, target)
	}
	if err != nil {
		return nil, err
	}
	if err := db.checkNotNewer(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if o.migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// ParseURL says which database rawURL names and returns what its driver
// opens: the URL itself for PostgreSQL, the file path for SQLite.
func ParseURL(rawURL string) (Dialect, string, error) {
	switch {
	case rawURL == "":
		return "", "", invalid("no database given: set EXEMPLAR_DATABASE_URL or pass --database")
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", invalid("database URL %s is not a valid URL", RedactURL(rawURL))
		}
		return Postgres, rawURL, nil
	}
	path := rawURL
	if rest, ok := strings.CutPrefix(rawURL, "sqlite:"); ok {
		path = strings.TrimPrefix(rest, "//")
	} else if i := strings.Index(rawURL, "://"); i > 0 && !strings.ContainsAny(rawURL[:i], `/\.`) {
		return "", "", invalid("database URL %s: unsupported scheme %q: give a file path, sqlite:PATH or postgres://…", RedactURL(rawURL), rawURL[:i])
	}
	switch {
	case path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:"):
		return "", "", invalid("database %q: an in-memory SQLite database cannot be shared by the store's connections; give a file path", rawURL)
	case strings.ContainsAny(path, "?#"):
		return "", "", invalid("database file %q: the name may not contain ? or #", path)
	}
	return SQLite, path, nil
}

// RedactURL returns rawURL with any password replaced by xxxxx, for
// messages and logs. A SQLite path comes back unchanged.
func RedactURL(rawURL string) string {
	if !strings.Contains(rawURL, "://") {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// Cannot find the password to cut out: show no more than the scheme.
		scheme, _, _ := strings.Cut(rawURL, "://")
		return scheme + "://(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// sqliteParams are the connection settings of every SQLite connection;
// _time_format=sqlite writes times as "2006-01-02 15:04:05.999999999-07:00",
// which reads back exactly and, in UTC, sorts as text in time order.
var sqliteParams = "_pragma=busy_timeout(" + fmt.Sprint(busyTimeout.Milliseconds()) + ")&_pragma=foreign_keys(1)&_time_format=sqlite"

func (db *DB) openSQLite(ctx context.Context, path string) error {
	db.path = path
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return invalid("open %s: folder %s does not exist", path, dir)
		}
	}
	// The writer sets WAL (persistent in the file, so readers need not)
	// and takes the write lock at BEGIN: a deferred transaction that reads
	// first and writes later could fail with SQLITE_BUSY midway when
	// another process writes in between. It keeps up to 64 MB of pages
	// in memory (SQLite's default is 2 MB): a bulk transition touches
	// tens of MB, and with the default it spills and rereads pages.
	w, err := sql.Open("sqlite", path+"?"+sqliteParams+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return db.wrap(err, "open %s", path)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return db.wrap(err, "open %s", path)
	}
	// query_only makes a slip (a write through the read pool) an error
	// instead of a second writer.
	r, err := sql.Open("sqlite", path+"?"+sqliteParams+"&_query_only=1")
	if err != nil {
		w.Close()
		return db.wrap(err, "open %s", path)
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return db.wrap(err, "open %s", path)
	}
	db.write, db.read = w, r
	db.writeStmts, db.readStmts = newStmtCache(w), newStmtCache(r)
	return nil
}

func (db *DB) openPostgres(ctx context.Context, rawURL string) error {
	if u, err := url.Parse(rawURL); err == nil {
		if p, ok := u.User.Password(); ok {
			db.password = p
		} else if p := u.Query().Get("password"); p != "" {
			db.password = p
		}
	}
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return &errs.Error{Code: errs.Invalid, Msg: "store: open " + db.display + ": " + errText(err, db)}
	}
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		// Not wrapped with %w: the driver's error may hold the password.
		return &errs.Error{Code: errs.Internal, Msg: "store: connect to " + db.display + ": " + errText(err, db)}
	}
	db.write, db.read = p, p
	return nil
}

// Close closes the database's connections.
func (db *DB) Close() error {
	db.writeStmts.close()
	db.readStmts.close()
	var err error
	if db.read != nil && db.read != db.write {
		err = db.read.Close()
	}
	if db.write != nil {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Dialect says which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// String is the database's URL or path with any password removed.
func (db *DB) String() string { return db.display }

// Path is the SQLite database file ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Now is the store's clock, in UTC to the microsecond (what the database
// keeps).
func (db *DB) Now() time.Time { return ts(db.now()) }

// Tx runs fn in a write transaction and commits it when fn returns nil, or
// rolls it back when fn returns an error (which Tx returns as it is) or
// panics (the panic goes on). Every write of the store goes through Tx.
//
// On SQLite, write transactions run one at a time (see DB.write), so fn
// should not wait on anything slow: read files and compute before calling
// Tx. For the same reason fn must not call db.Tx again (it would wait
// forever for the one writer connection); use tx instead.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap(err, "begin transaction")
	}
	tx := &Tx{tx: sqlTx, db: db, cache: db.writeStmts}
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
		// After the transaction: its connection is free to prepare on.
		db.writeStmts.prepare(ctx, tx.unprepared)
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return db.wrap(err, "commit")
	}
	committed = true
	return nil
}

// Read runs fn in a read-only transaction, which sees one consistent state
// of the database however long fn takes (a snapshot: WAL on SQLite,
// REPEATABLE READ on PostgreSQL).
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return db.wrap(err, "begin read transaction")
	}
	tx := &Tx{tx: sqlTx, db: db, readOnly: true, cache: db.readStmts}
	defer func() {
		_ = sqlTx.Rollback()
		db.readStmts.prepare(ctx, tx.unprepared)
	}()
	return fn(tx)
}

// Tx is a transaction of DB.Tx or DB.Read.
type Tx struct {
	tx       *sql.Tx
	db       *DB
	readOnly bool
	// cache holds the pool's prepared statements (SQLite); unprepared
	// notes the queries that ran without one, to prepare after the
	// transaction.
	cache      *stmtCache
	unprepared []string
	// bulk holds the transaction's bulk statements, prepared on its
	// connection (SQLite; see stmt).
	bulk map[string]*sql.Stmt
}

// DB is the database the transaction belongs to.
func (tx *Tx) DB() *DB { return tx.db }

// Exec runs a statement written with ? placeholders. Its error carries an
// errs.Code (see DB.wrap). The store's own methods are the way to change
// data; Exec is for them, migrations and tests.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	var err error
	if st := tx.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = tx.tx.ExecContext(ctx, tx.db.dialect.rebind(query), args...)
	}
	if err != nil {
		return nil, tx.db.wrap(err, "%s", statementName(query))
	}
	return res, nil
}

// Query runs a query written with ? placeholders inside the transaction.
// Its errors are the driver's: the store's methods pass them through
// DB.wrap to give them a code.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.db.dialect.rebind(query), args...)
}

// QueryRow runs a query written with ? placeholders that returns one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.db.dialect.rebind(query), args...)
}

// Query runs a read query written with ? placeholders on the read pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.dialect.rebind(query), args...)
}

// QueryRow runs a read query that returns one row on the read pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.dialect.rebind(query), args...)
}

// readStmt returns query prepared on the read pool (SQLite), preparing it
// now if need be (outside a transaction nothing holds the pool's
// connections), or nil to run it unprepared.
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.readStmts == nil || !cacheable(query) {
		return nil
	}
	if st := db.readStmts.get(query); st != nil {
		return st
	}
	db.readStmts.prepare(ctx, []string{query})
	return db.readStmts.get(query)
}

// statementName is how an error names a statement: its first words, e.g.
// "insert into enterprises".
func statementName(query string) string {
	words := strings.Fields(query)
	if len(words) > 3 {
		words = words[:3]
	}
	return strings.ToLower(strings.Join(words, " "))
}
