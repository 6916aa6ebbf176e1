package composite

import (
	"fmt"
	"math"
	"slices"
)

// Fallback treatments for an indicator that winsorisation cannot fix.
const (
	FallbackLog  = "log"  // COINr's log_CT on the original values
	FallbackNone = "none" // keep the winsorised values as they are
)

// MaxWinsoriseLimit bounds OutlierOptions.MaxWinsorise. Winsorisation is
// meant for a handful of outliers; the cost of planning it grows with the
// square of the limit.
const MaxWinsoriseLimit = 1000

// OutlierOptions configures TreatOutliers. The zero value is not valid;
// start from DefaultOutlierOptions.
type OutlierOptions struct {
	// MaxWinsorise is the most points winsorised per indicator (COINr's
	// winmax), at most MaxWinsoriseLimit. 0 skips winsorisation and goes
	// straight to the fallback.
	MaxWinsorise int
	// An indicator fails when |skewness| ≥ SkewThreshold and kurtosis ≥
	// KurtosisThreshold (COINr's skew_thresh, kurt_thresh).
	SkewThreshold, KurtosisThreshold float64
	// Fallback is applied when winsorisation up to MaxWinsorise points
	// still fails: FallbackLog ("log", also the meaning of "") or
	// FallbackNone ("none").
	Fallback string
}

// DefaultOutlierOptions returns COINr's defaults: winmax 5, skew_thresh 2,
// kurt_thresh 3.5, f2 "log_CT".
func DefaultOutlierOptions() OutlierOptions {
	return OutlierOptions{MaxWinsorise: 5, SkewThreshold: 2, KurtosisThreshold: 3.5, Fallback: FallbackLog}
}

func (o OutlierOptions) validate() error {
	if o.MaxWinsorise < 0 || o.MaxWinsorise > MaxWinsoriseLimit {
		return fmt.Errorf("outlier treatment: the most points to winsorise must be between 0 and %d (COINr uses 5), got %d", MaxWinsoriseLimit, o.MaxWinsorise)
	}
	if !(o.SkewThreshold > 0) || math.IsInf(o.SkewThreshold, 0) {
		return fmt.Errorf("outlier treatment: skewness threshold must be a positive number (COINr uses 2), got %v", o.SkewThreshold)
	}
	if math.IsNaN(o.KurtosisThreshold) || math.IsInf(o.KurtosisThreshold, 0) {
		return fmt.Errorf("outlier treatment: kurtosis threshold must be a number (COINr uses 3.5), got %v", o.KurtosisThreshold)
	}
	switch o.Fallback {
	case "", FallbackLog, FallbackNone:
	default:
		return fmt.Errorf("outlier treatment: fallback must be %q or %q, got %q", FallbackLog, FallbackNone, o.Fallback)
	}
	return nil
}

// fails is COINr's check_SkewKurt negated. NaN statistics (too few values,
// no spread) never fail, as COINr then returns the column untreated.
func (o OutlierOptions) fails(skew, kurt float64) bool {
	return math.Abs(skew) >= o.SkewThreshold && kurt >= o.KurtosisThreshold
}

// OutlierReport says what TreatOutliers did to one indicator.
type OutlierReport struct {
	// Failed: the indicator failed the skewness/kurtosis test before
	// treatment. When false nothing else happened.
	Failed bool
	// Winsorised is how many points were winsorised in the returned
	// column (COINr's nwin); WinsorisedLow and WinsorisedHigh are their
	// unit indices, ascending, raised to the low cap and lowered to the
	// high cap respectively. All zero when the log fallback was used,
	// since it starts again from the original values.
	Winsorised                    int
	WinsorisedLow, WinsorisedHigh []int
	// LogTransformed: winsorisation could not fix the indicator and the
	// log fallback replaced it.
	LogTransformed bool
	// Statistics before and after treatment (equal when not Failed). They
	// are NaN for a column with too few values or no spread.
	SkewBefore, KurtBefore, SkewAfter, KurtAfter float64
}

