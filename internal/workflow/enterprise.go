package workflow

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/uscc"
)

// ChannelSpec describes a recommending channel.
type ChannelSpec struct {
	Code   string // how programs name it: "jiangsu", "central_soe"
	NameZh string
	NameEn string
	Kind   string // province, city, corps or central_soe
}

var channelCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// maxName bounds names and short texts people type (in characters).
const maxName = 200

// UpsertChannel creates the channel with spec's code, or updates its names
// and kind when it exists; an unchanged channel is returned as it is and
// nothing is recorded. It refuses a code that is not lower-case letters,
// digits and underscores, a missing name and an unknown kind (invalid).
func (s *Service) UpsertChannel(ctx context.Context, actor Actor, spec ChannelSpec) (store.Channel, error) {
	spec.Code, spec.NameZh, spec.NameEn = strings.TrimSpace(spec.Code), strings.TrimSpace(spec.NameZh), strings.TrimSpace(spec.NameEn)
	switch {
	case !channelCode.MatchString(spec.Code):
		return store.Channel{}, invalidf("channel code %q: use 1 to 40 lower-case letters, digits and underscores, starting with a letter", spec.Code)
	case spec.NameZh == "" || spec.NameEn == "":
		return store.Channel{}, invalidf("channel %s: give its name in Chinese and in English", spec.Code)
	case utf8.RuneCountInString(spec.NameZh) > maxName || utf8.RuneCountInString(spec.NameEn) > maxName:
		return store.Channel{}, invalidf("channel %s: a name is limited to %d characters", spec.Code, maxName)
	case !slices.Contains(channelKinds, spec.Kind):
		return store.Channel{}, invalidf("channel %s: kind %q is not one of %s", spec.Code, spec.Kind, oneOf(channelKinds))
	}
	var c store.Channel
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var err error
		c, err = tx.ChannelByCode(ctx, spec.Code)
		switch {
		case errs.Is(err, errs.NotFound):
			c = store.Channel{Code: spec.Code, NameZh: spec.NameZh, NameEn: spec.NameEn, Kind: spec.Kind, CreatedAt: j.now, UpdatedAt: j.now}
			if err := tx.InsertChannel(ctx, &c); err != nil {
				return err
			}
			j.record("channel.create", "channel", c.ID, nil, c)
			return nil
		case err != nil:
			return err
		case c.NameZh == spec.NameZh && c.NameEn == spec.NameEn && c.Kind == spec.Kind:
			return nil
		}
		before := c
		c.NameZh, c.NameEn, c.Kind, c.UpdatedAt = spec.NameZh, spec.NameEn, spec.Kind, j.now
		if err := tx.UpdateChannel(ctx, &c); err != nil {
			return err
		}
		j.record("channel.update", "channel", c.ID, before, c)
		return nil
	})
	return result(c, err)
}

// RegisterEnterprise creates the enterprise with the unified social
// credit code code, or updates the one that has it: a new name is
// recorded in its name history (from today), a new channel replaces the
// old one. channel is a channel code; "" leaves the channel as it is. An
// unchanged enterprise is returned as it is and nothing is recorded.
//
// It refuses a code that is not a valid unified social credit code (the
// message says which character is wrong, or which check character was
// expected), a missing or overlong name (invalid), and an unknown channel
// (not found).
func (s *Service) RegisterEnterprise(ctx context.Context, actor Actor, code, name, channel string) (store.Enterprise, error) {
	code = uscc.Normalize(code)
	if err := uscc.Validate(code); err != nil {
		return store.Enterprise{}, &errs.Error{Code: errs.Invalid, Msg: "unified social credit code: " + err.Error(), Err: err}
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return store.Enterprise{}, invalidf("enterprise %s: the name must be 1 to %d characters", code, maxName)
	}
	var e store.Enterprise
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var channelID int64
		if channel != "" {
			ch, err := tx.ChannelByCode(ctx, channel)
			if err != nil {
				return missing(err, "channel %q", channel)
			}
			channelID = ch.ID
		}
		var err error
		e, err = tx.EnterpriseByUSCC(ctx, code)
		switch {
		case errs.Is(err, errs.NotFound):
			e = store.Enterprise{USCC: code, Name: name, ChannelID: channelID, CreatedAt: j.now, UpdatedAt: j.now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			if err := tx.RecordEnterpriseName(ctx, e.ID, s.today(j.now), name); err != nil {
				return err
			}
			j.record("enterprise.create", "enterprise", e.ID, nil, e)
			return nil
		case err != nil:
			return err
		}
		if channelID == 0 {
			channelID = e.ChannelID
		}
		if e.Name == name && e.ChannelID == channelID {
			return nil
		}
		before := e
		e.Name, e.ChannelID, e.UpdatedAt = name, channelID, j.now
		if err := tx.UpdateEnterprise(ctx, &e); err != nil {
			return err
		}
		action := "enterprise.update"
		if before.Name != name {
			action = "enterprise.rename"
			if err := tx.RecordEnterpriseName(ctx, e.ID, s.today(j.now), name); err != nil {
				return err
			}
		}
		j.record(action, "enterprise", e.ID, before, e)
		return nil
	})
	return result(e, err)
}
