package workflow

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/exemplar/exemplar/internal/store"
)

// Why an enterprise is in a review cycle's cohort.
const (
	CohortGranted      = "granted"       // recognised in the basis year by an identification cycle
	CohortPassedReview = "passed_review" // passed the review of the basis year
)

// CohortMember is an enterprise a review cycle re-examines: the
// recognition under review and why it is in the cohort.
type CohortMember struct {
	EnterpriseID int64             `json:"enterprise_id"`
	Recognition  store.Recognition `json:"recognition"`
	// Reason is CohortGranted or CohortPassedReview; BasisCycleID the
	// cycle of the basis year that granted or passed it (0 when the data
	// does not say, as for an imported history).
	Reason       string `json:"reason"`
	BasisCycleID int64  `json:"basis_cycle_id,omitempty"`
	ReasonZh     string `json:"reason_zh"`
	ReasonEn     string `json:"reason_en"`
}

// Cohort is the set of enterprises the review of Year re-examines: those
// recognised in BasisYear plus those that passed review in BasisYear
// (BasisYear is Year minus the program's review period).
type Cohort struct {
	ProgramID int64          `json:"program_id"`
	Program   string         `json:"program"`
	Year      int            `json:"year"`
	BasisYear int            `json:"basis_year"`
	Members   []CohortMember `json:"members"`
}

// SelectCohort picks, from recognitions recs and the review passes of
// the basis year (reviewYear − period), the cohort of the review of
// reviewYear, by enterprise id:
//
//   - a recognition granted in the basis year is in it (CohortGranted);
//   - a recognition that passed a review of the basis year is in it
//     (CohortPassedReview). A pass counts for the enterprise's newest
//     recognition granted before the pass's year, and a recognition last
//     confirmed by a cycle of the basis year passed it too;
//   - only standing recognitions (active or passed review) count — a
//     revoked or expired title is not reviewed — except one revoked by a
//     cycle of reviewYear itself: that review examined it, so the cohort
//     of a review that already ran stays what it was;
//   - each enterprise appears once (with its newest qualifying
//     recognition; passed review wins over granted for the same one).
//
// It is pure: the caller reads recs and passes from the store
// (store.Tx.CohortRecognitions and ReviewPasses).
func SelectCohort(reviewYear, period int, recs []store.CohortRecognition, passes []store.ReviewPass) []CohortMember {
	basis := reviewYear - period
	// The recognition each pass examined: the enterprise's newest granted
	// before the pass.
	passed := map[int64]int64{} // recognition id → cycle id of its pass
	byEnterprise := map[int64][]store.CohortRecognition{}
	for _, r := range recs {
		byEnterprise[r.EnterpriseID] = append(byEnterprise[r.EnterpriseID], r)
	}
	for _, p := range passes {
		if p.Year != basis {
			continue
		}
		var best *store.CohortRecognition
		for i, r := range byEnterprise[p.EnterpriseID] {
			if r.GrantedYear < p.Year && (best == nil || r.GrantedYear > best.GrantedYear) {
				best = &byEnterprise[p.EnterpriseID][i]
			}
		}
		if best != nil {
			passed[best.ID] = p.CycleID
		}
	}
	chosen := map[int64]CohortMember{}
	for _, r := range recs {
		standing := r.Status == RecognitionActive || r.Status == RecognitionPassedReview ||
			(r.Status == RecognitionRevoked && r.RevokedYear == reviewYear && r.RevokedYear != 0)
		if !standing {
			continue
		}
		m := CohortMember{EnterpriseID: r.EnterpriseID, Recognition: r.Recognition}
		if cycle, ok := passed[r.ID]; ok {
			m.Reason, m.BasisCycleID = CohortPassedReview, cycle
		} else if r.ConfirmedYear == basis && r.ConfirmedYear != 0 {
			m.Reason, m.BasisCycleID = CohortPassedReview, r.ConfirmedCycleID
		} else if r.GrantedYear == basis {
			m.Reason, m.BasisCycleID = CohortGranted, r.GrantedCycleID
		} else {
			continue
		}
		if m.Reason == CohortGranted {
			m.ReasonZh = fmt.Sprintf("%d年认定（称号%d）", basis, r.ID)
			m.ReasonEn = fmt.Sprintf("recognised in %d (recognition %d)", basis, r.ID)
		} else {
			m.ReasonZh = fmt.Sprintf("%d年复核评价通过（%d年认定，称号%d）", basis, r.GrantedYear, r.ID)
			m.ReasonEn = fmt.Sprintf("passed review in %d (recognised in %d, recognition %d)", basis, r.GrantedYear, r.ID)
		}
		if prev, ok := chosen[r.EnterpriseID]; ok && prev.Recognition.GrantedYear > r.GrantedYear {
			continue
		}
		chosen[r.EnterpriseID] = m
	}
	out := make([]CohortMember, 0, len(chosen))
	for _, m := range chosen {
		out = append(out, m)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].EnterpriseID < out[b].EnterpriseID })
	return out
}

