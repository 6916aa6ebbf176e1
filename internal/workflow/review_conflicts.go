package workflow

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/uscc"
)

// ConflictSpec is a conflict of interest an expert declares: with the
// enterprise whose unified social credit code is EnterpriseCode, or with
// every enterprise of the channel ChannelCode (exactly one of the two),
// and why.
type ConflictSpec struct {
	EnterpriseCode string
	ChannelCode    string
	Reason         string
}

// needExpert refuses an actor without a user account holding the expert
// role (forbidden).
func needExpert(ctx context.Context, tx *store.Tx, userID int64, who string) error {
	if userID == 0 {
		return forbiddenf("%s has no user account: only an expert's account may do this", who)
	}
	roles, err := tx.Roles(ctx, userID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == RoleExpert }) {
		return forbiddenf("user %s does not hold the %q role", who, RoleExpert)
	}
	return nil
}

// DeclareConflict records a conflict of interest of the acting expert.
// Automatic assignment never gives the expert an application of that
// enterprise or channel, and manual assignment refuses one; the expert's
// assignments to such applications that are not yet submitted, in cycles
// still in evaluation, are removed in the same transaction (a submitted
// scoresheet stays: the administrator decides about it).
//
// It refuses an actor who is not an expert (forbidden); neither or both of
// an enterprise and a channel, an invalid credit code, and a missing or
// overlong reason (invalid); an unknown enterprise or channel (not
// found); and the same conflict declared twice (conflict).
func (s *Service) DeclareConflict(ctx context.Context, actor Actor, spec ConflictSpec) (store.ReviewConflict, error) {
	spec.EnterpriseCode, spec.ChannelCode, spec.Reason = strings.TrimSpace(spec.EnterpriseCode), strings.TrimSpace(spec.ChannelCode), strings.TrimSpace(spec.Reason)
	switch {
	case (spec.EnterpriseCode == "") == (spec.ChannelCode == ""):
		return store.ReviewConflict{}, invalidf("a conflict names either an enterprise (its credit code) or a channel, not %s", map[bool]string{true: "neither", false: "both"}[spec.EnterpriseCode == ""])
	case spec.Reason == "":
		return store.ReviewConflict{}, invalidf("give the reason for the conflict")
	case utf8.RuneCountInString(spec.Reason) > maxReason:
		return store.ReviewConflict{}, invalidf("a conflict's reason is limited to %d characters", maxReason)
	}
	if spec.EnterpriseCode != "" {
		spec.EnterpriseCode = uscc.Normalize(spec.EnterpriseCode)
		if err := uscc.Validate(spec.EnterpriseCode); err != nil {
			return store.ReviewConflict{}, invalidf("enterprise %q: %v", spec.EnterpriseCode, err)
		}
	}
	var c store.ReviewConflict
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		if err := needExpert(ctx, tx, actor.UserID, actor.Name); err != nil {
			return err
		}
		c = store.ReviewConflict{ExpertID: actor.UserID, Reason: spec.Reason, CreatedAt: j.now}
		if spec.EnterpriseCode != "" {
			e, err := tx.EnterpriseByUSCC(ctx, spec.EnterpriseCode)
			if err != nil {
				return missing(err, "enterprise %s", spec.EnterpriseCode)
			}
			c.EnterpriseID = e.ID
		} else {
			ch, err := tx.ChannelByCode(ctx, spec.ChannelCode)
			if err != nil {
				return missing(err, "channel %q", spec.ChannelCode)
			}
			c.ChannelID = ch.ID
		}
		if err := tx.InsertReviewConflict(ctx, &c); err != nil {
			return err
		}
		j.record("review.conflict", "review_conflict", c.ID, nil, c)
		return s.dropConflicting(ctx, tx, j, c)
	})
	return result(c, err)
}

// dropConflicting removes the expert's unsubmitted assignments that
// conflict c covers, in cycles in evaluation. It locks those cycles
// (in id order, as every transaction takes cycles) before reading the
// assignments, so that an assignment made concurrently — whose
// transaction holds its cycle — is seen once that transaction ends.
func (s *Service) dropConflicting(ctx context.Context, tx *store.Tx, j *journal, c store.ReviewConflict) error {
	cycles, err := tx.Cycles(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(cycles, func(a, b store.Cycle) int { return int(a.ID - b.ID) })
	evaluating := map[int64]bool{}
	for _, cy := range cycles {
		if cy.Phase != PhaseEvaluation {
			continue
		}
		locked, err := tx.CycleForUpdate(ctx, cy.ID)
		if err != nil {
			return err
		}
		evaluating[cy.ID] = locked.Phase == PhaseEvaluation
	}
	as, _, err := tx.ReviewAssignments(ctx, store.ReviewAssignmentQuery{ExpertID: c.ExpertID})
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Status == AssignmentSubmitted || !evaluating[a.CycleID] {
			continue
		}
		app, err := tx.Application(ctx, a.ApplicationID)
		if err != nil {
			return err
		}
		if !conflicts([]store.ReviewConflict{c}, c.ExpertID, app) {
			continue
		}
		if err := tx.DeleteReviewAssignment(ctx, a); err != nil {
			return err
		}
		j.record("review.unassign", "review_assignment", a.ID, a, nil)
	}
	return nil
}

// conflicts reports whether expert declared, among cs, a conflict with
// application a's enterprise or channel.
func conflicts(cs []store.ReviewConflict, expert int64, a store.Application) bool {
	return slices.ContainsFunc(cs, func(c store.ReviewConflict) bool {
		return c.ExpertID == expert && (c.EnterpriseID != 0 && c.EnterpriseID == a.EnterpriseID || c.ChannelID != 0 && c.ChannelID == a.ChannelID)
	})
}

// Conflicts returns the conflicts expert expertID declared, oldest first.
func (s *Service) Conflicts(ctx context.Context, expertID int64) ([]store.ReviewConflict, error) {
	var out []store.ReviewConflict
	err := s.read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.ReviewConflicts(ctx, expertID)
		return err
	})
	return out, err
}
