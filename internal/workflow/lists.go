package workflow

import (
	"context"
	"time"

	"github.com/exemplar/exemplar/internal/store"
)

// DecisionRows returns the decisions q selects — each with its
// enterprise, channel, score and rank — in q's order and page, and how
// many q selects in all: the public notice and results lists, and the
// administrator's table.
func (s *Service) DecisionRows(ctx context.Context, q store.DecisionQuery) ([]store.DecisionRow, int, error) {
	var out []store.DecisionRow
	var total int
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, total, err = tx.DecisionRows(ctx, q)
		return err
	})
	return out, total, err
}

// Now is the service's clock: pages that say whether a deadline has
// passed must agree with the checks the service makes.
func (s *Service) Now() time.Time { return s.clock() }
