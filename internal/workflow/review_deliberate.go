package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
)

// StartDeliberationOverridingReviews is StartDeliberation for a cycle
// whose expert review is incomplete: the administrator's reason is
// recorded in the audit log (review.override, with the applications
// whose review was incomplete), and the applications whose assignments
// are all submitted still have their combined values applied. It refuses
// a missing reason (invalid) and what StartDeliberation refuses.
func (s *Service) StartDeliberationOverridingReviews(ctx context.Context, actor Actor, id int64, reason string) (store.Cycle, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return store.Cycle{}, invalidf("cycle %d: overriding the expert review needs a reason, recorded in the audit log", id)
	case utf8.RuneCountInString(reason) > maxReason:
		return store.Cycle{}, invalidf("cycle %d: a reason is limited to %d characters", id, maxReason)
	}
	return s.startDeliberation(ctx, actor, id, reason)
}

// applyReviews is the expert review's part of StartDeliberation, run
// before the decisions are drafted. For a program without a review it
// does nothing. Otherwise it refuses (conflict) unless every application
// under review has at least the program's min_experts assignments, all
// submitted — or override gives the administrator's reason for going on
// without, which it records. Then, when any application has combined
// values, it runs the engine again over the evaluated applications with
// those values in place of the enterprise's own for the review items, and
// stores the run: the decisions are drafted from it.
func (s *Service) applyReviews(ctx context.Context, tx *store.Tx, j *journal, c *store.Cycle, override string) error {
	p, err := s.program(ctx, tx, c.ProgramVersionID)
	if err != nil || !p.HasReview() {
		return err
	}
	rc, err := s.loadReview(ctx, tx, *c)
	if err != nil {
		return err
	}
	pr, err := rc.progress(ctx, tx)
	if err != nil {
		return err
	}
	var incomplete []string
	var incompleteIDs []int64
	for _, row := range pr.Rows {
		if !row.Complete {
			incompleteIDs = append(incompleteIDs, row.Application.ID)
			incomplete = append(incomplete, fmt.Sprintf("application %d (%s): %d of %d submitted", row.Application.ID,
				row.Enterprise.Name, row.Submitted, max(pr.MinExperts, len(row.Assignments))))
		}
	}
	if len(incomplete) > 0 {
		if override == "" {
			shown := incomplete
			if len(shown) > 10 {
				shown = append(shown[:10:10], fmt.Sprintf("… (%d in all)", len(incomplete)))
			}
			return conflictf("cycle %d: the expert review is incomplete — each application needs at least %d submitted scoresheets and none outstanding: %s; finish the review, or override it with a reason that the audit log records",
				c.ID, pr.MinExperts, strings.Join(shown, "; "))
		}
		j.record("review.override", "cycle", c.ID, nil, struct {
			Reason     string  `json:"reason"`
			Incomplete []int64 `json:"incomplete_applications"`
		}{override, incompleteIDs})
	}
	combined := map[int64]map[string]float64{}
	for _, row := range pr.Rows {
		if row.Combined != nil {
			combined[row.Application.ID] = row.Combined
		}
	}
	if len(combined) == 0 {
		return nil
	}
	return s.reevaluate(ctx, tx, j, rc, combined)
}

// reviewValues are an application's values of the review items, as the
// audit log records them when the review applies: the enterprise's own
// before, the experts' combined values after.
type reviewValues struct {
	CycleID int64 `json:"cycle_id"`
	Values  any   `json:"values"`
}

// reevaluate runs the engine again over the applications of rc's latest
// run, with combined's values (by application, by review item) in place
// of the enterprise's own, and stores the run and its results.
func (s *Service) reevaluate(ctx context.Context, tx *store.Tx, j *journal, rc *reviewCycle, combined map[int64]map[string]float64) error {
	c, p := rc.c, rc.p
	apps, err := tx.Applications(ctx, c.ID, StatusRecommended)
	if err != nil {
		return err
	}
	var evaluated []store.Application
	ids := make([]int64, 0, len(apps))
	for _, a := range apps {
		if _, ok := rc.results[a.ID]; ok {
			evaluated = append(evaluated, a)
			ids = append(ids, a.EnterpriseID)
		}
	}
	enterprises, err := tx.EnterprisesByID(ctx, ids)
	if err != nil {
		return err
	}
	channels, err := channelsByID(ctx, tx)
	if err != nil {
		return err
	}
	cycleQuotas, err := tx.CycleQuotas(ctx, c.ID)
	if err != nil {
		return err
	}
	quotas := map[string]int{}
	rows := make([]row, len(evaluated))
	for i, a := range evaluated {
		ch := channels[a.ChannelID]
		inputs := a.Inputs
		if values, ok := combined[a.ID]; ok {
			m, err := decodeInputs(a.Inputs)
			if err != nil {
				return internalf("application %d: inputs: %v", a.ID, err)
			}
			before := map[string]any{}
			for _, id := range sortedKeys(values) {
				before[id] = m[id]
				m[id] = json.Number(strconv.FormatFloat(values[id], 'g', -1, 64))
			}
			if inputs, err = json.Marshal(m); err != nil {
				return internalf("application %d: encode inputs: %v", a.ID, err)
			}
			j.record("review.apply", "application", a.ID, reviewValues{c.ID, before}, reviewValues{c.ID, values})
		}
		rows[i] = row{Code: enterprises[a.EnterpriseID].USCC, Channel: ch.Code, Inputs: inputs}
		if q, ok := cycleQuotas[ch.ID]; ok {
			quotas[ch.Code] = q
		}
	}
	table, err := buildTable(p, rows)
	if err != nil {
		return internalf("cycle %d: build the engine's table: %v", c.ID, err)
	}
	res, err := scoring.Run(p, table, scoring.Options{Quotas: quotas})
	if err != nil {
		return internalf("cycle %d: the engine failed: %v", c.ID, err)
	}
	finished := s.clock()
	run := store.EngineRun{CycleID: c.ID, ProgramVersionID: c.ProgramVersionID, Status: "finished",
		StartedBy: j.userID, StartedAt: j.now, FinishedAt: &finished}
	if err := tx.InsertEngineRun(ctx, &run); err != nil {
		return err
	}
	passed := 0
	results := make([]store.Result, len(evaluated))
	for i, a := range evaluated {
		e := res.Enterprise(i)
		doc, err := encodeResult(nil, p, res, e) // stored as the evaluation stores it (result_doc.go)
		if err != nil {
			return internalf("cycle %d: encode the result of application %d: %v", c.ID, a.ID, err)
		}
		results[i] = store.Result{RunID: run.ID, EnterpriseID: a.EnterpriseID, ApplicationID: a.ID, Eligible: e.Eligible,
			Score: number(e.Total), Rank: e.Rank, Pass: e.Outcome == scoring.Pass, Result: doc}
		if results[i].Pass {
			passed++
		}
	}
	if err := tx.InsertResults(ctx, results); err != nil {
		return err
	}
	j.record("engine_run.create", "engine_run", run.ID, nil, struct {
		store.EngineRun
		Enterprises int    `json:"enterprises"`
		Passed      int    `json:"passed"`
		Reviewed    int    `json:"reviewed"`
		Basis       string `json:"basis"`
	}{run, len(evaluated), passed, len(combined), "expert review values applied"})
	return nil
}
