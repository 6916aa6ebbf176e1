package workflow

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// AssignSpec says how AssignReviewers draws experts.
type AssignSpec struct {
	// PerApplication is how many experts each application gets in all
	// (those already assigned count); 0 means the program's min_experts.
	PerApplication int
	// Seed makes the draw reproducible: the same seed, pool, conflicts
	// and assignments give the same experts.
	Seed int64
}

// lockReviewCycle locks cycle id, checks that it is in the evaluation
// phase for action, and reads its review.
func (s *Service) lockReviewCycle(ctx context.Context, tx *store.Tx, id int64, action string) (*reviewCycle, error) {
	c, err := tx.CycleForUpdate(ctx, id)
	if err != nil {
		return nil, missing(err, "cycle %d", id)
	}
	if err := needPhase(c.ID, c.Phase, action, PhaseEvaluation); err != nil {
		return nil, err
	}
	return s.loadReview(ctx, tx, c)
}

// AssignReviewers draws experts for every application of cycle id that
// the evaluation found eligible, until each has spec.PerApplication
// experts: from the pool of enabled users holding the expert role,
// leaving out the experts already assigned to it and those who declared a
// conflict with its enterprise or channel, the least loaded in the cycle
// first and, among equals, in an order drawn from spec.Seed. It returns
// the assignments it made, all in one transaction.
//
// It refuses a cycle outside the evaluation phase and a program without a
// review (conflict); a number of experts below 1 or above the pool
// (invalid); and, naming the application, a pool too small once
// conflicts are left out (conflict) — then nothing is assigned.
func (s *Service) AssignReviewers(ctx context.Context, actor Actor, id int64, spec AssignSpec) ([]store.ReviewAssignment, error) {
	var made []store.ReviewAssignment
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		rc, err := s.lockReviewCycle(ctx, tx, id, "assign_reviewers")
		if err != nil {
			return err
		}
		n := spec.PerApplication
		if n == 0 {
			n = rc.p.Def.Review.MinExperts
		}
		pool, err := tx.Experts(ctx)
		if err != nil {
			return err
		}
		switch {
		case n < 1:
			return invalidf("cycle %d: %d experts per application; give at least 1", id, n)
		case n > len(pool):
			return conflictf("cycle %d: %d experts per application, but the pool has %s; add experts (users with the %q role) first",
				id, n, count(len(pool), "expert", "experts"), RoleExpert)
		case n < rc.p.Def.Review.MinExperts:
			return invalidf("cycle %d: %d experts per application is below the program's minimum of %d (review.min_experts)", id, n, rc.p.Def.Review.MinExperts)
		}
		if len(rc.apps) == 0 {
			return conflictf("cycle %d has no eligible application for the experts to review", id)
		}
		cs, err := tx.ReviewConflicts(ctx, 0)
		if err != nil {
			return err
		}
		load := map[int64]int{}
		for _, a := range rc.assignments {
			load[a.ExpertID]++
		}
		for _, app := range rc.apps {
			have := rc.of(app.ID)
			need := n - len(have)
			if need <= 0 {
				continue
			}
			var cand []store.User
			conflicted := 0
			for _, u := range pool {
				switch {
				case slices.ContainsFunc(have, func(a store.ReviewAssignment) bool { return a.ExpertID == u.ID }):
				case conflicts(cs, u.ID, app):
					conflicted++
				default:
					cand = append(cand, u)
				}
			}
			if len(cand) < need {
				return conflictf("cycle %d: application %d (%s) needs %d more experts, but only %d of the pool's %d are free: %d declared a conflict with it and %d are assigned already; add experts to the pool or assign fewer",
					id, app.ID, rc.enterprises[app.EnterpriseID].Name, need, len(cand), len(pool), conflicted, len(have))
			}
			slices.SortStableFunc(cand, func(a, b store.User) int {
				if d := load[a.ID] - load[b.ID]; d != 0 {
					return d
				}
				ha, hb := drawKey(spec.Seed, app.ID, a.ID), drawKey(spec.Seed, app.ID, b.ID)
				switch {
				case ha < hb:
					return -1
				case ha > hb:
					return 1
				}
				return int(a.ID - b.ID)
			})
			for _, u := range cand[:need] {
				a := store.ReviewAssignment{CycleID: id, ApplicationID: app.ID, ExpertID: u.ID, Status: AssignmentAssigned,
					AssignedBy: j.userID, AssignedAt: j.now, UpdatedAt: j.now}
				if err := tx.InsertReviewAssignment(ctx, &a); err != nil {
					return err
				}
				load[u.ID]++
				rc.assigned(a)
				made = append(made, a)
				j.record("review.assign", "review_assignment", a.ID, nil, a)
			}
		}
		return nil
	})
	return result(made, err)
}

