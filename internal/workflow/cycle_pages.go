package workflow

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"sync"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
)

// The reads of the administrator's cycle pages and the recommender's
// pages. They change nothing and record nothing.

// ProgramVersionChoices returns every registered program version, by
// program name, newest version first: what a new cycle may run with.
func (s *Service) ProgramVersionChoices(ctx context.Context) ([]store.ProgramVersionChoice, error) {
	var out []store.ProgramVersionChoice
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ProgramVersionChoices(ctx)
		return err
	})
	return out, err
}

// Quota is a channel's quota in a cycle and how much of it is used.
type Quota struct {
	// Limit is how many applications the channel may recommend; Limited
	// is false when nothing limits it (Limit is then 0).
	Limit   int  `json:"limit"`
	Limited bool `json:"limited"`
	// Used is how many it has recommended.
	Used int `json:"used"`
}

// Left is how many more the channel may recommend; -1 when unlimited.
func (q Quota) Left() int {
	if !q.Limited {
		return -1
	}
	return max(q.Limit-q.Used, 0)
}

// ChannelTally is one channel's part in a cycle: its quota and its
// applications by status.
type ChannelTally struct {
	Channel  store.Channel  `json:"channel"`
	Quota    Quota          `json:"quota"`
	ByStatus map[string]int `json:"by_status"`
}

// CycleOverview is what the administrator's cycle page shows: the cycle,
// its program version, and counts of everything in it.
type CycleOverview struct {
	Cycle   store.Cycle                `json:"cycle"`
	Program store.ProgramVersionChoice `json:"program"`
	// Applications counts the applications by status, every channel
	// together; Channels is each channel that has applications or a
	// quota of the cycle's own, by code.
	Applications map[string]int `json:"applications"`
	Channels     []ChannelTally `json:"channels"`
	// Decisions counts the decisions by state and by outcome (keys such
	// as "drafted", "pass", "final/fail").
	Decisions map[string]int `json:"decisions"`
	// Run is the latest engine run; nil before the evaluation.
	Run *store.EngineRun `json:"run,omitempty"`
	// Notice is the latest notice, nil before one; Objections counts its
	// objections by status.
	Notice     *store.Notice  `json:"notice,omitempty"`
	Objections map[string]int `json:"objections"`
}

// CycleOverview returns cycle id's overview, read in one snapshot. A
// cycle that does not exist is not found.
func (s *Service) CycleOverview(ctx context.Context, id int64) (CycleOverview, error) {
	o := CycleOverview{Applications: map[string]int{}, Decisions: map[string]int{}, Objections: map[string]int{}}
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		o.Cycle = c
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		v, err := tx.ProgramVersion(ctx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		o.Program = store.ProgramVersionChoice{ID: v.ID, Program: v.Program, TitleZh: p.Def.Title.Zh, TitleEn: p.Def.Title.En,
			Label: v.Label, CreatedAt: v.CreatedAt}
		counts, err := tx.ApplicationCounts(ctx, id)
		if err != nil {
			return err
		}
		quotas, err := tx.CycleQuotas(ctx, id)
		if err != nil {
			return err
		}
		channels, err := tx.Channels(ctx)
		if err != nil {
			return err
		}
		by := map[int64]map[string]int{}
		for _, n := range counts {
			o.Applications[n.Status] += n.N
			if by[n.ChannelID] == nil {
				by[n.ChannelID] = map[string]int{}
			}
			by[n.ChannelID][n.Status] = n.N
		}
		for _, ch := range channels {
			_, own := quotas[ch.ID]
			if by[ch.ID] == nil && !own {
				continue
			}
			limit, limited, err := quotaOf(ctx, tx, c, ch, p)
			if err != nil {
				return err
			}
			st := by[ch.ID]
			if st == nil {
				st = map[string]int{}
			}
			o.Channels = append(o.Channels, ChannelTally{Channel: ch, ByStatus: st,
				Quota: Quota{Limit: limit, Limited: limited, Used: st[StatusRecommended]}})
		}
		dc, err := tx.DecisionCounts(ctx, id)
		if err != nil {
			return err
		}
		for _, n := range dc {
			o.Decisions[n.State] += n.N
			o.Decisions[n.Outcome] += n.N
			o.Decisions[n.State+"/"+n.Outcome] += n.N
		}
		if run, err := tx.LatestEngineRun(ctx, id); err == nil {
			o.Run = &run
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		n, err := tx.LatestNotice(ctx, id)
		if errs.Is(err, errs.NotFound) {
			return nil
		} else if err != nil {
			return err
		}
		o.Notice = &n
		objs, err := tx.Objections(ctx, n.ID, "")
		if err != nil {
			return err
		}
		for _, ob := range objs {
			o.Objections[ob.Status]++
		}
		return nil
	})
	return o, err
}

