package workflow

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// CreateApplication starts the application of enterprise enterpriseID to
// cycle cycleID, as a draft, through the enterprise's channel. It refuses unless the cycle is open
// and its applications are not yet due (conflict); an enterprise without
// a channel, or with one the program does not know (invalid); in an
// identification cycle, an enterprise that already holds the title, and
// in a review cycle, one that does not (conflict); and a second
// application of the enterprise to the cycle (conflict).
func (s *Service) CreateApplication(ctx context.Context, actor Actor, cycleID, enterpriseID int64) (store.Application, error) {
	var a store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, err := tx.CycleForShare(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		if err := s.needOpen(c, "create_application", j); err != nil {
			return err
		}
		e, err := tx.Enterprise(ctx, enterpriseID)
		if err != nil {
			return missing(err, "enterprise %d", enterpriseID)
		}
		if e.ChannelID == 0 {
			return invalidf("enterprise %s (%s) has no recommending channel: register it with one first", e.USCC, e.Name)
		}
		ch, err := tx.Channel(ctx, e.ChannelID)
		if err != nil {
			return err
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		if err := channelInProgram(p, ch.Code); err != nil {
			return err
		}
		rec, err := tx.CurrentRecognition(ctx, e.ID, c.ProgramID)
		holds := err == nil
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		switch {
		case c.Kind == KindIdentification && holds:
			return conflictf("enterprise %s already holds the title of program %s (recognition %d, granted %d, valid until %s): it is reviewed, not identified again",
				e.USCC, p.Def.Name, rec.ID, rec.GrantedYear, rec.ValidUntil.Format("2006-01-02"))
		case c.Kind == KindReview && !holds:
			return conflictf("enterprise %s holds no standing title of program %s: a review cycle examines holders only", e.USCC, p.Def.Name)
		}
		a = store.Application{CycleID: c.ID, EnterpriseID: e.ID, ChannelID: ch.ID, Status: StatusDraft,
			Inputs: json.RawMessage("{}"), Declarations: json.RawMessage("{}"), CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertApplication(ctx, &a); err != nil {
			return err
		}
		j.record("application.create", "application", a.ID, nil, a)
		return nil
	})
	return result(a, err)
}

// SaveApplication replaces the inputs of a draft or returned application
// (see the inputs format in inputs.go: an object keyed by the program's
// input ids, yearly inputs as arrays). A draft may be incomplete; the
// required inputs are checked at submission. It refuses inputs the program
// does not know, of the wrong kind or out of range, with every field
// named (invalid); a stale version, an application in another status, and
// a cycle that is not open or whose applications are due (conflict).
func (s *Service) SaveApplication(ctx context.Context, actor Actor, id, version int64, inputs json.RawMessage) (store.Application, error) {
	var a store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		a = locked
		if err := s.needEditable(c, a, "save_application", "save", version, j); err != nil {
			return err
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		canonical, problems := parseInputs(p, inputs)
		if len(problems) == 0 {
			if problems, err = s.ownInputs(ctx, tx, p, a, canonical); err != nil {
				return err
			}
		}
		if len(problems) > 0 {
			return inputProblems(a.ID, problems)
		}
		before := a
		a.Inputs, a.UpdatedAt = canonical, j.now
		if err := tx.UpdateApplication(ctx, &a); err != nil {
			return err
		}
		j.change("application.save", "application", a.ID, before, a)
		return nil
	})
	return result(a, err)
}

// SubmitApplication submits a draft or returned application (→
// submitted), which locks it: only its channel can send it back.
//
// key is the idempotency key of this submission, chosen by the caller
// (for example a random id per press of the submit button). A retry with
// the key of a submission that succeeded returns the application as it is
// now and changes nothing, whatever version it gives: the first attempt
// may have committed after its answer was lost. A key that already
// submitted another application is refused (conflict).
//
// It refuses a missing key, and an application whose required inputs are
// missing (invalid, naming each); a stale version, an application that is
// not a draft or returned (already submitted with another key, say), and
// a cycle that is not open or whose applications are due (conflict).
func (s *Service) SubmitApplication(ctx context.Context, actor Actor, id, version int64, key string) (store.Application, error) {
	key = strings.TrimSpace(key)
	if key == "" || utf8.RuneCountInString(key) > maxName {
		return store.Application{}, invalidf("submit application %d: give an idempotency key of 1 to %d characters, the same on every retry of this submission", id, maxName)
	}
	var a store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		a = locked
		// Checked under the application's lock, before anything else: a
		// retry that raced with its first attempt waited for it here and
		// now sees its key.
		if a.IdempotencyKey == key {
			return nil
		}
		other, err := tx.ApplicationByIdempotencyKey(ctx, key)
		if err == nil {
			return conflictf("the idempotency key of this submission was already used to submit application %d: use a new key for each submission", other.ID)
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		if err := s.needEditable(c, a, "submit_application", "submit", version, j); err != nil {
			return err
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		if problems := missingInputs(p, a.Inputs); len(problems) > 0 {
			return inputProblems(a.ID, problems)
		}
		before := a
		submitted := j.now
		a.Status, a.ReturnReason, a.IdempotencyKey, a.SubmittedAt, a.UpdatedAt = StatusSubmitted, "", key, &submitted, j.now
		if err := tx.UpdateApplication(ctx, &a); err != nil {
			return err
		}
		j.change("application.submit", "application", a.ID, before, a)
		return nil
	})
	return result(a, err)
}

