package workflow

import (
	"context"

	"github.com/exemplar/exemplar/internal/store"
)

// The reads: what the pages, the API and the tests show. Each reads one
// consistent snapshot.

// Cycle returns cycle id.
func (s *Service) Cycle(ctx context.Context, id int64) (store.Cycle, error) {
	var c store.Cycle
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Cycle(ctx, id)
		return missing(err, "cycle %d", id)
	})
	return c, err
}

// Application returns application id.
func (s *Service) Application(ctx context.Context, id int64) (store.Application, error) {
	var a store.Application
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		a, err = tx.Application(ctx, id)
		return missing(err, "application %d", id)
	})
	return a, err
}

// Applications returns cycle id's applications whose status is one of
// statuses (all when none is given), by id.
func (s *Service) Applications(ctx context.Context, id int64, statuses ...string) ([]store.Application, error) {
	var out []store.Application
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Applications(ctx, id, statuses...)
		return err
	})
	return out, err
}

// Results returns the results of cycle id's latest engine run, by
// enterprise id, with the run; not found before the cycle was evaluated.
// Each result holds the engine's full output (resultDoc), whichever form
// it is stored in.
func (s *Service) Results(ctx context.Context, id int64) (store.EngineRun, []store.Result, error) {
	var run store.EngineRun
	var out []store.Result
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if run, err = tx.LatestEngineRun(ctx, id); err != nil {
			return missing(err, "an engine run of cycle %d", id)
		}
		if out, err = tx.Results(ctx, run.ID); err != nil {
			return err
		}
		p, err := s.program(ctx, tx, run.ProgramVersionID)
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].Result, err = expandResult(p, out[i]); err != nil {
				return internalf("result of enterprise %d in run %d: %v", out[i].EnterpriseID, run.ID, err)
			}
		}
		return nil
	})
	return run, out, err
}

// Decisions returns cycle id's decisions, by enterprise id.
func (s *Service) Decisions(ctx context.Context, id int64) ([]store.Decision, error) {
	var out []store.Decision
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Decisions(ctx, id)
		return err
	})
	return out, err
}

// Notice returns cycle id's notice (the latest, if it had several); not
// found before one was published.
func (s *Service) Notice(ctx context.Context, id int64) (store.Notice, error) {
	var n store.Notice
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.LatestNotice(ctx, id)
		return missing(err, "a notice of cycle %d", id)
	})
	return n, err
}

// Objections returns notice id's objections, as filed.
func (s *Service) Objections(ctx context.Context, id int64) ([]store.Objection, error) {
	var out []store.Objection
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Objections(ctx, id, "")
		return err
	})
	return out, err
}

// Enterprise returns enterprise id with its names, oldest first.
func (s *Service) Enterprise(ctx context.Context, id int64) (store.Enterprise, []store.EnterpriseName, error) {
	var e store.Enterprise
	var names []store.EnterpriseName
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = tx.Enterprise(ctx, id); err != nil {
			return missing(err, "enterprise %d", id)
		}
		names, err = tx.EnterpriseNames(ctx, id)
		return err
	})
	return e, names, err
}

// Recognitions returns the titles enterprise id holds or held, newest
// grant first.
func (s *Service) Recognitions(ctx context.Context, id int64) ([]store.Recognition, error) {
	var out []store.Recognition
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Recognitions(ctx, id)
		return err
	})
	return out, err
}

// Recommendations returns cycle id's recommendations, by channel and rank.
func (s *Service) Recommendations(ctx context.Context, id int64) ([]store.Recommendation, error) {
	var out []store.Recommendation
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Recommendations(ctx, id)
		return err
	})
	return out, err
}
