package store

import (
	"context"
	"time"
)

// Channel is a recommending unit: a province, a separately-planned city,
// the Corps or the central-SOE channel. Its code is what programs name it
// by (the options of a program's channel input).
type Channel struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	NameZh    string    `json:"name_zh"`
	NameEn    string    `json:"name_en"`
	Kind      string    `json:"kind"` // province, city, corps, central_soe
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const channelColumns = "id, code, name_zh, name_en, kind, version, created_at, updated_at"

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	err := row.Scan(&c.ID, &c.Code, &c.NameZh, &c.NameEn, &c.Kind, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// Channel returns channel id.
func (tx *Tx) Channel(ctx context.Context, id int64) (Channel, error) {
	c, err := scanChannel(tx.QueryRow(ctx, "SELECT "+channelColumns+" FROM channels WHERE id = ?", id))
	return c, tx.db.wrap(err, "fetch channel %d", id)
}

// ChannelByCode returns the channel with code.
func (tx *Tx) ChannelByCode(ctx context.Context, code string) (Channel, error) {
	c, err := scanChannel(tx.QueryRow(ctx, "SELECT "+channelColumns+" FROM channels WHERE code = ?", code))
	return c, tx.db.wrap(err, "fetch channel %q", code)
}

// Channels returns every channel, by code.
func (tx *Tx) Channels(ctx context.Context) ([]Channel, error) {
	rows, err := tx.Query(ctx, "SELECT "+channelColumns+" FROM channels ORDER BY code")
	if err != nil {
		return nil, tx.db.wrap(err, "list channels")
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list channels")
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list channels")
}

// InsertChannel stores c (its Version is 1) and sets c.ID.
func (tx *Tx) InsertChannel(ctx context.Context, c *Channel) error {
	c.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO channels (code, name_zh, name_en, kind, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id`, c.Code, c.NameZh, c.NameEn, c.Kind, ts(c.CreatedAt), ts(c.UpdatedAt)).Scan(&c.ID)
	return tx.db.wrap(err, "create channel %q", c.Code)
}

// UpdateChannel writes c's names and kind if c.Version is still current,
// and bumps c.Version.
func (tx *Tx) UpdateChannel(ctx context.Context, c *Channel) error {
	res, err := tx.Exec(ctx, `UPDATE channels SET name_zh = ?, name_en = ?, kind = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, c.NameZh, c.NameEn, c.Kind, ts(c.UpdatedAt), c.ID, c.Version)
	if err == nil {
		err = checkOne(res, c.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update channel %q", c.Code)
	}
	c.Version++
	return nil
}
