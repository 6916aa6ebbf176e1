package workflow

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/uscc"
)

// SignUp is what an enterprise gives to open its account.
type SignUp struct {
	USCC, Name, Channel string // the enterprise: credit code, name, channel code
	Username, Password  string // its first user
	DisplayName         string // the person who signs up
}

// SignUpEnterprise opens an account for an enterprise, in one
// transaction: the enterprise (registered now, or found by its credit
// code if an administrator registered it already, keeping that record's
// name and channel), its first user, and that user's enterprise role.
//
// An enterprise that has an account already is refused (conflict): anyone
// can type a credit code, so a second account would let a stranger act
// for the enterprise; its existing users, or an administrator, add more.
// Errors name the field: credit code (with the character that is wrong),
// name, channel, username, password.
func (s *Service) SignUpEnterprise(ctx context.Context, in SignUp) (store.User, store.Enterprise, error) {
	code := uscc.Normalize(in.USCC)
	if err := uscc.Validate(code); err != nil {
		return store.User{}, store.Enterprise{}, &errs.Error{Code: errs.Invalid, Msg: "unified social credit code: " + err.Error(), Err: err}
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return store.User{}, store.Enterprise{}, invalidf("enterprise name: give the name on the business licence, 1 to %d characters", maxName)
	}
	username, err := normaliseUsername(in.Username)
	if err != nil {
		return store.User{}, store.Enterprise{}, err
	}
	display := strings.TrimSpace(in.DisplayName)
	if utf8.RuneCountInString(display) > maxName {
		return store.User{}, store.Enterprise{}, invalidf("your name: at most %d characters", maxName)
	}
	if err := checkPassword(username, in.Password); err != nil {
		return store.User{}, store.Enterprise{}, err
	}
	hash, err := hashPassword(in.Password) // slow: outside the transaction
	if err != nil {
		return store.User{}, store.Enterprise{}, err
	}
	var u store.User
	var e store.Enterprise
	err = s.write(ctx, Actor{Name: "public: " + username}, func(tx *store.Tx, j *journal) error {
		var err error
		e, err = tx.EnterpriseByUSCC(ctx, code)
		switch {
		case errs.Is(err, errs.NotFound):
			var channelID int64
			if in.Channel != "" {
				ch, err := tx.ChannelByCode(ctx, in.Channel)
				if err != nil {
					return missing(err, "channel %q", in.Channel)
				}
				channelID = ch.ID
			}
			e = store.Enterprise{USCC: code, Name: name, ChannelID: channelID, CreatedAt: j.now, UpdatedAt: j.now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			if err := tx.RecordEnterpriseName(ctx, e.ID, s.today(j.now), name); err != nil {
				return err
			}
			j.record("enterprise.create", "enterprise", e.ID, nil, e)
		case err != nil:
			return err
		default:
			n, err := tx.EnterpriseAccounts(ctx, e.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return conflictf("unified social credit code: %s already has an account; ask its users or the program's administrator to add you", code)
			}
		}
		if _, err := tx.UserByUsername(ctx, username); err == nil {
			return conflictf("username %s is taken: choose another", username)
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		u = store.User{Username: username, DisplayName: display, PasswordHash: hash, CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		j.record("user.create", "user", u.ID, nil, u)
		r := store.Role{UserID: u.ID, Role: RoleEnterprise, EnterpriseID: e.ID, CreatedAt: j.now}
		if err := tx.InsertRole(ctx, &r); err != nil {
			return err
		}
		j.record("user.grant_role", "user", u.ID, nil, r)
		return nil
	})
	if err != nil {
		return store.User{}, store.Enterprise{}, err
	}
	return u, e, nil
}

// Channels returns every recommending channel, by code.
func (s *Service) Channels(ctx context.Context) ([]store.Channel, error) {
	var out []store.Channel
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Channels(ctx)
		return err
	})
	return out, err
}
