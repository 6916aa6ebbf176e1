package composite

import (
	"math"
	"slices"
)

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
	return scan(col).mean()
}

// SD returns the sample standard deviation (denominator n−1, as R's sd) of
// the non-missing values of col. It is NaN with fewer than two values and 0
// when all values are equal.
func SD(col []float64) float64 {
	s := scan(col)
	if s.n < 2 {
		return math.NaN()
	}
	m := s.mean()
	var ss, sd float64
	for _, v := range col {
		if v == v {
			d := v - m
			sd += d
			ss += d * d
		}
	}
	// The correction term removes the rounding error of m (as R does).
	n := float64(s.n)
	ss -= sd * sd / n
	if ss < 0 {
		ss = 0
	}
	return math.Sqrt(ss / (n - 1))
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
	s := scan(col)
	return centralMoments(col, s).skew()
}

// Kurtosis returns the bias-adjusted sample excess kurtosis G2 of the
// non-missing values of col — (n−1)/((n−2)(n−3)) · ((n+1)·m4/m2² −
// 3(n−1)) — which is COINr's kurt(), e1071's type 2 and Excel's KURT. It
// is NaN with fewer than four values or when all values are equal.
func Kurtosis(col []float64) float64 {
	s := scan(col)
	return centralMoments(col, s).kurt()
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

// moments holds the central moments m2, m3, m4 (over n) of a column, in
// units of scale (skewness and kurtosis do not depend on the unit).
type moments struct {
	n          int
	m2, m3, m4 float64
}

// centralMoments makes the second pass over col, given its summary. Values
// are centred on the mean and divided by the range before being raised to
// powers, so that large values do not overflow.
func centralMoments(col []float64, s summary) moments {
	mo := moments{n: s.n}
	if s.n == 0 {
		mo.m2, mo.m3, mo.m4 = math.NaN(), math.NaN(), math.NaN()
		return mo
	}
	mean := s.mean()
	inv := 1 / (s.max - s.min)
	if s.max == s.min {
		return mo // all equal: every central moment is 0
	}
	var s1, s2, s3, s4 float64
	for _, v := range col {
		if v == v {
			y := (v - mean) * inv
			y2 := y * y
			s1 += y
			s2 += y2
			s3 += y2 * y
			s4 += y2 * y2
		}
	}
	mo.m2, mo.m3, mo.m4 = centralFromShifted(float64(s.n), s1, s2, s3, s4)
	return mo
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

// medianInPlace returns the median of buf (which holds no NaN), reordering
// it. NaN when buf is empty.
func medianInPlace(buf []float64) float64 {
	n := len(buf)
	if n == 0 {
		return math.NaN()
	}
	k := n / 2
	hi := selectKth(buf, k)
	if n%2 == 1 {
		return hi
	}
	// After selection everything left of k is ≤ buf[k]: the lower middle
	// value is the largest of them.
	lo := buf[0]
	for _, v := range buf[1:k] {
		if v > lo {
			lo = v
		}
	}
	return lo + (hi-lo)/2
}

// selectKth reorders a so that a[k] is the value that would be there if a
// were sorted, with everything before it ≤ a[k] and everything after ≥ a[k]
// (Hoare's quickselect with a median-of-three pivot). If the partitioning
// goes badly it sorts the remaining range, so the worst case stays
// O(n log n).
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	budget := 2 * (bitsLen(len(a)) + 1)
	for hi > lo {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(a[lo : hi+1])
			return a[k]
		}
		budget--
		mid := lo + (hi-lo)/2
		// median of three into a[mid]
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		// Now a[lo..j] ≤ p ≤ a[i..hi], and a[j+1..i-1] == p.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

func bitsLen(n int) int {
	b := 0
	for n > 0 {
		b++
		n >>= 1
	}
	return b
}
