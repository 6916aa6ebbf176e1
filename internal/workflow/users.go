package workflow

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// The roles a user may hold. A recommender acts for one channel, an
// enterprise user for one enterprise; administrators and experts have no
// scope.
const (
	RoleAdmin       = "admin"
	RoleRecommender = "recommender"
	RoleEnterprise  = "enterprise"
	RoleExpert      = "expert"
)

// Limits of the user fields.
const (
	minUsername = 3
	maxUsername = 64
	minPassword = 12
	// maxPassword bounds the work one sign-in can cause; passphrases of
	// any sensible length fit.
	maxPassword = 1024
)

// Account is a user with the roles it holds.
type Account struct {
	store.User
	Roles []store.Role `json:"roles"`
}

// normaliseUsername trims and lower-cases a username and checks its rules:
// 3 to 64 characters, ASCII lower-case letters, digits, '.', '_' and '-',
// beginning with a letter. One case only, so that "Alice" and "alice" are
// the same account.
func normaliseUsername(username string) (string, error) {
	u := strings.ToLower(strings.TrimSpace(username))
	if n := len(u); n < minUsername || n > maxUsername {
		return "", invalidf("username %q: it must be %d to %d characters", username, minUsername, maxUsername)
	}
	if u[0] < 'a' || u[0] > 'z' {
		return "", invalidf("username %q: it must begin with a letter a-z", username)
	}
	for _, r := range u {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return "", invalidf("username %q: it may hold only letters a-z, digits, '.', '_' and '-', not %q", username, r)
		}
	}
	return u, nil
}

// checkPassword enforces the password rules. The message never repeats
// the password.
func checkPassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	if n < minPassword {
		return invalidf("user %s: the password must be at least %d characters (it has %d)", username, minPassword, n)
	}
	if n > maxPassword {
		return invalidf("user %s: the password must be at most %d characters", username, maxPassword)
	}
	if strings.TrimSpace(password) == "" {
		return invalidf("user %s: the password must not be blank", username)
	}
	return nil
}

// CreateUser creates an enabled user with no roles. username follows the
// rules of normaliseUsername and is stored lower-case; displayName is 0 to
// 200 characters; password is at least 12 characters and is stored only
// as its Argon2id hash (see hashPassword). The audit entry shows the user
// without the hash. It refuses a bad field (invalid, naming it) and a
// username already taken (conflict).
func (s *Service) CreateUser(ctx context.Context, actor Actor, username, displayName, password string) (store.User, error) {
	name, err := normaliseUsername(username)
	if err != nil {
		return store.User{}, err
	}
	displayName = strings.TrimSpace(displayName)
	if utf8.RuneCountInString(displayName) > maxName {
		return store.User{}, invalidf("user %s: the display name is limited to %d characters", name, maxName)
	}
	if err := checkPassword(name, password); err != nil {
		return store.User{}, err
	}
	// Hashing takes tens of milliseconds: done before the transaction, so
	// SQLite's single writer does not wait for it.
	hash, err := hashPassword(password)
	if err != nil {
		return store.User{}, err
	}
	var u store.User
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		if _, err := tx.UserByUsername(ctx, name); err == nil {
			return conflictf("username %s is taken: choose another", name)
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		u = store.User{Username: name, DisplayName: displayName, PasswordHash: hash, CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		j.record("user.create", "user", u.ID, nil, u) // store.User leaves PasswordHash out of JSON
		return nil
	})
	return result(u, err)
}