// ChannelQuota returns channel channelID's quota in cycle cycleID and how
// much of it is used, as Recommend counts them.
func (s *Service) ChannelQuota(ctx context.Context, cycleID, channelID int64) (Quota, error) {
	var q Quota
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		ch, err := tx.Channel(ctx, channelID)
		if err != nil {
			return missing(err, "channel %d", channelID)
		}
		p, err := s.program(ctx, tx, c.ProgramVersionID)
		if err != nil {
			return err
		}
		if q.Limit, q.Limited, err = quotaOf(ctx, tx, c, ch, p); err != nil {
			return err
		}
		q.Used, err = tx.CountApplications(ctx, c.ID, ch.ID, StatusRecommended)
		return err
	})
	return q, err
}

// KeyInput is an input a screening list shows for every application:
// one the program's gates read.
type KeyInput struct {
	ID     string `json:"id"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Unit   string `json:"unit,omitempty"`
	Yearly bool   `json:"yearly"` // the list shows the latest year
}

// FailedGate is one gate an application fails on its saved inputs.
type FailedGate struct {
	Gate      string `json:"gate"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	MessageZh string `json:"message_zh"`
	MessageEn string `json:"message_en"`
	Missing   bool   `json:"missing,omitempty"`
}

// ScreeningRow is one application in its channel's screening list.
type ScreeningRow struct {
	store.ApplicationRow
	// Values are the key inputs' values, as KeyInputs orders them (nil:
	// missing; a yearly input's latest year).
	Values []*float64 `json:"values"`
	// Checked says whether the engine checked the gates on the saved
	// inputs; Failed then lists the gates failed (none: eligible).
	Checked bool         `json:"checked"`
	Failed  []FailedGate `json:"failed,omitempty"`
}

// Screening is a channel's applications to a cycle with the checks of
// their gates, for the channel's recommenders.
type Screening struct {
	Cycle   store.Cycle    `json:"cycle"`
	Channel store.Channel  `json:"channel"`
	Quota   Quota          `json:"quota"`
	Gates   int            `json:"gates"` // how many gates the program has
	Inputs  []KeyInput     `json:"inputs"`
	Rows    []ScreeningRow `json:"rows"`
}

