package workflow

import (
	"context"
	"time"

	"github.com/exemplar/exemplar/internal/store"
)

// ExpireRecognitions ends the titles whose validity has run out by asOf:
// every recognition that is still standing (active or passed review) and
// whose valid_until is before asOf's calendar day in the service's time
// zone becomes expired, each with a "recognition.expire" audit entry
// holding the recognition before and after. It returns how many expired.
//
// valid_until is the last day of validity, and it is included: a title
// valid until 2018-09-22 is still valid all of 2018-09-22 (in the
// service's zone) and expires from 2018-09-23 00:00 on. A passed review's
// extended valid_until counts, since it replaced the original date.
// Revoked and already expired recognitions are left as they are, so a
// second run with the same asOf changes nothing and records nothing.
//
// Everything happens in one transaction: either every lapsed recognition
// expires or none does.
func (s *Service) ExpireRecognitions(ctx context.Context, actor Actor, asOf time.Time) (n int, err error) {
	if asOf.IsZero() {
		return 0, invalidf("as_of: the day to expire recognitions by is missing")
	}
	// Recognitions keep calendar days as midnight UTC: compare in that form.
	day := dateOnly(s.today(asOf))
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		n = 0
		lapsed, err := tx.LapsedRecognitions(ctx, day)
		if err != nil {
			return err
		}
		for _, r := range lapsed {
			before := r
			r.Status, r.UpdatedAt = RecognitionExpired, j.now
			if err := tx.UpdateRecognition(ctx, &r); err != nil {
				return err
			}
			j.record("recognition.expire", "recognition", r.ID, before, r)
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
