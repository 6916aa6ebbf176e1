package store

// Helpers shared by the record files (programs.go, cycles.go,
// applications.go, …): how optional values and calendar days go into and
// come out of SQL, and the error for a stale version.

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// ErrStale is the cause of every refused update whose version was no
// longer current; such errors carry errs.Conflict.
var ErrStale = errors.New("stale version")

// stale is the error of an optimistic update that matched no row: someone
// else changed (or removed) the record since it was read. The caller's
// wrap says which record.
func stale(version int64) error {
	return &errs.Error{Code: errs.Conflict, Err: ErrStale, Msg: fmt.Sprintf(
		"store: version %d is no longer current (changed by someone else); reload and try again", version)}
}

// checkOne turns an UPDATE … WHERE id = ? AND version = ? that touched no
// row into the stale error.
func checkOne(res sql.Result, version int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return stale(version)
	}
	return nil
}

// checkCount turns a bulk UPDATE that touched another number of rows
// than it was given into the stale error: one of them changed since it
// was read.
func checkCount(res sql.Result, want int) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != int64(want) {
		return &errs.Error{Code: errs.Conflict, Err: ErrStale, Msg: fmt.Sprintf(
			"store: %d of %d rows changed since they were read (changed by someone else); reload and try again", int64(want)-n, want)}
	}
	return nil
}

// day is how a calendar day goes into a DATE column: "2006-01-02" text,
// which both databases compare and index as a date (a time.Time would be
// stored with a time of day on SQLite and no longer equal the day).
func day(t time.Time) string { return t.Format(time.DateOnly) }

// dayOf reads a DATE column back as midnight UTC of that day.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// nullID is a reference that may be absent: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullTime is an instant that may be absent: nil is NULL.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// nullText is text that may be absent: "" is NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timePtr reads a nullable instant.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// valuesList is the VALUES list of a multi-row INSERT of rows rows of
// cols columns: "(?, ?), (?, ?)".
func valuesList(rows, cols int) string {
	one := "(?" + strings.Repeat(", ?", cols-1) + ")"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// placeholders is "?, ?, ?" for n values, for an IN list.
func placeholders(n int) string {
	return "?" + strings.Repeat(", ?", n-1)
}
