package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Application is an enterprise's submission to a cycle through its
// channel: the raw inputs ({"input_id": value or [year values]}) and
// declarations, as JSON, with the status the workflow moves it through.
type Application struct {
	ID             int64           `json:"id"`
	CycleID        int64           `json:"cycle_id"`
	EnterpriseID   int64           `json:"enterprise_id"`
	ChannelID      int64           `json:"channel_id"`
	Status         string          `json:"status"`
	ReturnReason   string          `json:"return_reason,omitempty"`
	Inputs         json.RawMessage `json:"inputs"`
	Declarations   json.RawMessage `json:"declarations"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	Version        int64           `json:"version"`
	SubmittedAt    *time.Time      `json:"submitted_at,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

const applicationColumns = `id, cycle_id, enterprise_id, channel_id, status, return_reason, inputs, declarations,
	idempotency_key, version, submitted_at, created_at, updated_at`

func scanApplication(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var reason, key sql.NullString
	var inputs, decl string
	var submitted sql.NullTime
	err := row.Scan(&a.ID, &a.CycleID, &a.EnterpriseID, &a.ChannelID, &a.Status, &reason, &inputs, &decl,
		&key, &a.Version, &submitted, &a.CreatedAt, &a.UpdatedAt)
	a.ReturnReason, a.IdempotencyKey = reason.String, key.String
	a.Inputs, a.Declarations = json.RawMessage(inputs), json.RawMessage(decl)
	a.SubmittedAt = timePtr(submitted)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// Application returns application id.
func (tx *Tx) Application(ctx context.Context, id int64) (Application, error) {
	a, err := scanApplication(tx.QueryRow(ctx, "SELECT "+applicationColumns+" FROM applications WHERE id = ?", id))
	return a, tx.db.wrap(err, "fetch application %d", id)
}

// ApplicationForUpdate returns application id locked until the write
// transaction ends. Lock the application's cycle first (CycleForUpdate):
// every transaction takes the two in that order, so none waits in a circle.
func (tx *Tx) ApplicationForUpdate(ctx context.Context, id int64) (Application, error) {
	a, err := scanApplication(tx.QueryRow(ctx, "SELECT "+applicationColumns+" FROM applications WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return a, tx.db.wrap(err, "fetch application %d", id)
}

// ApplicationByIdempotencyKey returns the application submitted with key.
func (tx *Tx) ApplicationByIdempotencyKey(ctx context.Context, key string) (Application, error) {
	a, err := scanApplication(tx.QueryRow(ctx, "SELECT "+applicationColumns+" FROM applications WHERE idempotency_key = ?", key))
	return a, tx.db.wrap(err, "fetch application by idempotency key")
}

// Applications returns cycleID's applications whose status is one of
// statuses (all when none is given), by id.
func (tx *Tx) Applications(ctx context.Context, cycleID int64, statuses ...string) ([]Application, error) {
	q := "SELECT " + applicationColumns + " FROM applications WHERE cycle_id = ?"
	args := []any{cycleID}
	if len(statuses) > 0 {
		q += " AND status IN (?" + strings.Repeat(", ?", len(statuses)-1) + ")"
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	// Sorted here, not by ORDER BY: SQLite reads the rows through an index
	// of the cycle and would sort whole rows (inputs and all: megabytes
	// for a cycle of thousands) in its own memory first.
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, tx.db.wrap(err, "list applications of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list applications of cycle %d", cycleID)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.db.wrap(err, "list applications of cycle %d", cycleID)
	}
	slices.SortFunc(out, func(a, b Application) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CountApplications counts cycleID's applications through channelID in
// status.
func (tx *Tx) CountApplications(ctx context.Context, cycleID, channelID int64, status string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT count(*) FROM applications WHERE cycle_id = ? AND channel_id = ? AND status = ?",
		cycleID, channelID, status).Scan(&n)
	return n, tx.db.wrap(err, "count applications of channel %d in cycle %d", channelID, cycleID)
}

// InsertApplication stores a (its Version is 1) and sets a.ID.
func (tx *Tx) InsertApplication(ctx context.Context, a *Application) error {
	a.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO applications (cycle_id, enterprise_id, channel_id, status, return_reason, inputs,
			declarations, idempotency_key, version, submitted_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		a.CycleID, a.EnterpriseID, a.ChannelID, a.Status, nullText(a.ReturnReason), jsonText(a.Inputs), jsonText(a.Declarations),
		nullText(a.IdempotencyKey), nullTime(a.SubmittedAt), ts(a.CreatedAt), ts(a.UpdatedAt)).Scan(&a.ID)
	return tx.db.wrap(err, "create application of enterprise %d to cycle %d", a.EnterpriseID, a.CycleID)
}

// UpdateApplication writes a's status, reason, inputs, declarations,
// idempotency key and submission time if a.Version is still current, and
// bumps a.Version.
func (tx *Tx) UpdateApplication(ctx context.Context, a *Application) error {
	res, err := tx.Exec(ctx, `UPDATE applications SET status = ?, return_reason = ?, inputs = ?, declarations = ?,
			idempotency_key = ?, submitted_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, a.Status, nullText(a.ReturnReason), jsonText(a.Inputs), jsonText(a.Declarations),
		nullText(a.IdempotencyKey), nullTime(a.SubmittedAt), ts(a.UpdatedAt), a.ID, a.Version)
	if err == nil {
		err = checkOne(res, a.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update application %d", a.ID)
	}
	a.Version++
	return nil
}

// jsonText passes a JSON document as text; none is the empty object.
func jsonText(b json.RawMessage) string {
	if len(b) == 0 {
		return "{}"
	}
	return string(b)
}

// Recommendation is a channel putting an application forward to a cycle,
// ranked within the channel's list.
type Recommendation struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	CycleID       int64     `json:"cycle_id"`
	ChannelID     int64     `json:"channel_id"`
	Rank          int       `json:"rank"`
	RecommendedBy int64     `json:"recommended_by,omitempty"` // users.id; 0: no user account
	RecommendedAt time.Time `json:"recommended_at"`
}

// InsertRecommendation stores r with the next free rank of its channel in
// its cycle, and sets r.ID and r.Rank.
func (tx *Tx) InsertRecommendation(ctx context.Context, r *Recommendation) error {
	err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(rank), 0) + 1 FROM recommendations WHERE cycle_id = ? AND channel_id = ?",
		r.CycleID, r.ChannelID).Scan(&r.Rank)
	if err != nil {
		return tx.db.wrap(err, "rank recommendation of application %d", r.ApplicationID)
	}
	err = tx.QueryRow(ctx, `INSERT INTO recommendations (application_id, cycle_id, channel_id, rank, recommended_by, recommended_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.ApplicationID, r.CycleID, r.ChannelID, r.Rank, nullID(r.RecommendedBy), ts(r.RecommendedAt)).Scan(&r.ID)
	return tx.db.wrap(err, "recommend application %d", r.ApplicationID)
}

// DeleteRecommendation withdraws the recommendation of application id, if
// any. The ranks after it keep their numbers: a gap only means a
// withdrawn place.
func (tx *Tx) DeleteRecommendation(ctx context.Context, applicationID int64) error {
	_, err := tx.Exec(ctx, "DELETE FROM recommendations WHERE application_id = ?", applicationID)
	return tx.db.wrap(err, "withdraw recommendation of application %d", applicationID)
}

// Recommendations returns cycleID's recommendations, by channel and rank.
func (tx *Tx) Recommendations(ctx context.Context, cycleID int64) ([]Recommendation, error) {
	rows, err := tx.Query(ctx, `SELECT id, application_id, cycle_id, channel_id, rank, recommended_by, recommended_at
		FROM recommendations WHERE cycle_id = ? ORDER BY channel_id, rank`, cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "list recommendations of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []Recommendation
	for rows.Next() {
		var r Recommendation
		var by sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ApplicationID, &r.CycleID, &r.ChannelID, &r.Rank, &by, &r.RecommendedAt); err != nil {
			return nil, tx.db.wrap(err, "list recommendations of cycle %d", cycleID)
		}
		r.RecommendedBy, r.RecommendedAt = by.Int64, r.RecommendedAt.UTC()
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list recommendations of cycle %d", cycleID)
}
