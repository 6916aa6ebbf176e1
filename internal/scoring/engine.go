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
	// Nodes order); NaN when the enterprise was not scored. A program
	// without composite leaves keeps the columns of its decision node
	// and tie-break nodes only: the others are nil, and NodeScore (or
	// Enterprise) works a row's scores out again when asked, from its
	// inputs, bit for bit as the run did.
	Score [][]float64
	// ranged[k] reports whether node k's bounds can differ from its score
	// (see rangedNodes and Bounds).
	ranged []bool
	plan   *aggPlan
	rows   *rowPlan
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
	keep := keptNodes(p)
	for k, node := range p.Nodes {
		if node.Kind != program.NodeComposite && keep[k] {
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
	// scores are still in cache, and only the kept nodes' scores (see
	// keptNodes) leave the chunk's scratch.
	r.ranged = rangedNodes(p)
	plan := newAggPlan(p)
	r.plan = plan
	r.rows = newRowPlan(p)
	var aggErr atomic.Pointer[error]
	fused := !p.HasComposite
	parallelChunks(n, chunkRows, workers, opt.Progress, func(e *evaluator, lo, hi int) {
		r.rowPass(e, lo, hi)
		score, band := r.chunkViews(e, lo, hi)
		r.leafScores(e, lo, hi, score, band)
		if fused {
			if err := r.aggregateViews(plan, e, lo, score); err != nil {
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

// keptNodes reports which nodes' scores Run keeps as columns: all of
// them where composite leaves make the cohort's columns necessary, else
// the decision node and the tie-break nodes, which ranking reads. The
// others cost a column each to write and are read one enterprise at a
// time, if at all (see Result.rowScores).
func keptNodes(p *program.Program) []bool {
	keep := make([]bool, len(p.Nodes))
	for k := range keep {
		keep[k] = p.HasComposite
	}
	keep[p.DecisionNode.Index] = true
	for _, t := range p.Ties {
		if t.Node != nil {
			keep[t.Node.Index] = true
		}
	}
	return keep
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
