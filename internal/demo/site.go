package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Login is a demo account: what `exemplar demo` prints for each role.
type Login struct {
	Role, Username, Password string
	Scope                    string // the channel or enterprise it acts for
}

// PrepareSite readies the story's database for the web site: the results
// announcements of both cycles, each issued on the story's clock the day
// after its cycle was announced, and one account for each role (the
// ministry's administrator, a province's recommender, an enterprise that
// passed the review, an expert with an hnte cycle to score). The passwords are fixed and printed:
// this is a demo database, never a real one.
func PrepareSite(ctx context.Context, db *store.DB, clock *Clock, res *StoryResult) ([]Login, error) {
	s := workflow.New(db, workflow.WithClock(clock.Now))
	// Each results announcement is issued the day after its cycle's
	// announcement, as the ministry would.
	for _, c := range []struct {
		cycle store.Cycle
		at    time.Time
	}{{res.Identification, res.AnnouncedID}, {res.Review, res.AnnouncedReview}} {
		clock.Set(c.at.Add(24 * time.Hour))
		a, err := s.DraftResultsAnnouncement(ctx, ministry, c.cycle.ID)
		if err != nil {
			return nil, err
		}
		if _, err := s.IssueAnnouncement(ctx, ministry, a.ID, a.Version); err != nil {
			return nil, err
		}
	}
	clock.Set(res.AnnouncedReview.Add(3 * 24 * time.Hour))
	ds, err := s.Decisions(ctx, res.Review.ID)
	if err != nil {
		return nil, err
	}
	var passed store.Enterprise
	for _, d := range ds {
		if d.Outcome == workflow.OutcomePass {
			if passed, _, err = s.Enterprise(ctx, d.EnterpriseID); err != nil {
				return nil, err
			}
			break
		}
	}
	if passed.ID == 0 {
		return nil, fmt.Errorf("demo: no enterprise passed the review")
	}
	logins := []Login{
		{Role: workflow.RoleAdmin, Username: "admin", Password: "demo-admin-2018"},
		{Role: workflow.RoleRecommender, Username: "recommender", Password: "demo-recommender-2018"},
		{Role: workflow.RoleEnterprise, Username: "enterprise", Password: "demo-enterprise-2018", Scope: passed.Name},
		{Role: workflow.RoleExpert, Username: "expert", Password: "demo-expert-2018"},
	}
	for i, l := range logins {
		u, err := s.CreateUser(ctx, ministry, l.Username, "Demo "+l.Role, l.Password)
		if err != nil {
			return nil, err
		}
		scope := int64(0)
		switch l.Role {
		case workflow.RoleRecommender:
			scope = passed.ChannelID
			c, err := channelName(ctx, db, scope)
			if err != nil {
				return nil, err
			}
			logins[i].Scope = c
		case workflow.RoleEnterprise:
			scope = passed.ID
		case workflow.RoleExpert:
			logins[i].Scope = "scores 3 hnte applications at /expert"
		}
		if _, err := s.GrantRole(ctx, ministry, u.ID, l.Role, scope); err != nil {
			return nil, err
		}
	}
	// The expert's review: three of the reviewed enterprises apply to an
	// hnte cycle whose experts score them.
	var firms []store.Enterprise
	for _, d := range ds[:min(3, len(ds))] {
		e, _, err := s.Enterprise(ctx, d.EnterpriseID)
		if err != nil {
			return nil, err
		}
		firms = append(firms, e)
	}
	if err := prepareExpertReview(ctx, s, firms); err != nil {
		return nil, fmt.Errorf("demo: the expert review: %w", err)
	}
	return logins, nil
}

func channelName(ctx context.Context, db *store.DB, id int64) (string, error) {
	var name string
	err := db.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.Channel(ctx, id)
		name = c.NameEn + " " + c.NameZh
		return err
	})
	return name, err
}
