package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// EngineRun is one run of the scoring engine over a cycle's applications.
type EngineRun struct {
	ID               int64      `json:"id"`
	CycleID          int64      `json:"cycle_id"`
	ProgramVersionID int64      `json:"program_version_id"`
	Status           string     `json:"status"` // running, finished, failed
	Error            string     `json:"error,omitempty"`
	StartedBy        int64      `json:"started_by,omitempty"` // users.id; 0: no user account
	StartedAt        time.Time  `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at,omitempty"`
}

// Result is the engine's verdict on one enterprise in a run: Result holds
// its full output as JSON; the other fields repeat the parts lists sort by.
type Result struct {
	RunID         int64           `json:"run_id"`
	EnterpriseID  int64           `json:"enterprise_id"`
	ApplicationID int64           `json:"application_id,omitempty"`
	Eligible      bool            `json:"eligible"`
	Score         *float64        `json:"score,omitempty"` // nil: not scored
	Rank          int             `json:"rank,omitempty"`  // 0: not ranked
	Pass          bool            `json:"pass"`
	Result        json.RawMessage `json:"result"`
}

// InsertEngineRun stores r and sets r.ID.
func (tx *Tx) InsertEngineRun(ctx context.Context, r *EngineRun) error {
	err := tx.QueryRow(ctx, `INSERT INTO engine_runs (cycle_id, program_version_id, status, error, started_by, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.CycleID, r.ProgramVersionID, r.Status, nullText(r.Error),
		nullID(r.StartedBy), ts(r.StartedAt), nullTime(r.FinishedAt)).Scan(&r.ID)
	return tx.db.wrap(err, "create engine run of cycle %d", r.CycleID)
}

// FinishEngineRun records how run r ended: its Status, Error and
// FinishedAt.
func (tx *Tx) FinishEngineRun(ctx context.Context, r *EngineRun) error {
	_, err := tx.Exec(ctx, "UPDATE engine_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
		r.Status, nullText(r.Error), nullTime(r.FinishedAt), r.ID)
	return tx.db.wrap(err, "finish engine run %d", r.ID)
}

// LatestEngineRun returns cycleID's newest finished engine run.
func (tx *Tx) LatestEngineRun(ctx context.Context, cycleID int64) (EngineRun, error) {
	var r EngineRun
	var errText sql.NullString
	var by sql.NullInt64
	var finished sql.NullTime
	err := tx.QueryRow(ctx, `SELECT id, cycle_id, program_version_id, status, error, started_by, started_at, finished_at
		FROM engine_runs WHERE cycle_id = ? AND status = 'finished' ORDER BY id DESC LIMIT 1`, cycleID).Scan(
		&r.ID, &r.CycleID, &r.ProgramVersionID, &r.Status, &errText, &by, &r.StartedAt, &finished)
	r.Error, r.StartedBy, r.StartedAt, r.FinishedAt = errText.String, by.Int64, r.StartedAt.UTC(), timePtr(finished)
	return r, tx.db.wrap(err, "fetch latest engine run of cycle %d", cycleID)
}

// InsertResult stores r.
func (tx *Tx) InsertResult(ctx context.Context, r *Result) error {
	var score, rank any
	if r.Score != nil {
		score = *r.Score
	}
	if r.Rank > 0 {
		rank = r.Rank
	}
	_, err := tx.Exec(ctx, `INSERT INTO results (run_id, enterprise_id, application_id, eligible, score, rank, pass, result)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.RunID, r.EnterpriseID, nullID(r.ApplicationID), r.Eligible, score, rank, r.Pass, string(r.Result))
	return tx.db.wrap(err, "store result of enterprise %d in run %d", r.EnterpriseID, r.RunID)
}

// Results returns run runID's results, by enterprise id.
func (tx *Tx) Results(ctx context.Context, runID int64) ([]Result, error) {
	rows, err := tx.Query(ctx, `SELECT run_id, enterprise_id, application_id, eligible, score, rank, pass, result
		FROM results WHERE run_id = ? ORDER BY enterprise_id`, runID)
	if err != nil {
		return nil, tx.db.wrap(err, "list results of run %d", runID)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		var app, rank sql.NullInt64
		var score sql.NullFloat64
		var pass sql.NullBool
		var doc string
		if err := rows.Scan(&r.RunID, &r.EnterpriseID, &app, &r.Eligible, &score, &rank, &pass, &doc); err != nil {
			return nil, tx.db.wrap(err, "list results of run %d", runID)
		}
		r.ApplicationID, r.Rank, r.Pass, r.Result = app.Int64, int(rank.Int64), pass.Bool, json.RawMessage(doc)
		if score.Valid {
			r.Score = &score.Float64
		}
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list results of run %d", runID)
}
