package composite

import (
	"fmt"
	"math"
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
// takes one more to find its extreme values (two when a few far outliers
// dominate the moments); each winsorisation step is then evaluated
// without touching the column, and one pass applies the result, or the
// log fallback in one pass that also yields the statistics after. (Within
// PrepareIndicator the first passes are shared with imputation.)
//
// The error reports invalid options; col is then unchanged.
func TreatOutliers(col []float64, opt OutlierOptions) (OutlierReport, error) {
	if err := opt.validate(); err != nil {
		return OutlierReport{}, err
	}
	n, sum := sumCount(col)
	rep, _ := treatOutliers(col, opt, tally{n, sum}, nil, nil, false)
	return rep, nil
}

// treatOutliers is TreatOutliers on valid options, given the column's
// count and sum and, if ex is not nil, its extremes (at least
// MaxWinsorise+1 on each side, or the extent alone). It also returns the
// extent of the treated column (always when wantExtent, else when it comes
// for free).
//
// pre, if not nil, are the column's moments already computed on the way
// (see sketch); a decision that close to a threshold is taken again on
// moments computed afresh.
func treatOutliers(col []float64, opt OutlierOptions, t tally, ex *extremes, pre *moments, wantExtent bool) (OutlierReport, extent) {
	var mo moments
	var ext extent
	switch {
	case pre != nil:
		mo = *pre
	case ex != nil:
		mo, _ = momentsFrom(col, t, false)
	default:
		mo, ext = momentsFrom(col, t, wantExtent)
	}
	if (pre != nil || ex != nil) && nearThreshold(mo.skew(), mo.kurt(), opt) {
		// Moments learnt on the way differ from TreatOutliers' own in the
		// last bits: so close to a threshold, decide on exactly those.
		n, sum := sumCount(col)
		mo, _ = momentsFrom(col, tally{n, sum}, false)
	}
	if ex != nil {
		ext = ex.extent()
	} else if wantExtent && !ext.known {
		s := scan(col)
		ext = extent{lo: s.min, hi: s.max, known: true}
	}
	sk, ku := mo.skew(), mo.kurt()
	rep := OutlierReport{SkewBefore: sk, KurtBefore: ku, SkewAfter: sk, KurtAfter: ku}
	if !opt.fails(sk, ku) {
		return rep, ext
	}
	rep.Failed = true
	var lo, hi float64
	if opt.MaxWinsorise > 0 {
		var bot, top []valCount
		if ex != nil && ex.k > opt.MaxWinsorise {
			bot, top = ex.bot, ex.top
		}
		p := planWinsorise(col, mo, sk, opt, bot, top)
		if p.passes || opt.Fallback == FallbackNone {
			p.apply(col, &rep)
			return rep, extent{lo: p.t[p.lo].v, hi: p.t[p.hi].v, known: true}
		}
		lo, hi = p.min, p.max
	} else {
		if opt.Fallback == FallbackNone {
			return rep, ext
		}
		if !ext.known {
			s := scan(col)
			ext = extent{lo: s.min, hi: s.max, known: true}
		}
		lo, hi = ext.lo, ext.hi
	}
	lr := logCT(col, lo, hi, t.sum/float64(t.n))
	mo = logMoments(col, t.n, lr)
	rep.LogTransformed = true
	rep.SkewAfter, rep.KurtAfter = mo.skew(), mo.kurt()
	return rep, lr.ext
}

// LogTransform applies, in place, COINr's "log_CT" transform
// log(x − min + 0.01·(max − min)) to the non-missing values of col (min
// and max over the non-missing values); missing values stay missing. The
// smallest value maps to log(0.01·range), so the result is finite. A
// column whose values are all equal (where COINr would give −Inf) is set
// to 0 instead, keeping it constant and finite. The logarithm is lnFast,
// within 5e-16 of math.Log.
func LogTransform(col []float64) {
	s := scan(col)
	logCT(col, s.min, s.max, s.mean())
}

// logMoments turns the power sums of a log transform into moments. They
// are about a centre guessed before the pass; if it was far from the mean
// (more than 3 standard deviations, costing digits) or the sums are not
// usable, it makes the exact pass instead.
func logMoments(col []float64, n int, lr logResult) moments {
	if !lr.psOK {
		mo, _ := momentsFrom(col, tally{n, lr.sum}, false)
		return mo
	}
	return momentsFromSketch(col, tally{n, lr.sum}, lr.c, lr.ps)
}

// logResult is what logCT learns about the transformed values: their sum
// and extent and, when ps is valid, their power sums about c.
type logResult struct {
	sum  float64
	ext  extent
	ps   powerSums
	c    float64
	psOK bool
}

// logCT applies log_CT given the column's min and max (and mean, as a
// centre for the power sums) in one pass that also sums the transformed
// values, their extent and their powers, so that their skewness and
// kurtosis need no further pass. The logarithm is lnFast, written out in
// the loop.
func logCT(col []float64, lo, hi, mean float64) logResult {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
	)
	r := hi - lo
	res := logResult{ext: extent{lo: math.Inf(1), hi: math.Inf(-1), known: true}}
	if math.IsInf(r, 1) {
		// The range overflows float64: work with quarters (so that the
		// shifted maximum plus 1 % cannot overflow either) and add log 4.
		a := 0.01 * (hi/4 - lo/4)
		for i, v := range col {
			y := lnFast((v/4-lo/4)+a) + 2*math.Ln2
			col[i] = y
			if y == y {
				res.sum += y
				res.ext.lo, res.ext.hi = min(res.ext.lo, y), max(res.ext.hi, y)
			}
		}
		return res
	}
	a := 0.01 * r
	if !(a > 0) {
		// No spread (or so little that 1 % of it underflows to 0).
		setPresent(col, 0)
		res.ext.lo, res.ext.hi = 0, 0
		return res
	}
	c := lnFast(mean - lo + a) // near the mean of the logs (Jensen: above it)
	if !finite(c) {
		c = 0
	}
	var sum, s1, s2, s3, s4 float64
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for i, v := range col {
		x := v - lo + a
		b := math.Float64bits(x)
		e := b >> 52
		var y float64
		if e-1 < 2046 { // positive, normal, finite: lnFast inline
			k := float64(int(e) - 1023)
			m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
			t := &lnTable[(b>>(52-lnTableBits))&(1<<lnTableBits-1)]
			r := m*t.inv - 1
			r2 := r * r
			p := r + r2*((-1.0/2+r*(1.0/3))+r2*(-1.0/4+r*(1.0/5)))
			y = k*ln2Hi + (k*ln2Lo + t.ln + p)
		} else {
			y = lnFast(x) // subnormal; NaN stays NaN
			if y != y {
				col[i] = y
				continue
			}
		}
		col[i] = y
		sum += y
		if y < ylo {
			ylo = y
		}
		if y > yhi {
			yhi = y
		}
		z := y - c
		z2 := z * z
		s1 += z
		s2 += z2
		s3 += z2 * z
		s4 += z2 * z2
	}
	res.sum, res.ext.lo, res.ext.hi = sum, ylo, yhi
	res.ps, res.c, res.psOK = powerSums{s1, s2, s3, s4}, c, true
	return res
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

	min, max       float64 // of the column
	n, nc          float64 // all values, core values
	c, inv         float64 // y = x·inv − c for the sums
	s1, s2, s3, s4 float64 // Σ yʲ over the core

	nLow, nHigh int // points raised to t[lo], lowered to t[hi]
	passes      bool
	skew, kurt  float64
}

