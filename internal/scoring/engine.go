// Package scoring is the engine: given a compiled program and a table of
// enterprises × inputs it returns, for every enterprise, its eligibility
// with each failed gate, the score of every framework node, its band,
// rank and decision with the reason.
//
// The engine is pure and deterministic: the same program and table give
// the same result, bit for bit, whatever the number of cores. Work is
// columnar — one column of values per input, year and indicator — and
// split across cores in chunks of rows; cohort-wide steps (the composite
// pipeline, ranking) run one column at a time.
package scoring

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/exemplar/exemplar/internal/program"
)

// Table is the engine's input: N enterprises, one float64 column per
// numeric input column of the program (see program.Program), one string
// column per text input. Missing values are NaN; a table must hold no
// other NaN or infinity (the readers refuse them).
type Table struct {
	N    int
	Num  [][]float64
	Text [][]string
}

// NewTable allocates a table for n enterprises of program p, every value
// missing.
func NewTable(p *program.Program, n int) *Table {
	t := &Table{N: n, Num: make([][]float64, p.NumCols), Text: make([][]string, p.TxtCols)}
	for c := range t.Num {
		col := make([]float64, n)
		for i := range col {
			col[i] = math.NaN()
		}
		t.Num[c] = col
	}
	for c := range t.Text {
		t.Text[c] = make([]string, n)
	}
	return t
}

// Options tune a run.
type Options struct {
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Reuse lets the engine overwrite the table's columns with composite
	// intermediate values instead of copying them, which halves the memory
	// of a large composite run. The table must not be used afterwards.
	Reuse bool
	// Quotas, when set, give the number that may pass per channel for this
	// run, in place of the program's decision.quota (a cycle sets its own
	// quotas). A channel missing from it falls back to the program's.
	Quotas map[string]int
	// Progress, when set, is called with the rows done so far.
	Progress func(done, total int)
}

// Outcome is the decision for one enterprise.
type Outcome uint8

// Outcomes, from worst to best.
const (
	NotEligible Outcome = iota // failed a gate
	NotScored                  // too few indicators present (data coverage)
	BelowThreshold
	OverQuota
	Pass
)

func (o Outcome) String() string {
	return [...]string{"not eligible", "not scored", "below threshold", "over quota", "pass"}[o]
}

// Result is what the engine returns, column by column; Enterprise gives
// one enterprise's view of it.
type Result struct {
	P *program.Program
	N int
	// Cols holds every numeric column: the table's inputs, then one per
	// indicator (program.Program.Cols()).
	Cols [][]float64
	Text [][]string
	// Gate[g][i] is 1 when enterprise i passed gate g, 0 when it failed,
	// and -1 when a value the gate needs is missing (which also fails).
	Gate     [][]int8
	Eligible []bool
	// Coverage is the fraction of composite leaves present, per enterprise
	// (nil when the program has none).
	Coverage []float64
	// Score[k][i] is enterprise i's score on framework node k (program
	// Nodes order); NaN when the enterprise was not scored.
	Score [][]float64
	// ranged[k] reports whether node k's bounds can differ from its score
	// (see rangedNodes and Bounds).
	ranged []bool
	plan   *aggPlan
	quotas map[string]int
	// Band[k][i] is the band index of enterprise i on band leaf k, -1 for
	// none; nil for nodes without bands.
	Band [][]int8
	// Rank is 1 for the best decision score. Equal scores share a rank
	// and the next rank skips ("1224" competition ranking); 0 when not
	// ranked (not eligible or not scored).
	Rank []int32
	// Order lists the ranked enterprises best first, ties broken by the
	// program's tie-breaks and then by enterprise id ascending; quotas
	// are filled in this order.
	Order []int32
	// ChannelRank is the position within the enterprise's channel in
	// Order (1-based, 0 when not ranked).
	ChannelRank []int32
	Outcome     []Outcome
	// Composite reports what the pipeline did to each composite leaf.
	Composite []LeafReport
}

