package workflow

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// CycleSpec describes a new cycle.
type CycleSpec struct {
	ProgramVersionID int64  // the exact definition the cycle runs with
	Kind             string // KindIdentification or KindReview
	Year             int
	TitleZh, TitleEn string
	// ApplicationsDueAt and RecommendationsDueAt are the deadlines; the
	// zero time means none. After them, applications and recommendations
	// are refused even while the phase still allows them.
	ApplicationsDueAt, RecommendationsDueAt time.Time
	// NoticeWorkingDays is the length of the public notice; 0 means the
	// program's (its definition's procedure.notice_working_days).
	NoticeWorkingDays int
	// Quotas caps, by channel code, how many applications a channel may
	// recommend. A channel left out gets the quota of the program's
	// definition (decision.quota), and none when that sets none.
	Quotas map[string]int
}

// CreateCycle creates a cycle of a program version in phase draft, with
// its quotas. It refuses an unknown kind, a year outside 1990–2200, a
// notice length outside 1–60 working days, recommendations due before
// applications, a negative quota, a quota for a channel the program does
// not know, and an identification cycle of a program whose recognitions
// have no validity (invalid); an unknown program version or channel (not
// found); and a second cycle of the same program, kind and year
// (conflict).
func (s *Service) CreateCycle(ctx context.Context, actor Actor, spec CycleSpec) (store.Cycle, error) {
	switch {
	case spec.Kind != KindIdentification && spec.Kind != KindReview:
		return store.Cycle{}, invalidf("cycle kind %q is not %s", spec.Kind, oneOf([]string{KindIdentification, KindReview}))
	case spec.Year < 1990 || spec.Year > 2200:
		return store.Cycle{}, invalidf("cycle year %d is not between 1990 and 2200", spec.Year)
	case spec.NoticeWorkingDays < 0 || spec.NoticeWorkingDays > 60:
		return store.Cycle{}, invalidf("a notice of %d working days: give 1 to 60 (or 0 for the program's default)", spec.NoticeWorkingDays)
	case !spec.ApplicationsDueAt.IsZero() && !spec.RecommendationsDueAt.IsZero() && spec.RecommendationsDueAt.Before(spec.ApplicationsDueAt):
		return store.Cycle{}, invalidf("recommendations are due %s, before the applications they recommend (%s)",
			s.when(spec.RecommendationsDueAt), s.when(spec.ApplicationsDueAt))
	}
	var c store.Cycle
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		v, err := tx.ProgramVersion(ctx, spec.ProgramVersionID)
		if err != nil {
			return missing(err, "program version %d", spec.ProgramVersionID)
		}
		p, err := s.program(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if spec.Kind == KindIdentification && p.Def.ValidityYears < 1 {
			return invalidf("program %s %s sets no validity_years: an identification cycle could not say how long its recognitions last", v.Program, v.Label)
		}
		quotas := map[int64]int{}
		for _, code := range sortedKeys(spec.Quotas) {
			q := spec.Quotas[code]
			if q < 0 {
				return invalidf("quota of channel %s: %d is negative", code, q)
			}
			ch, err := tx.ChannelByCode(ctx, code)
			if err != nil {
				return missing(err, "channel %q", code)
			}
			if err := channelInProgram(p, ch.Code); err != nil {
				return err
			}
			quotas[ch.ID] = q
		}
		days := spec.NoticeWorkingDays
		if days == 0 {
			days = p.Def.Procedure.NoticeDays()
		}
		c = store.Cycle{
			ProgramID: v.ProgramID, ProgramVersionID: v.ID, Kind: spec.Kind, Year: spec.Year, Phase: PhaseDraft,
			TitleZh: strings.TrimSpace(spec.TitleZh), TitleEn: strings.TrimSpace(spec.TitleEn),
			ApplicationsDueAt: optionalTime(spec.ApplicationsDueAt), RecommendationsDueAt: optionalTime(spec.RecommendationsDueAt),
			NoticeWorkingDays: days, CreatedAt: j.now, UpdatedAt: j.now,
		}
		if err := tx.InsertCycle(ctx, &c); err != nil {
			return err
		}
		for _, ch := range sortedKeys(quotas) {
			if err := tx.SetCycleQuota(ctx, c.ID, ch, quotas[ch]); err != nil {
				return err
			}
		}
		j.record("cycle.create", "cycle", c.ID, nil, struct {
			store.Cycle
			Quotas map[string]int `json:"quotas,omitempty"`
		}{c, spec.Quotas})
		return nil
	})
	return result(c, err)
}

// channelInProgram refuses a channel code that program p's channel input
// cannot hold (when that input is a choice): the engine groups quotas by
// that input, and a value it does not know would be read as missing.
func channelInProgram(p *program.Program, code string) error {
	in := p.ChannelInput
	if in == nil || in.Kind != program.KindChoice {
		return nil
	}
	if _, ok := in.Code(code); ok {
		return nil
	}
	var opts []string
	for _, o := range in.Options {
		opts = append(opts, o.Value)
	}
	return invalidf("channel %s is not a channel of program %s (its channels: %s)", code, p.Def.Name, strings.Join(opts, ", "))
}

// OpenCycle opens a draft cycle for applications (draft → open).
func (s *Service) OpenCycle(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "open", PhaseDraft, PhaseOpen, nil)
}

// CloseApplications ends the application period (open → recommendation).
// Submitted applications stay locked from here on; drafts and returned
// applications that were not submitted can no longer be, and take no
// further part in the cycle.
func (s *Service) CloseApplications(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "close_applications", PhaseOpen, PhaseRecommendation, nil)
}

// CloseCycle closes an announced cycle (announced → closed): nothing in
// it changes afterwards. It refuses while a decision reopened by an
// upheld objection is still drafted (conflict): finalise it first.
func (s *Service) CloseCycle(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "close", PhaseAnnounced, PhaseClosed, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		ds, err := tx.Decisions(ctx, c.ID)
		if err != nil {
			return err
		}
		var open []int64
		for _, d := range ds {
			if d.State != DecisionFinal {
				open = append(open, d.ID)
			}
		}
		if len(open) > 0 {
			return conflictf("cycle %d still has %s not final (reopened by an upheld objection): %s; finalise %s before closing the cycle",
				c.ID, count(len(open), "decision", "decisions"), idList(open), pronoun(len(open)))
		}
		return nil
	})
}

// advance moves cycle id from phase from to phase to for action, after
// check (which may also make the transition's other changes) accepts.
// The cycle row stays locked until the transaction ends, so the phase
// cannot change under check.
func (s *Service) advance(ctx context.Context, actor Actor, id int64, action, from, to string,
	check func(tx *store.Tx, j *journal, c *store.Cycle) error) (store.Cycle, error) {
	var c store.Cycle
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var err error
		c, err = tx.CycleForUpdate(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		if err := needPhase(c.ID, c.Phase, action, from); err != nil {
			return err
		}
		before := c
		if check != nil {
			if err := check(tx, j, &c); err != nil {
				return err
			}
		}
		c.Phase, c.UpdatedAt = to, j.now
		if err := tx.UpdateCycle(ctx, &c); err != nil {
			return err
		}
		// Last, after the entries of check: they are the transition's
		// parts, this is the transition.
		j.record("cycle."+action, "cycle", c.ID, before, c)
		return nil
	})
	return result(c, err)
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

func sortedKeys[K interface{ ~string | ~int64 }, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	return keys
}
