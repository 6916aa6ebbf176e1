package store

import (
	"context"
	"database/sql"
	"time"
)

// Enterprise is a company, unique by its unified social credit code. Name
// is its current name; EnterpriseNames keeps the history.
type Enterprise struct {
	ID        int64     `json:"id"`
	USCC      string    `json:"uscc"`
	Name      string    `json:"name"`
	ChannelID int64     `json:"channel_id,omitempty"` // 0: none yet
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EnterpriseName is a name an enterprise carried from a day on.
type EnterpriseName struct {
	ValidFrom time.Time `json:"valid_from"` // a day, midnight UTC
	Name      string    `json:"name"`
}

const enterpriseColumns = "id, uscc, name, channel_id, version, created_at, updated_at"

func scanEnterprise(row interface{ Scan(...any) error }) (Enterprise, error) {
	var e Enterprise
	var ch sql.NullInt64
	err := row.Scan(&e.ID, &e.USCC, &e.Name, &ch, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	e.ChannelID = ch.Int64
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// Enterprise returns enterprise id.
func (tx *Tx) Enterprise(ctx context.Context, id int64) (Enterprise, error) {
	e, err := scanEnterprise(tx.QueryRow(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE id = ?", id))
	return e, tx.db.wrap(err, "fetch enterprise %d", id)
}

// EnterpriseByUSCC returns the enterprise with the unified social credit
// code uscc, locked until the transaction ends when tx writes.
func (tx *Tx) EnterpriseByUSCC(ctx context.Context, uscc string) (Enterprise, error) {
	q := "SELECT " + enterpriseColumns + " FROM enterprises WHERE uscc = ?"
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	e, err := scanEnterprise(tx.QueryRow(ctx, q, uscc))
	return e, tx.db.wrap(err, "fetch enterprise %s", uscc)
}

// InsertEnterprise stores e (its Version is 1) and sets e.ID.
func (tx *Tx) InsertEnterprise(ctx context.Context, e *Enterprise) error {
	e.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO enterprises (uscc, name, channel_id, version, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, ?) RETURNING id`, e.USCC, e.Name, nullID(e.ChannelID), ts(e.CreatedAt), ts(e.UpdatedAt)).Scan(&e.ID)
	return tx.db.wrap(err, "create enterprise %s", e.USCC)
}

// UpdateEnterprise writes e's name and channel if e.Version is still
// current, and bumps e.Version. The name history is RecordEnterpriseName's.
func (tx *Tx) UpdateEnterprise(ctx context.Context, e *Enterprise) error {
	res, err := tx.Exec(ctx, `UPDATE enterprises SET name = ?, channel_id = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, e.Name, nullID(e.ChannelID), ts(e.UpdatedAt), e.ID, e.Version)
	if err == nil {
		err = checkOne(res, e.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update enterprise %s", e.USCC)
	}
	e.Version++
	return nil
}

// RecordEnterpriseName notes that enterprise id is called name from the
// day of from on; a second change on the same day replaces the first.
func (tx *Tx) RecordEnterpriseName(ctx context.Context, id int64, from time.Time, name string) error {
	_, err := tx.Exec(ctx, `INSERT INTO enterprise_names (enterprise_id, valid_from, name) VALUES (?, ?, ?)
		ON CONFLICT (enterprise_id, valid_from) DO UPDATE SET name = excluded.name`, id, day(from), name)
	return tx.db.wrap(err, "record name of enterprise %d", id)
}

// EnterpriseNames returns enterprise id's names, oldest first.
func (tx *Tx) EnterpriseNames(ctx context.Context, id int64) ([]EnterpriseName, error) {
	rows, err := tx.Query(ctx, "SELECT valid_from, name FROM enterprise_names WHERE enterprise_id = ? ORDER BY valid_from", id)
	if err != nil {
		return nil, tx.db.wrap(err, "list names of enterprise %d", id)
	}
	defer rows.Close()
	var out []EnterpriseName
	for rows.Next() {
		var n EnterpriseName
		if err := rows.Scan(&n.ValidFrom, &n.Name); err != nil {
			return nil, tx.db.wrap(err, "list names of enterprise %d", id)
		}
		n.ValidFrom = dayOf(n.ValidFrom)
		out = append(out, n)
	}
	return out, tx.db.wrap(rows.Err(), "list names of enterprise %d", id)
}