// roleScope checks that scope fits role: the channel id of a recommender,
// the enterprise id of an enterprise user, 0 for an administrator or an
// expert. It returns the role as the store keeps it.
func roleScope(ctx context.Context, tx *store.Tx, userID int64, role string, scope int64) (store.Role, error) {
	r := store.Role{UserID: userID, Role: role}
	switch role {
	case RoleAdmin, RoleExpert:
		if scope != 0 {
			return r, invalidf("role %s has no scope: give 0, not %d", role, scope)
		}
	case RoleRecommender:
		if scope <= 0 {
			return r, invalidf("role recommender acts for a channel: give the channel's id as its scope")
		}
		if _, err := tx.Channel(ctx, scope); err != nil {
			return r, missing(err, "channel %d", scope)
		}
		r.ChannelID = scope
	case RoleEnterprise:
		if scope <= 0 {
			return r, invalidf("role enterprise acts for an enterprise: give the enterprise's id as its scope")
		}
		if _, err := tx.Enterprise(ctx, scope); err != nil {
			return r, missing(err, "enterprise %d", scope)
		}
		r.EnterpriseID = scope
	default:
		return r, invalidf("role %q: it must be one of %s", role, oneOf([]string{RoleAdmin, RoleRecommender, RoleEnterprise, RoleExpert}))
	}
	return r, nil
}

// GrantRole gives user userID role with scope: a channel id for
// recommender, an enterprise id for enterprise, 0 for admin and expert.
// It refuses an unknown role or a scope that does not fit it (invalid), a
// user, channel or enterprise that does not exist (not found), and a role
// the user holds already with that scope (conflict).
func (s *Service) GrantRole(ctx context.Context, actor Actor, userID int64, role string, scope int64) (store.Role, error) {
	var r store.Role
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		u, err := tx.UserForUpdate(ctx, userID)
		if err != nil {
			return missing(err, "user %d", userID)
		}
		if r, err = roleScope(ctx, tx, u.ID, role, scope); err != nil {
			return err
		}
		held, err := tx.Roles(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Role == r.Role && h.ChannelID == r.ChannelID && h.EnterpriseID == r.EnterpriseID {
				return conflictf("user %s already holds role %s%s", u.Username, role, scopeText(r))
			}
		}
		r.CreatedAt = j.now
		if err := tx.InsertRole(ctx, &r); err != nil {
			return err
		}
		j.record("user.grant_role", "user", u.ID, nil, r)
		return nil
	})
	return result(r, err)
}

// RevokeRole takes role with scope (as in GrantRole) from user userID. It
// refuses a user that does not exist and a role it does not hold (not
// found).
func (s *Service) RevokeRole(ctx context.Context, actor Actor, userID int64, role string, scope int64) error {
	return s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		u, err := tx.UserForUpdate(ctx, userID)
		if err != nil {
			return missing(err, "user %d", userID)
		}
		r := store.Role{UserID: u.ID, Role: role}
		switch role {
		case RoleRecommender:
			r.ChannelID = scope
		case RoleEnterprise:
			r.EnterpriseID = scope
		}
		held, err := tx.Roles(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Role == r.Role && h.ChannelID == r.ChannelID && h.EnterpriseID == r.EnterpriseID {
				if _, err := tx.DeleteRole(ctx, h); err != nil {
					return err
				}
				j.record("user.revoke_role", "user", u.ID, h, nil)
				return nil
			}
		}
		return errs.New(errs.NotFound, "user %s does not hold role %s%s", u.Username, role, scopeText(r))
	})
}

// scopeText says " for channel 3", " for enterprise 9" or nothing.
func scopeText(r store.Role) string {
	switch {
	case r.ChannelID != 0:
		return fmt.Sprintf(" for channel %d", r.ChannelID)
	case r.EnterpriseID != 0:
		return fmt.Sprintf(" for enterprise %d", r.EnterpriseID)
	}
	return ""
}

// DisableUser disables user userID at version: it can no longer sign in;
// its roles and its name in the audit log stay. It refuses a user that
// does not exist (not found), a stale version and a user already disabled
// (conflict).
func (s *Service) DisableUser(ctx context.Context, actor Actor, userID, version int64) (store.User, error) {
	var u store.User
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var err error
		if u, err = tx.UserForUpdate(ctx, userID); err != nil {
			return missing(err, "user %d", userID)
		}
		if u.Disabled {
			return conflictf("user %s is disabled already", u.Username)
		}
		if err := needVersion("user", u.ID, u.Version, version); err != nil {
			return err
		}
		before := u
		u.Disabled, u.UpdatedAt = true, j.now
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		j.record("user.disable", "user", u.ID, before, u)
		return nil
	})
	return result(u, err)
}

