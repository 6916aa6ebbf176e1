package store

import (
	"context"
	"database/sql"
	"time"
)

// Session is a signed-in browser. TokenHash is the SHA-256 (hex) of the
// cookie's token: the token itself is never stored.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertSession stores s.
func (tx *Tx) InsertSession(ctx context.Context, s Session) error {
	_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CSRF, ts(s.CreatedAt), ts(s.ExpiresAt))
	return tx.db.wrap(err, "create session of user %d", s.UserID)
}

// SessionByHash returns the session whose token hashes to tokenHash
// (expired or not: the caller compares ExpiresAt with its clock).
func (tx *Tx) SessionByHash(ctx context.Context, tokenHash string) (Session, error) {
	var s Session
	err := tx.QueryRow(ctx, `SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.CSRF, &s.CreatedAt, &s.ExpiresAt)
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return s, tx.db.wrap(err, "fetch session")
}

// DeleteSession removes the session whose token hashes to tokenHash; a
// missing one is not an error (signing out twice is harmless).
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return tx.db.wrap(err, "delete session")
}

// DeleteSessionsOf removes every session of user userID (after a password
// change or when the user is disabled) and returns how many there were.
func (tx *Tx) DeleteSessionsOf(ctx context.Context, userID int64) (int64, error) {
	res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, tx.db.wrap(err, "delete sessions of user %d", userID)
	}
	n, err := res.RowsAffected()
	return n, tx.db.wrap(err, "delete sessions of user %d", userID)
}

// DeleteExpiredSessions removes the sessions that expired before now and
// returns how many there were.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, ts(now))
	if err != nil {
		return 0, tx.db.wrap(err, "delete expired sessions")
	}
	n, err := res.RowsAffected()
	return n, tx.db.wrap(err, "delete expired sessions")
}

// APIToken is a token a user's scripts present as "Authorization: Bearer
// …". Like a session it is stored as the SHA-256 (hex) of the token.
type APIToken struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Name      string     `json:"name"`
	TokenHash string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

const apiTokenColumns = "id, user_id, name, token_hash, created_at, revoked_at"

func scanAPIToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.CreatedAt, &revoked)
	t.CreatedAt, t.RevokedAt = t.CreatedAt.UTC(), timePtr(revoked)
	return t, err
}

// InsertAPIToken stores t and sets t.ID.
func (tx *Tx) InsertAPIToken(ctx context.Context, t *APIToken) error {
	err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, ts(t.CreatedAt)).Scan(&t.ID)
	return tx.db.wrap(err, "create API token %q of user %d", t.Name, t.UserID)
}

// APITokenByHash returns the token whose value hashes to tokenHash.
func (tx *Tx) APITokenByHash(ctx context.Context, tokenHash string) (APIToken, error) {
	t, err := scanAPIToken(tx.QueryRow(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE token_hash = ?", tokenHash))
	return t, tx.db.wrap(err, "fetch API token")
}

// APITokens returns the tokens of user userID, newest first.
func (tx *Tx) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := tx.Query(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
	if err != nil {
		return nil, tx.db.wrap(err, "list API tokens of user %d", userID)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list API tokens of user %d", userID)
		}
		out = append(out, t)
	}
	return out, tx.db.wrap(rows.Err(), "list API tokens of user %d", userID)
}

// RevokeAPIToken marks token id of user userID revoked at `at`. A token
// that is not the user's, or is revoked already, is not found.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, ts(at), id, userID)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = sql.ErrNoRows
		}
	}
	return tx.db.wrap(err, "revoke API token %d", id)
}