// Run scores table t under program p.
func Run(p *program.Program, t *Table, opt Options) (*Result, error) {
	if len(t.Num) != p.NumCols || len(t.Text) != p.TxtCols {
		return nil, fmt.Errorf("scoring: table has %d numeric and %d text columns; program %s needs %d and %d", len(t.Num), len(t.Text), p.Def.Name, p.NumCols, p.TxtCols)
	}
	n := t.N
	r := &Result{P: p, N: n, Text: t.Text, quotas: opt.Quotas}
	r.Cols = make([][]float64, p.Cols())
	for c := range t.Num {
		if len(t.Num[c]) != n {
			return nil, fmt.Errorf("scoring: column %s has %d rows, want %d", p.ColumnName(c), len(t.Num[c]), n)
		}
		r.Cols[c] = t.Num[c]
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The output columns are allocated by all workers at once: zeroing
	// them is a memory-bound loop, and a million-row program has dozens
	// of 8 MB columns.
	var floats []*[]float64
	var int8s []*[]int8
	for _, ind := range p.Indicators {
		floats = append(floats, &r.Cols[ind.Col])
	}
	r.Gate = make([][]int8, len(p.Gates))
	for g := range r.Gate {
		int8s = append(int8s, &r.Gate[g])
	}
	r.Score = make([][]float64, len(p.Nodes))
	r.Band = make([][]int8, len(p.Nodes))
	for k, node := range p.Nodes {
		if node.Kind != program.NodeComposite {
			floats = append(floats, &r.Score[k])
		}
		if node.Kind == program.NodeBands {
			int8s = append(int8s, &r.Band[k])
		}
	}
	forEach(len(floats)+len(int8s)+1, workers, func(k int) {
		switch {
		case k < len(floats):
			*floats[k] = make([]float64, n)
		case k < len(floats)+len(int8s):
			*int8s[k-len(floats)] = make([]int8, n)
		default:
			r.Eligible = make([]bool, n)
		}
	})
	// Pass 1, by chunks of rows: indicators, gates, points and bands.
	// Without composite leaves nothing waits for the cohort, so each chunk
	// is aggregated up the framework (pass 3) right away, while its leaf
	// scores are still in cache.
	r.ranged = rangedNodes(p)
	plan := newAggPlan(p)
	r.plan = plan
	var aggErr atomic.Pointer[error]
	fused := !p.HasComposite
	parallelChunks(n, chunkRows, workers, opt.Progress, func(e *evaluator, lo, hi int) {
		r.rowPass(e, lo, hi)
		if fused {
			if err := r.aggregate(plan, e, lo, hi); err != nil {
				failed := err // only a failure escapes to the heap
				aggErr.CompareAndSwap(nil, &failed)
			}
		}
	})
	// Pass 2, by columns over the cohort: the composite pipeline.
	if p.HasComposite {
		if err := r.composite(opt, workers); err != nil {
			return nil, err
		}
	}
	// Pass 3, by chunks again: aggregate up the framework.
	if !fused {
		parallelChunks(n, aggChunkRows, workers, nil, func(e *evaluator, lo, hi int) {
			if err := r.aggregate(plan, e, lo, hi); err != nil {
				// Report it as from chunks of chunkRows, the first that
				// fails: the composite functions number the units in
				// their error from the start of the chunk they are given.
				for sub := lo; sub < hi; sub += chunkRows {
					if err := r.aggregate(plan, e, sub, min(sub+chunkRows, hi)); err != nil {
						failed := err
						aggErr.CompareAndSwap(nil, &failed)
						return
					}
				}
			}
		})
	}
	if e := aggErr.Load(); e != nil {
		return nil, *e
	}
	slots, names := r.rank(workers)
	r.decide(slots, names)
	return r, nil
}

// parallelChunks calls f on consecutive chunks of [0, n) of size rows
// from workers goroutines; each goroutine has its own evaluator.
func parallelChunks(n, size, workers int, progress func(done, total int), f func(e *evaluator, lo, hi int)) {
	chunks := (n + size - 1) / size
	workers = min(workers, chunks)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := &evaluator{}
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo := c * size
				hi := min(lo+size, n)
				f(e, lo, hi)
				if progress != nil {
					progress(int(done.Add(int64(hi-lo))), n)
				}
			}
		}()
	}
	wg.Wait()
}

func (r *Result) rowPass(e *evaluator, lo, hi int) {
	p := r.P
	e.cols = r.Cols
	m := hi - lo
	for _, ind := range p.Indicators {
		out := r.Cols[ind.Col][lo:hi]
		v := e.eval(ind.Expr.Root, lo, out)
		if &v[0] != &out[0] {
			copy(out, v)
		}
		// A division by zero or the like yields ±Inf: treat as missing,
		// so no infinity reaches a score.
		for i, x := range out {
			if math.IsInf(x, 0) {
				out[i] = math.NaN()
			}
		}
	}
	elig := r.Eligible[lo:hi]
	for i := range elig {
		elig[i] = true
	}
	buf := e.get(m)
	for g, gate := range p.Gates {
		v := e.eval(gate.Expr.Root, lo, buf)
		st := r.Gate[g][lo:hi]
		st = st[:len(v)]
		elig := elig[:len(v)]
		// Which enterprises fail is as good as random: decide without
		// branches (SETcc), which a mispredicted jump per row would cost.
		for i, x := range v {
			var pass, unknown int8
			if x != 0 {
				pass = 1
			}
			if x != x {
				unknown = 1
			}
			state := pass - 2*unknown // 1 pass, 0 fail, -1 unknown (NaN != 0)
			st[i] = state
			elig[i] = elig[i] && state == 1
		}
	}
	for _, node := range p.Nodes {
		switch node.Kind {
		case program.NodePoints:
			v := e.eval(node.Points.Root, lo, buf)
			s := r.Score[node.Index][lo:hi]
			top := math.Inf(1)
			if node.Max != nil {
				top = *node.Max
			}
			for i, x := range v {
				if isNaN(x) {
					x = 0
				}
				if x < 0 {
					x = 0
				}
				if x > top {
					x = top
				}
				s[i] = x
			}
			// A points leaf has no range: its Lo and Hi are its Score.
		case program.NodeBands:
			r.bands(e, node, lo, hi, buf)
		}
	}
	e.put()
}

