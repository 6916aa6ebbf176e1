package scoring

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/exemplar/exemplar/internal/composite"
	"github.com/exemplar/exemplar/internal/program"
)

// LeafReport says what the composite pipeline did to one leaf.
type LeafReport struct {
	Node     string
	Imputed  int
	Outliers composite.OutlierReport
}

// composite runs the cohort-wide pipeline over the composite leaves:
// screen for data coverage, impute, treat outliers, normalise. The
// cohort is the eligible enterprises; the others get no composite score.
// Coverage is measured before imputation unless the program says
// screen: after (COINr's reference pipeline, which imputes first).
//
// Each leaf is one task on one worker, so that its column is read while
// it is still in cache from the step before. Only screening needs every
// leaf's coverage before any leaf goes on; without it (coverage 0) a leaf
// goes through every step in one task.
func (r *Result) composite(opt Options, workers int) error {
	p := r.P
	pl := p.Def.Scoring.Pipeline
	var leaves []*program.NodeInfo
	for _, node := range p.Nodes {
		if node.Kind == program.NodeComposite {
			leaves = append(leaves, node)
		}
	}
	// Each leaf copies its source or, with Reuse, adopts it (the first
	// leaf to use an input column). Rows outside the cohort are blanked so
	// they weigh in no statistic. Copies are made before any leaf starts,
	// so that none reads a column another leaf is already changing.
	adopt := make([]bool, len(leaves))
	used := map[int]bool{}
	for k, leaf := range leaves {
		adopt[k] = opt.Reuse && leaf.SourceCol < p.NumCols && !used[leaf.SourceCol]
		used[leaf.SourceCol] = true
	}
	var outside []int
	for i, ok := range r.Eligible {
		if !ok {
			outside = append(outside, i)
		}
	}
	forEach(len(leaves), workers, func(k int) {
		src := r.Cols[leaves[k].SourceCol]
		if adopt[k] {
			r.Score[leaves[k].Index] = src
			return
		}
		dst := make([]float64, r.N)
		copy(dst, src)
		blankRows(dst, outside)
		r.Score[leaves[k].Index] = dst
	})
	groups, ngroups := r.groups(pl.Impute.Group)
	r.Composite = make([]LeafReport, len(leaves))
	for k, leaf := range leaves {
		r.Composite[k].Node = leaf.ID
	}
	var mu sync.Mutex
	var firstErr error
	fail := func(leaf *program.NodeInfo, err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = fmt.Errorf("scoring: %s (%s): %w", leaf.Path, leaf.ID, err)
		}
	}
	impute := func(k int) bool {
		return r.impute(leaves[k], k, r.Score[leaves[k].Index], groups, ngroups, fail)
	}
	before := pl.Screen != "after"
	screening := pl.Coverage > 0
	// missing counts, per worker and unit, the leaves the worker found
	// missing when coverage is measured: the coverage without another
	// pass over every column. (Missing rather than present values: they
	// are few, so counting them is a read-only pass.)
	nw := max(1, min(workers, len(leaves)))
	missing := newCounters(nw, len(leaves), r.N)
	forEachWorker(len(leaves), nw, func(w, k int) {
		col := r.Score[leaves[k].Index]
		if adopt[k] {
			blankRows(col, outside)
		}
		if !before && !impute(k) {
			return
		}
		missing.count(w, col)
		if screening {
			return // the rest waits for the coverage of every leaf
		}
		// Nothing waits for the cohort: impute (unless done above), treat
		// and normalise in one fused call.
		r.prepare(leaves[k], k, col, before, groups, ngroups, fail)
	})
	r.Coverage = missing.coverage(len(leaves))
	missing = counters{}
	if !screening || firstErr != nil {
		return firstErr
	}
	// Screening: the eligible enterprises below the minimum coverage are
	// blanked so that they weigh in no later statistic (and again after
	// imputation, which fills them too).
	var screened []int
	for i, c := range r.Coverage {
		if r.Eligible[i] && c < pl.Coverage {
			screened = append(screened, i)
		}
	}
	forEach(len(leaves), workers, func(k int) {
		col := r.Score[leaves[k].Index]
		blankRows(col, screened)
		if before {
			if !impute(k) {
				return
			}
			blankRows(col, screened)
		}
		r.prepare(leaves[k], k, col, false, groups, ngroups, fail)
	})
	return firstErr
}

// counters counts missing values per worker and unit: in bytes when
// there are fewer than 256 leaves, else in 32-bit integers.
type counters struct {
	small [][]uint8
	large [][]int32
}

func newCounters(workers, leaves, n int) counters {
	var c counters
	for range workers {
		if leaves < 256 {
			c.small = append(c.small, make([]uint8, n))
		} else {
			c.large = append(c.large, make([]int32, n))
		}
	}
	return c
}

func (c counters) count(w int, col []float64) {
	if c.small != nil {
		countMissing(c.small[w], col)
	} else {
		countMissing(c.large[w], col)
	}
}

func countMissing[T uint8 | int32](cnt []T, col []float64) {
	cnt = cnt[:len(col)]
	for i, v := range col {
		if isNaN(v) {
			cnt[i]++
		}
	}
}