// Screening returns channel channelID's applications to cycle cycleID
// (by id) with their key inputs, and the program's gates checked by the
// engine on each application's saved inputs — the same check
// StartEvaluation makes, which does not depend on the other enterprises.
// When the engine cannot check them (inputs it cannot read), rows are
// left unchecked rather than the page refused. A cycle or channel that
// does not exist is not found.
func (s *Service) Screening(ctx context.Context, cycleID, channelID int64) (Screening, error) {
	var sc Screening
	var p *program.Program
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		ch, err := tx.Channel(ctx, channelID)
		if err != nil {
			return missing(err, "channel %d", channelID)
		}
		if p, err = s.program(ctx, tx, c.ProgramVersionID); err != nil {
			return err
		}
		sc.Cycle, sc.Channel = c, ch
		if sc.Quota.Limit, sc.Quota.Limited, err = quotaOf(ctx, tx, c, ch, p); err != nil {
			return err
		}
		rows, err := tx.ChannelApplicationRows(ctx, c.ID, ch.ID)
		if err != nil {
			return err
		}
		sc.Rows = make([]ScreeningRow, len(rows))
		for i, r := range rows {
			sc.Rows[i].ApplicationRow = r
			if r.Status == StatusRecommended {
				sc.Quota.Used++
			}
		}
		return nil
	})
	if err != nil {
		return sc, err
	}
	sc.Gates = len(p.Gates)
	sc.Inputs = keyInputs(p)
	for i := range sc.Rows {
		sc.Rows[i].Values = keyValues(sc.Inputs, sc.Rows[i].Inputs)
	}
	checkGates(p, &sc)
	return sc, nil
}

// keyInputs are the number inputs p's gates read, in the program's
// order, at most six.
func keyInputs(p *program.Program) []KeyInput {
	var out []KeyInput
	for _, in := range p.Inputs {
		if in.Kind != "" && in.Kind != program.KindNumber || in.ID == p.Def.ID {
			continue
		}
		word := regexp.MustCompile(`\b` + regexp.QuoteMeta(in.ID) + `\b`)
		for _, g := range p.Gates {
			if word.MatchString(g.Rule) {
				out = append(out, KeyInput{ID: in.ID, NameZh: in.Name.Zh, NameEn: in.Name.En, Unit: in.Unit, Yearly: in.Yearly})
				break
			}
		}
		if len(out) == 6 {
			break
		}
	}
	return out
}

// keyValues reads the key inputs' values from an application's inputs.
func keyValues(keys []KeyInput, raw json.RawMessage) []*float64 {
	out := make([]*float64, len(keys))
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for i, k := range keys {
		v, ok := m[k.ID]
		if !ok {
			continue
		}
		if k.Yearly {
			var years []*float64
			if json.Unmarshal(v, &years) == nil && len(years) > 0 {
				out[i] = years[len(years)-1]
			}
			continue
		}
		var x *float64
		if json.Unmarshal(v, &x) == nil {
			out[i] = x
		}
	}
	return out
}

// checkGates runs the engine over sc's applications and records the
// gates each fails.
func checkGates(p *program.Program, sc *Screening) {
	if len(sc.Rows) == 0 || len(p.Gates) == 0 {
		return
	}
	rows := make([]row, len(sc.Rows))
	for i, r := range sc.Rows {
		rows[i] = row{Code: r.USCC, Channel: sc.Channel.Code, Inputs: r.Inputs}
	}
	table, err := buildTable(p, rows)
	if err != nil {
		return
	}
	res, err := scoring.Run(p, table, scoring.Options{})
	if err != nil {
		return
	}
	names := map[string]program.Text{}
	for _, g := range p.Gates {
		names[g.ID] = g.Name
	}
	for i := range sc.Rows {
		e := res.Enterprise(i)
		sc.Rows[i].Checked = true
		for _, f := range e.Failures {
			sc.Rows[i].Failed = append(sc.Rows[i].Failed, FailedGate{Gate: f.Gate, NameZh: names[f.Gate].Zh, NameEn: names[f.Gate].En,
				MessageZh: f.Message.Zh, MessageEn: f.Message.En, Missing: f.Missing})
		}
	}
}