// setBand returns cur, or b when hit and cur is -1 (no band yet), as
// arithmetic rather than a branch.
func setBand(cur, b int8, hit bool) int8 {
	var h int8
	if hit {
		h = 1 // a SETcc, not a jump
	}
	mask := -h & (cur >> 7) // all ones when hit and cur < 0
	return cur&^mask | b&mask
}

// bands scores a band leaf: the first band that matches gives the range;
// an expert's fixed points (clamped into the range) or the program's
// band_points choice gives the score.
func (r *Result) bands(e *evaluator, node *program.NodeInfo, lo, hi int, buf []float64) {
	m := hi - lo
	band := r.Band[node.Index][lo:hi]
	for i := range band {
		band[i] = -1
	}
	var val []float64
	if node.Value != nil {
		val = e.eval(node.Value.Root, lo, e.get(m))[:m]
	}
	// left counts the rows still without a band: once it is 0 the later
	// bands' conditions need not be evaluated. The loops below decide
	// without branching (see setBand): whether a value reaches a threshold
	// is as good as random, and a mispredicted branch per row and band
	// would cost more than the rest of the loop.
	left := m
	for b, bi := range node.Bands {
		if left == 0 {
			break
		}
		nb := int8(b)
		switch {
		case bi.AtLeast != nil:
			t := *bi.AtLeast
			for i, x := range val {
				band[i] = setBand(band[i], nb, x >= t)
			}
		case bi.Above != nil:
			t := *bi.Above
			for i, x := range val {
				band[i] = setBand(band[i], nb, x > t)
			}
		case bi.When.Root.Kind == program.OpConst:
			// "when: true" (the catch-all band) or a constant false.
			if bi.When.Root.Value == 1 {
				for i := range band {
					band[i] = setBand(band[i], nb, true)
				}
			}
		default:
			cond := e.eval(bi.When.Root, lo, buf)[:m]
			for i, c := range cond {
				band[i] = setBand(band[i], nb, c == 1)
			}
		}
		left = 0
		for _, x := range band {
			left += int(uint8(x) >> 7) // 1 for -1 (no band yet)
		}
	}
	if node.Value != nil {
		e.put()
	}
	var fixed []float64
	if node.Fixed != nil {
		fixed = r.Cols[node.Fixed.Col][lo:hi]
	}
	const (
		pickLow = iota
		pickMid
		pickHigh
	)
	pick := pickLow
	switch r.P.Def.Scoring.BandPoints {
	case "high":
		pick = pickHigh
	case "mid":
		pick = pickMid
	}
	// Tables indexed by band+1 (0 for no band) turn the band into its
	// points without branches.
	nb := len(node.Bands) + 1
	var lut [3][128]float64 // low, high, picked
	for b := 0; b < nb; b++ {
		var l, h float64
		if b > 0 {
			l, h = node.Bands[b-1].Points[0], node.Bands[b-1].Points[1]
		}
		x := l
		switch pick {
		case pickHigh:
			x = h
		case pickMid:
			x = (l + h) / 2
		}
		lut[0][b], lut[1][b], lut[2][b] = l, h, x
	}
	s := r.Score[node.Index][lo:hi]
	s = s[:len(band)]
	for i, b := range band {
		s[i] = lut[2][uint8(b+1)&127]
	}
	if fixed != nil {
		// The experts' points, where given, replace the pick, clamped
		// into the band's range (see bandRange).
		fixed = fixed[:len(band)]
		for i, f := range fixed {
			if isNaN(f) {
				continue
			}
			k := uint8(band[i]+1) & 127
			x := min(max(f, lut[0][k]), lut[1][k])
			s[i] = x
		}
	}
}
