package errs

import (
	"fmt"
	"io"
	"testing"
)

func TestField(t *testing.T) {
	err := WithField("title_zh", New(Invalid, "title_zh: an announcement needs a Chinese title"))
	wrapped := fmt.Errorf("api: %w", err)
	if FieldOf(wrapped) != "title_zh" || CodeOf(wrapped) != Invalid || err.Error() != "title_zh: an announcement needs a Chinese title" {
		t.Errorf("field %q, code %s, message %q", FieldOf(wrapped), CodeOf(wrapped), err)
	}
	if FieldOf(io.EOF) != "" || FieldOf(nil) != "" || WithField("x", nil) != nil {
		t.Error("an error without a field names none, and nil stays nil")
	}
}