// TreatOutliers applies, in place, COINr's default outlier treatment
// (Treat with winsorise, check_SkewKurt and log_CT) to one indicator:
//
//  1. The indicator fails when |skewness| ≥ SkewThreshold and kurtosis ≥
//     KurtosisThreshold (bias-adjusted G1 and G2, see Skew and Kurtosis).
//     A passing indicator is not touched.
//  2. A failing one is winsorised step by step: if skewness ≥ 0 every
//     point at the current maximum is replaced by the next lower value,
//     otherwise every point at the current minimum by the next higher
//     value. After each step the count of winsorised points is that of
//     the points moved on the high side plus those moved on the low side
//     (ties move together and count individually), and the test is
//     repeated; the loop stops when it passes or the count reaches
//     MaxWinsorise.
//  3. If it still fails, Fallback "log" discards the winsorisation and
//     applies LogTransform to the original values; "none" keeps the
//     winsorised values.
//
// Missing values are ignored and stay missing. A column with fewer than
// four values, or all values equal, has NaN statistics and passes
// untouched, as in COINr (which returns such a column untreated). If
// winsorisation makes every value equal the statistics become NaN and the
// loop stops there (COINr would stop with an error). Winsorisation only
// copies values already present and the log transform of finite values is
// finite, so the result holds no infinity.
//
// Cost: two passes over the column for a passing indicator. A failing one
// takes two more passes to find its extreme values and the moments of the
// rest, after which each winsorisation step is evaluated without touching
// the column, then one pass to apply the result (or three for the log).
//
// The error reports invalid options; col is then unchanged.
func TreatOutliers(col []float64, opt OutlierOptions) (OutlierReport, error) {
	if err := opt.validate(); err != nil {
		return OutlierReport{}, err
	}
	s := scan(col)
	mo := centralMoments(col, s)
	sk, ku := mo.skew(), mo.kurt()
	rep := OutlierReport{SkewBefore: sk, KurtBefore: ku, SkewAfter: sk, KurtAfter: ku}
	if !opt.fails(sk, ku) {
		return rep, nil
	}
	rep.Failed = true
	if opt.MaxWinsorise > 0 {
		p := planWinsorise(col, s, sk, opt)
		if p.passes || opt.Fallback == FallbackNone {
			p.apply(col, &rep)
			return rep, nil
		}
	}
	if opt.Fallback == FallbackNone {
		return rep, nil
	}
	logCT(col, s.min, s.max)
	s = scan(col)
	mo = centralMoments(col, s)
	rep.LogTransformed = true
	rep.SkewAfter, rep.KurtAfter = mo.skew(), mo.kurt()
	return rep, nil
}

// LogTransform applies, in place, COINr's "log_CT" transform
// log(x − min + 0.01·(max − min)) to the non-missing values of col (min
// and max over the non-missing values); missing values stay missing. The
// smallest value maps to log(0.01·range), so the result is finite. A
// column whose values are all equal (where COINr would give −Inf) is set
// to 0 instead, keeping it constant and finite.
func LogTransform(col []float64) {
	s := scan(col)
	logCT(col, s.min, s.max)
}

func logCT(col []float64, lo, hi float64) {
	r := hi - lo
	if math.IsInf(r, 1) {
		// The range overflows float64: work with quarters (so that the
		// shifted maximum plus 1 % cannot overflow either) and add log 4.
		a := 0.01 * (hi/4 - lo/4)
		for i, v := range col {
			col[i] = math.Log((v/4-lo/4)+a) + 2*math.Ln2
		}
		return
	}
	a := 0.01 * r
	if !(a > 0) {
		// No spread (or so little that 1 % of it underflows to 0).
		for i, v := range col {
			if v == v {
				col[i] = 0
			}
		}
		return
	}
	for i, v := range col {
		col[i] = math.Log(v - lo + a) // NaN stays NaN
	}
}

// valCount is a distinct value and how many units have it.
type valCount struct {
	v float64
	n int
}

// winsorPlan simulates COINr's winsorisation without touching the column.
//
// Winsorising is clamping: after any sequence of steps every value is
// min(max(x, t[lo]), t[hi]) for two of the column's distinct values. At
// most MaxWinsorise steps are taken and each moves at least one distinct
// value, so only the MaxWinsorise+1 smallest and largest distinct values
// (t) can ever become caps or be moved. The values strictly between them
// (the core) never change, so their power sums are taken once, about a
// fixed centre c; the moments after each step combine them with the
// tracked values in O(len(t)).
type winsorPlan struct {
	t      []valCount // tracked distinct values, ascending
	lo, hi int        // current caps, indices into t

	n, nc          float64 // all values, core values
	c, inv         float64 // centre and 1/range used for the core sums
	s1, s2, s3, s4 float64 // Σ ((x−c)·inv)^j over the core

	nLow, nHigh int // points raised to t[lo], lowered to t[hi]
	passes      bool
	skew, kurt  float64
}