// drawKey orders the experts for one application: a hash of the seed,
// the application and the expert.
func drawKey(seed, app, expert int64) uint64 {
	h := fnv.New64a()
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(app))
	binary.LittleEndian.PutUint64(b[16:], uint64(expert))
	h.Write(b[:])
	return h.Sum64()
}

// AddReviewer assigns expert expertID to application appID by hand.
//
// It refuses a cycle outside evaluation and a program without a review
// (conflict); an application the evaluation did not find eligible, and a
// user who is not an enabled expert (invalid); an expert who declared a
// conflict with the application's enterprise or channel, or who is
// assigned to it already (conflict).
func (s *Service) AddReviewer(ctx context.Context, actor Actor, appID, expertID int64) (store.ReviewAssignment, error) {
	var a store.ReviewAssignment
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, err := tx.CycleOfApplication(ctx, appID)
		if err != nil {
			return missing(err, "application %d", appID)
		}
		rc, err := s.lockReviewCycle(ctx, tx, c.ID, "add_reviewer")
		if err != nil {
			return err
		}
		app, ok := rc.app(appID)
		if !ok {
			return invalidf("application %d is not under review: only applications the evaluation found eligible are reviewed", appID)
		}
		u, err := tx.User(ctx, expertID)
		if err != nil {
			return missing(err, "user %d", expertID)
		}
		if err := needExpert(ctx, tx, u.ID, u.Username); err != nil || u.Disabled {
			return invalidf("user %s is not an enabled expert: grant the %q role first", u.Username, RoleExpert)
		}
		cs, err := tx.ReviewConflicts(ctx, expertID)
		if err != nil {
			return err
		}
		if conflicts(cs, expertID, app) {
			return conflictf("expert %s declared a conflict with application %d (%s): assign another expert", u.Username, appID, rc.enterprises[app.EnterpriseID].Name)
		}
		a = store.ReviewAssignment{CycleID: c.ID, ApplicationID: appID, ExpertID: expertID, Status: AssignmentAssigned,
			AssignedBy: j.userID, AssignedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertReviewAssignment(ctx, &a); err != nil {
			if errs.Is(err, errs.Conflict) {
				return conflictf("expert %s is already assigned to application %d", u.Username, appID)
			}
			return err
		}
		j.record("review.assign", "review_assignment", a.ID, nil, a)
		return nil
	})
	return result(a, err)
}

// RemoveReviewer removes assignment id, if version is still its version.
// It refuses a submitted scoresheet, a stale version and a cycle outside
// evaluation (conflict).
func (s *Service) RemoveReviewer(ctx context.Context, actor Actor, id, version int64) error {
	return s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		a, err := tx.ReviewAssignment(ctx, id)
		if err != nil {
			return missing(err, "review assignment %d", id)
		}
		c, err := tx.CycleForUpdate(ctx, a.CycleID)
		if err != nil {
			return err
		}
		if err := needPhase(c.ID, c.Phase, "remove_reviewer", PhaseEvaluation); err != nil {
			return err
		}
		if a, err = tx.ReviewAssignmentForUpdate(ctx, id); err != nil {
			return err
		}
		if err := needStatus("review assignment", a.ID, a.Status, "remove", AssignmentAssigned, AssignmentDraft); err != nil {
			return err
		}
		if err := needVersion("review assignment", a.ID, a.Version, version); err != nil {
			return err
		}
		if err := tx.DeleteReviewAssignment(ctx, a); err != nil {
			return err
		}
		j.record("review.unassign", "review_assignment", a.ID, a, nil)
		return nil
	})
}

// expertNames returns the usernames of users by id, for messages.
func expertNames(ctx context.Context, tx *store.Tx, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		u, err := tx.User(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = u.Username
	}
	return out, nil
}
