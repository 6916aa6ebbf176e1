package store

import (
	"context"
	"database/sql"
	"time"
)

// Decision is the pass or fail of one enterprise in a cycle, with its
// reasons: drafted (editable), proposed (listed in a public notice) or
// final (announced).
type Decision struct {
	ID           int64      `json:"id"`
	CycleID      int64      `json:"cycle_id"`
	EnterpriseID int64      `json:"enterprise_id"`
	RunID        int64      `json:"run_id,omitempty"` // the engine run it was drafted from
	Outcome      string     `json:"outcome"`          // pass, fail
	ReasonZh     string     `json:"reason_zh"`
	ReasonEn     string     `json:"reason_en"`
	State        string     `json:"state"`                // drafted, proposed, final
	DraftedBy    int64      `json:"drafted_by,omitempty"` // users.id; 0: no user account
	FinalisedAt  *time.Time `json:"finalised_at,omitempty"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

const decisionColumns = `id, cycle_id, enterprise_id, run_id, outcome, reason_zh, reason_en, state, drafted_by,
	finalised_at, version, created_at, updated_at`

func scanDecision(row interface{ Scan(...any) error }) (Decision, error) {
	var d Decision
	var run, by sql.NullInt64
	var final sql.NullTime
	err := row.Scan(&d.ID, &d.CycleID, &d.EnterpriseID, &run, &d.Outcome, &d.ReasonZh, &d.ReasonEn, &d.State, &by,
		&final, &d.Version, &d.CreatedAt, &d.UpdatedAt)
	d.RunID, d.DraftedBy, d.FinalisedAt = run.Int64, by.Int64, timePtr(final)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// Decision returns decision id.
func (tx *Tx) Decision(ctx context.Context, id int64) (Decision, error) {
	d, err := scanDecision(tx.QueryRow(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE id = ?", id))
	return d, tx.db.wrap(err, "fetch decision %d", id)
}

// DecisionForUpdate returns decision id locked until the write transaction
// ends. Lock its cycle first (CycleForUpdate).
func (tx *Tx) DecisionForUpdate(ctx context.Context, id int64) (Decision, error) {
	d, err := scanDecision(tx.QueryRow(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return d, tx.db.wrap(err, "fetch decision %d", id)
}

// DecisionOf returns the decision on enterpriseID in cycleID, locked until
// the transaction ends when tx writes. Lock the cycle first.
func (tx *Tx) DecisionOf(ctx context.Context, cycleID, enterpriseID int64) (Decision, error) {
	q := "SELECT " + decisionColumns + " FROM decisions WHERE cycle_id = ? AND enterprise_id = ?"
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	d, err := scanDecision(tx.QueryRow(ctx, q, cycleID, enterpriseID))
	return d, tx.db.wrap(err, "fetch decision on enterprise %d in cycle %d", enterpriseID, cycleID)
}

// Decisions returns cycleID's decisions, by enterprise id.
func (tx *Tx) Decisions(ctx context.Context, cycleID int64) ([]Decision, error) {
	rows, err := tx.Query(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE cycle_id = ? ORDER BY enterprise_id", cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "list decisions of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list decisions of cycle %d", cycleID)
		}
		out = append(out, d)
	}
	return out, tx.db.wrap(rows.Err(), "list decisions of cycle %d", cycleID)
}

// InsertDecision stores d (its Version is 1) and sets d.ID.
func (tx *Tx) InsertDecision(ctx context.Context, d *Decision) error {
	d.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO decisions (cycle_id, enterprise_id, run_id, outcome, reason_zh, reason_en, state,
			drafted_by, finalised_at, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		d.CycleID, d.EnterpriseID, nullID(d.RunID), d.Outcome, d.ReasonZh, d.ReasonEn, d.State,
		nullID(d.DraftedBy), nullTime(d.FinalisedAt), ts(d.CreatedAt), ts(d.UpdatedAt)).Scan(&d.ID)
	return tx.db.wrap(err, "create decision on enterprise %d in cycle %d", d.EnterpriseID, d.CycleID)
}

// UpdateDecision writes d's outcome, reasons, state, author and
// finalisation time if d.Version is still current, and bumps d.Version.
func (tx *Tx) UpdateDecision(ctx context.Context, d *Decision) error {
	res, err := tx.Exec(ctx, `UPDATE decisions SET outcome = ?, reason_zh = ?, reason_en = ?, state = ?, drafted_by = ?,
			finalised_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, d.Outcome, d.ReasonZh, d.ReasonEn, d.State, nullID(d.DraftedBy),
		nullTime(d.FinalisedAt), ts(d.UpdatedAt), d.ID, d.Version)
	if err == nil {
		err = checkOne(res, d.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update decision %d", d.ID)
	}
	d.Version++
	return nil
}
