package workflow

import (
	"context"
	"slices"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// ReviewRow is the review of one application, as the administrator sees
// it: who is assigned, how many submitted, and — once every assignment is
// submitted — the combined values that replace the enterprise's own.
type ReviewRow struct {
	Application store.Application
	Enterprise  store.Enterprise
	Assignments []store.ReviewAssignment
	// Experts names the assigned experts by user id.
	Experts   map[int64]string
	Submitted int
	// Complete: at least the program's min_experts assignments, every one
	// submitted.
	Complete bool
	// Combined holds the combined value of each item once every
	// assignment is submitted; nil before.
	Combined map[string]float64
}

// ReviewProgress is the review of a cycle.
type ReviewProgress struct {
	Cycle      store.Cycle
	Program    *program.Program
	MinExperts int
	Rows       []ReviewRow
	// Assigned, Submitted and Complete count over every row.
	Assigned, Submitted, Complete int
}

// ReviewProgress returns the review of cycle id: one row per application
// under review. It refuses a program without a review (conflict).
func (s *Service) ReviewProgress(ctx context.Context, id int64) (ReviewProgress, error) {
	var pr ReviewProgress
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		rc, err := s.loadReview(ctx, tx, c)
		if err != nil {
			return err
		}
		pr, err = rc.progress(ctx, tx)
		return err
	})
	return pr, err
}

// progress works out the review's rows.
func (rc *reviewCycle) progress(ctx context.Context, tx *store.Tx) (ReviewProgress, error) {
	pr := ReviewProgress{Cycle: rc.c, Program: rc.p, MinExperts: rc.p.Def.Review.MinExperts}
	var ids []int64
	for _, a := range rc.assignments {
		ids = append(ids, a.ExpertID)
	}
	names, err := expertNames(ctx, tx, ids)
	if err != nil {
		return pr, err
	}
	for _, app := range rc.apps {
		row := ReviewRow{Application: app, Enterprise: rc.enterprises[app.EnterpriseID], Assignments: rc.of(app.ID), Experts: map[int64]string{}}
		slices.SortFunc(row.Assignments, func(x, y store.ReviewAssignment) int { return int(x.ID - y.ID) })
		for _, a := range row.Assignments {
			row.Experts[a.ExpertID] = names[a.ExpertID]
			if a.Status == AssignmentSubmitted {
				row.Submitted++
			}
		}
		if row.Combined, err = rc.combined(app.ID); err != nil {
			return pr, err
		}
		row.Complete = row.Combined != nil && row.Submitted >= pr.MinExperts
		pr.Assigned += len(row.Assignments)
		pr.Submitted += row.Submitted
		if row.Complete {
			pr.Complete++
		}
		pr.Rows = append(pr.Rows, row)
	}
	return pr, nil
}

// ReviewAssignment returns assignment id, for administrators (an expert
// reads its own through ExpertScoresheet).
func (s *Service) ReviewAssignment(ctx context.Context, id int64) (store.ReviewAssignment, error) {
	var a store.ReviewAssignment
	err := s.read(ctx, func(tx *store.Tx) (err error) {
		a, err = tx.ReviewAssignment(ctx, id)
		return missing(err, "review assignment %d", id)
	})
	return a, err
}

// ExpertByUsername returns the user named username, for assigning it by
// hand (AddReviewer checks that it is an expert).
func (s *Service) ExpertByUsername(ctx context.Context, username string) (store.User, error) {
	var u store.User
	err := s.read(ctx, func(tx *store.Tx) (err error) {
		u, err = tx.UserByUsername(ctx, username)
		return missing(err, "user %q", username)
	})
	return u, err
}

// CycleHasReview reports whether cycle id's program has an expert review.
func (s *Service) CycleHasReview(ctx context.Context, id int64) (bool, error) {
	var has bool
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		has = err == nil && p.HasReview()
		return err
	})
	return has, err
}
