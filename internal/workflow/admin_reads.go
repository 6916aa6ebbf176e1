package workflow

import (
	"context"
	"time"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// The reads of the administrator's set-up pages: programs, users, the
// calendar, the audit log and the titles about to lapse. Each reads one
// consistent snapshot and changes nothing.

// ProgramVersions is a program with its registered versions, newest first.
type ProgramVersions struct {
	store.Program
	Versions []store.ProgramVersion
}

// Programs returns every program with its versions, by name.
func (s *Service) Programs(ctx context.Context) ([]ProgramVersions, error) {
	var out []ProgramVersions
	err := s.read(ctx, func(tx *store.Tx) error {
		progs, err := tx.Programs(ctx)
		if err != nil {
			return err
		}
		for _, p := range progs {
			vs, err := tx.ProgramVersions(ctx, p.ID)
			if err != nil {
				return err
			}
			out = append(out, ProgramVersions{Program: p, Versions: vs})
		}
		return nil
	})
	return result(out, err)
}

// ProgramVersion returns program version id with its text and its
// compiled definition; not found when there is no such version.
func (s *Service) ProgramVersion(ctx context.Context, id int64) (store.ProgramVersion, *program.Program, error) {
	var v store.ProgramVersion
	var p *program.Program
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if v, err = tx.ProgramVersion(ctx, id); err != nil {
			return missing(err, "program version %d", id)
		}
		p, err = s.program(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.ProgramVersion{}, nil, err
	}
	return v, p, nil
}

// SearchUsers returns the users q selects with their roles, in q's order
// and page, and how many q selects in all.
func (s *Service) SearchUsers(ctx context.Context, q store.UserQuery) ([]Account, int, error) {
	var out []Account
	var total int
	err := s.read(ctx, func(tx *store.Tx) error {
		users, n, err := tx.SearchUsers(ctx, q)
		if err != nil {
			return err
		}
		total = n
		for _, u := range users {
			roles, err := tx.Roles(ctx, u.ID)
			if err != nil {
				return err
			}
			out = append(out, Account{User: u, Roles: roles})
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// User returns user id with its roles; not found when there is none.
func (s *Service) User(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := s.read(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return missing(err, "user %d", id)
		}
		roles, err := tx.Roles(ctx, id)
		a = Account{User: u, Roles: roles}
		return err
	})
	return result(a, err)
}

// SearchEnterprises returns at most limit enterprises whose name or
// credit code contains every word of search, by name.
func (s *Service) SearchEnterprises(ctx context.Context, search string, limit int) ([]store.Enterprise, error) {
	var out []store.Enterprise
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.SearchEnterprises(ctx, search, limit)
		return err
	})
	return result(out, err)
}

// CalendarDays returns the calendar's exceptions, with their names, from
// the day of from to the day of to, by day.
func (s *Service) CalendarDays(ctx context.Context, from, to time.Time) ([]store.CalendarDay, error) {
	var out []store.CalendarDay
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.CalendarDays(ctx, from, to)
		return err
	})
	return result(out, err)
}

// SearchAudit returns the audit entries q selects, newest first, and how
// many q selects in all.
func (s *Service) SearchAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, int, error) {
	var out []store.AuditRecord
	var total int
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, total, err = tx.SearchAudit(ctx, q)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// VerifyAudit checks the audit log's hash chain (see store.DB.VerifyAudit):
// a broken chain is a result with OK false, not an error.
func (s *Service) VerifyAudit(ctx context.Context) (store.VerifyResult, error) {
	return s.db.VerifyAudit(ctx)
}

// LapsedRecognitions returns the standing recognitions that
// ExpireRecognitions with asOf would expire, by id: what its
// confirmation shows.
func (s *Service) LapsedRecognitions(ctx context.Context, asOf time.Time) ([]store.Recognition, error) {
	day := dateOnly(s.today(asOf))
	var out []store.Recognition
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.LapsedRecognitions(ctx, day)
		return err
	})
	return result(out, err)
}
