package errs

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestCodes(t *testing.T) {
	err := New(Conflict, "enterprise %s: %w", "9135", io.EOF)
	if err.Error() != "enterprise 9135: EOF" || !errors.Is(err, io.EOF) || CodeOf(err) != Conflict {
		t.Errorf("New: %q, is EOF %v, code %s", err, errors.Is(err, io.EOF), CodeOf(err))
	}
	wrapped := fmt.Errorf("workflow: submit: %w", err)
	if !Is(wrapped, Conflict) || Is(wrapped, Invalid) {
		t.Errorf("the code must survive wrapping: %s", CodeOf(wrapped))
	}
	if CodeOf(io.EOF) != Internal || CodeOf(nil) != "" || Is(nil, Internal) {
		t.Error("an error without a code is internal, nil has none")
	}
	if (&Error{Code: NotFound, Err: io.EOF}).Error() != "EOF" {
		t.Error("an Error without Msg shows its cause")
	}
}