// ReviewCohort computes, from the data, the cohort of the review of year
// under the program of programVersionID: the enterprises recognised in
// year − P plus those that passed review in year − P, P being the
// program's review period (its validity_years: 3 for miit-tide), each
// with its recognition and why it is in the cohort (see SelectCohort).
// It refuses a year outside 1990–2200 and a program without a review
// period (invalid), and an unknown program version (not found).
func (s *Service) ReviewCohort(ctx context.Context, programVersionID int64, year int) (Cohort, error) {
	var c Cohort
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = s.cohort(ctx, tx, programVersionID, year)
		return err
	})
	return result(c, err)
}

func (s *Service) cohort(ctx context.Context, tx *store.Tx, programVersionID int64, year int) (Cohort, error) {
	if year < 1990 || year > 2200 {
		return Cohort{}, invalidf("review year %d is not between 1990 and 2200", year)
	}
	v, err := tx.ProgramVersion(ctx, programVersionID)
	if err != nil {
		return Cohort{}, missing(err, "program version %d", programVersionID)
	}
	p, err := s.program(ctx, tx, v.ID)
	if err != nil {
		return Cohort{}, err
	}
	period := p.Def.ValidityYears
	if period < 1 {
		return Cohort{}, invalidf("program %s %s sets no validity_years: it has no review period to find a cohort by", v.Program, v.Label)
	}
	basis := year - period
	recs, err := tx.CohortRecognitions(ctx, v.ProgramID, basis)
	if err != nil {
		return Cohort{}, err
	}
	passes, err := tx.ReviewPasses(ctx, v.ProgramID, basis)
	if err != nil {
		return Cohort{}, err
	}
	return Cohort{ProgramID: v.ProgramID, Program: v.Program, Year: year, BasisYear: basis,
		Members: SelectCohort(year, period, recs, passes)}, nil
}

