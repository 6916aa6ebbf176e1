package workflow

// The errors of the package, in one place: every refusal carries an errs
// code (invalid input, a thing not found, a conflict with the current
// state, a channel acting outside its own) and a message that names the
// record, its state and what would be allowed.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

func invalidf(format string, args ...any) error   { return errs.New(errs.Invalid, format, args...) }
func conflictf(format string, args ...any) error  { return errs.New(errs.Conflict, format, args...) }
func forbiddenf(format string, args ...any) error { return errs.New(errs.Forbidden, format, args...) }

// internalf is for a state the workflow's own rules should have made
// impossible.
func internalf(format string, args ...any) error { return errs.New(errs.Internal, format, args...) }

// missing says "<what> does not exist" when err is the store's not-found,
// and passes any other error on.
func missing(err error, format string, args ...any) error {
	if errs.Is(err, errs.NotFound) {
		return &errs.Error{Code: errs.NotFound, Msg: fmt.Sprintf(format, args...) + " does not exist", Err: err}
	}
	return err
}

// needPhase refuses action unless cycle id is in one of phases:
// `cycle 3 is in phase "draft"; "recommend" needs "recommendation"`.
func needPhase(id int64, phase, action string, phases ...string) error {
	if slices.Contains(phases, phase) {
		return nil
	}
	return conflictf("cycle %d is in phase %q; %q needs %s", id, phase, action, oneOf(phases))
}

// needStatus refuses action unless the record is in one of statuses:
// `application 5 is "submitted"; "save" needs "draft" or "returned"`.
func needStatus(what string, id int64, status, action string, statuses ...string) error {
	if slices.Contains(statuses, status) {
		return nil
	}
	return conflictf("%s %d is %q; %q needs %s", what, id, status, action, oneOf(statuses))
}

// needVersion refuses a change based on a version of the record other
// than its current one: someone changed it in between, and overwriting
// their change silently is what optimistic locking exists to prevent.
func needVersion(what string, id, current, given int64) error {
	if current == given {
		return nil
	}
	return conflictf("%s %d is at version %d, not %d: it was changed since you read it; reload and try again", what, id, current, given)
}

// oneOf quotes values as `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
func oneOf(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// when shows an instant to people, in the service's time zone.
func (s *Service) when(t time.Time) string { return t.In(s.loc).Format("2006-01-02 15:04 -07:00") }

// count says "1 decision", "3 decisions".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// pronoun is "it" or "them".
func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// idList shows ids, the first ten of them: "4, 9, 12" or "4, 9, … (25 in all)".
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 10 {
			fmt.Fprintf(&b, ", … (%d in all)", len(ids))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

// result is v, or its zero value when err is not nil: a refused change
// returns no half-changed record.
func result[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