// planWinsorise takes the column's full moments mo (which failed) and
// plays COINr's winsorisation loop on the tracked values: bot and top, the
// column's MaxWinsorise+1 (or more) smallest and largest distinct values,
// collected here if nil.
func planWinsorise(col []float64, mo moments, skew float64, opt OutlierOptions, bot, top []valCount) *winsorPlan {
	if bot == nil {
		// Each step moves at least one point, so no more than n steps
		// happen whatever MaxWinsorise says (and we must not allocate for
		// it).
		bot, top = collectExtremes(col, min(opt.MaxWinsorise, mo.n)+1)
	}
	p := &winsorPlan{n: float64(mo.n), min: bot[0].v, max: top[0].v, c: mo.c, inv: mo.inv}
	p.t = make([]valCount, 0, len(bot)+len(top))
	p.t = append(p.t, bot...)
	for j := len(top) - 1; j >= 0; j-- {
		// When the two sets overlap the column has at most 2k distinct
		// values and bot already holds every value up to its largest.
		if top[j].v > p.t[len(p.t)-1].v {
			p.t = append(p.t, top[j])
		}
	}
	p.coreFromFull(col, mo, bot[len(bot)-1].v, top[len(top)-1].v)
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

// coreFromFull sets the core's power sums — the values strictly between a
// and b, which winsorisation never moves. Usually they are the column's
// sums minus those of the tracked values, without touching the column
// again. When the tracked values dominate the sums (far outliers) that
// subtraction would lose too many digits, and one more pass sums the core
// directly, about its own mean.
func (p *winsorPlan) coreFromFull(col []float64, mo moments, a, b float64) {
	tracked := 0
	var t1, t2, t3, t4 float64
	for _, e := range p.t {
		tracked += e.n
		y := e.v*p.inv - p.c
		w, y2 := float64(e.n), y*y
		t1 += w * y
		t2 += w * y2
		t3 += w * y2 * y
		t4 += w * y2 * y2
	}
	core := mo.n - tracked
	if core <= 0 {
		// Every value is tracked: no core sums. Centre on 0 so that the
		// mean is summed from the values themselves.
		p.c = 0
		return
	}
	p.nc = float64(core)
	c2, c4 := mo.s2-t2, mo.s4-t4
	if c2 > 0 && c4 > 0 && mo.s2 <= 100*c2 && mo.s4 <= 100*c4 {
		p.s1, p.s2, p.s3, p.s4 = mo.s1-t1, c2, mo.s3-t3, c4
		return
	}
	// Centre on the core's mean (in y units) and sum the core itself.
	p.c += (mo.s1 - t1) / p.nc
	if !(p.c >= a*p.inv && p.c <= b*p.inv) {
		p.c = (a + (b-a)/2) * p.inv
	}
	c, inv := p.c, p.inv
	var n, s1, s2, s3, s4 float64
	for _, v := range col {
		if v > a && v < b { // false for NaN
			y := v*inv - c
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

// nearThreshold reports statistics so close to a threshold that the
// rounding of the incremental moments might decide the test.
func nearThreshold(sk, ku float64, opt OutlierOptions) bool {
	const eps = 1e-9
	return math.Abs(math.Abs(sk)-opt.SkewThreshold) <= eps*math.Max(1, opt.SkewThreshold) ||
		math.Abs(ku-opt.KurtosisThreshold) <= eps*math.Max(1, math.Abs(opt.KurtosisThreshold))
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
		return p.t[min(max(k, lo), hi)].v*p.inv - p.c
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
	// The tracked values are centred on the mean in their own units, so
	// that close values keep their digits (x − mean is exact for x near
	// the mean) as in a fresh two-pass computation.
	mean := (p.c + d) / p.inv
	for k, e := range p.t {
		y := (p.t[min(max(k, lo), hi)].v - mean) * p.inv
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