// ResultNode is a framework node as the results table heads a column.
type ResultNode struct {
	ID     string `json:"id"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Depth  int    `json:"depth"` // 0 for the root
}

// ResultGate is a gate the results table filters by.
type ResultGate struct {
	ID     string `json:"id"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// ResultRow is one enterprise's result in the results table.
type ResultRow struct {
	store.ResultName
	ApplicationID int64    `json:"application_id,omitempty"`
	Eligible      bool     `json:"eligible"`
	Pass          bool     `json:"pass"`
	Score         *float64 `json:"score,omitempty"`
	Rank          int      `json:"rank,omitempty"`
	// Scores are the node scores, by ResultTable.Nodes index (NaN: not
	// scored); Failed the ids of the gates failed. Both are shared
	// between calls: read them, never change them.
	Scores   []float64 `json:"-"`
	Failed   []string  `json:"failed,omitempty"`
	ReasonZh string    `json:"reason_zh"`
	ReasonEn string    `json:"reason_en"`
	channel  string    // the code of the channel the engine saw
}

// ResultTable is a cycle's latest engine run as the administrator's
// results table shows it.
type ResultTable struct {
	Run   store.EngineRun `json:"run"`
	Nodes []ResultNode    `json:"nodes"` // the root first, then depth first
	Gates []ResultGate    `json:"gates"`
	Rows  []ResultRow     `json:"rows"` // by enterprise id
}

// ResultTable returns the results of cycle id's latest engine run with
// every framework node's score, by enterprise id; not found before the
// cycle was evaluated.
//
// A run's results never change once stored, so their parsed documents
// are kept (for the last few runs read) and only the enterprises' names,
// which can change, are read each time: the table of a run of 10,000
// enterprises costs one light query after the first.
func (s *Service) ResultTable(ctx context.Context, id int64) (ResultTable, error) {
	var t ResultTable
	var names []store.ResultName
	var channels []store.Channel
	var parsed *parsedRun
	err := s.read(ctx, func(tx *store.Tx) error {
		run, err := tx.LatestEngineRun(ctx, id)
		if err != nil {
			return missing(err, "an engine run of cycle %d", id)
		}
		t.Run = run
		p, err := s.program(ctx, tx, run.ProgramVersionID)
		if err != nil {
			return err
		}
		t.Nodes, t.Gates = resultColumns(p)
		if names, err = tx.ResultNames(ctx, run.ID); err != nil {
			return err
		}
		if channels, err = tx.Channels(ctx); err != nil {
			return err
		}
		if parsed = runCache.get(s.db, run.ID); parsed != nil {
			return nil
		}
		results, err := tx.Results(ctx, run.ID)
		if err != nil {
			return err
		}
		parsed = parseRun(p, t.Nodes, results)
		runCache.put(s.db, run.ID, parsed)
		return nil
	})
	if err != nil {
		return t, err
	}
	byCode := make(map[string]store.Channel, len(channels))
	for _, ch := range channels {
		byCode[ch.Code] = ch
	}
	t.Rows = make([]ResultRow, 0, len(names))
	for _, n := range names {
		r, ok := parsed.byEnterprise[n.EnterpriseID]
		if !ok {
			continue
		}
		// The channel the enterprise applied through, as the engine saw it.
		ch := byCode[r.channel]
		n.ChannelID, n.ChannelCode, n.ChannelNameZh, n.ChannelNameEn = ch.ID, r.channel, ch.NameZh, ch.NameEn
		r.ResultName = n
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}

// resultColumns lists p's framework nodes from the root down, depth
// first, and its gates.
func resultColumns(p *program.Program) ([]ResultNode, []ResultGate) {
	var nodes []ResultNode
	var walk func(i, depth int)
	walk = func(i, depth int) {
		n := p.Nodes[i]
		nodes = append(nodes, ResultNode{ID: n.ID, NameZh: n.Name.Zh, NameEn: n.Name.En, Depth: depth})
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	if len(p.Nodes) > 0 {
		walk(len(p.Nodes)-1, 0)
	}
	gates := make([]ResultGate, len(p.Gates))
	for i, g := range p.Gates {
		gates[i] = ResultGate{ID: g.ID, NameZh: g.Name.Zh, NameEn: g.Name.En}
	}
	return nodes, gates
}

// parsedRun is a run's results with their documents parsed, by
// enterprise id.
type parsedRun struct {
	byEnterprise map[int64]ResultRow
}

// parseRun parses the documents of a run's results of program p (as
// StartEvaluation stores them, in either format: see result_doc.go),
// keeping what the table shows.
func parseRun(p *program.Program, nodes []ResultNode, results []store.Result) *parsedRun {
	index := make(map[string]int, len(nodes))
	for i, n := range nodes {
		index[n.ID] = i
	}
	out := &parsedRun{byEnterprise: make(map[int64]ResultRow, len(results))}
	for _, r := range results {
		row := ResultRow{ApplicationID: r.ApplicationID, Eligible: r.Eligible, Pass: r.Pass, Score: r.Score, Rank: r.Rank}
		row.Scores = make([]float64, len(nodes))
		for i := range row.Scores {
			row.Scores[i] = math.NaN()
		}
		if doc, err := decodeResult(r.Result); err == nil {
			for _, f := range doc.Failures {
				row.Failed = append(row.Failed, f.Gate)
			}
			for _, sc := range doc.Scores {
				if i, ok := index[sc.Node]; ok && sc.Score != nil {
					row.Scores[i] = *sc.Score
				}
			}
			for k, v := range doc.Nodes {
				if k < len(p.Nodes) && v != nil {
					if i, ok := index[p.Nodes[k].ID]; ok {
						row.Scores[i] = *v
					}
				}
			}
			row.ReasonZh, row.ReasonEn, row.channel = doc.Reason.Zh, doc.Reason.En, doc.Channel
		}
		out.byEnterprise[r.EnterpriseID] = row
	}
	return out
}

// runCache keeps the parsed results of the last few engine runs read, by
// database and run: a run's results never change once stored.
var runCache = &parsedRuns{}

type parsedRuns struct {
	mu      sync.Mutex
	entries []parsedEntry // most recently used last
}

type parsedEntry struct {
	db  *store.DB
	run int64
	p   *parsedRun
}

// runCacheSize bounds the runs kept: a run of 10,000 enterprises takes a
// few megabytes.
const runCacheSize = 4

func (c *parsedRuns) get(db *store.DB, run int64) *parsedRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.db == db && e.run == run {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.p
		}
	}
	return nil
}

func (c *parsedRuns) put(db *store.DB, run int64, p *parsedRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.db == db && e.run == run {
			c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
			break
		}
	}
	c.entries = append(c.entries, parsedEntry{db: db, run: run, p: p})
	if len(c.entries) > runCacheSize {
		c.entries = append([]parsedEntry(nil), c.entries[len(c.entries)-runCacheSize:]...)
	}
}

// CycleDecision returns decision id of cycle cycleID with its
// enterprise's name and code (no score: see DecisionRows). A decision of
// another cycle is not found, like one that does not exist.
func (s *Service) CycleDecision(ctx context.Context, cycleID, id int64) (store.DecisionRow, error) {
	var out store.DecisionRow
	err := s.read(ctx, func(tx *store.Tx) error {
		d, err := tx.Decision(ctx, id)
		if err == nil && d.CycleID != cycleID {
			return errs.New(errs.NotFound, "decision %d of cycle %d does not exist", id, cycleID)
		}
		if err != nil {
			return missing(err, "decision %d of cycle %d", id, cycleID)
		}
		e, err := tx.Enterprise(ctx, d.EnterpriseID)
		if err != nil {
			return err
		}
		out = store.DecisionRow{Decision: d, EnterpriseName: e.Name, USCC: e.USCC}
		return nil
	})
	return out, err
}

// EnterprisesByID returns the enterprises ids name that exist, by id.
func (s *Service) EnterprisesByID(ctx context.Context, ids []int64) (map[int64]store.Enterprise, error) {
	var out map[int64]store.Enterprise
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.EnterprisesByID(ctx, ids)
		return err
	})
	return out, err
}
