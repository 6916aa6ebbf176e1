package store

import (
	"context"
	"database/sql"
	"time"
)

// User is a person who signs in. PasswordHash is the encoded hash the
// workflow computed (never the password); it is left out of JSON so that
// neither the audit log nor an API ever shows it.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Role is a role a user holds, with its scope: a recommender acts for one
// channel (ChannelID), an enterprise user for one enterprise
// (EnterpriseID); administrators and experts have no scope (both 0).
type Role struct {
	ID           int64     `json:"id"`
	UserID       int64     `json:"user_id"`
	Role         string    `json:"role"`
	ChannelID    int64     `json:"channel_id,omitempty"`
	EnterpriseID int64     `json:"enterprise_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

const userColumns = "id, username, display_name, password_hash, disabled, version, created_at, updated_at"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Disabled, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// User returns user id.
func (tx *Tx) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	return u, tx.db.wrap(err, "fetch user %d", id)
}

// UserForUpdate returns user id, locked until the write transaction ends.
func (tx *Tx) UserForUpdate(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return u, tx.db.wrap(err, "fetch user %d", id)
}

// UserByUsername returns the user called username (compared exactly: the
// workflow stores usernames in one case).
func (tx *Tx) UserByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", username))
	return u, tx.db.wrap(err, "fetch user %q", username)
}

// Users returns every user, by username.
func (tx *Tx) Users(ctx context.Context) ([]User, error) {
	rows, err := tx.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, tx.db.wrap(err, "list users")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list users")
		}
		out = append(out, u)
	}
	return out, tx.db.wrap(rows.Err(), "list users")
}

// InsertUser stores u (its Version is 1) and sets u.ID. A username taken
// already is a conflict.
func (tx *Tx) InsertUser(ctx context.Context, u *User) error {
	u.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, disabled, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, u.Disabled, ts(u.CreatedAt), ts(u.UpdatedAt)).Scan(&u.ID)
	return tx.db.wrap(err, "create user %q", u.Username)
}

// UpdateUser writes u's display name, password hash and disabled flag if
// u.Version is still current, and bumps u.Version. The username does not
// change: it is how the audit log names the user.
func (tx *Tx) UpdateUser(ctx context.Context, u *User) error {
	res, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, password_hash = ?, disabled = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, u.DisplayName, u.PasswordHash, u.Disabled, ts(u.UpdatedAt), u.ID, u.Version)
	if err == nil {
		err = checkOne(res, u.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update user %d", u.ID)
	}
	u.Version++
	return nil
}

// Roles returns the roles of user userID, by role and scope.
func (tx *Tx) Roles(ctx context.Context, userID int64) ([]Role, error) {
	rows, err := tx.Query(ctx, `SELECT id, user_id, role, channel_id, enterprise_id, created_at FROM user_roles
		WHERE user_id = ? ORDER BY role, channel_id, enterprise_id, id`, userID)
	if err != nil {
		return nil, tx.db.wrap(err, "list roles of user %d", userID)
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		var r Role
		var ch, ent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.UserID, &r.Role, &ch, &ent, &r.CreatedAt); err != nil {
			return nil, tx.db.wrap(err, "list roles of user %d", userID)
		}
		r.ChannelID, r.EnterpriseID, r.CreatedAt = ch.Int64, ent.Int64, r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list roles of user %d", userID)
}

// InsertRole grants r and sets r.ID. The same role with the same scope
// granted twice is a conflict; a role with the wrong scope for its kind
// is invalid (the user_roles_scope_check).
func (tx *Tx) InsertRole(ctx context.Context, r *Role) error {
	err := tx.QueryRow(ctx, `INSERT INTO user_roles (user_id, role, channel_id, enterprise_id, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		r.UserID, r.Role, nullID(r.ChannelID), nullID(r.EnterpriseID), ts(r.CreatedAt)).Scan(&r.ID)
	return tx.db.wrap(err, "grant role %s to user %d", r.Role, r.UserID)
}

// DeleteRole revokes the role with r's user, role and scope, and reports
// whether the user held it.
func (tx *Tx) DeleteRole(ctx context.Context, r Role) (bool, error) {
	res, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = ? AND role = ?
		AND COALESCE(channel_id, 0) = ? AND COALESCE(enterprise_id, 0) = ?`, r.UserID, r.Role, r.ChannelID, r.EnterpriseID)
	if err != nil {
		return false, tx.db.wrap(err, "revoke role %s of user %d", r.Role, r.UserID)
	}
	n, err := res.RowsAffected()
	return n > 0, tx.db.wrap(err, "revoke role %s of user %d", r.Role, r.UserID)
}
