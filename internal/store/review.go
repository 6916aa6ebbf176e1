package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// ReviewConflict is a conflict of interest an expert declared with one
// enterprise (EnterpriseID) or with every enterprise of a channel
// (ChannelID); exactly one of the two is set.
type ReviewConflict struct {
	ID           int64     `json:"id"`
	ExpertID     int64     `json:"expert_id"`
	EnterpriseID int64     `json:"enterprise_id,omitempty"`
	ChannelID    int64     `json:"channel_id,omitempty"`
	Reason       string    `json:"reason"`
	CreatedAt    time.Time `json:"created_at"`
}

const reviewConflictColumns = `id, expert_id, enterprise_id, channel_id, reason, created_at`

func scanReviewConflict(row interface{ Scan(...any) error }) (ReviewConflict, error) {
	var c ReviewConflict
	var e, ch sql.NullInt64
	err := row.Scan(&c.ID, &c.ExpertID, &e, &ch, &c.Reason, &c.CreatedAt)
	c.EnterpriseID, c.ChannelID, c.CreatedAt = e.Int64, ch.Int64, c.CreatedAt.UTC()
	return c, err
}

// InsertReviewConflict stores c and sets c.ID. A second declaration of
// the same expert and enterprise or channel is a conflict (errs.Conflict).
func (tx *Tx) InsertReviewConflict(ctx context.Context, c *ReviewConflict) error {
	err := tx.QueryRow(ctx, `INSERT INTO review_conflicts (expert_id, enterprise_id, channel_id, reason, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.ExpertID, nullID(c.EnterpriseID), nullID(c.ChannelID), c.Reason, ts(c.CreatedAt)).Scan(&c.ID)
	return tx.db.wrap(err, "declare conflict of expert %d", c.ExpertID)
}

// ReviewConflicts returns the conflicts expert expertID declared (every
// expert's when expertID is 0), oldest first.
func (tx *Tx) ReviewConflicts(ctx context.Context, expertID int64) ([]ReviewConflict, error) {
	q := "SELECT " + reviewConflictColumns + " FROM review_conflicts"
	var args []any
	if expertID != 0 {
		q += " WHERE expert_id = ?"
		args = append(args, expertID)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, tx.db.wrap(err, "list conflicts of expert %d", expertID)
	}
	defer rows.Close()
	var out []ReviewConflict
	for rows.Next() {
		c, err := scanReviewConflict(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list conflicts of expert %d", expertID)
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list conflicts of expert %d", expertID)
}

// ReviewAssignment is an expert's assignment to one application, and its
// scoresheet: Scores holds {"input_id": value} for the program's review
// items. Status is assigned, draft (saved) or submitted (locked).
type ReviewAssignment struct {
	ID            int64           `json:"id"`
	CycleID       int64           `json:"cycle_id"`
	ApplicationID int64           `json:"application_id"`
	ExpertID      int64           `json:"expert_id"`
	Status        string          `json:"status"`
	Scores        json.RawMessage `json:"scores"`
	Comment       string          `json:"comment"`
	AssignedBy    int64           `json:"assigned_by,omitempty"` // users.id; 0: no user account
	AssignedAt    time.Time       `json:"assigned_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	SubmittedAt   *time.Time      `json:"submitted_at,omitempty"`
	Version       int64           `json:"version"`
}

const reviewAssignmentColumns = `id, cycle_id, application_id, expert_id, status, scores, comment, assigned_by,
	assigned_at, updated_at, submitted_at, version`

func scanReviewAssignment(row interface{ Scan(...any) error }) (ReviewAssignment, error) {
	var a ReviewAssignment
	var scores string
	var by sql.NullInt64
	var submitted sql.NullTime
	err := row.Scan(&a.ID, &a.CycleID, &a.ApplicationID, &a.ExpertID, &a.Status, &scores, &a.Comment, &by,
		&a.AssignedAt, &a.UpdatedAt, &submitted, &a.Version)
	a.Scores, a.AssignedBy, a.SubmittedAt = json.RawMessage(scores), by.Int64, timePtr(submitted)
	a.AssignedAt, a.UpdatedAt = a.AssignedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// ReviewAssignment returns assignment id.
func (tx *Tx) ReviewAssignment(ctx context.Context, id int64) (ReviewAssignment, error) {
	a, err := scanReviewAssignment(tx.QueryRow(ctx, "SELECT "+reviewAssignmentColumns+" FROM review_assignments WHERE id = ?", id))
	return a, tx.db.wrap(err, "fetch review assignment %d", id)
}

// ReviewAssignmentForUpdate returns assignment id locked until the write
// transaction ends. Lock its cycle first (CycleForUpdate).
func (tx *Tx) ReviewAssignmentForUpdate(ctx context.Context, id int64) (ReviewAssignment, error) {
	a, err := scanReviewAssignment(tx.QueryRow(ctx, "SELECT "+reviewAssignmentColumns+" FROM review_assignments WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return a, tx.db.wrap(err, "fetch review assignment %d", id)
}

// ReviewAssignmentQuery selects assignments: of one cycle, application or
// expert (each when not 0), newest cycle first, then by application and id.
type ReviewAssignmentQuery struct {
	CycleID, ApplicationID, ExpertID int64
	// Limit and Offset page the list; Limit 0 means all.
	Limit, Offset int
}

// ReviewAssignments returns the assignments q selects and how many there
// are in all.
func (tx *Tx) ReviewAssignments(ctx context.Context, q ReviewAssignmentQuery) ([]ReviewAssignment, int, error) {
	where := " WHERE 1 = 1"
	var args []any
	for _, f := range []struct {
		col string
		v   int64
	}{{"cycle_id", q.CycleID}, {"application_id", q.ApplicationID}, {"expert_id", q.ExpertID}} {
		if f.v != 0 {
			where += " AND " + f.col + " = ?"
			args = append(args, f.v)
		}
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM review_assignments"+where, args...).Scan(&total); err != nil {
		return nil, 0, tx.db.wrap(err, "count review assignments")
	}
	sqlq := "SELECT " + reviewAssignmentColumns + " FROM review_assignments" + where + " ORDER BY cycle_id DESC, application_id, id"
	if q.Limit > 0 {
		sqlq += " LIMIT ? OFFSET ?"
		args = append(args, q.Limit, q.Offset)
	}
	rows, err := tx.Query(ctx, sqlq, args...)
	if err != nil {
		return nil, 0, tx.db.wrap(err, "list review assignments")
	}
	defer rows.Close()
	var out []ReviewAssignment
	for rows.Next() {
		a, err := scanReviewAssignment(rows)
		if err != nil {
			return nil, 0, tx.db.wrap(err, "list review assignments")
		}
		out = append(out, a)
	}
	return out, total, tx.db.wrap(rows.Err(), "list review assignments")
}

// InsertReviewAssignment stores a (its Version is 1) and sets a.ID. A
// second assignment of the same expert to the same application is a
// conflict (errs.Conflict).
func (tx *Tx) InsertReviewAssignment(ctx context.Context, a *ReviewAssignment) error {
	a.Version = 1
	if len(a.Scores) == 0 {
		a.Scores = json.RawMessage("{}")
	}
	err := tx.QueryRow(ctx, `INSERT INTO review_assignments (cycle_id, application_id, expert_id, status, scores, comment,
			assigned_by, assigned_at, updated_at, submitted_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
		a.CycleID, a.ApplicationID, a.ExpertID, a.Status, string(a.Scores), a.Comment,
		nullID(a.AssignedBy), ts(a.AssignedAt), ts(a.UpdatedAt), nullTime(a.SubmittedAt)).Scan(&a.ID)
	return tx.db.wrap(err, "assign expert %d to application %d", a.ExpertID, a.ApplicationID)
}

// UpdateReviewAssignment writes a's status, scores and comment if
// a.Version is still current, and bumps a.Version.
func (tx *Tx) UpdateReviewAssignment(ctx context.Context, a *ReviewAssignment) error {
	res, err := tx.Exec(ctx, `UPDATE review_assignments SET status = ?, scores = ?, comment = ?, updated_at = ?,
			submitted_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, a.Status, string(a.Scores), a.Comment, ts(a.UpdatedAt), nullTime(a.SubmittedAt), a.ID, a.Version)
	if err == nil {
		err = checkOne(res, a.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update review assignment %d", a.ID)
	}
	a.Version++
	return nil
}

// DeleteReviewAssignment removes assignment a if a.Version is still
// current.
func (tx *Tx) DeleteReviewAssignment(ctx context.Context, a ReviewAssignment) error {
	res, err := tx.Exec(ctx, "DELETE FROM review_assignments WHERE id = ? AND version = ?", a.ID, a.Version)
	if err == nil {
		err = checkOne(res, a.Version)
	}
	return tx.db.wrap(err, "remove review assignment %d", a.ID)
}

// Experts returns the users who hold the expert role and are not
// disabled, by id: the pool assignments draw from.
func (tx *Tx) Experts(ctx context.Context) ([]User, error) {
	rows, err := tx.Query(ctx, "SELECT "+userColumns+` FROM users
		WHERE disabled = ? AND id IN (SELECT user_id FROM user_roles WHERE role = 'expert') ORDER BY id`, false)
	if err != nil {
		return nil, tx.db.wrap(err, "list experts")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list experts")
		}
		out = append(out, u)
	}
	return out, tx.db.wrap(rows.Err(), "list experts")
}
