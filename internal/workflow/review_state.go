package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// The expert review (专家评审) of a cycle whose program has a review
// section: during the evaluation phase the administrator assigns experts
// to the applications the engine found eligible (automatically, N per
// application, or by hand), each expert fills in and submits a
// scoresheet per assignment, blind to the others until it has submitted
// its own, and the combined values replace the enterprise's self-declared
// points when the cycle moves on to deliberation (see StartDeliberation).
// The files review_*.go hold it.

// Assignment statuses.
const (
	AssignmentAssigned  = "assigned"  // not yet saved
	AssignmentDraft     = "draft"     // saved, still editable
	AssignmentSubmitted = "submitted" // locked
)

// reviewCycle is what the review operations read about one cycle: its
// program, the evaluation's results by application, the applications the
// experts review (eligible in the run, by id) with their enterprises, and
// the cycle's assignments.
type reviewCycle struct {
	c           store.Cycle
	p           *program.Program
	run         store.EngineRun
	results     map[int64]store.Result // by application id
	apps        []store.Application    // reviewable, by id
	enterprises map[int64]store.Enterprise
	assignments []store.ReviewAssignment
	byApp       map[int64][]store.ReviewAssignment
}

// loadReview reads cycle c's review. It refuses a program without a review
// section (conflict).
func (s *Service) loadReview(ctx context.Context, tx *store.Tx, c store.Cycle) (*reviewCycle, error) {
	p, err := s.program(ctx, tx, c.ProgramVersionID)
	if err != nil {
		return nil, err
	}
	if !p.HasReview() {
		return nil, conflictf("cycle %d: program %s has no expert review (its definition has no review section)", c.ID, p.Def.Name)
	}
	rc := &reviewCycle{c: c, p: p, results: map[int64]store.Result{}}
	if slices.Index(Phases, c.Phase) < slices.Index(Phases, PhaseEvaluation) {
		return rc, nil // nothing evaluated yet: nothing to review
	}
	rc.run, err = tx.LatestEngineRun(ctx, c.ID)
	if err != nil {
		return nil, internalf("cycle %d is in phase %q without an engine run: %v", c.ID, c.Phase, err)
	}
	results, err := tx.Results(ctx, rc.run.ID)
	if err != nil {
		return nil, err
	}
	apps, err := tx.Applications(ctx, c.ID, StatusRecommended)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range results {
		rc.results[r.ApplicationID] = r
	}
	for _, a := range apps {
		if r, ok := rc.results[a.ID]; ok && r.Eligible {
			rc.apps = append(rc.apps, a)
			ids = append(ids, a.EnterpriseID)
		}
	}
	slices.SortFunc(rc.apps, func(a, b store.Application) int { return int(a.ID - b.ID) })
	if rc.enterprises, err = tx.EnterprisesByID(ctx, ids); err != nil {
		return nil, err
	}
	rc.assignments, _, err = tx.ReviewAssignments(ctx, store.ReviewAssignmentQuery{CycleID: c.ID})
	return rc, err
}

// app returns the reviewable application id.
func (rc *reviewCycle) app(id int64) (store.Application, bool) {
	i := slices.IndexFunc(rc.apps, func(a store.Application) bool { return a.ID == id })
	if i < 0 {
		return store.Application{}, false
	}
	return rc.apps[i], true
}

// of returns the assignments of application id (a copy: callers sort
// it). The index by application is built on first use and kept up to
// date by assigned.
func (rc *reviewCycle) of(id int64) []store.ReviewAssignment {
	if rc.byApp == nil {
		rc.byApp = map[int64][]store.ReviewAssignment{}
		for _, a := range rc.assignments {
			rc.byApp[a.ApplicationID] = append(rc.byApp[a.ApplicationID], a)
		}
	}
	return slices.Clone(rc.byApp[id])
}

// assigned adds a new assignment to rc.
func (rc *reviewCycle) assigned(a store.ReviewAssignment) {
	rc.assignments = append(rc.assignments, a)
	if rc.byApp != nil {
		rc.byApp[a.ApplicationID] = append(rc.byApp[a.ApplicationID], a)
	}
}

// bandOf returns the label of the band the engine put application appID
// in on item's band leaf ("" when none or when the item is no band leaf).
func (rc *reviewCycle) bandOf(appID int64, item program.ReviewItem) string {
	if item.Node == nil {
		return ""
	}
	r, ok := rc.results[appID]
	if !ok {
		return ""
	}
	doc, err := decodeResult(r.Result)
	if err != nil {
		return ""
	}
	if doc.Format >= 2 { // bands in the program's node order
		for k, n := range rc.p.Nodes {
			if n.ID == item.Node.ID && k < len(doc.Bands) {
				return doc.Bands[k]
			}
		}
		return ""
	}
	for _, sc := range doc.Scores {
		if sc.Node == item.Node.ID {
			return sc.Band
		}
	}
	return ""
}

// ItemRange is what an expert may give for one review item on one
// application: the input's range, narrowed to the band's points on a band
// leaf.
type ItemRange struct {
	Lo, Hi float64
	// Band is the label of the band the engine computed ("" when the item
	// is not a band leaf's points, or the engine found no band).
	Band string
}

// rangeOf returns the range of item on application appID.
func (rc *reviewCycle) rangeOf(appID int64, item program.ReviewItem) ItemRange {
	r := ItemRange{Lo: item.Lo(), Hi: item.Hi(), Band: rc.bandOf(appID, item)}
	if lo, hi, ok := item.BandRange(r.Band); ok {
		r.Lo, r.Hi = lo, hi
	}
	return r
}

// String shows the range: "19–24 (band B)" or "0–8".
func (r ItemRange) String() string {
	s := fmt.Sprintf("%s–%s", fmtNum(r.Lo), fmtNum(r.Hi))
	if r.Band != "" {
		s += " (band " + r.Band + ")"
	}
	return s
}

func fmtNum(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// sheetScores decodes a scoresheet's values.
func sheetScores(raw []byte) (map[string]float64, error) {
	m := map[string]float64{}
	if len(raw) == 0 {
		return m, nil
	}
	err := json.Unmarshal(raw, &m)
	return m, err
}

// combined returns the combined values of application appID's review when
// every one of its assignments is submitted (and there is at least one),
// by item; nil otherwise.
func (rc *reviewCycle) combined(appID int64) (map[string]float64, error) {
	as := rc.of(appID)
	if len(as) == 0 {
		return nil, nil
	}
	values := map[string][]float64{}
	for _, a := range as {
		if a.Status != AssignmentSubmitted {
			return nil, nil
		}
		m, err := sheetScores(a.Scores)
		if err != nil {
			return nil, internalf("review assignment %d: scores: %v", a.ID, err)
		}
		for id, v := range m {
			values[id] = append(values[id], v)
		}
	}
	out := map[string]float64{}
	for _, it := range rc.p.ReviewItems {
		if v := program.CombineScores(rc.p.Def.Review.Combine, values[it.Input.ID]); !math.IsNaN(v) {
			out[it.Input.ID] = v
		}
	}
	return out, nil
}
