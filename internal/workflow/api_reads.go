package workflow

import (
	"context"

	"github.com/exemplar/exemplar/internal/store"
)

// Cycles returns every cycle, newest year first, then newest first.
func (s *Service) Cycles(ctx context.Context) ([]store.Cycle, error) {
	var out []store.Cycle
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Cycles(ctx)
		return err
	})
	return out, err
}

// EnterpriseApplications returns the applications of enterprise id to
// every cycle, by id. An enterprise that does not exist has none.
func (s *Service) EnterpriseApplications(ctx context.Context, id int64) ([]store.Application, error) {
	var out []store.Application
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.EnterpriseApplications(ctx, id)
		return err
	})
	return out, err
}
