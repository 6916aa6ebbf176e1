package errs

import "errors"

// FieldError names the input field an error is about, so that an API can
// point at it ("field" in its error object) while the message stays the
// one written where the error arose. Its code is its cause's.
type FieldError struct {
	Field string
	Err   error
}

// Error returns the cause's message.
func (e *FieldError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// WithField returns err naming field; a nil err stays nil.
func WithField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

// FieldOf returns the field the first *FieldError in err's chain names,
// or "" when there is none.
func FieldOf(err error) string {
	var e *FieldError
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