// Users lists every user with its roles, by username.
func (s *Service) Users(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.read(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			roles, err := tx.Roles(ctx, u.ID)
			if err != nil {
				return err
			}
			out = append(out, Account{User: u, Roles: roles})
		}
		return nil
	})
	return result(out, err)
}

// errSignIn is the one answer to a wrong username or password: saying
// which of the two was wrong would tell a guesser which usernames exist.
func errSignIn() error {
	return errs.New(errs.Unauthorised, "the username or the password is wrong")
}

// Authenticate checks username and password and returns the user with its
// roles. A wrong password, an unknown username and a malformed one all
// give the same unauthorised error after the same work: an unknown user's
// password is checked against a dummy hash with the same parameters, and
// hashes are compared in constant time. A disabled user with the right
// password is refused (forbidden): only someone who knows the password
// learns that the account exists. Signing in changes nothing and is not
// audited.
func (s *Service) Authenticate(ctx context.Context, username, password string) (store.User, []store.Role, error) {
	name, nameErr := normaliseUsername(username)
	var u store.User
	var roles []store.Role
	found := false
	if nameErr == nil {
		err := s.read(ctx, func(tx *store.Tx) error {
			var err error
			u, err = tx.UserByUsername(ctx, name)
			if errs.Is(err, errs.NotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			roles, err = tx.Roles(ctx, u.ID)
			return err
		})
		if err != nil {
			return store.User{}, nil, err
		}
	}
	hash := dummyHash()
	if found && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	if len(password) > 4*maxPassword { // bytes: bound the work before hashing
		password = password[:4*maxPassword]
	}
	ok, err := verifyPassword(hash, password)
	if err != nil {
		return store.User{}, nil, err
	}
	if !ok || !found || u.PasswordHash == "" {
		return store.User{}, nil, errSignIn()
	}
	if u.Disabled {
		return store.User{}, nil, errs.New(errs.Forbidden, "user %s is disabled: ask an administrator", u.Username)
	}
	return u, roles, nil
}

// Passwords are hashed with Argon2id (golang.org/x/crypto/argon2), the
// winner of the Password Hashing Competition and the first choice of
// RFC 9106 and OWASP: it is memory-hard, so guessing on GPUs or ASICs
// costs memory as well as time, where bcrypt is only time-hard and also
// truncates passwords at 72 bytes. The parameters are OWASP's minimum for
// Argon2id (19 MiB, 2 passes, 1 lane): tens of milliseconds per hash.
// They are kept in the encoded hash (the PHC string format,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), so raising them later
// leaves existing hashes verifiable.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashPassword returns the encoded Argon2id hash of password with a fresh
// random salt.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", internalf("hash password: no randomness for the salt: %v", err)
	}
	return encodeHash(argonMemory, argonTime, argonThreads, salt, password), nil
}

func encodeHash(memory, time uint32, threads uint8, salt []byte, password string) string {
	key := argon2.IDKey([]byte(password), salt, time, memory, threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, time, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword reports whether password matches encoded, comparing in
// constant time. An encoded hash it cannot read, or with parameters far
// beyond ours (which would let a bad row stall sign-ins), is an internal
// error: the row was not written by hashPassword.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, internalf("a stored password hash is not an Argon2id hash")
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, internalf("a stored password hash has an unknown Argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil ||
		memory < 8 || memory > 1024*1024 || time < 1 || time > 16 || threads < 1 || threads > 16 {
		return false, internalf("a stored password hash has unusable parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return false, internalf("a stored password hash is damaged")
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is the hash an unknown user's password is checked against, so
// that a sign-in for an unknown user takes as long as one with a wrong
// password. Its password is random and forgotten: nothing matches it.
var dummyHash = sync.OnceValue(func() string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	h, err := hashPassword(base64.RawStdEncoding.EncodeToString(secret))
	if err != nil {
		panic(err)
	}
	return h
})
