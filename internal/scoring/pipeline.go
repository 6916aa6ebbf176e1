package scoring

import (
	"fmt"
	"math"
	"sync"

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
// impute, screen for data coverage, treat outliers, normalise. The
// cohort is the eligible enterprises; the others get no composite score.
// The order (imputation before screening) is COINr's reference pipeline.
func (r *Result) composite(opt Options, workers int) error {
	p := r.P
	pl := p.Def.Scoring.Pipeline
	var leaves []*program.NodeInfo
	for _, node := range p.Nodes {
		if node.Kind == program.NodeComposite {
			leaves = append(leaves, node)
		}
	}
	// Copy (or, with Reuse, adopt) each leaf's source, blanking the rows
	// outside the cohort so they weigh in no statistic.
	used := map[int]bool{}
	for _, leaf := range leaves {
		src := r.Cols[leaf.SourceCol]
		var dst []float64
		if opt.Reuse && leaf.SourceCol < p.NumCols && !used[leaf.SourceCol] {
			dst = src
		} else {
			dst = make([]float64, r.N)
			copy(dst, src)
		}
		r.Score[leaf.Index] = dst
		used[leaf.SourceCol] = true
		for i, ok := range r.Eligible {
			if !ok {
				dst[i] = math.NaN()
			}
		}
	}
	cols := make([][]float64, len(leaves))
	for k, leaf := range leaves {
		cols[k] = r.Score[leaf.Index]
	}
	// screen measures data coverage and blanks the enterprises below the
	// program's minimum, so that they weigh in no later statistic.
	var screened []int
	screen := func() error {
		cov, err := composite.Coverage(cols, r.N)
		if err != nil {
			return fmt.Errorf("scoring: coverage: %w", err)
		}
		r.Coverage = cov
		for i, c := range cov {
			if pl.Coverage > 0 && r.Eligible[i] && c < pl.Coverage {
				screened = append(screened, i)
			}
		}
		blank(cols, screened)
		return nil
	}
	if pl.Screen != "after" {
		if err := screen(); err != nil {
			return err
		}
	}
	groups, ngroups := r.groups(pl.Impute.Group)
	r.Composite = make([]LeafReport, len(leaves))
	var mu sync.Mutex
	var firstErr error
	fail := func(leaf *program.NodeInfo, err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = fmt.Errorf("scoring: %s (%s): %w", leaf.Path, leaf.ID, err)
		}
	}
	forEach(len(leaves), workers, func(k int) {
		col := cols[k]
		rep := &r.Composite[k]
		rep.Node = leaves[k].ID
		var err error
		switch pl.Impute.Method {
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
			fail(leaves[k], err)
		}
	})
	if firstErr != nil {
		return firstErr
	}
	if pl.Screen == "after" {
		if err := screen(); err != nil {
			return err
		}
	} else {
		// Imputation filled the screened-out rows too: blank them again.
		blank(cols, screened)
	}
	forEach(len(leaves), workers, func(k int) {
		leaf := leaves[k]
		col := cols[k]
		o := pl.Outliers
		switch o.Method {
		case "winsorise":
			fb := o.Fallback
			if fb == "" {
				fb = "log"
			}
			rep, err := composite.TreatOutliers(col, composite.OutlierOptions{
				MaxWinsorise: o.MaxWinsorise, SkewThreshold: o.SkewThreshold,
				KurtosisThreshold: o.KurtosisThreshold, Fallback: fb,
			})
			if err != nil {
				fail(leaf, err)
				return
			}
			r.Composite[k].Outliers = rep
		case "log":
			composite.LogTransform(col)
			r.Composite[k].Outliers.LogTransformed = true
		}
		if err := normalise(col, pl.Normalise, leaf); err != nil {
			fail(leaf, err)
		}
	})
	return firstErr
}

// blank sets rows to missing in every column.
func blank(cols [][]float64, rows []int) {
	for _, col := range cols {
		for _, i := range rows {
			col[i] = math.NaN()
		}
	}
}

func normalise(col []float64, n program.Normalise, leaf *program.NodeInfo) error {
	dir := leaf.Direction
	switch n.Method {
	case "", "minmax":
		return composite.MinMax(col, n.Low, n.High, dir)
	case "zscore":
		return composite.ZScore(col, n.Mean, n.SD, dir)
	case "rank":
		return composite.Rank(col, dir)
	case "percentile":
		return composite.PercentRank(col, dir)
	case "goalposts":
		return composite.Goalposts(col, leaf.Goalposts[0], leaf.Goalposts[1], n.Scale, n.Trunc, dir)
	case "target":
		c := math.Inf(1)
		if n.Cap != nil {
			c = *n.Cap
		}
		return composite.DistanceToTarget(col, *leaf.Target, c, dir)
	}
	return fmt.Errorf("unknown normalisation %q", n.Method)
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
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				f(k)
			}
		}()
	}
	for k := 0; k < n; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
}
