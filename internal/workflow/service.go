package workflow

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// Actor is who asks for a change: recorded in the audit log and, where a
// column refers to a user, in the row.
type Actor struct {
	// UserID is the acting user's users.id, or 0 when the actor has no
	// account (a system job, a script, a test).
	UserID int64
	// Name is how the audit log names the actor: a username, or "system".
	Name string
}

func (a Actor) check() error {
	if strings.TrimSpace(a.Name) == "" {
		return invalidf("the actor has no name: every change records who made it")
	}
	return nil
}

// ChinaTime is the time zone of the built-in programs' calendars (UTC+8,
// no daylight saving). A fixed zone needs no time zone database.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// Service runs the program lifecycle: every change of state goes through
// one of its methods, each in one transaction that also appends the
// change to the audit log. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	now func() time.Time
	loc *time.Location

	mu       sync.Mutex
	programs map[int64]*program.Program // compiled, by program version id

	files fileSettings
}

// fileSettings are the service's settings for evidence files.
type fileSettings struct {
	dataDir     string // "" means the SQLite database's folder
	maxEvidence int64
}

// Option changes a Service.
type Option func(*Service)

// WithClock sets the clock the service decides and stamps with (tests
// inject one to move through notice periods). The default is the
// store's clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLocation sets the time zone whose calendar days count: notice
// periods, recognition dates, name-change days. The default is ChinaTime.
func WithLocation(loc *time.Location) Option { return func(s *Service) { s.loc = loc } }

// New returns a service over db.
func New(db *store.DB, opts ...Option) *Service {
	s := &Service{db: db, now: db.Now, loc: ChinaTime, programs: map[int64]*program.Program{},
		files: fileSettings{maxEvidence: DefaultMaxEvidenceSize}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// DB is the database the service works on.
func (s *Service) DB() *store.DB { return s.db }

// clock is the service's time, to the microsecond the database keeps, so
// that what a method returns equals what a later read returns.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the calendar day of t in the service's time zone, at midnight
// there.
func (s *Service) today(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
}

// journal collects the audit entries of one transaction, so that they are
// appended after every other change: on PostgreSQL an append holds the
// audit chain's head row until the transaction ends, and taking it last
// keeps that wait short and the lock order (cycle, application, …, audit
// head) the same in every transaction.
type journal struct {
	actor   string
	userID  int64 // the actor's users.id, for the columns that name a user
	now     time.Time
	entries []store.Entry
}

// record notes a change of entity id by action, from before to after (nil
// for none).
func (j *journal) record(action, entity string, id int64, before, after any) {
	j.entries = append(j.entries, store.Entry{
		At: j.now, Actor: j.actor, Action: action, Entity: entity, EntityID: strconv.FormatInt(id, 10),
		Before: before, After: after,
	})
}

// change notes an update of entity id by action that records only what
// it changed (store.Changes): the fields that differ, before and after,
// and the record's ids. An application's status change no longer copies
// its inputs into the log twice.
func (j *journal) change(action, entity string, id int64, before, after any) {
	b, a := store.Changes(before, after)
	j.record(action, entity, id, b, a)
}

// write runs fn in one transaction for actor and appends fn's journal to
// the audit log in the same transaction; nothing is written unless all of
// it is.
func (s *Service) write(ctx context.Context, actor Actor, fn func(tx *store.Tx, j *journal) error) error {
	if err := actor.check(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		j := &journal{actor: actor.Name, userID: actor.UserID, now: s.clock()}
		if err := fn(tx, j); err != nil {
			return err
		}
		// All of the transaction's entries in one append: the chain head
		// is read and moved once.
		return tx.AppendAudit(ctx, j.entries...)
	})
}

// read runs fn in a read-only transaction.
func (s *Service) read(ctx context.Context, fn func(tx *store.Tx) error) error {
	return s.db.Read(ctx, fn)
}
