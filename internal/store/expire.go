package store

import (
	"context"
	"time"
)

// LapsedRecognitions returns the standing recognitions (active or passed
// review) whose last valid day, valid_until, is before the day of before
// (a day, read as midnight UTC the way Recognition keeps days), by id,
// locked until the transaction ends when tx writes. A recognition valid
// until before's day itself is not returned: that day is still within it.
func (tx *Tx) LapsedRecognitions(ctx context.Context, before time.Time) ([]Recognition, error) {
	q := "SELECT " + recognitionColumns + ` FROM recognitions
		WHERE status IN ('active', 'passed_review') AND valid_until < ?
		ORDER BY id`
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	rows, err := tx.Query(ctx, q, day(before))
	if err != nil {
		return nil, tx.db.wrap(err, "list the recognitions lapsed before %s", day(before))
	}
	defer rows.Close()
	var out []Recognition
	for rows.Next() {
		r, err := scanRecognition(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list the recognitions lapsed before %s", day(before))
		}
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list the recognitions lapsed before %s", day(before))
}
