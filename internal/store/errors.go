package store

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/exemplar/exemplar/internal/errs"
)

// ErrNotFound is the cause of every "no such row" error of this package;
// such errors carry errs.NotFound.
var ErrNotFound = errors.New("not found")

// wrap turns a driver error into one with a code and a message that names
// the table, columns or constraint, prefixed with what the store was doing
// ("store: create enterprise 9135…: "). Unique violations are Conflict,
// broken foreign keys, CHECKs, NOT NULLs and values a column refuses are
// Invalid, a serialisation failure or deadlock is Conflict (try again), a
// missing row is NotFound, everything else Internal. nil stays nil.
func (db *DB) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Code: errs.NotFound, Msg: "store: " + what + ": not found", Err: ErrNotFound}
	}
	var coded *errs.Error
	if errors.As(err, &coded) {
		// Already explained (by Tx.Exec, or a nested wrap): add what the
		// store was doing, once.
		return &errs.Error{Code: coded.Code, Msg: "store: " + what + ": " + strings.TrimPrefix(err.Error(), "store: "), Err: err}
	}
	v := db.dialect.classify(err)
	msg := ""
	code := errs.Invalid
	switch v.kind {
	case uniqueViolation:
		code = errs.Conflict
		msg = "already exists: " + v.describe("must be unique")
	case foreignKeyViolation:
		msg = "refers to a row that does not exist"
		if len(v.columns) > 0 {
			msg += " (" + v.qualified() + ")"
		}
		// A delete that would orphan rows fails the same way.
		if strings.Contains(v.detail, "is still referenced") {
			msg = "still referenced by " + v.table
		}
	case checkViolation:
		msg = "value not allowed: " + v.describe("check failed")
		if allowed, ok := enumChecks()[v.constraint]; ok {
			msg = "value not allowed: " + allowed
		}
	case notNullViolation:
		msg = "missing value: " + v.describe("must not be empty")
	case badValue:
		msg = "value refused by the database: " + errText(err, db)
	case raised:
		msg = "refused: " + errText(err, db)
	case retryable:
		code = errs.Conflict
		msg = "concurrent change; try again"
	case writeLockTaken:
		code = errs.Conflict
		msg = "the database is busy (another process holds the write lock); try again"
	default:
		return &errs.Error{Code: errs.Internal, Msg: "store: " + what + ": " + errText(err, db), Err: err}
	}
	return &errs.Error{Code: code, Msg: "store: " + what + ": " + msg, Err: err}
}

// enumCheck finds the CHECKs that limit a column to a list of values in
// the migrations, e.g. "CONSTRAINT channels_kind_check CHECK (kind IN
// ('province', 'city'))".
var enumCheck = regexp.MustCompile(`CONSTRAINT (\w+) CHECK \((\w+) IN \(([^)]*)\)\)`)

// enumChecks maps such a constraint's name to a sentence that says what
// the column allows: "channels.kind must be one of 'province', 'city', …".
var enumChecks = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	ms, _ := Migrations(SQLite)
	for _, m := range ms {
		for _, g := range enumCheck.FindAllStringSubmatch(m.sql, -1) {
			name, column, values := g[1], g[2], g[3]
			table, ok := strings.CutSuffix(name, "_"+column+"_check")
			if !ok {
				continue // not the <table>_<column>_check of this column
			}
			out[name] = fmt.Sprintf("%s.%s must be one of %s", table, column, values)
		}
	}
	return out
})

// describe names what a constraint is about: "enterprises.uscc must be
// unique", or the constraint's name when that is all the driver said.
func (v violation) describe(rule string) string {
	switch {
	case len(v.columns) > 0:
		return v.qualified() + " " + rule
	case v.constraint != "":
		return "breaks " + v.constraint
	}
	return rule
}

func (v violation) qualified() string {
	cols := make([]string, len(v.columns))
	for i, c := range v.columns {
		if v.table != "" {
			c = v.table + "." + c
		}
		cols[i] = c
	}
	return strings.Join(cols, ", ")
}

// errText is err's message with the database password, if any, removed:
// drivers may echo a connection string back.
func errText(err error, db *DB) string {
	s := err.Error()
	if db != nil && db.password != "" {
		s = strings.ReplaceAll(s, db.password, "xxxxx")
	}
	return s
}

// invalid is the error for bad input caught before it reaches SQL.
func invalid(format string, args ...any) error {
	return &errs.Error{Code: errs.Invalid, Msg: "store: " + fmt.Sprintf(format, args...)}
}
