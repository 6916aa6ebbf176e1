package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// maxComment bounds a scoresheet's comment (in characters).
const maxComment = 4000

// lockSheet locks the acting expert's assignment id and its cycle (cycle
// first), checks the phase for action, and reads the cycle's review. An
// assignment of another expert is not found, with the message of an id
// that does not exist.
func (s *Service) lockSheet(ctx context.Context, tx *store.Tx, actor Actor, id int64, action string) (*reviewCycle, store.ReviewAssignment, error) {
	a, err := tx.ReviewAssignment(ctx, id)
	if err != nil || actor.UserID == 0 || a.ExpertID != actor.UserID {
		return nil, a, notFoundSheet(err, id)
	}
	rc, err := s.lockReviewCycle(ctx, tx, a.CycleID, action)
	if err != nil {
		return nil, a, err
	}
	a, err = tx.ReviewAssignmentForUpdate(ctx, id)
	return rc, a, err
}

// notFoundSheet answers a read of assignment id that failed with err, or
// that belongs to another expert (err nil): not found, either way.
func notFoundSheet(err error, id int64) error {
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	return errs.New(errs.NotFound, "review assignment %d does not exist", id)
}

// checkScores checks an expert's values against the review items of
// application appID: each must be an item of the program, a finite number
// within the input's range and, on a band leaf, within the band the
// engine computed. With complete, every item needs a value. Every problem
// is named: "transformation_points (Transformation points): 12 is outside
// 19–24 (band B)".
func (rc *reviewCycle) checkScores(appID int64, scores map[string]float64, complete bool) error {
	var problems []string
	for _, id := range sortedKeys(scores) {
		it, ok := rc.p.ReviewItem(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: not an item of program %s's review", id, rc.p.Def.Name))
			continue
		}
		v, r := scores[id], rc.rangeOf(appID, it)
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			problems = append(problems, fmt.Sprintf("%s (%s): give a number", id, it.Input.Name.En))
		case v < r.Lo || v > r.Hi:
			problems = append(problems, fmt.Sprintf("%s (%s): %s is outside %s", id, it.Input.Name.En, fmtNum(v), r))
		}
	}
	if complete {
		var blank []string
		for _, it := range rc.p.ReviewItems {
			if _, ok := scores[it.Input.ID]; !ok {
				blank = append(blank, it.Input.ID)
			}
		}
		if len(blank) > 0 {
			problems = append(problems, fmt.Sprintf("no value for %s: every item needs one before submitting", strings.Join(blank, ", ")))
		}
	}
	if len(problems) > 0 {
		return invalidf("scoresheet of application %d: %s", appID, strings.Join(problems, "; "))
	}
	return nil
}

// SaveScoresheet saves the acting expert's values and comment on its
// assignment id as a draft, if version is still its version. scores maps
// review item ids to values; items left out stay blank (a draft may be
// incomplete), and the values replace the previous draft's.
//
// It refuses a value outside its item's range or, for a band item,
// outside the band the engine computed for the application, an unknown
// item and an overlong comment (invalid, naming every item and its
// range); a submitted scoresheet, a stale version and a cycle outside
// evaluation (conflict); and an assignment of another expert (not found).
func (s *Service) SaveScoresheet(ctx context.Context, actor Actor, id, version int64, scores map[string]float64, comment string) (store.ReviewAssignment, error) {
	return s.changeSheet(ctx, actor, id, version, scores, comment, false)
}

// SubmitScoresheet saves the acting expert's values and comment as
// SaveScoresheet does and submits them: the scoresheet is locked, and
// the expert may now see the other experts' submitted scoresheets of the
// application. Every item needs a value. It refuses what SaveScoresheet
// refuses, and a missing value (invalid).
func (s *Service) SubmitScoresheet(ctx context.Context, actor Actor, id, version int64, scores map[string]float64, comment string) (store.ReviewAssignment, error) {
	return s.changeSheet(ctx, actor, id, version, scores, comment, true)
}

func (s *Service) changeSheet(ctx context.Context, actor Actor, id, version int64, scores map[string]float64, comment string, submit bool) (store.ReviewAssignment, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxComment {
		return store.ReviewAssignment{}, invalidf("review assignment %d: the comment is limited to %d characters", id, maxComment)
	}
	action, entry := "save_scoresheet", "review.save"
	if submit {
		action, entry = "submit_scoresheet", "review.submit"
	}
	var a store.ReviewAssignment
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		rc, locked, err := s.lockSheet(ctx, tx, actor, id, action)
		if err != nil {
			return err
		}
		a = locked
		if err := needStatus("review assignment", a.ID, a.Status, strings.TrimSuffix(action, "_scoresheet"), AssignmentAssigned, AssignmentDraft); err != nil {
			return err
		}
		if err := needVersion("review assignment", a.ID, a.Version, version); err != nil {
			return err
		}
		if err := rc.checkScores(a.ApplicationID, scores, submit); err != nil {
			return err
		}
		raw, err := json.Marshal(scores)
		if err != nil {
			return internalf("review assignment %d: encode the scores: %v", id, err)
		}
		before := a
		a.Status, a.Scores, a.Comment, a.UpdatedAt = AssignmentDraft, raw, comment, j.now
		if submit {
			a.Status, a.SubmittedAt = AssignmentSubmitted, &j.now
		}
		if err := tx.UpdateReviewAssignment(ctx, &a); err != nil {
			return err
		}
		j.record(entry, "review_assignment", a.ID, before, a)
		return nil
	})
	return result(a, err)
}

