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
		return fmt.Errorf("group imputation: number of groups must be ≥ 0, got %d", ngroups)
	}
	return nil
}

func badGroup(i int, g int32, ngroups int) error {
	return fmt.Errorf("group imputation: unit %d has group %d; groups must be -1 (none) or 0..%d", i, g, ngroups-1)
}

// ImputeGroupMean replaces, in place, each missing value of col with the
// mean of the non-missing values of the unit's group (COINr's i_mean_grp)
// and returns how many it replaced. groups[i] is the group of unit i, in
// [0, ngroups), or -1 for none. A unit without group, or whose group has no
// values for this indicator, keeps its NaN (COINr likewise skips units with
// an NA group and leaves NaN for an empty group). The error reports a
// groups slice of the wrong length or a group index out of range; col is
// then unchanged.
func ImputeGroupMean(col []float64, groups []int32, ngroups int) (int, error) {
	if err := checkGroups(col, groups, ngroups); err != nil {
		return 0, err
	}
	groups = groups[:len(col)]
	// Four banks of accumulators, chosen by unit index, so that units of
	// the same group in a row do not wait on each other's store. Slot 0 of
	// each bank collects units without group (index -1 + 1).
	const banks = 4
	w := ngroups + 1
	sums := make([]float64, banks*w)
	cnts := make([]int, banks*w)
	ng := uint32(ngroups)
	missing := 0
	i := 0
	for ; i+banks <= len(col); i += banks {
		for b := range banks {
			v, g := col[i+b], groups[i+b]
			u := uint32(g + 1)
			if u > ng {
				return 0, badGroup(i+b, g, ngroups)
			}
			if v == v {
				sums[b*w+int(u)] += v
				cnts[b*w+int(u)]++
			} else {
				missing++
			}
		}
	}
	for ; i < len(col); i++ {
		v, g := col[i], groups[i]
		u := uint32(g + 1)
		if u > ng {
			return 0, badGroup(i, g, ngroups)
		}
		if v == v {
			sums[int(u)] += v
			cnts[int(u)]++
		} else {
			missing++
		}
	}
	if missing == 0 {
		return 0, nil
	}
	means := make([]float64, w)
	for u := 1; u < w; u++ {
		s, c := 0.0, 0
		for b := range banks {
			s += sums[b*w+u]
			c += cnts[b*w+u]
		}
		means[u] = math.NaN()
		if c > 0 {
			means[u] = s / float64(c)
		}
	}
	means[0] = math.NaN() // no group: nothing to impute with
	return fillGroups(col, groups, means), nil
}

// fillGroups replaces NaN at unit i with means[groups[i]+1] and counts the
// values it made non-missing. groups are already validated.
func fillGroups(col []float64, groups []int32, means []float64) int {
	n := 0
	for i, x := range col {
		if x != x {
			m := means[groups[i]+1]
			col[i] = m
			if m == m {
				n++
			}
		}
	}
	return n
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
	return fillGroups(col, groups, medians), nil
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
