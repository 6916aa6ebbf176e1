package composite

import (
	"math"
	"slices"
)

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

// logPos is math.Log, also correct for subnormal arguments: Go's amd64
// math.Log is off by tens for them (golang/go#56600), for example
// log(5e-324) = -709.09 instead of -744.44.
func logPos(v float64) float64 {
	if v > 0 && v < 0x1p-1022 {
		fr, e := math.Frexp(v)
		return math.Log(fr) + float64(e)*math.Ln2
	}
	return math.Log(v)
}

// lnFast is the natural logarithm for the bulk transforms (LogTransform,
// Geometric), nearly three times as fast as math.Log here: the mantissa m
// is split as c·(1 + r) with c the centre of one of 256 intervals of
// [1, 2), so that |r| ≤ 1/512 and log1p(r) needs only a fifth-degree
// series (evaluated by Estrin's scheme) and no division. Its error is
// under 5e-16 absolute for results within ±1 and 5e-16 relative beyond.
// Non-positive, infinite and NaN arguments go to math.Log.
func lnFast(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // ln 2 in 32 bits: k·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	)
	if !(x > 0 && x <= math.MaxFloat64) {
		return math.Log(x)
	}
	b := math.Float64bits(x)
	e := int(b >> 52)
	if e == 0 { // subnormal: scale into the normal range first
		b = math.Float64bits(x * 0x1p54)
		e = int(b>>52) - 54
	}
	k := float64(e - 1023)
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52) // in [1, 2)
	c := &lnTable[(b>>(52-lnTableBits))&(1<<lnTableBits-1)]
	r := m*c.inv - 1
	r2 := r * r
	p := r + r2*((-1.0/2+r*(1.0/3))+r2*(-1.0/4+r*(1.0/5)))
	return k*ln2Hi + (k*ln2Lo + c.ln + p)
}

const lnTableBits = 8

// lnTable holds, for each interval j of [1, 2), 1/c and log c with
// c = 1 + (j + ½)/256. It is computed once and never written again.
var lnTable = func() (t [1 << lnTableBits]struct{ inv, ln float64 }) {
	for j := range t {
		inv := 1 / (1 + (float64(j)+0.5)/(1<<lnTableBits))
		// log m = log1p(m·inv − 1) − log inv, whatever inv's rounding.
		t[j].inv, t[j].ln = inv, -math.Log(inv)
	}
	return t
}()
