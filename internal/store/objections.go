package store

import (
	"context"
	"database/sql"
	"time"
)

// Objection is an objection (异议) to an enterprise's proposed decision,
// filed by anyone during a notice, and how it was handled.
type Objection struct {
	ID             int64      `json:"id"`
	NoticeID       int64      `json:"notice_id"`
	EnterpriseID   int64      `json:"enterprise_id"`
	FilerName      string     `json:"filer_name"`
	FilerContact   string     `json:"filer_contact"`
	Grounds        string     `json:"grounds"`
	Status         string     `json:"status"` // filed, upheld, dismissed
	HandlingReason string     `json:"handling_reason,omitempty"`
	HandledBy      int64      `json:"handled_by,omitempty"` // users.id; 0: no user account
	HandledAt      *time.Time `json:"handled_at,omitempty"`
	FiledAt        time.Time  `json:"filed_at"`
	Version        int64      `json:"version"`
}

const objectionColumns = `id, notice_id, enterprise_id, filer_name, filer_contact, grounds, status, handling_reason,
	handled_by, handled_at, filed_at, version`

func scanObjection(row interface{ Scan(...any) error }) (Objection, error) {
	var o Objection
	var reason sql.NullString
	var by sql.NullInt64
	var handled sql.NullTime
	err := row.Scan(&o.ID, &o.NoticeID, &o.EnterpriseID, &o.FilerName, &o.FilerContact, &o.Grounds, &o.Status, &reason,
		&by, &handled, &o.FiledAt, &o.Version)
	o.HandlingReason, o.HandledBy, o.HandledAt, o.FiledAt = reason.String, by.Int64, timePtr(handled), o.FiledAt.UTC()
	return o, err
}

// Objection returns objection id.
func (tx *Tx) Objection(ctx context.Context, id int64) (Objection, error) {
	o, err := scanObjection(tx.QueryRow(ctx, "SELECT "+objectionColumns+" FROM objections WHERE id = ?", id))
	return o, tx.db.wrap(err, "fetch objection %d", id)
}

// ObjectionForUpdate returns objection id locked until the write
// transaction ends. Lock its cycle first (CycleForUpdate).
func (tx *Tx) ObjectionForUpdate(ctx context.Context, id int64) (Objection, error) {
	o, err := scanObjection(tx.QueryRow(ctx, "SELECT "+objectionColumns+" FROM objections WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return o, tx.db.wrap(err, "fetch objection %d", id)
}

// Objections returns noticeID's objections whose status is status (all
// when ""), in the order they were filed.
func (tx *Tx) Objections(ctx context.Context, noticeID int64, status string) ([]Objection, error) {
	q := "SELECT " + objectionColumns + " FROM objections WHERE notice_id = ?"
	args := []any{noticeID}
	if status != "" {
		q += " AND status = ?"
		args = append(args, status)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, tx.db.wrap(err, "list objections to notice %d", noticeID)
	}
	defer rows.Close()
	var out []Objection
	for rows.Next() {
		o, err := scanObjection(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list objections to notice %d", noticeID)
		}
		out = append(out, o)
	}
	return out, tx.db.wrap(rows.Err(), "list objections to notice %d", noticeID)
}

// InsertObjection stores o (its Version is 1) and sets o.ID.
func (tx *Tx) InsertObjection(ctx context.Context, o *Objection) error {
	o.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO objections (notice_id, enterprise_id, filer_name, filer_contact, grounds, status,
			handling_reason, handled_by, handled_at, filed_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
		o.NoticeID, o.EnterpriseID, o.FilerName, o.FilerContact, o.Grounds, o.Status,
		nullText(o.HandlingReason), nullID(o.HandledBy), nullTime(o.HandledAt), ts(o.FiledAt)).Scan(&o.ID)
	return tx.db.wrap(err, "file objection to enterprise %d in notice %d", o.EnterpriseID, o.NoticeID)
}

// UpdateObjection writes o's status and handling if o.Version is still
// current, and bumps o.Version.
func (tx *Tx) UpdateObjection(ctx context.Context, o *Objection) error {
	res, err := tx.Exec(ctx, `UPDATE objections SET status = ?, handling_reason = ?, handled_by = ?, handled_at = ?,
			version = version + 1
		WHERE id = ? AND version = ?`, o.Status, nullText(o.HandlingReason), nullID(o.HandledBy), nullTime(o.HandledAt), o.ID, o.Version)
	if err == nil {
		err = checkOne(res, o.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update objection %d", o.ID)
	}
	o.Version++
	return nil
}
