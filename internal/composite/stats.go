package composite

import "math"

// Count returns the number of non-missing (non-NaN) values in col.
func Count(col []float64) int {
	n := 0
	for _, v := range col {
		if v == v {
			n++
		}
	}
	return n
}

// Extent returns the smallest and largest non-missing values of col and how
// many non-missing values there are. With no values it returns NaN, NaN, 0.
func Extent(col []float64) (lo, hi float64, n int) {
	s := scan(col)
	return s.min, s.max, s.n
}

// Mean returns the arithmetic mean of the non-missing values of col, or NaN
// when there are none (including an empty column).
func Mean(col []float64) float64 {
	n, sum := sumCount(col)
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// SD returns the sample standard deviation (denominator n−1, as R's sd) of
// the non-missing values of col. It is NaN with fewer than two values and 0
// when all values are equal.
func SD(col []float64) float64 {
	n, sum := sumCount(col)
	if n < 2 {
		return math.NaN()
	}
	mo, _ := momentsFrom(col, tally{n, sum}, false)
	return math.Sqrt(mo.m2*float64(n)/float64(n-1)) / mo.inv
}

// Median returns the median of the non-missing values of col (the mean of
// the two middle values when their number is even, as R's median), or NaN
// when there are none. It does not modify col; it copies the values once
// and selects in linear expected time.
func Median(col []float64) float64 {
	buf := make([]float64, 0, Count(col))
	for _, v := range col {
		if v == v {
			buf = append(buf, v)
		}
	}
	return medianInPlace(buf)
}

// Skew returns the bias-adjusted sample skewness G1 of the non-missing
// values of col — √(n(n−1))/(n−2) · m3/m2^{3/2}, with mᵢ the central
// moments over n — which is COINr's skew(), e1071's type 2 and Excel's
// SKEW. It is NaN with fewer than three values or when all values are
// equal (COINr stops with an error in the first case and returns NaN in
// the second).
func Skew(col []float64) float64 {
	return columnMoments(col).skew()
}

// Kurtosis returns the bias-adjusted sample excess kurtosis G2 of the
// non-missing values of col — (n−1)/((n−2)(n−3)) · ((n+1)·m4/m2² −
// 3(n−1)) — which is COINr's kurt(), e1071's type 2 and Excel's KURT. It
// is NaN with fewer than four values or when all values are equal.
func Kurtosis(col []float64) float64 {
	return columnMoments(col).kurt()
}

// summary is what one pass over a column learns.
type summary struct {
	n        int
	sum      float64
	min, max float64
}

func (s summary) mean() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return s.sum / float64(s.n)
}

// scan makes one pass over col for count, sum, min and max of the
// non-missing values.
func scan(col []float64) summary {
	if s, ok := scanDense(col); ok {
		return s
	}
	return scanSparse(col)
}