// WithdrawApplication takes back a draft, submitted or returned
// application (→ withdrawn) while its cycle is open. It refuses a stale
// version, an application in another status and a cycle that is not open
// (conflict).
func (s *Service) WithdrawApplication(ctx context.Context, actor Actor, id, version int64) (store.Application, error) {
	var a store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		a = locked
		if err := needPhase(c.ID, c.Phase, "withdraw_application", PhaseOpen); err != nil {
			return err
		}
		if err := needStatus("application", a.ID, a.Status, "withdraw", StatusDraft, StatusSubmitted, StatusReturned); err != nil {
			return err
		}
		if err := needVersion("application", a.ID, a.Version, version); err != nil {
			return err
		}
		before := a
		a.Status, a.UpdatedAt = StatusWithdrawn, j.now
		if err := tx.UpdateApplication(ctx, &a); err != nil {
			return err
		}
		j.change("application.withdraw", "application", a.ID, before, a)
		return nil
	})
	return result(a, err)
}

// ReturnApplication sends a submitted application back to its enterprise
// for correction (→ returned), with the reason, on behalf of channel
// channelID. Only while the cycle is open: the enterprise must be able to
// correct and resubmit it. It refuses an empty reason (invalid), another
// channel's application (forbidden), a stale version, an application that
// is not submitted and a cycle that is not open (conflict).
func (s *Service) ReturnApplication(ctx context.Context, actor Actor, channelID, id, version int64, reason string) (store.Application, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 4000 {
		return store.Application{}, invalidf("return application %d: give the reason, in 1 to 4000 characters, so the enterprise knows what to correct", id)
	}
	var a store.Application
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		a = locked
		if err := needPhase(c.ID, c.Phase, "return_application", PhaseOpen); err != nil {
			return err
		}
		if err := s.ownApplication(ctx, tx, channelID, a); err != nil {
			return err
		}
		if err := needStatus("application", a.ID, a.Status, "return", StatusSubmitted); err != nil {
			return err
		}
		if err := needVersion("application", a.ID, a.Version, version); err != nil {
			return err
		}
		before := a
		a.Status, a.ReturnReason, a.UpdatedAt = StatusReturned, reason, j.now
		if err := tx.UpdateApplication(ctx, &a); err != nil {
			return err
		}
		j.change("application.return", "application", a.ID, before, a)
		return nil
	})
	return result(a, err)
}

// lockApplication locks application id and its cycle, in the order every
// transaction takes them (cycle first), and returns both. The cycle is
// shared (store.Tx.CycleForShare): its phase stays put until the
// transaction ends, while other enterprises work on their own
// applications at the same time.
func (s *Service) lockApplication(ctx context.Context, tx *store.Tx, id int64) (store.Cycle, store.Application, error) {
	c, err := tx.CycleOfApplication(ctx, id)
	if err != nil {
		return c, store.Application{}, missing(err, "application %d", id)
	}
	a, err := tx.ApplicationForUpdate(ctx, id)
	if err != nil {
		return c, a, missing(err, "application %d", id)
	}
	return c, a, nil
}

// openCycle locks cycle id and refuses action unless the cycle takes
// applications (needOpen).
func (s *Service) openCycle(ctx context.Context, tx *store.Tx, id int64, action string, j *journal) (store.Cycle, error) {
	c, err := tx.CycleForUpdate(ctx, id)
	if err != nil {
		return c, missing(err, "cycle %d", id)
	}
	return c, s.needOpen(c, action, j)
}

// needEditable refuses op (a change an enterprise makes to its own
// application a) unless cycle c is open and not yet due, a is a draft or
// returned, and version is a's current version.
func (s *Service) needEditable(c store.Cycle, a store.Application, action, op string, version int64, j *journal) error {
	if err := s.needOpen(c, action, j); err != nil {
		return err
	}
	if err := needStatus("application", a.ID, a.Status, op, StatusDraft, StatusReturned); err != nil {
		return err
	}
	return needVersion("application", a.ID, a.Version, version)
}

// needOpen refuses action unless cycle c is open and its applications are
// not yet due.
func (s *Service) needOpen(c store.Cycle, action string, j *journal) error {
	if err := needPhase(c.ID, c.Phase, action, PhaseOpen); err != nil {
		return err
	}
	if c.ApplicationsDueAt != nil && j.now.After(*c.ApplicationsDueAt) {
		return conflictf("applications to cycle %d were due %s; %q is no longer possible", c.ID, s.when(*c.ApplicationsDueAt), action)
	}
	return nil
}

// ownApplication refuses channel channelID acting on another channel's
// application: a channel screens and recommends its own region only.
func (s *Service) ownApplication(ctx context.Context, tx *store.Tx, channelID int64, a store.Application) error {
	if a.ChannelID == channelID {
		return nil
	}
	mine, err := tx.Channel(ctx, channelID)
	if err != nil {
		return missing(err, "channel %d", channelID)
	}
	theirs, err := tx.Channel(ctx, a.ChannelID)
	if err != nil {
		return err
	}
	return forbiddenf("application %d came through channel %s, not %s: a channel handles only its own enterprises' applications",
		a.ID, theirs.Code, mine.Code)
}

// ownInputs checks that canonical inputs give the identity and channel,
// if at all, as the enterprise's own.
func (s *Service) ownInputs(ctx context.Context, tx *store.Tx, p *program.Program, a store.Application, canonical []byte) ([]string, error) {
	e, err := tx.Enterprise(ctx, a.EnterpriseID)
	if err != nil {
		return nil, err
	}
	ch, err := tx.Channel(ctx, a.ChannelID)
	if err != nil {
		return nil, err
	}
	return checkOwnInputs(p, canonical, e.USCC, ch.Code), nil
}

// inputProblems is the error of inputs that break the program's rules.
func inputProblems(id int64, problems []string) error {
	return invalidf("application %d: %s in the inputs: %s", id, count(len(problems), "problem", "problems"), strings.Join(problems, "; "))
}
