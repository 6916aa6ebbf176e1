package store

import (
	"context"
	"database/sql"
	"time"
)

// Recognition is the title an enterprise holds under a program, from the
// cycle that granted it, through the reviews that confirmed it, to its
// revocation or expiry.
type Recognition struct {
	ID               int64      `json:"id"`
	EnterpriseID     int64      `json:"enterprise_id"`
	ProgramID        int64      `json:"program_id"`
	GrantedYear      int        `json:"granted_year"`
	ValidFrom        time.Time  `json:"valid_from"`  // a day, midnight UTC
	ValidUntil       time.Time  `json:"valid_until"` // a day, midnight UTC
	Status           string     `json:"status"`      // active, passed_review, revoked, expired
	GrantedCycleID   int64      `json:"granted_cycle_id,omitempty"`
	ConfirmedCycleID int64      `json:"confirmed_cycle_id,omitempty"`
	RevokedCycleID   int64      `json:"revoked_cycle_id,omitempty"`
	RevokedReasonZh  string     `json:"revoked_reason_zh,omitempty"`
	RevokedReasonEn  string     `json:"revoked_reason_en,omitempty"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	Version          int64      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

const recognitionColumns = `id, enterprise_id, program_id, granted_year, valid_from, valid_until, status, granted_cycle_id,
	confirmed_cycle_id, revoked_cycle_id, revoked_reason_zh, revoked_reason_en, revoked_at, version, created_at, updated_at`

func scanRecognition(row interface{ Scan(...any) error }) (Recognition, error) {
	var r Recognition
	var granted, confirmed, revoked sql.NullInt64
	var revokedAt sql.NullTime
	err := row.Scan(&r.ID, &r.EnterpriseID, &r.ProgramID, &r.GrantedYear, &r.ValidFrom, &r.ValidUntil, &r.Status, &granted,
		&confirmed, &revoked, &r.RevokedReasonZh, &r.RevokedReasonEn, &revokedAt, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	r.GrantedCycleID, r.ConfirmedCycleID, r.RevokedCycleID = granted.Int64, confirmed.Int64, revoked.Int64
	r.ValidFrom, r.ValidUntil, r.RevokedAt = dayOf(r.ValidFrom), dayOf(r.ValidUntil), timePtr(revokedAt)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// CurrentRecognition returns the newest recognition enterpriseID holds
// under programID that is still standing (active or passed review),
// locked until the transaction ends when tx writes.
func (tx *Tx) CurrentRecognition(ctx context.Context, enterpriseID, programID int64) (Recognition, error) {
	q := "SELECT " + recognitionColumns + ` FROM recognitions
		WHERE enterprise_id = ? AND program_id = ? AND status IN ('active', 'passed_review')
		ORDER BY granted_year DESC LIMIT 1`
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	r, err := scanRecognition(tx.QueryRow(ctx, q, enterpriseID, programID))
	return r, tx.db.wrap(err, "fetch recognition of enterprise %d under program %d", enterpriseID, programID)
}

// Recognitions returns every recognition enterpriseID holds or held, the
// newest grant first.
func (tx *Tx) Recognitions(ctx context.Context, enterpriseID int64) ([]Recognition, error) {
	rows, err := tx.Query(ctx, "SELECT "+recognitionColumns+" FROM recognitions WHERE enterprise_id = ? ORDER BY granted_year DESC, id DESC", enterpriseID)
	if err != nil {
		return nil, tx.db.wrap(err, "list recognitions of enterprise %d", enterpriseID)
	}
	defer rows.Close()
	var out []Recognition
	for rows.Next() {
		r, err := scanRecognition(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list recognitions of enterprise %d", enterpriseID)
		}
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list recognitions of enterprise %d", enterpriseID)
}

// InsertRecognition stores r (its Version is 1) and sets r.ID.
func (tx *Tx) InsertRecognition(ctx context.Context, r *Recognition) error {
	r.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO recognitions (enterprise_id, program_id, granted_year, valid_from, valid_until, status,
			granted_cycle_id, confirmed_cycle_id, revoked_cycle_id, revoked_reason_zh, revoked_reason_en, revoked_at, version,
			created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		r.EnterpriseID, r.ProgramID, r.GrantedYear, day(r.ValidFrom), day(r.ValidUntil), r.Status,
		nullID(r.GrantedCycleID), nullID(r.ConfirmedCycleID), nullID(r.RevokedCycleID), r.RevokedReasonZh, r.RevokedReasonEn,
		nullTime(r.RevokedAt), ts(r.CreatedAt), ts(r.UpdatedAt)).Scan(&r.ID)
	return tx.db.wrap(err, "grant recognition of %d to enterprise %d", r.GrantedYear, r.EnterpriseID)
}

// UpdateRecognition writes r's validity, status and cycles if r.Version
// is still current, and bumps r.Version.
func (tx *Tx) UpdateRecognition(ctx context.Context, r *Recognition) error {
	res, err := tx.Exec(ctx, `UPDATE recognitions SET valid_from = ?, valid_until = ?, status = ?, confirmed_cycle_id = ?,
			revoked_cycle_id = ?, revoked_reason_zh = ?, revoked_reason_en = ?, revoked_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, day(r.ValidFrom), day(r.ValidUntil), r.Status, nullID(r.ConfirmedCycleID),
		nullID(r.RevokedCycleID), r.RevokedReasonZh, r.RevokedReasonEn, nullTime(r.RevokedAt), ts(r.UpdatedAt), r.ID, r.Version)
	if err == nil {
		err = checkOne(res, r.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update recognition %d", r.ID)
	}
	r.Version++
	return nil
}
