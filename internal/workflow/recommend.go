package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// Recommend puts applications forward on behalf of channel channelID (→
// recommended), in the order given, which becomes their rank in the
// channel's list. All or none: one refusal refuses them all.
//
// The channel's quota for the cycle is enforced here: the recommendations
// it already has plus these may not exceed it. The quota is the cycle's
// for the channel (CycleSpec.Quotas), else the program definition's
// (decision.quota: the channel's own, else the default), else there is
// none.
//
// It refuses an empty list or one naming an application twice or
// applications of different cycles (invalid); another channel's
// application (forbidden); a cycle not in phase recommendation or past its
// recommendation deadline, an application that is not submitted (or not
// recommended before), and a quota exceeded, with the count and the quota
// (conflict).
func (s *Service) Recommend(ctx context.Context, actor Actor, channelID int64, ids []int64) ([]store.Application, error) {
	return s.screen(ctx, actor, channelID, ids, "recommend", StatusRecommended, StatusSubmitted, StatusNotRecommended)
}

// NotRecommend marks applications as not put forward by channel channelID
// (→ not_recommended); a recommendation made before is withdrawn, which
// frees its place in the quota. It refuses what Recommend refuses, but a
// quota.
func (s *Service) NotRecommend(ctx context.Context, actor Actor, channelID int64, ids []int64) ([]store.Application, error) {
	return s.screen(ctx, actor, channelID, ids, "not_recommend", StatusNotRecommended, StatusSubmitted, StatusRecommended)
}

// screen moves the applications ids of channel channelID to status to,
// from one of from.
func (s *Service) screen(ctx context.Context, actor Actor, channelID int64, ids []int64, action, to string, from ...string) ([]store.Application, error) {
	if len(ids) == 0 {
		return nil, invalidf("%s: name at least one application", action)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, invalidf("%s: application %d is listed twice", action, id)
		}
		seen[id] = true
	}
	var out []store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		first, err := tx.Application(ctx, ids[0])
		if err != nil {
			return missing(err, "application %d", ids[0])
		}
		c, err := tx.CycleForUpdate(ctx, first.CycleID)
		if err != nil {
			return err
		}
		if err := needPhase(c.ID, c.Phase, action, PhaseRecommendation); err != nil {
			return err
		}
		if c.RecommendationsDueAt != nil && j.now.After(*c.RecommendationsDueAt) {
			return conflictf("recommendations to cycle %d were due %s; %q is no longer possible", c.ID, s.when(*c.RecommendationsDueAt), action)
		}
		ch, err := tx.Channel(ctx, channelID)
		if err != nil {
			return missing(err, "channel %d", channelID)
		}
		// The applications read and locked at once, their statuses set by
		// one UPDATE per several hundred, the recommendations inserted
		// several hundred to a statement.
		locked, err := tx.ApplicationsForUpdate(ctx, ids)
		if err != nil {
			return err
		}
		apps := make([]store.Application, len(ids))
		for i, id := range ids {
			a, ok := locked[id]
			if !ok {
				return &errs.Error{Code: errs.NotFound, Msg: fmt.Sprintf("application %d does not exist", id), Err: store.ErrNotFound}
			}
			if a.CycleID != c.ID {
				return invalidf("%s: application %d is in cycle %d, application %d in cycle %d: one cycle at a time", action, ids[0], c.ID, id, a.CycleID)
			}
			if err := s.ownApplication(ctx, tx, ch.ID, a); err != nil {
				return err
			}
			if err := needStatus("application", a.ID, a.Status, action, from...); err != nil {
				return err
			}
			apps[i] = a
		}
		if to == StatusRecommended {
			if err := s.checkQuota(ctx, tx, c, ch, len(apps)); err != nil {
				return err
			}
		}
		befores := slices.Clone(apps)
		if err := tx.SetApplicationStatus(ctx, apps, to, j.now); err != nil {
			return err
		}
		if to == StatusRecommended {
			recs := make([]store.Recommendation, len(apps))
			for i, a := range apps {
				recs[i] = store.Recommendation{ApplicationID: a.ID, CycleID: c.ID, ChannelID: ch.ID, RecommendedBy: j.userID, RecommendedAt: j.now}
			}
			if err := tx.InsertRecommendations(ctx, recs); err != nil {
				return err
			}
			for i, a := range apps {
				j.change("application."+action, "application", a.ID, befores[i], struct {
					store.Application
					Rank int `json:"rank"`
				}{a, recs[i].Rank})
			}
		} else {
			var withdrawn []int64
			for i, a := range apps {
				if befores[i].Status == StatusRecommended {
					withdrawn = append(withdrawn, a.ID)
				}
			}
			if err := tx.DeleteRecommendations(ctx, withdrawn); err != nil {
				return err
			}
			for i, a := range apps {
				j.change("application."+action, "application", a.ID, befores[i], a)
			}
		}
		out = apps
		return nil
	})
	return out, err
}

// checkQuota refuses adding more recommendations of channel ch to cycle
// c beyond the channel's quota.
func (s *Service) checkQuota(ctx context.Context, tx *store.Tx, c store.Cycle, ch store.Channel, more int) error {
	p, err := s.program(ctx, tx, c.ProgramVersionID)
	if err != nil {
		return err
	}
	quota, limited, err := quotaOf(ctx, tx, c, ch, p)
	if err != nil || !limited {
		return err
	}
	have, err := tx.CountApplications(ctx, c.ID, ch.ID, StatusRecommended)
	if err != nil {
		return err
	}
	if have+more > quota {
		return conflictf("channel %s may recommend %d applications to cycle %d; it has recommended %d and asks for %d more (%d > %d)",
			ch.Code, quota, c.ID, have, more, have+more, quota)
	}
	return nil
}

// quotaOf returns channel ch's quota in cycle c and whether there is one.
func quotaOf(ctx context.Context, tx *store.Tx, c store.Cycle, ch store.Channel, p *program.Program) (int, bool, error) {
	q, ok, err := tx.CycleQuota(ctx, c.ID, ch.ID)
	if err != nil || ok {
		return q, ok, err
	}
	// The definition's quota: 0 there means no limit, as in the engine.
	dq := p.Def.Decision.Quota
	if n, ok := dq.Channels[ch.Code]; ok {
		return n, n > 0, nil
	}
	return dq.Default, dq.Default > 0, nil
}
