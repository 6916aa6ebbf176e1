package composite

import (
	"fmt"
	"math"
)

// ImputeMean replaces, in place, every missing value of col with the mean
// of its non-missing values (COINr's i_mean) and returns how many it
// replaced. A column with no values at all is left as it is (0 replaced).
func ImputeMean(col []float64) int {
	return fill(col, Mean(col))
}

// ImputeMedian replaces, in place, every missing value of col with the
// median of its non-missing values (COINr's i_median) and returns how many
// it replaced. A column with no values at all is left as it is.
func ImputeMedian(col []float64) int {
	missing := len(col) - Count(col)
	if missing == 0 {
		return 0
	}
	return fill(col, Median(col))
}

func fill(col []float64, v float64) int {
	if v != v {
		return 0
	}
	n := 0
	for i, x := range col {
		if x != x {
			col[i] = v
			n++
		}
	}
	return n
}

// checkGroups validates the grouping of units used by the group
// imputations: groups[i] is unit i's group in [0, ngroups), or -1 for a
// unit without group.
func checkGroups(col []float64, groups []int32, ngroups int) error {
	if len(groups) != len(col) {
		return fmt.Errorf("group imputation: %d group entries for %d units", len(groups), len(col))
	}
	if ngroups < 0 || ngroups > math.MaxInt32 {
		return fmt.Errorf("group imputation: number of groups must be between 0 and %d, got %d", math.MaxInt32, ngroups)
	}
	return nil
}

func badGroup(i int, g int32, ngroups int) error {
	if ngroups == 0 {
		return fmt.Errorf("group imputation: unit %d has group %d; with no groups every unit must have -1 (none)", i, g)
	}
	return fmt.Errorf("group imputation: unit %d has group %d; groups must be -1 (none) or 0..%d", i, g, ngroups-1)
}

// ImputeGroupMean replaces, in place, each missing value of col with the
// mean of the non-missing values of the unit's group (COINr's i_mean_grp)
// and returns how many it replaced. groups[i] is the group of unit i, in
// [0, ngroups), or -1 for none. A unit without group, or whose group has no
// values for this indicator, keeps its NaN (COINr likewise skips units with
// an NA group and leaves NaN for an empty group). The error reports a
// groups slice of the wrong length or a group index out of range; col is
// then unchanged. One pass for the group sums, which also notes where the
// missing values are; only when more than 1 in 32 are missing does filling
// them take a second pass (over the stretch from the first to the last).
func ImputeGroupMean(col []float64, groups []int32, ngroups int) (int, error) {
	n, _, err := imputeGroupMean(col, groups, ngroups, nil, nil)
	return n, err
}

// sketch asks imputeGroupMean for the power sums Σ (x − c)ʲ of the column
// after imputation, about a centre c chosen beforehand (see guessCentre),
// so that the outlier test needs no pass of its own.
type sketch struct {
	c  float64
	ps powerSums
}

// imputeGroupMean is ImputeGroupMean that also returns the count and sum
// of the column's non-missing values after imputation, learnt on the way,
// and, when ex is not nil, collects the column's extreme values (imputed
// ones included) into ex in the same pass, and when sk is not nil its
// power sums about sk.c.
func imputeGroupMean(col []float64, groups []int32, ngroups int, ex *extremes, sk *sketch) (int, tally, error) {
	if err := checkGroups(col, groups, ngroups); err != nil {
		return 0, tally{}, err
	}
	// Slot u = group+1 of each bank; slot 0 collects units without group.
	w := ngroups + 1
	acc := make([]groupAcc, 2*w)
	// Room to note where the missing values are when they are few (up to
	// 1 in 32), so that filling them needs no second pass.
	var pos []int32
	if len(col) <= math.MaxInt32 {
		pos = make([]int32, len(col)/32+8)
	}
	var gs groupScan
	var err error
	if sk != nil {
		gs, sk.ps, err = sumByGroupPowers(col, groups[:len(col)], uint32(ngroups), acc[:w], acc[w:], pos, ex, sk.c)
	} else {
		gs, err = sumByGroup(col, groups[:len(col)], uint32(ngroups), acc[:w], acc[w:], pos, ex)
	}
	if err != nil {
		return 0, tally{}, err
	}
	var t tally
	means := make([]float64, w)
	for u := range w {
		a, b := acc[u], acc[w+u]
		t.n += a.n + b.n
		t.sum += a.sum + b.sum
		means[u] = math.NaN()
		if n := a.n + b.n; n > 0 && u > 0 {
			means[u] = (a.sum + b.sum) / float64(n)
		}
	}
	// means[0] stays NaN: a unit without group has nothing to impute with.
	if gs.missing == 0 {
		return 0, t, nil
	}
	var imputed int
	var added float64
	if gs.missing <= len(pos) {
		for _, i := range pos[:gs.missing] {
			m := means[groups[i]+1]
			col[i] = m
			if m == m {
				imputed++
				added += m
			}
		}
	} else {
		imputed, added = fillGroups(col[gs.first:gs.last+1], groups[gs.first:gs.last+1], means)
	}
	t.n += imputed
	t.sum += added
	if imputed > 0 && (ex != nil || sk != nil) {
		// The imputed values join the extremes and the power sums: so
		// many copies of each group's mean.
		for u := 1; u < w; u++ {
			a, b := acc[u], acc[w+u]
			m, k := means[u], a.missing+b.missing
			if m != m || k == 0 {
				continue
			}
			if ex != nil {
				ex.add(m, k)
			}
			if sk != nil {
				y, n := m-sk.c, float64(k)
				y2 := y * y
				sk.ps.s1 += n * y
				sk.ps.s2 += n * y2
				sk.ps.s3 += n * y2 * y
				sk.ps.s4 += n * y2 * y2
			}
		}
	}
	return imputed, t, nil
}

