package composite

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Normalisation functions work in place on one column and keep missing
// values missing. direction is +1 (higher is better) or −1 (lower is
// better): as COINr does, a −1 column is multiplied by −1 first, so its
// lowest raw value scores best. Goalposts and DistanceToTarget instead take
// their parameters in the indicator's own units and reverse the formula,
// as COINr's n_goalposts and n_dist2targ do.

func checkDirection(method string, direction int) error {
	if direction != 1 && direction != -1 {
		return fmt.Errorf("%s: direction must be 1 (higher is better) or -1 (lower is better), got %d", method, direction)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// MinMax rescales col in place onto [low, high] (COINr's n_minmax):
// (x − min)/(max − min)·(high − low) + low, after multiplying by
// direction, so the best value maps to high and the worst to low (up to
// rounding). low and high must be finite with low < high.
//
// If every non-missing value is equal the range is 0 and COINr divides 0
// by 0: each non-missing value becomes NaN. We keep that on purpose: an
// indicator that does not discriminate carries no information, and as NaN
// the aggregation skips it for every unit alike, sharing its weight among
// the unit's other indicators, rather than handing every unit an arbitrary
// score such as the midpoint. Callers that want another rule can check
// Extent first.
func MinMax(col []float64, low, high float64, direction int) error {
	if err := checkDirection("min-max normalisation", direction); err != nil {
		return err
	}
	if !finite(low) || !finite(high) || !(low < high) || math.IsInf(high-low, 0) {
		return fmt.Errorf("min-max normalisation: need finite low < high, got low %v, high %v", low, high)
	}
	lo, hi, n := Extent(col)
	minMaxKnown(col, lo, hi, n, low, high, direction)
	return nil
}

// minMaxKnown is MinMax on valid parameters, given the column's extent and
// count of non-missing values.
func minMaxKnown(col []float64, lo, hi float64, n int, low, high float64, direction int) {
	if n == 0 {
		return
	}
	d := float64(direction)
	if direction < 0 {
		lo, hi = -hi, -lo
	}
	r := hi - lo
	if r == 0 {
		setPresent(col, math.NaN())
		return
	}
	if math.IsInf(r, 0) {
		// The range overflows float64: scale halves instead.
		k := (high - low) / (hi/2 - lo/2)
		for i, v := range col {
			col[i] = (v*d/2-lo/2)*k + low
		}
		return
	}
	k := (high - low) / r
	for i, v := range col {
		col[i] = (v*d-lo)*k + low // NaN stays NaN
	}
}

// setPresent sets every non-missing value of col to v.
func setPresent(col []float64, v float64) {
	for i, x := range col {
		if x == x {
			col[i] = v
		}
	}
}

// ZScore standardises col in place to mean m and standard deviation s
// (COINr's n_zscore with m_sd = c(m, s)): (x − mean)/sd·s + m, after
// multiplying by direction, with the sample sd (n−1). m must be finite and
// s finite and positive. With fewer than two values, or all values equal,
// sd is NaN or 0 and, as in COINr, every non-missing value becomes NaN.
func ZScore(col []float64, m, s float64, direction int) error {
	if err := checkDirection("z-score normalisation", direction); err != nil {
		return err
	}
	if !finite(m) || !finite(s) || !(s > 0) {
		return fmt.Errorf("z-score normalisation: need a finite mean and a positive standard deviation, got mean %v, sd %v", m, s)
	}
	mean, sd := Mean(col), SD(col)
	if !(sd > 0) || math.IsInf(sd, 0) {
		setPresent(col, math.NaN())
		return nil
	}
	d := float64(direction)
	mean *= d
	k := s / sd
	for i, v := range col {
		col[i] = (v*d-mean)*k + m
	}
	return nil
}

// sortedPresent returns the non-missing values of col multiplied by
// direction, with their unit indices, sorted ascending by value.
func sortedPresent(col []float64, direction int) []rankItem {
	items := make([]rankItem, 0, Count(col))
	d := float64(direction)
	for i, v := range col {
		if v == v {
			items = append(items, rankItem{v: v * d, i: i})
		}
	}
	slices.SortFunc(items, func(a, b rankItem) int { return cmp.Compare(a.v, b.v) })
	return items
}

type rankItem struct {
	v float64
	i int
}

// Rank replaces col in place by the rank of each value (COINr's n_rank,
// which is R's rank(x, ties.method = "min", na.last = "keep")): the
// smallest value of x·direction gets 1, tied values share the lowest rank
// of their group and the next value skips ("sport" ranking: 1, 2, 2, 4).
// Missing values stay missing. With direction −1 the largest value gets
// rank 1, which is how COINr ranks results (rank(-x, ties.method = "min")).
// It sorts once: O(n log n) time and one allocation of n pairs.
func Rank(col []float64, direction int) error {
	if err := checkDirection("rank normalisation", direction); err != nil {
		return err
	}
	items := sortedPresent(col, direction)
	assignMinRanks(col, items, func(r int) float64 { return float64(r) })
	return nil
}

// assignMinRanks writes f(rank) for each sorted item, ties sharing the
// lowest rank of their group.
func assignMinRanks(col []float64, items []rankItem, f func(rank int) float64) {
	rank := 0
	for j, it := range items {
		if j == 0 || it.v != items[j-1].v {
			rank = j + 1
		}
		col[it.i] = f(rank)
	}
}

// PercentRank replaces col in place by percentile ranks (COINr's n_prank):
// (rank − 1)/(count − 1), with rank as in Rank (ties "min") and count the
// number of non-missing values, so the worst value scores 0 and the best
// 1. Missing values stay missing. A single value scores NaN (0/0, as in
// COINr).
func PercentRank(col []float64, direction int) error {
	if err := checkDirection("percentile-rank normalisation", direction); err != nil {
		return err
	}
	items := sortedPresent(col, direction)
	den := float64(len(items) - 1)
	assignMinRanks(col, items, func(r int) float64 { return float64(r-1) / den })
	return nil
}

// Goalposts rescales col in place between two goalposts given in the
// indicator's own units (COINr's n_goalposts with gposts = c(lo, hi,
// scale)): with direction 1 the score is (x − lo)/(hi − lo), with
// direction −1 it is (hi − x)/(hi − lo), so the better goalpost always
// scores 1. When trunc is true scores are truncated to [0, 1]. The score
// is then multiplied by scale (COINr also negates the scale for
// direction −1, giving negative scores; we do not). lo < hi and a
// positive scale are required, all finite.
func Goalposts(col []float64, lo, hi, scale float64, trunc bool, direction int) error {
	if err := checkDirection("goalposts normalisation", direction); err != nil {
		return err
	}
	if !finite(lo) || !finite(hi) || !(lo < hi) {
		return fmt.Errorf("goalposts normalisation: need finite goalposts with low < high, got low %v, high %v", lo, hi)
	}
	if !finite(scale) || !(scale > 0) {
		return fmt.Errorf("goalposts normalisation: scale must be a positive number, got %v", scale)
	}
	// score = (x − base)·k, then truncated and scaled.
	base, k := lo, 1/(hi-lo)
	if direction < 0 {
		base, k = hi, -k
	}
	if math.IsInf(k, 0) || k == 0 {
		return fmt.Errorf("goalposts normalisation: goalposts %v and %v are too close or too far apart", lo, hi)
	}
	for i, v := range col {
		y := (v - base) * k
		if trunc {
			// min/max would turn NaN into a bound: keep missing missing.
			if y < 0 {
				y = 0
			} else if y > 1 {
				y = 1
			}
		}
		col[i] = y * scale
	}
	return nil
}

// DistanceToTarget scores col in place by its distance to a target given in
// the indicator's own units (COINr 1.1's n_dist2targ): with direction 1,
// (x − min)/(target − min), so the column minimum scores 0 and the target
// 1; with direction −1, (max − x)/(max − target), so the maximum scores 0
// and the (low) target 1. min and max are over the non-missing values.
// Scores above cap are set to cap: cap = 1 is COINr's cap_max = TRUE
// (nothing beyond the target earns more), cap = +Inf is cap_max = FALSE.
// A target on the wrong side of the data (below min with direction 1,
// above max with −1) gives negative scores, as in COINr, which warns.
//
// The target must be finite and differ from min (direction 1) or max
// (direction −1), else every score would be infinite; cap must be
// positive (+Inf allowed). An all-missing column is left as it is.
func DistanceToTarget(col []float64, target, cap float64, direction int) error {
	if err := checkDirection("distance-to-target normalisation", direction); err != nil {
		return err
	}
	if !finite(target) {
		return fmt.Errorf("distance-to-target normalisation: target must be a number, got %v", target)
	}
	if math.IsNaN(cap) || !(cap > 0) {
		return fmt.Errorf("distance-to-target normalisation: cap must be positive (1 caps at the target, +Inf for none), got %v", cap)
	}
	lo, hi, n := Extent(col)
	if n == 0 {
		return nil
	}
	// score = (x − base)·k
	base, den := lo, target-lo
	if direction < 0 {
		base, den = hi, hi-target
	}
	k := 1 / den
	if math.IsInf(k, 0) || k == 0 || math.IsNaN(k) {
		which := "minimum"
		if direction < 0 {
			which = "maximum"
		}
		return fmt.Errorf("distance-to-target normalisation: target %v is the indicator's %s (%v), so distances cannot be scaled", target, which, base)
	}
	k *= float64(direction)
	for i, v := range col {
		y := (v - base) * k
		if y > cap {
			y = cap
		}
		col[i] = y
	}
	return nil
}
