package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// SessionLifetime is how long a sign-in lasts when the caller gives none.
const SessionLifetime = 12 * time.Hour

// newSecret returns 32 random bytes as URL-safe base64 (43 characters):
// session tokens, API tokens and anti-forgery tokens.
func newSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", internalf("no randomness for a secret: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// secretHash is how a token is stored and looked up: its SHA-256 in hex.
// Tokens are 256 random bits, so a plain hash (no salt, no stretching) is
// enough to make a stolen table useless.
func secretHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SignIn checks username and password (see Authenticate) and opens a
// session lasting lifetime (SessionLifetime when 0). It returns the
// session's token — for the cookie, and stored only as a hash — the
// session and the account. Signing in is not audited: it changes nothing
// people own.
func (s *Service) SignIn(ctx context.Context, username, password string, lifetime time.Duration) (string, store.Session, Account, error) {
	u, roles, err := s.Authenticate(ctx, username, password)
	if err != nil {
		return "", store.Session{}, Account{}, err
	}
	if lifetime <= 0 {
		lifetime = SessionLifetime
	}
	token, err := newSecret()
	if err != nil {
		return "", store.Session{}, Account{}, err
	}
	csrf, err := newSecret()
	if err != nil {
		return "", store.Session{}, Account{}, err
	}
	now := s.clock()
	sess := store.Session{TokenHash: secretHash(token), UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		// Sweep expired sessions now and then, so the table stays small
		// without a background job.
		if _, err := tx.DeleteExpiredSessions(ctx, now); err != nil {
			return err
		}
		return tx.InsertSession(ctx, sess)
	})
	if err != nil {
		return "", store.Session{}, Account{}, err
	}
	return token, sess, Account{User: u, Roles: roles}, nil
}

// errNoSession is the answer for every token that does not sign anyone in:
// unknown, expired, signed out or of a disabled user alike.
func errNoSession() error {
	return errs.New(errs.Unauthorised, "you are not signed in, or your session has expired: sign in again")
}

// SessionAccount returns the account and session of the session token
// token. A token that is unknown, expired, or whose user is disabled is
// unauthorised.
func (s *Service) SessionAccount(ctx context.Context, token string) (Account, store.Session, error) {
	if token == "" || len(token) > 100 {
		return Account{}, store.Session{}, errNoSession()
	}
	var acc Account
	var sess store.Session
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if sess, err = tx.SessionByHash(ctx, secretHash(token)); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errNoSession()
			}
			return err
		}
		acc, err = accountOf(ctx, tx, sess.UserID)
		return err
	})
	if err != nil {
		return Account{}, store.Session{}, err
	}
	if !s.clock().Before(sess.ExpiresAt) {
		return Account{}, store.Session{}, errNoSession()
	}
	return acc, sess, nil
}

// accountOf reads user id with its roles; a disabled user is unauthorised
// (its sessions and tokens stop working at once).
func accountOf(ctx context.Context, tx *store.Tx, id int64) (Account, error) {
	u, err := tx.User(ctx, id)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return Account{}, errNoSession()
		}
		return Account{}, err
	}
	if u.Disabled {
		return Account{}, errNoSession()
	}
	roles, err := tx.Roles(ctx, u.ID)
	return Account{User: u, Roles: roles}, err
}

// SignOut ends the session of token; an unknown token is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, secretHash(token)) })
}

// CreateAPIToken gives user userID a new API token called name and
// returns the token — shown this once: only its hash is kept — and its
// record. The actor must be the user or an administrator (the caller
// checks); the change is audited without the token.
func (s *Service) CreateAPIToken(ctx context.Context, actor Actor, userID int64, name string) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", store.APIToken{}, invalidf("token name: give the token a name, such as the script that uses it")
	case utf8.RuneCountInString(name) > maxName:
		return "", store.APIToken{}, invalidf("token name: at most %d characters", maxName)
	}
	token, err := newSecret()
	if err != nil {
		return "", store.APIToken{}, err
	}
	var t store.APIToken
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		if _, err := tx.User(ctx, userID); err != nil {
			return missing(err, "user %d", userID)
		}
		t = store.APIToken{UserID: userID, Name: name, TokenHash: secretHash(token), CreatedAt: j.now}
		if err := tx.InsertAPIToken(ctx, &t); err != nil {
			return err
		}
		j.record("api_token.create", "api_token", t.ID, nil, t)
		return nil
	})
	if err != nil {
		return "", store.APIToken{}, err
	}
	return token, t, nil
}

// APITokens returns user userID's API tokens, newest first.
func (s *Service) APITokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	var out []store.APIToken
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.APITokens(ctx, userID)
		return err
	})
	return out, err
}

// TokenAccount returns the account an API token signs in; an unknown or
// revoked token, or one of a disabled user, is unauthorised.
func (s *Service) TokenAccount(ctx context.Context, token string) (Account, error) {
	if token == "" || len(token) > 100 {
		return Account{}, errs.New(errs.Unauthorised, "the API token is not valid")
	}
	var acc Account
	err := s.read(ctx, func(tx *store.Tx) error {
		t, err := tx.APITokenByHash(ctx, secretHash(token))
		if errs.Is(err, errs.NotFound) || (err == nil && t.RevokedAt != nil) {
			return errs.New(errs.Unauthorised, "the API token is not valid (unknown or revoked)")
		}
		if err != nil {
			return err
		}
		acc, err = accountOf(ctx, tx, t.UserID)
		return err
	})
	return acc, err
}

// RevokeAPIToken revokes token id of user userID (audited).
func (s *Service) RevokeAPIToken(ctx context.Context, actor Actor, userID, id int64) error {
	return s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		if err := tx.RevokeAPIToken(ctx, userID, id, j.now); err != nil {
			return missing(err, "API token %d of user %d", id, userID)
		}
		j.record("api_token.revoke", "api_token", id, nil, map[string]any{"user_id": userID, "revoked_at": j.now})
		return nil
	})
}

// Ping checks that the database answers (for health checks).
func (s *Service) Ping(ctx context.Context) error { return s.db.Ping(ctx) }