// tally is the count and sum of a column's non-missing values, passed
// from one step to the next so that the next need not count again.
type tally struct {
	n   int
	sum float64
}

// groupAcc accumulates one group's non-missing values, and counts its
// missing ones.
type groupAcc struct {
	sum        float64
	n, missing int
}

type groupScan struct {
	missing, first, last int
}

// sumByGroup adds each non-missing value of col into bank0 or bank1
// (alternating by unit, so that neighbours of the same group do not wait
// on each other's store) at slot groups[i]+1, validating the groups;
// counts the missing values per group, notes the first len(pos) of them in
// pos and where they start and end; and feeds ex, if not nil, the values
// at or beyond its thresholds.
func sumByGroup(col []float64, groups []int32, ng uint32, bank0, bank1 []groupAcc, pos []int32, ex *extremes) (groupScan, error) {
	gs := groupScan{first: len(col)}
	// Without ex the thresholds let nothing through.
	lo, hi := math.Inf(-1), math.Inf(1)
	if ex != nil {
		lo, hi = ex.lo, ex.hi
	}
	i := 0
	for ; i+2 <= len(col); i += 2 {
		c := col[i : i+2 : i+2]
		g := groups[i : i+2 : i+2]
		u0, u1 := uint32(g[0]+1), uint32(g[1]+1)
		if u0 > ng || u1 > ng {
			break // reported below
		}
		if v := c[0]; v == v {
			a := &bank0[u0]
			a.sum += v
			a.n++
			if v <= lo || v >= hi {
				ex.add(v, 1)
				lo, hi = ex.lo, ex.hi
			}
		} else {
			bank0[u0].missing++
			gs.note(i, pos)
		}
		if v := c[1]; v == v {
			a := &bank1[u1]
			a.sum += v
			a.n++
			if v <= lo || v >= hi {
				ex.add(v, 1)
				lo, hi = ex.lo, ex.hi
			}
		} else {
			bank1[u1].missing++
			gs.note(i+1, pos)
		}
	}
	for ; i < len(col); i++ {
		u := uint32(groups[i] + 1)
		if u > ng {
			return gs, badGroup(i, groups[i], int(ng))
		}
		if v := col[i]; v == v {
			a := &bank0[u]
			a.sum += v
			a.n++
			if v <= lo || v >= hi {
				ex.add(v, 1)
				lo, hi = ex.lo, ex.hi
			}
		} else {
			bank0[u].missing++
			gs.note(i, pos)
		}
	}
	return gs, nil
}

// sumByGroupPowers is sumByGroup that also sums the powers of the
// non-missing values about c. (A separate loop, so that plain imputation
// does not pay for it.)
func sumByGroupPowers(col []float64, groups []int32, ng uint32, bank0, bank1 []groupAcc, pos []int32, ex *extremes, c float64) (groupScan, powerSums, error) {
	gs := groupScan{first: len(col)}
	lo, hi := math.Inf(-1), math.Inf(1)
	if ex != nil {
		lo, hi = ex.lo, ex.hi
	}
	var s1, s2, s3, s4 float64
	for i, v := range col {
		u := uint32(groups[i] + 1)
		if u > ng {
			return gs, powerSums{}, badGroup(i, groups[i], int(ng))
		}
		// Alternate banks by unit, as sumByGroup does.
		a := &bank0[u]
		if i&1 == 1 {
			a = &bank1[u]
		}
		if v == v {
			a.sum += v
			a.n++
			y := v - c
			y2 := y * y
			s1 += y
			s2 += y2
			s3 += y2 * y
			s4 += y2 * y2
			if v <= lo || v >= hi {
				ex.add(v, 1)
				lo, hi = ex.lo, ex.hi
			}
		} else {
			a.missing++
			gs.note(i, pos)
		}
	}
	return gs, powerSums{s1, s2, s3, s4}, nil
}