func planWinsorise(col []float64, s summary, skew float64, opt OutlierOptions) *winsorPlan {
	// Each step moves at least one point, so no more than n steps happen
	// whatever MaxWinsorise says (and we must not allocate for it).
	k := min(opt.MaxWinsorise, s.n) + 1
	bot, top := collectExtremes(col, k)
	p := &winsorPlan{n: float64(s.n), inv: 1 / (s.max - s.min)}
	p.t = make([]valCount, 0, len(bot)+len(top))
	p.t = append(p.t, bot...)
	for j := len(top) - 1; j >= 0; j-- {
		// When the two sets overlap the column has at most 2k distinct
		// values and bot already holds every value up to its largest.
		if top[j].v > p.t[len(p.t)-1].v {
			p.t = append(p.t, top[j])
		}
	}
	tracked, trackedSum := 0, 0.0
	for _, e := range p.t {
		tracked += e.n
		trackedSum += float64(e.n) * e.v
	}
	if core := s.n - tracked; core > 0 {
		a, b := bot[len(bot)-1].v, top[len(top)-1].v
		p.c = (s.sum - trackedSum) / float64(core)
		if math.IsNaN(p.c) || math.IsInf(p.c, 0) || p.c <= a || p.c >= b {
			p.c = a + (b-a)/2
		}
		p.coreSums(col, a, b)
	}
	p.lo, p.hi = 0, len(p.t)-1

	// COINr's loop: while failing and nwin < winmax.
	sk, ku := skew, math.NaN()
	for p.nLow+p.nHigh < opt.MaxWinsorise && p.hi > p.lo {
		if sk >= 0 {
			cnt := 0
			for _, e := range p.t[p.hi:] {
				cnt += e.n
			}
			p.hi--
			p.nHigh = cnt
		} else {
			cnt := 0
			for _, e := range p.t[:p.lo+1] {
				cnt += e.n
			}
			p.lo++
			p.nLow = cnt
		}
		mo := p.moments()
		sk, ku = mo.skew(), mo.kurt()
		if nearThreshold(sk, ku, opt) {
			// Decide as exactly as a fresh two-pass computation would.
			mo = clampedMoments(col, p.t[p.lo].v, p.t[p.hi].v)
			sk, ku = mo.skew(), mo.kurt()
		}
		if !opt.fails(sk, ku) {
			p.passes = true
			break
		}
	}
	p.skew, p.kurt = sk, ku
	return p
}

// nearThreshold reports statistics so close to a threshold that the
// rounding of the incremental moments might decide the test.
func nearThreshold(sk, ku float64, opt OutlierOptions) bool {
	const eps = 1e-9
	return math.Abs(math.Abs(sk)-opt.SkewThreshold) <= eps*math.Max(1, opt.SkewThreshold) ||
		math.Abs(ku-opt.KurtosisThreshold) <= eps*math.Max(1, math.Abs(opt.KurtosisThreshold))
}

// collectExtremes returns the k smallest distinct values of col, ascending,
// and the k largest, descending, each with its exact count. A value that
// is in a list at the end was never evicted (the list's threshold only
// tightens), so none of its occurrences was missed.
func collectExtremes(col []float64, k int) (bot, top []valCount) {
	if k > 32 {
		// Inserting into long lists would cost O(n·k) on sorted data.
		return sortedExtremes(col, k)
	}
	bot = make([]valCount, 0, k+1)
	top = make([]valCount, 0, k+1)
	for _, v := range col {
		if v != v {
			continue
		}
		if len(top) < k || v >= top[len(top)-1].v {
			top = insertCount(top, v, k, true)
		}
		if len(bot) < k || v <= bot[len(bot)-1].v {
			bot = insertCount(bot, v, k, false)
		}
	}
	return bot, top
}