// SheetItem is one review item on a scoresheet: the input, the range the
// expert may give on this application, the enterprise's self-declared
// value and the expert's (nil when blank).
type SheetItem struct {
	ID       string
	Name     program.Text
	Range    ItemRange
	Declared *float64
	Value    *float64
}

// OtherSheet is another expert's submitted scoresheet of the same
// application, as an expert sees it: anonymous.
type OtherSheet struct {
	Label   string // "A", "B", … in the order the experts were assigned
	Scores  map[string]float64
	Comment string
}

// Scoresheet is what an expert sees of one assignment: the application
// with its enterprise and inputs, the items to score, and — only once the
// expert has submitted its own — the other experts' submitted
// scoresheets.
type Scoresheet struct {
	Assignment  store.ReviewAssignment
	Cycle       store.Cycle
	Application store.Application
	Enterprise  store.Enterprise
	Program     *program.Program
	Items       []SheetItem
	// Others is nil until the expert has submitted.
	Others []OtherSheet
	// Pending is how many of the application's other assignments are not
	// yet submitted (shown once the expert has submitted).
	Pending int
}

// ExpertScoresheet returns the acting expert's assignment id as its
// scoresheet. Another expert's assignment is not found; the other
// experts' scores are left out until this one is submitted.
func (s *Service) ExpertScoresheet(ctx context.Context, actor Actor, id int64) (Scoresheet, error) {
	var sh Scoresheet
	err := s.read(ctx, func(tx *store.Tx) error {
		a, err := tx.ReviewAssignment(ctx, id)
		if err != nil || actor.UserID == 0 || a.ExpertID != actor.UserID {
			return notFoundSheet(err, id)
		}
		c, err := tx.Cycle(ctx, a.CycleID)
		if err != nil {
			return err
		}
		rc, err := s.loadReview(ctx, tx, c)
		if err != nil {
			return err
		}
		app, err := tx.Application(ctx, a.ApplicationID)
		if err != nil {
			return err
		}
		e, err := tx.Enterprise(ctx, app.EnterpriseID)
		if err != nil {
			return err
		}
		sh = Scoresheet{Assignment: a, Cycle: c, Application: app, Enterprise: e, Program: rc.p}
		mine, err := sheetScores(a.Scores)
		if err != nil {
			return internalf("review assignment %d: scores: %v", a.ID, err)
		}
		declared, _ := decodeInputs(app.Inputs)
		for _, it := range rc.p.ReviewItems {
			si := SheetItem{ID: it.Input.ID, Name: it.Input.Name, Range: rc.rangeOf(app.ID, it)}
			if v, ok := mine[it.Input.ID]; ok {
				si.Value = &v
			}
			if f := cell(it.Input, declared[it.Input.ID]); !math.IsNaN(f) {
				si.Declared = &f
			}
			sh.Items = append(sh.Items, si)
		}
		if a.Status != AssignmentSubmitted {
			return nil
		}
		sh.Others = []OtherSheet{}
		all := rc.of(app.ID)
		slices.SortFunc(all, func(x, y store.ReviewAssignment) int { return int(x.ID - y.ID) })
		for i, o := range all {
			if o.ID == a.ID {
				continue
			}
			if o.Status != AssignmentSubmitted {
				sh.Pending++
				continue
			}
			m, err := sheetScores(o.Scores)
			if err != nil {
				return internalf("review assignment %d: scores: %v", o.ID, err)
			}
			sh.Others = append(sh.Others, OtherSheet{Label: string(rune('A' + i%26)), Scores: m, Comment: o.Comment})
		}
		return nil
	})
	return sh, err
}

// ExpertAssignment is one row of an expert's list of assignments.
type ExpertAssignment struct {
	Assignment store.ReviewAssignment
	Cycle      store.Cycle
	Enterprise store.Enterprise
}

// ExpertAssignments returns a page of expert expertID's assignments
// across cycles (newest cycle first) and how many there are in all.
func (s *Service) ExpertAssignments(ctx context.Context, expertID int64, limit, offset int) ([]ExpertAssignment, int, error) {
	var out []ExpertAssignment
	var total int
	err := s.read(ctx, func(tx *store.Tx) error {
		as, n, err := tx.ReviewAssignments(ctx, store.ReviewAssignmentQuery{ExpertID: expertID, Limit: limit, Offset: offset})
		if err != nil {
			return err
		}
		total = n
		cycles := map[int64]store.Cycle{}
		for _, a := range as {
			c, ok := cycles[a.CycleID]
			if !ok {
				if c, err = tx.Cycle(ctx, a.CycleID); err != nil {
					return err
				}
				cycles[a.CycleID] = c
			}
			app, err := tx.Application(ctx, a.ApplicationID)
			if err != nil {
				return err
			}
			e, err := tx.Enterprise(ctx, app.EnterpriseID)
			if err != nil {
				return err
			}
			out = append(out, ExpertAssignment{Assignment: a, Cycle: c, Enterprise: e})
		}
		return nil
	})
	return out, total, err
}