// OpenReviewCycle opens a draft review cycle (draft → open, like
// OpenCycle) and, in the same transaction, creates one draft application
// per enterprise of its cohort (ReviewCohort of the cycle's program
// version and year), through each enterprise's channel, each recorded in
// the audit log. It returns the cycle and the applications, by
// enterprise id.
//
// It refuses an identification cycle, a cycle not in phase draft (so a
// second call: already done), a cycle that already has applications, and
// an empty cohort (conflict); a cohort enterprise without a channel or
// with one the program does not know (invalid, naming them all).
func (s *Service) OpenReviewCycle(ctx context.Context, actor Actor, id int64) (store.Cycle, []store.Application, error) {
	var apps []store.Application
	c, err := s.advance(ctx, actor, id, "open", PhaseDraft, PhaseOpen, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		if c.Kind != KindReview {
			return conflictf("cycle %d is an %s cycle; only a review cycle opens with its cohort (use OpenCycle)", c.ID, c.Kind)
		}
		n, err := tx.ApplicationCount(ctx, c.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return conflictf("cycle %d already has %s: its cohort's applications were created already", c.ID, count(n, "application", "applications"))
		}
		co, err := s.cohort(ctx, tx, c.ProgramVersionID, c.Year)
		if err != nil {
			return err
		}
		var members []CohortMember
		for _, m := range co.Members {
			if st := m.Recognition.Status; st == RecognitionActive || st == RecognitionPassedReview {
				members = append(members, m)
			}
		}
		if len(members) == 0 {
			return conflictf("the cohort of review %d of program %s is empty: nobody was recognised or passed review in %d",
				c.Year, co.Program, co.BasisYear)
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		// Every enterprise and channel read once, the applications
		// inserted several hundred to a statement.
		ids := make([]int64, len(members))
		for i, m := range members {
			ids[i] = m.EnterpriseID
		}
		enterprises, err := tx.EnterprisesByID(ctx, ids)
		if err != nil {
			return err
		}
		channels, err := channelsByID(ctx, tx)
		if err != nil {
			return err
		}
		var problems []string
		var cohort []CohortMember
		for _, m := range members {
			e, ok := enterprises[m.EnterpriseID]
			if !ok {
				return internalf("enterprise %d of the cohort does not exist", m.EnterpriseID)
			}
			if e.ChannelID == 0 {
				problems = append(problems, fmt.Sprintf("enterprise %s (%s) has no recommending channel", e.USCC, e.Name))
				continue
			}
			ch, ok := channels[e.ChannelID]
			if !ok {
				return internalf("channel %d of enterprise %s does not exist", e.ChannelID, e.USCC)
			}
			if err := channelInProgram(p, ch.Code); err != nil {
				problems = append(problems, fmt.Sprintf("enterprise %s: %v", e.USCC, err))
				continue
			}
			apps = append(apps, store.Application{CycleID: c.ID, EnterpriseID: e.ID, ChannelID: ch.ID, Status: StatusDraft,
				Inputs: []byte("{}"), Declarations: []byte("{}"), CreatedAt: j.now, UpdatedAt: j.now})
			cohort = append(cohort, m)
		}
		if len(problems) > 0 {
			return invalidf("cycle %d cannot open with its cohort: %s", c.ID, joinProblems(problems))
		}
		// Stored channel by channel: each channel's applications then sit
		// together in the table, and a channel's recommendation, which
		// rewrites every one of them, dirties (and syncs) its own pages
		// only, not a third of the table's. They come back by enterprise.
		byChannel := slices.Clone(apps)
		slices.SortStableFunc(byChannel, func(a, b store.Application) int { return cmp.Compare(a.ChannelID, b.ChannelID) })
		if err := tx.InsertApplications(ctx, byChannel); err != nil {
			return err
		}
		appOf := make(map[int64]int64, len(byChannel)) // enterprise → application
		for _, a := range byChannel {
			appOf[a.EnterpriseID] = a.ID
		}
		for i := range apps {
			apps[i].ID, apps[i].Version = appOf[apps[i].EnterpriseID], 1
		}
		for i, a := range apps {
			m := cohort[i]
			j.record("application.create", "application", a.ID, nil, struct {
				store.Application
				Cohort string `json:"cohort_reason"`
				RecID  int64  `json:"recognition_id"`
			}{a, m.Reason, m.Recognition.ID})
		}
		if len(problems) > 0 {
			return invalidf("cycle %d cannot open with its cohort: %s", c.ID, joinProblems(problems))
		}
		return nil
	})
	if err != nil {
		return store.Cycle{}, nil, err
	}
	return c, apps, nil
}

// channelsByID reads every channel once, by id: there are a few dozen.
func channelsByID(ctx context.Context, tx *store.Tx) (map[int64]store.Channel, error) {
	all, err := tx.Channels(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]store.Channel, len(all))
	for _, ch := range all {
		out[ch.ID] = ch
	}
	return out, nil
}

// joinProblems lists problems, the first ten of them.
func joinProblems(problems []string) string {
	out := ""
	for i, p := range problems {
		if i == 10 {
			out += fmt.Sprintf("; … (%d in all)", len(problems))
			break
		}
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}
