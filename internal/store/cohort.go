package store

import (
	"context"
	"database/sql"
)

// The rows a review cycle's cohort is computed from (see
// workflow.SelectCohort for the rule that picks among them).

// CohortRecognition is a recognition with the years of the cycles that
// last confirmed it and revoked it (0 when none).
type CohortRecognition struct {
	Recognition
	ConfirmedYear int `json:"confirmed_year,omitempty"`
	RevokedYear   int `json:"revoked_year,omitempty"`
}

// ReviewPass is a final pass decision of a review cycle: the enterprise
// passed the review of that year.
type ReviewPass struct {
	EnterpriseID int64 `json:"enterprise_id"`
	CycleID      int64 `json:"cycle_id"`
	Year         int   `json:"year"`
	DecisionID   int64 `json:"decision_id"`
}

// ReviewPasses returns the final pass decisions of programID's review
// cycles of year, by enterprise id.
func (tx *Tx) ReviewPasses(ctx context.Context, programID int64, year int) ([]ReviewPass, error) {
	rows, err := tx.Query(ctx, `SELECT d.enterprise_id, c.id, c.year, d.id FROM decisions d JOIN cycles c ON c.id = d.cycle_id
		WHERE c.program_id = ? AND c.kind = 'review' AND c.year = ? AND d.state = 'final' AND d.outcome = 'pass'
		ORDER BY d.enterprise_id, d.id`, programID, year)
	if err != nil {
		return nil, tx.db.wrap(err, "list review passes of program %d in %d", programID, year)
	}
	defer rows.Close()
	var out []ReviewPass
	for rows.Next() {
		var p ReviewPass
		if err := rows.Scan(&p.EnterpriseID, &p.CycleID, &p.Year, &p.DecisionID); err != nil {
			return nil, tx.db.wrap(err, "list review passes of program %d in %d", programID, year)
		}
		out = append(out, p)
	}
	return out, tx.db.wrap(rows.Err(), "list review passes of program %d in %d", programID, year)
}

// CohortRecognitions returns the recognitions under programID that may
// belong to the cohort reviewed on the basis of year: those granted in
// year, those last confirmed by a review cycle of year, and every
// recognition of the enterprises that passed a review cycle of year
// (whichever of them that review examined is for the caller to pick).
// Ordered by enterprise id, then grant year.
func (tx *Tx) CohortRecognitions(ctx context.Context, programID int64, year int) ([]CohortRecognition, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.enterprise_id, r.program_id, r.granted_year, r.valid_from, r.valid_until, r.status,
			r.granted_cycle_id, r.confirmed_cycle_id, r.revoked_cycle_id, r.revoked_reason_zh, r.revoked_reason_en, r.revoked_at,
			r.version, r.created_at, r.updated_at, cc.year, rc.year
		FROM recognitions r
		LEFT JOIN cycles cc ON cc.id = r.confirmed_cycle_id
		LEFT JOIN cycles rc ON rc.id = r.revoked_cycle_id
		WHERE r.program_id = ? AND (r.granted_year = ? OR cc.year = ? OR r.enterprise_id IN (
			SELECT d.enterprise_id FROM decisions d JOIN cycles c ON c.id = d.cycle_id
			WHERE c.program_id = ? AND c.kind = 'review' AND c.year = ? AND d.state = 'final' AND d.outcome = 'pass'))
		ORDER BY r.enterprise_id, r.granted_year, r.id`, programID, year, year, programID, year)
	if err != nil {
		return nil, tx.db.wrap(err, "list the cohort recognitions of program %d in %d", programID, year)
	}
	defer rows.Close()
	var out []CohortRecognition
	for rows.Next() {
		var c CohortRecognition
		var confirmedYear, revokedYear sql.NullInt64
		var err error
		c.Recognition, err = scanRecognition(scanWith(rows, &confirmedYear, &revokedYear))
		if err != nil {
			return nil, tx.db.wrap(err, "list the cohort recognitions of program %d in %d", programID, year)
		}
		c.ConfirmedYear, c.RevokedYear = int(confirmedYear.Int64), int(revokedYear.Int64)
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list the cohort recognitions of program %d in %d", programID, year)
}

// scanWith is a row whose Scan fills the destinations it is given
// followed by extra: for a row of a record's columns plus a few more.
func scanWith(row interface{ Scan(...any) error }, extra ...any) interface{ Scan(...any) error } {
	return extraScanner{row, extra}
}

type extraScanner struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s extraScanner) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// ApplicationCount returns how many applications cycleID has.
func (tx *Tx) ApplicationCount(ctx context.Context, cycleID int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM applications WHERE cycle_id = ?", cycleID).Scan(&n)
	return n, tx.db.wrap(err, "count applications of cycle %d", cycleID)
}
