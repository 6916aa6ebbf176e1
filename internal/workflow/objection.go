package workflow

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// Filing is an objection as filed by a member of the public.
type Filing struct {
	NoticeID     int64
	EnterpriseID int64  // whose proposed decision is objected to
	FilerName    string // who objects (a person or an organisation)
	FilerContact string // how to reach them with the outcome: a phone number, an address, an e-mail
	Grounds      string // why
}

// maxGrounds bounds an objection's grounds (in characters).
const maxGrounds = 10000

// FileObjection files an objection to an enterprise's proposed decision
// while its notice runs. Anyone may file: the audit log names the filer
// as "public: NAME". It refuses a missing or overlong name, contact or
// grounds, and an enterprise the notice does not list (invalid); an
// unknown notice (not found); and a notice that has not started or has
// ended, or whose cycle has left the notice phase (conflict).
func (s *Service) FileObjection(ctx context.Context, f Filing) (store.Objection, error) {
	f.FilerName, f.FilerContact, f.Grounds = strings.TrimSpace(f.FilerName), strings.TrimSpace(f.FilerContact), strings.TrimSpace(f.Grounds)
	for _, field := range []struct {
		name, value string
		max         int
	}{{"filer name", f.FilerName, maxName}, {"filer contact", f.FilerContact, maxName}, {"grounds", f.Grounds, maxGrounds}} {
		if field.value == "" {
			return store.Objection{}, invalidf("objection: the %s is required", field.name)
		}
		if utf8.RuneCountInString(field.value) > field.max {
			return store.Objection{}, invalidf("objection: the %s is limited to %d characters", field.name, field.max)
		}
	}
	var o store.Objection
	actor := Actor{Name: "public: " + f.FilerName}
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		n, err := tx.Notice(ctx, f.NoticeID)
		if err != nil {
			return missing(err, "notice %d", f.NoticeID)
		}
		c, err := tx.CycleForUpdate(ctx, n.CycleID)
		if err != nil {
			return err
		}
		if err := needPhase(c.ID, c.Phase, "file_objection", PhaseNotice); err != nil {
			return err
		}
		if latest, err := tx.LatestNotice(ctx, c.ID); err != nil {
			return err
		} else if latest.ID != n.ID {
			return conflictf("notice %d was replaced by notice %d: file objections to that one", n.ID, latest.ID)
		}
		switch {
		case j.now.Before(n.StartsAt):
			return conflictf("notice %d opens for objections at %s", n.ID, s.when(n.StartsAt))
		case !j.now.Before(n.EndsAt):
			return conflictf("notice %d ended at %s; objections are no longer accepted", n.ID, s.when(n.EndsAt))
		}
		if _, err := tx.DecisionOf(ctx, c.ID, f.EnterpriseID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return invalidf("notice %d does not list enterprise %d: an objection concerns a listed enterprise", n.ID, f.EnterpriseID)
			}
			return err
		}
		o = store.Objection{NoticeID: n.ID, EnterpriseID: f.EnterpriseID, FilerName: f.FilerName, FilerContact: f.FilerContact,
			Grounds: f.Grounds, Status: ObjectionFiled, FiledAt: j.now}
		if err := tx.InsertObjection(ctx, &o); err != nil {
			return err
		}
		j.record("objection.file", "objection", o.ID, nil, o)
		return nil
	})
	return result(o, err)
}

// HandleObjection upholds or dismisses a filed objection, with the reason,
// while the cycle is in its notice phase (the period itself may be over:
// objections filed on its last day are handled after it).
//
// An upheld objection sends the enterprise's decision back to deliberation:
// a proposed decision becomes drafted again, to be re-decided with
// UpdateDecision and settled with FinaliseDecision. The cycle itself stays
// in its notice phase, and Announce announces the other decisions without
// this one (see the package documentation).
//
// It refuses an empty reason (invalid), an unknown objection (not found),
// and an objection already handled or a cycle outside the notice phase
// (conflict).
func (s *Service) HandleObjection(ctx context.Context, actor Actor, id int64, upheld bool, reason string) (store.Objection, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return store.Objection{}, invalidf("objection %d: give the reason for the handling, in 1 to %d characters: the filer is told it", id, maxReason)
	}
	var o store.Objection
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		first, err := tx.Objection(ctx, id)
		if err != nil {
			return missing(err, "objection %d", id)
		}
		n, err := tx.Notice(ctx, first.NoticeID)
		if err != nil {
			return err
		}
		c, err := tx.CycleForUpdate(ctx, n.CycleID)
		if err != nil {
			return err
		}
		if o, err = tx.ObjectionForUpdate(ctx, id); err != nil {
			return err
		}
		if err := needPhase(c.ID, c.Phase, "handle_objection", PhaseNotice); err != nil {
			return err
		}
		if o.Status != ObjectionFiled {
			return conflictf("objection %d was already %s: %s", o.ID, o.Status, o.HandlingReason)
		}
		before := o
		o.Status, o.HandlingReason, o.HandledBy, o.HandledAt = ObjectionDismissed, reason, j.userID, &j.now
		action := "objection.dismiss"
		if upheld {
			o.Status, action = ObjectionUpheld, "objection.uphold"
		}
		if err := tx.UpdateObjection(ctx, &o); err != nil {
			return err
		}
		j.record(action, "objection", o.ID, before, o)
		if !upheld {
			return nil
		}
		d, err := tx.DecisionOf(ctx, c.ID, o.EnterpriseID)
		if err != nil {
			return err
		}
		if d.State == DecisionDrafted {
			return nil // reopened by an earlier objection already
		}
		dBefore := d
		d.State, d.FinalisedAt, d.UpdatedAt = DecisionDrafted, nil, j.now
		if err := tx.UpdateDecision(ctx, &d); err != nil {
			return err
		}
		j.record("decision.reopen", "decision", d.ID, dBefore, d)
		return nil
	})
	return result(o, err)
}