// scanDense is scan for a column without missing values — the common case
// once imputation has run: no test per value, four partial sums to keep
// the adds independent. It reports false if it met a NaN (the sum turned
// NaN), and the caller starts again with scanSparse.
func scanDense(col []float64) (summary, bool) {
	if len(col) == 0 {
		return summary{min: math.NaN(), max: math.NaN()}, true
	}
	lo, hi := col[0], col[0]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(col); i += 4 {
		c := col[i : i+4 : i+4]
		v0, v1, v2, v3 := c[0], c[1], c[2], c[3]
		s0 += v0
		s1 += v1
		s2 += v2
		s3 += v3
		// Comparisons with NaN are false: a missing value never becomes
		// min or max, and the NaN sum sends us to scanSparse anyway.
		if v0 < lo {
			lo = v0
		}
		if v0 > hi {
			hi = v0
		}
		if v1 < lo {
			lo = v1
		}
		if v1 > hi {
			hi = v1
		}
		if v2 < lo {
			lo = v2
		}
		if v2 > hi {
			hi = v2
		}
		if v3 < lo {
			lo = v3
		}
		if v3 > hi {
			hi = v3
		}
	}
	for ; i < len(col); i++ {
		v := col[i]
		s0 += v
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	sum := (s0 + s1) + (s2 + s3)
	if sum != sum || lo != lo {
		return summary{}, false
	}
	return summary{n: len(col), sum: sum, min: lo, max: hi}, true
}

// scanSparse is scan for a column with missing values.
func scanSparse(col []float64) summary {
	s := summary{min: math.NaN(), max: math.NaN()}
	i := 0
	// Find the first value so that min and max start from a real value
	// and the main loop needs no "first" flag.
	for ; i < len(col); i++ {
		if v := col[i]; v == v {
			s.min, s.max = v, v
			break
		}
	}
	lo, hi, sum, n := s.min, s.max, 0.0, 0
	for _, v := range col[i:] {
		if v == v {
			sum += v
			n++
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
	}
	s.n, s.sum, s.min, s.max = n, sum, lo, hi
	return s
}

// moments holds the central moments m2, m3, m4 (over n) of a column's
// values y = x·inv − c (skewness and kurtosis do not depend on the shift
// and scale), and the power sums they came from: sj = Σ yʲ. Normally
// inv = 1 and c is the mean; values too large to raise to the fourth power
// are scaled by the range.
type moments struct {
	n              int
	m2, m3, m4     float64
	c, inv         float64
	s1, s2, s3, s4 float64
	constant       bool // every value is equal (checked exactly)
}

// columnMoments computes the central moments of the non-missing values of
// col in two passes.
func columnMoments(col []float64) moments {
	n, sum := sumCount(col)
	mo, _ := momentsFrom(col, tally{n, sum}, false)
	return mo
}

// extent is a column's smallest and largest non-missing values, when known.
type extent struct {
	lo, hi float64
	known  bool
}

// momentsFrom computes the central moments of col given the count and sum
// of its non-missing values: usually one pass, which also finds the
// column's extent when asked (two comparisons per value).
func momentsFrom(col []float64, t tally, wantExtent bool) (moments, extent) {
	if t.n == 0 {
		nan := math.NaN()
		return moments{m2: nan, m3: nan, m4: nan}, extent{lo: nan, hi: nan, known: true}
	}
	mean := t.sum / float64(t.n)
	if !math.IsInf(mean, 0) {
		mo, ext := momentsAbout(col, t.n, mean, 1, wantExtent)
		if mo.s4 < math.MaxFloat64 && (mo.s4 > 0x1p-900 || mo.constant) {
			return mo, ext
		}
	}
	// (x − mean)⁴ overflowed, or underflowed for tiny values, or the sum
	// overflowed: divide by the range first.
	s := scan(col)
	ext := extent{lo: s.min, hi: s.max, known: true}
	if !(s.max > s.min) {
		return moments{n: t.n, inv: 1, constant: true}, ext
	}
	inv := 1 / (s.max - s.min)
	if math.IsInf(inv, 0) || inv == 0 {
		inv = math.Ldexp(1, -math.Ilogb(s.max-s.min))
	}
	var scaled float64
	for _, v := range col {
		if v == v {
			scaled += v * inv
		}
	}
	mo, _ := momentsAbout(col, t.n, scaled/float64(t.n), inv, false)
	return mo, ext
}

// momentsAbout makes the pass for the power sums of y = x·inv − c over the
// n non-missing values of col, and for its extent if asked.
func momentsAbout(col []float64, n int, c, inv float64, wantExtent bool) (moments, extent) {
	var ps powerSums
	var ext extent
	switch {
	case n == len(col) && inv == 1 && !wantExtent:
		// No missing value, no scaling: the common case.
		ps = densePowerSums(col, c)
	case n == len(col) && inv == 1 && n > 0:
		ps, ext.lo, ext.hi = densePowerSumsExtent(col, c)
		ext.known = true
	default:
		ps, ext.lo, ext.hi = sparsePowerSums(col, c, inv)
		ext.known = n > 0
	}
	mo := moments{n: n, c: c, inv: inv, s1: ps.s1, s2: ps.s2, s3: ps.s3, s4: ps.s4}
	mo.m2, mo.m3, mo.m4 = centralFromShifted(float64(n), ps.s1, ps.s2, ps.s3, ps.s4)
	if mo.m2 <= 1e-6*(ps.s2/float64(n)) {
		// The spread is at the level of the mean's rounding error: check
		// exactly whether every value is equal (zero variance, NaN
		// statistics), as a real spread this small is noise anyway.
		if s := scan(col); s.max == s.min {
			mo.m2, mo.m3, mo.m4 = 0, 0, 0
			mo.constant = true
		}
	}
	return mo, ext
}

// powerSums are Σ yʲ for j = 1..4.
type powerSums struct{ s1, s2, s3, s4 float64 }

// The three loops below are separate functions, each small enough for
// the compiler to keep every sum in a register.

func densePowerSums(col []float64, c float64) powerSums {
	var s1, s2, s3, s4 float64
	for _, v := range col {
		y := v - c
		y2 := y * y
		s1 += y
		s2 += y2
		s3 += y2 * y
		s4 += y2 * y2
	}
	return powerSums{s1, s2, s3, s4}
}

func densePowerSumsExtent(col []float64, c float64) (powerSums, float64, float64) {
	var s1, s2, s3, s4 float64
	lo, hi := col[0], col[0]
	for _, v := range col {
		y := v - c
		y2 := y * y
		s1 += y
		s2 += y2
		s3 += y2 * y
		s4 += y2 * y2
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return powerSums{s1, s2, s3, s4}, lo, hi
}

func sparsePowerSums(col []float64, c, inv float64) (powerSums, float64, float64) {
	var s1, s2, s3, s4 float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range col {
		if v == v {
			y := v*inv - c
			y2 := y * y
			s1 += y
			s2 += y2
			s3 += y2 * y
			s4 += y2 * y2
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
	}
	return powerSums{s1, s2, s3, s4}, lo, hi
}

// sumCount returns the number and the sum of the non-missing values of
// col: four partial sums and no test per value unless it meets a NaN.
func sumCount(col []float64) (int, float64) {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(col); i += 4 {
		c := col[i : i+4 : i+4]
		s0 += c[0]
		s1 += c[1]
		s2 += c[2]
		s3 += c[3]
	}
	for ; i < len(col); i++ {
		s0 += col[i]
	}
	sum := (s0 + s1) + (s2 + s3)
	if sum == sum {
		return len(col), sum
	}
	n := 0
	sum = 0
	for _, v := range col {
		if v == v {
			sum += v
			n++
		}
	}
	return n, sum
}

// centralFromShifted turns power sums of y = x − c (for any centre c) into
// central moments over n. When c is the computed mean, s1 is only rounding
// error and this is R's two-pass correction.
func centralFromShifted(n, s1, s2, s3, s4 float64) (m2, m3, m4 float64) {
	d := s1 / n
	a2, a3, a4 := s2/n, s3/n, s4/n
	d2 := d * d
	m2 = a2 - d2
	m3 = a3 - 3*d*a2 + 2*d2*d
	m4 = a4 - 4*d*a3 + 6*d2*a2 - 3*d2*d2
	if m2 < 0 {
		m2 = 0
	}
	return m2, m3, m4
}

func (mo moments) skew() float64 {
	if mo.n < 3 || !(mo.m2 > 0) {
		return math.NaN()
	}
	n := float64(mo.n)
	return math.Sqrt(n*(n-1)) / (n - 2) * mo.m3 / (mo.m2 * math.Sqrt(mo.m2))
}

func (mo moments) kurt() float64 {
	if mo.n < 4 || !(mo.m2 > 0) {
		return math.NaN()
	}
	n := float64(mo.n)
	r := mo.m4 / (mo.m2 * mo.m2)
	return (n - 1) / ((n - 2) * (n - 3)) * ((n+1)*r - 3*(n-1))
}

// guessCentre returns the median of up to 15 values of col taken at even
// intervals: a cheap centre for power sums taken in the same pass as the
// mean, close enough to the mean (a few standard deviations at worst) for
// the sums to keep their digits; momentsFromSketch checks that it was.
func guessCentre(col []float64) float64 {
	var sample [15]float64
	k := 0
	step := max(1, len(col)/len(sample))
	for i := 0; i < len(col) && k < len(sample); i += step {
		if v := col[i]; v == v {
			sample[k] = v
			k++
		}
	}
	if k == 0 {
		return 0
	}
	return medianInPlace(sample[:k])
}

// momentsFromSketch turns power sums about a guessed centre into moments,
// or computes them afresh (momentsFrom) when the guess was too far from
// the mean (more than 3 standard deviations), the sums over- or
// underflowed, or the spread is at rounding level.
func momentsFromSketch(col []float64, t tally, c float64, ps powerSums) moments {
	if t.n > 0 {
		n := float64(t.n)
		mo := moments{n: t.n, c: c, inv: 1, s1: ps.s1, s2: ps.s2, s3: ps.s3, s4: ps.s4}
		mo.m2, mo.m3, mo.m4 = centralFromShifted(n, ps.s1, ps.s2, ps.s3, ps.s4)
		d := ps.s1 / n
		if ps.s4 < math.MaxFloat64 && ps.s4 > 0x1p-900 && d*d <= 9*mo.m2 && mo.m2 > 1e-6*(ps.s2/n) {
			return mo
		}
	}
	mo, _ := momentsFrom(col, t, false)
	return mo
}
