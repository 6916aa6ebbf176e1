// Package errs gives errors a code that says what kind of failure they are,
// so that the place that reports an error (the CLI's exit code, the API's
// HTTP status) can decide from the code alone, in one place, while the
// message stays the one written where the error arose.
//
// An error carries a code when any error in its chain is an *Error; errors
// without one are Internal.
package errs

import (
	"errors"
	"fmt"
)

// Code is the kind of a failure.
type Code string

// The codes. Their string values are stable: the API returns them.
const (
	// Invalid: the input breaks a rule (a field, a row, a constraint); the
	// same request will fail again until the input changes.
	Invalid Code = "invalid"
	// NotFound: the thing named does not exist.
	NotFound Code = "not_found"
	// Conflict: the request clashes with the current state: a duplicate, a
	// stale version, a transition not allowed from the current phase.
	Conflict Code = "conflict"
	// Forbidden: the caller is known but may not do this.
	Forbidden Code = "forbidden"
	// Unauthorised: the caller is not known (no or bad credentials).
	Unauthorised Code = "unauthorised"
	// Internal: anything else; the caller cannot fix it.
	Internal Code = "internal"
)

// Error is an error with a code. Msg is the whole message shown to people;
// Err, when set, is the underlying cause (for errors.Is and logs).
type Error struct {
	Code Code
	Msg  string
	Err  error
}

// Error returns Msg, or the cause's message when Msg is empty.
func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a formatted message. Like fmt.Errorf,
// a %w verb in format makes the argument the cause.
func New(code Code, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// CodeOf returns the code of the first *Error in err's chain, Internal when
// there is none, and "" for a nil err.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
