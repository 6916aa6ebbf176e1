package store

import (
	"context"
	"database/sql"
	"errors"
)

// ResultScore returns the decision score enterprise enterpriseID got in
// engine run runID; nil when the run gave it none (it was not eligible or
// not scored) or has no result for it.
func (tx *Tx) ResultScore(ctx context.Context, runID, enterpriseID int64) (*float64, error) {
	var score sql.NullFloat64
	err := tx.QueryRow(ctx, "SELECT score FROM results WHERE run_id = ? AND enterprise_id = ?", runID, enterpriseID).Scan(&score)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, tx.db.wrap(err, "fetch the score of enterprise %d in run %d", enterpriseID, runID)
	case !score.Valid:
		return nil, nil
	}
	return &score.Float64, nil
}