func (gs *groupScan) note(i int, pos []int32) {
	if gs.missing < len(pos) {
		pos[gs.missing] = int32(i)
	}
	gs.missing++
	gs.first, gs.last = min(gs.first, i), i
}

// fillGroups replaces NaN at unit i with means[groups[i]+1] and returns
// how many values it made non-missing and their sum. groups are already
// validated.
func fillGroups(col []float64, groups []int32, means []float64) (int, float64) {
	n, sum := 0, 0.0
	groups = groups[:len(col)]
	for i, x := range col {
		if x != x {
			m := means[groups[i]+1]
			col[i] = m
			if m == m {
				n++
				sum += m
			}
		}
	}
	return n, sum
}

// ImputeGroupMedian is ImputeGroupMean with the group's median instead of
// its mean (COINr's i_median_grp). It allocates one copy of the
// non-missing values to select the medians from.
func ImputeGroupMedian(col []float64, groups []int32, ngroups int) (int, error) {
	if err := checkGroups(col, groups, ngroups); err != nil {
		return 0, err
	}
	groups = groups[:len(col)]
	w := ngroups + 1
	// Counting sort of the values by group: start[u] is where group u's
	// values begin in buf.
	start := make([]int, w+1)
	missing := 0
	for i, v := range col {
		g := groups[i]
		u := uint32(g + 1)
		if u > uint32(ngroups) {
			return 0, badGroup(i, g, ngroups)
		}
		if v == v {
			start[u+1]++
		} else {
			missing++
		}
	}
	if missing == 0 {
		return 0, nil
	}
	for u := 1; u <= w; u++ {
		start[u] += start[u-1]
	}
	buf := make([]float64, start[w])
	next := make([]int, w)
	copy(next, start[:w])
	for i, v := range col {
		if v == v {
			u := groups[i] + 1
			buf[next[u]] = v
			next[u]++
		}
	}
	medians := make([]float64, w)
	medians[0] = math.NaN()
	for u := 1; u < w; u++ {
		medians[u] = medianInPlace(buf[start[u]:start[u+1]])
	}
	n, _ := fillGroups(col, groups, medians)
	return n, nil
}

// Coverage returns, for each of n units, the fraction of the indicators in
// cols (indicator-major: cols[k][i] is indicator k of unit i) that are not
// missing. With no indicators every unit's coverage is 0. The error reports
// a column whose length is not n.
func Coverage(cols [][]float64, n int) ([]float64, error) {
	if n < 0 {
		return nil, fmt.Errorf("coverage: number of units must be ≥ 0, got %d", n)
	}
	for k, c := range cols {
		if len(c) != n {
			return nil, fmt.Errorf("coverage: indicator %d has %d values for %d units", k, len(c), n)
		}
	}
	cov := make([]float64, n)
	if len(cols) == 0 {
		return cov, nil
	}
	for _, c := range cols {
		c = c[:len(cov)]
		for i, v := range c {
			if v == v {
				cov[i]++
			}
		}
	}
	k := float64(len(cols))
	for i := range cov {
		cov[i] /= k // division, so that k of k present is exactly 1
	}
	return cov, nil
}

// Screen returns which of n units to keep — those whose Coverage is at
// least minFraction, as COINr's Screen with dat_thresh — and the coverage
// itself. minFraction must be in [0, 1].
func Screen(cols [][]float64, n int, minFraction float64) (keep []bool, coverage []float64, err error) {
	if !(minFraction >= 0 && minFraction <= 1) {
		return nil, nil, fmt.Errorf("screening: minimum data fraction must be between 0 and 1, got %v", minFraction)
	}
	coverage, err = Coverage(cols, n)
	if err != nil {
		return nil, nil, err
	}
	keep = make([]bool, n)
	for i, c := range coverage {
		keep[i] = c >= minFraction
	}
	return keep, coverage, nil
}