// coverage returns, as composite.Coverage does, the number of present
// leaves over their number, per unit.
func (c counters) coverage(leaves int) []float64 {
	var n int
	if c.small != nil {
		n = len(c.small[0])
	} else {
		n = len(c.large[0])
	}
	cov := make([]float64, n)
	k := float64(leaves)
	for i := range cov {
		s := leaves
		for _, cnt := range c.small {
			s -= int(cnt[i])
		}
		for _, cnt := range c.large {
			s -= int(cnt[i])
		}
		cov[i] = float64(s) / k
	}
	return cov
}

// blankRows sets the given rows of col to missing.
func blankRows(col []float64, rows []int) {
	for _, i := range rows {
		col[i] = math.NaN()
	}
}

// impute fills leaf k's missing values; false when it failed.
func (r *Result) impute(leaf *program.NodeInfo, k int, col []float64, groups []int32, ngroups int, fail func(*program.NodeInfo, error)) bool {
	rep := &r.Composite[k]
	var err error
	switch r.P.Def.Scoring.Pipeline.Impute.Method {
	case "mean":
		rep.Imputed = composite.ImputeMean(col)
	case "median":
		rep.Imputed = composite.ImputeMedian(col)
	case "group_mean":
		rep.Imputed, err = composite.ImputeGroupMean(col, groups, ngroups)
	case "group_median":
		rep.Imputed, err = composite.ImputeGroupMedian(col, groups, ngroups)
	}
	if err != nil {
		fail(leaf, err)
		return false
	}
	return true
}

// prepare runs the per-leaf steps on leaf k's column in one fused call
// (composite.PrepareIndicator): imputation when withImpute, then outlier
// treatment and normalisation, as the program's pipeline says.
func (r *Result) prepare(leaf *program.NodeInfo, k int, col []float64, withImpute bool, groups []int32, ngroups int, fail func(*program.NodeInfo, error)) {
	pl := r.P.Def.Scoring.Pipeline
	steps := composite.Steps{Groups: groups, NGroups: ngroups}
	if withImpute {
		steps.Impute = pl.Impute.Method
	}
	switch o := pl.Outliers; o.Method {
	case "winsorise":
		fb := o.Fallback
		if fb == "" {
			fb = composite.FallbackLog
		}
		steps.Outliers = &composite.OutlierOptions{MaxWinsorise: o.MaxWinsorise, SkewThreshold: o.SkewThreshold,
			KurtosisThreshold: o.KurtosisThreshold, Fallback: fb}
	case "log":
		// A plain log transform is no step of PrepareIndicator: impute,
		// transform, then let it normalise.
		if withImpute && !r.impute(leaf, k, col, groups, ngroups, fail) {
			return
		}
		withImpute, steps.Impute = false, ""
		composite.LogTransform(col)
		r.Composite[k].Outliers.LogTransformed = true
	}
	n := pl.Normalise
	steps.Normalise = composite.Normalisation{Method: n.Method, Direction: leaf.Direction, Low: n.Low, High: n.High,
		Mean: n.Mean, SD: n.SD, Scale: n.Scale, Trunc: n.Trunc}
	if leaf.Goalposts != nil {
		steps.Normalise.GoalLow, steps.Normalise.GoalHigh = leaf.Goalposts[0], leaf.Goalposts[1]
	}
	if leaf.Target != nil {
		steps.Normalise.Target = *leaf.Target
	}
	if n.Cap != nil {
		steps.Normalise.Cap = *n.Cap
	}
	rep, err := composite.PrepareIndicator(col, steps)
	if err != nil {
		fail(leaf, err)
		return
	}
	if withImpute {
		r.Composite[k].Imputed = rep.Imputed
	}
	if steps.Outliers != nil {
		r.Composite[k].Outliers = rep.Outliers
	}
}

// groups numbers the values of the grouping input: choice codes as they
// are, text values in order of first appearance.
func (r *Result) groups(input string) ([]int32, int) {
	in, ok := r.P.Input(input)
	if !ok {
		return nil, 0
	}
	g := make([]int32, r.N)
	if in.Kind == program.KindChoice {
		col := r.Cols[in.Col]
		for i, v := range col {
			if isNaN(v) {
				g[i] = -1
			} else {
				g[i] = int32(v)
			}
		}
		return g, len(in.Options)
	}
	ids := map[string]int32{}
	for i, s := range r.Text[in.TextCol] {
		if s == "" {
			g[i] = -1
			continue
		}
		id, ok := ids[s]
		if !ok {
			id = int32(len(ids))
			ids[s] = id
		}
		g[i] = id
	}
	return g, len(ids)
}

// forEach calls f(0..n-1) from up to workers goroutines.
func forEach(n, workers int, f func(k int)) {
	forEachWorker(n, workers, func(_, k int) { f(k) })
}

// forEachWorker calls f(w, k) for k in 0..n-1 from up to workers
// goroutines, w being the goroutine's number in [0, workers).
func forEachWorker(n, workers int, f func(w, k int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				f(w, k)
			}
		}()
	}
	wg.Wait()
}