// sortedExtremes is collectExtremes by sorting a copy of the values.
func sortedExtremes(col []float64, k int) (bot, top []valCount) {
	v := make([]float64, 0, len(col))
	for _, x := range col {
		if x == x {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	var all []valCount
	for _, x := range v {
		if len(all) > 0 && all[len(all)-1].v == x {
			all[len(all)-1].n++
		} else {
			all = append(all, valCount{v: x, n: 1})
		}
	}
	bot = slices.Clone(all[:min(k, len(all))])
	top = slices.Clone(all[max(0, len(all)-k):])
	slices.Reverse(top)
	return bot, top
}

// insertCount counts v in a, a list of at most k distinct values sorted
// descending (desc) or ascending, inserting it if new and dropping the
// last entry if the list grows beyond k.
func insertCount(a []valCount, v float64, k int, desc bool) []valCount {
	j := 0
	if desc {
		for j < len(a) && a[j].v > v {
			j++
		}
	} else {
		for j < len(a) && a[j].v < v {
			j++
		}
	}
	if j < len(a) && a[j].v == v {
		a[j].n++
		return a
	}
	a = slices.Insert(a, j, valCount{v: v, n: 1})
	if len(a) > k {
		a = a[:k]
	}
	return a
}

// coreSums takes the power sums of the values strictly between a and b.
func (p *winsorPlan) coreSums(col []float64, a, b float64) {
	c, inv := p.c, p.inv
	var n, s1, s2, s3, s4 float64
	for _, v := range col {
		if v > a && v < b { // false for NaN
			y := (v - c) * inv
			y2 := y * y
			n++
			s1 += y
			s2 += y2
			s3 += y2 * y
			s4 += y2 * y2
		}
	}
	p.nc, p.s1, p.s2, p.s3, p.s4 = n, s1, s2, s3, s4
}

// moments returns the central moments of the column clamped to the current
// caps, in units of 1/inv.
func (p *winsorPlan) moments() moments {
	lo, hi := p.lo, p.hi
	if hi <= lo {
		// The caps met: only possible when every value was tracked (no
		// core), and then every value is equal.
		return moments{n: int(p.n)}
	}
	capped := func(k int) float64 {
		return (p.t[min(max(k, lo), hi)].v - p.c) * p.inv
	}
	sum := p.s1
	for k, e := range p.t {
		sum += float64(e.n) * capped(k)
	}
	d := sum / p.n
	d2 := d * d
	nc := p.nc
	m2 := p.s2 - 2*d*p.s1 + nc*d2
	m3 := p.s3 - 3*d*p.s2 + 3*d2*p.s1 - nc*d2*d
	m4 := p.s4 - 4*d*p.s3 + 6*d2*p.s2 - 4*d2*d*p.s1 + nc*d2*d2
	for k, e := range p.t {
		y := capped(k) - d
		y2 := y * y
		w := float64(e.n)
		m2 += w * y2
		m3 += w * y2 * y
		m4 += w * y2 * y2
	}
	return moments{n: int(p.n), m2: max(m2/p.n, 0), m3: m3 / p.n, m4: m4 / p.n}
}

// clampedMoments computes, in two passes, the central moments of col with
// every value clamped to [lo, hi], without modifying col.
func clampedMoments(col []float64, lo, hi float64) moments {
	var n int
	var sum float64
	for _, v := range col {
		if v == v {
			sum += min(max(v, lo), hi)
			n++
		}
	}
	mo := moments{n: n}
	if n == 0 || hi <= lo {
		return mo
	}
	mean := sum / float64(n)
	inv := 1 / (hi - lo)
	var s1, s2, s3, s4 float64
	for _, v := range col {
		if v == v {
			y := (min(max(v, lo), hi) - mean) * inv
			y2 := y * y
			s1 += y
			s2 += y2
			s3 += y2 * y
			s4 += y2 * y2
		}
	}
	mo.m2, mo.m3, mo.m4 = centralFromShifted(float64(n), s1, s2, s3, s4)
	return mo
}

// apply clamps col to the planned caps and records the result in rep.
func (p *winsorPlan) apply(col []float64, rep *OutlierReport) {
	rep.SkewAfter, rep.KurtAfter = p.skew, p.kurt
	rep.Winsorised = p.nLow + p.nHigh
	if rep.Winsorised == 0 {
		return
	}
	low, high := p.t[p.lo].v, p.t[p.hi].v
	rep.WinsorisedLow = make([]int, 0, p.nLow)
	rep.WinsorisedHigh = make([]int, 0, p.nHigh)
	for i, v := range col {
		if v < low {
			col[i] = low
			rep.WinsorisedLow = append(rep.WinsorisedLow, i)
		} else if v > high {
			col[i] = high
			rep.WinsorisedHigh = append(rep.WinsorisedHigh, i)
		}
	}
}
