package workflow

import (
	"context"
	"math"
	"slices"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
)

// StartEvaluation closes the channels' screening and runs the engine
// (recommendation → evaluation). Submitted applications no channel acted
// on become not recommended. The engine then scores every recommended
// application together, as one cohort, under the cycle's program version;
// the run and one result per enterprise, holding the engine's full output
// as JSON (compactly: see result_doc.go), are stored. Every number comes
// from the engine.
//
// It refuses a cycle in another phase and one without recommended
// applications (conflict).
//
// The engine runs inside the transaction, so that the results belong to
// exactly the applications the transition saw; it is fast (a cohort of
// thousands takes milliseconds), and on SQLite other writers wait that
// long.
func (s *Service) StartEvaluation(ctx context.Context, actor Actor, id int64) (store.Cycle, error) {
	return s.advance(ctx, actor, id, "start_evaluation", PhaseRecommendation, PhaseEvaluation, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		idle, err := tx.Applications(ctx, c.ID, StatusSubmitted)
		if err != nil {
			return err
		}
		befores := slices.Clone(idle)
		if err := tx.SetApplicationStatus(ctx, idle, StatusNotRecommended, j.now); err != nil {
			return err
		}
		for i, a := range idle {
			j.change("application.not_recommend", "application", a.ID, befores[i], a)
		}
		apps, err := tx.Applications(ctx, c.ID, StatusRecommended)
		if err != nil {
			return err
		}
		if len(apps) == 0 {
			return conflictf("cycle %d has no recommended applications to evaluate: the channels recommend during phase %q", c.ID, PhaseRecommendation)
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		// Enterprises, channels and quotas read once each.
		ids := make([]int64, len(apps))
		for i, a := range apps {
			ids[i] = a.EnterpriseID
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
		rows := make([]row, len(apps))
		// The cycle's own quotas, where it set them, decide over the
		// program's defaults, as they did at recommendation.
		quotas := map[string]int{}
		for i, a := range apps {
			e, ok := enterprises[a.EnterpriseID]
			if !ok {
				return internalf("enterprise %d of application %d does not exist", a.EnterpriseID, a.ID)
			}
			ch, ok := channels[a.ChannelID]
			if !ok {
				return internalf("channel %d of application %d does not exist", a.ChannelID, a.ID)
			}
			rows[i] = row{Code: e.USCC, Channel: ch.Code, Inputs: a.Inputs}
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
		results := make([]store.Result, len(apps))
		var docs []byte // every result's document, one after the other
		ends := make([]int, len(apps))
		for i, a := range apps {
			e := res.Enterprise(i)
			if docs, err = encodeResult(docs, p, res, e); err != nil {
				return internalf("cycle %d: encode the result of application %d: %v", c.ID, a.ID, err)
			}
			ends[i] = len(docs)
			results[i] = store.Result{RunID: run.ID, EnterpriseID: a.EnterpriseID, ApplicationID: a.ID, Eligible: e.Eligible,
				Score: number(e.Total), Rank: e.Rank, Pass: e.Outcome == scoring.Pass}
			if results[i].Pass {
				passed++
			}
		}
		start := 0
		for i, end := range ends {
			results[i].Result, start = docs[start:end:end], end
		}
		if err := tx.InsertResults(ctx, results); err != nil {
			return err
		}
		j.record("engine_run.create", "engine_run", run.ID, nil, struct {
			store.EngineRun
			Enterprises int `json:"enterprises"`
			Passed      int `json:"passed"`
		}{run, len(apps), passed})
		return nil
	})
}

// resultDoc is the engine's full output for one enterprise, as Results
// returns it (stored compactly: see result_doc.go). Missing and
// not-computed values (NaN in the engine) are null.
type resultDoc struct {
	ID          string              `json:"id"`
	Channel     string              `json:"channel,omitempty"`
	Eligible    bool                `json:"eligible"`
	Failures    []failureDoc        `json:"failures,omitempty"`
	Coverage    *float64            `json:"coverage,omitempty"`
	Indicators  map[string]*float64 `json:"indicators,omitempty"`
	Scores      []scoreDoc          `json:"scores"`
	Total       *float64            `json:"total"`
	Rank        int                 `json:"rank"`
	ChannelRank int                 `json:"channel_rank"`
	Outcome     string              `json:"outcome"`
	Reason      textDoc             `json:"reason"`
}

type failureDoc struct {
	Gate    string     `json:"gate"`
	Missing bool       `json:"missing,omitempty"`
	Values  []valueDoc `json:"values"`
	Message textDoc    `json:"message"`
}

type valueDoc struct {
	Name  string   `json:"name"`
	Value *float64 `json:"value"`
	Unit  string   `json:"unit,omitempty"`
}

type scoreDoc struct {
	Node  string   `json:"node"`
	Score *float64 `json:"score"`
	Lo    *float64 `json:"lo,omitempty"`
	Hi    *float64 `json:"hi,omitempty"`
	Band  string   `json:"band,omitempty"`
}

type textDoc struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

func text(t program.Text) textDoc { return textDoc{Zh: t.Zh, En: t.En} }

// number is v for JSON: nil when the engine has no value (NaN).
func number(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
