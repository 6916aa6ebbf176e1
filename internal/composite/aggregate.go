package composite

import (
	"fmt"
	"math"
)

// The aggregation functions combine children columns (children[k][i] is
// child k of unit i) into out with relative weights (weights[k] for child
// k; they need not sum to 1). As COINr does by default (na.rm = TRUE), a
// unit's missing children are skipped and the weights of its present
// children renormalised; a unit with no present child — or whose present
// children all have weight 0 — gets NaN.
//
// out must have the length of every child. It may be one of the children:
// the units are processed in blocks and each block is written only after
// it has been read. On error the contents of out are unspecified and must
// not be used; the children are not modified (except, of course, a child
// that is also out).
//
// names, where accepted, are the children's names for error messages
// (nil, or an empty name, gives "child k").

// aggBlock is how many units are combined at a time: the running sums of
// a block live on the stack and stay in L1 while each child streams by.
const aggBlock = 256

// minRelWeight is the smallest positive weight accepted, relative to the
// largest: below it the scaled weight would lose precision or underflow.
const minRelWeight = 0x1p-1000

// prepareWeights validates the arguments and returns the weights scaled to
// sum to 1.
func prepareWeights(method string, out []float64, children [][]float64, weights []float64, names []string) ([]float64, error) {
	if len(children) == 0 {
		return nil, fmt.Errorf("%s: no children to aggregate", method)
	}
	if len(weights) != len(children) {
		return nil, fmt.Errorf("%s: %d weights for %d children", method, len(weights), len(children))
	}
	if names != nil && len(names) != len(children) {
		return nil, fmt.Errorf("%s: %d names for %d children", method, len(names), len(children))
	}
	maxw := 0.0
	for k, c := range children {
		if len(c) != len(out) {
			return nil, fmt.Errorf("%s: %s has %d values, the output %d", method, childName(names, k), len(c), len(out))
		}
		w := weights[k]
		if !finite(w) || w < 0 {
			return nil, fmt.Errorf("%s: the weight of %s must be a number ≥ 0, got %v", method, childName(names, k), w)
		}
		maxw = max(maxw, w)
	}
	if maxw == 0 {
		return nil, fmt.Errorf("%s: every weight is 0", method)
	}
	// Divide by the largest weight first so that the sum cannot overflow.
	nw := make([]float64, len(weights))
	sum := 0.0
	for k, w := range weights {
		nw[k] = w / maxw
		if w > 0 && nw[k] < minRelWeight {
			return nil, fmt.Errorf("%s: the weight of %s (%v) is too small next to the largest weight (%v) to compute with", method, childName(names, k), w, maxw)
		}
		sum += nw[k]
	}
	for k := range nw {
		nw[k] /= sum
	}
	return nw, nil
}

func childName(names []string, k int) string {
	if k < len(names) && names[k] != "" {
		return fmt.Sprintf("%q", names[k])
	}
	return fmt.Sprintf("child %d", k)
}

// firstBad returns an error for the lowest unit in [start, end), then the
// lowest child, whose non-missing value fails ok.
func firstBad(children [][]float64, names []string, start, end int, ok func(float64) bool, msg string) error {
	for i := start; i < end; i++ {
		for k, c := range children {
			if v := c[i]; v == v && !ok(v) {
				return fmt.Errorf("%s: unit %d has %v in %s", msg, i, v, childName(names, k))
			}
		}
	}
	return fmt.Errorf("%s", msg) // not reached: the caller saw a bad value
}

// Arithmetic sets out to the weighted arithmetic mean of the children
// (COINr's a_amean): Σ wₖxₖ / Σ wₖ over the unit's present children. Any
// finite values are allowed. The error reports mismatched lengths or a
// weight that is negative or not a number, or all weights 0.
//
// The weighted sums are accumulated without looking for missing values;
// the few units whose sum came out NaN (a missing child), zero or tiny
// are then redone one by one with the missing children skipped and the
// values scaled.
func Arithmetic(out []float64, children [][]float64, weights []float64) error {
	nw, err := prepareWeights("arithmetic mean", out, children, weights, nil)
	if err != nil {
		return err
	}
	total := 0.0
	for _, w := range nw {
		total += w
	}
	var acc [aggBlock]float64
	for start := 0; start < len(out); start += aggBlock {
		end := min(start+aggBlock, len(out))
		a := acc[:end-start]
		c0, w0 := children[0][start:end], nw[0]
		c0 = c0[:len(a)]
		for i, v := range c0 {
			a[i] = w0 * v
		}
		for k := 1; k < len(children); k++ {
			w, cb := nw[k], children[k][start:end]
			cb = cb[:len(a)]
			for i, v := range cb {
				a[i] += w * v
			}
		}
		o := out[start:end]
		o = o[:len(a)]
		for i := range o {
			x := a[i] / total
			if !(math.Abs(x) >= 0x1p-1000) {
				x = arithmeticUnit(children, nw, start+i)
			}
			o[i] = x
		}
	}
	return nil
}

// arithmeticUnit computes the weighted arithmetic mean of unit i's present
// children of positive weight (NaN if there are none) with the weights and
// the values first scaled by powers of two (exactly) so that the largest
// of each is near 1: the products then underflow only where they do not
// matter.
func arithmeticUnit(children [][]float64, nw []float64, i int) float64 {
	mw, mv := 0.0, 0.0
	for k, c := range children {
		if v := c[i]; v == v && nw[k] > 0 {
			mw, mv = max(mw, nw[k]), max(mv, math.Abs(v))
		}
	}
	if mw == 0 {
		return math.NaN()
	}
	if mv == 0 {
		return 0
	}
	_, ew := math.Frexp(mw)
	_, ev := math.Frexp(mv)
	var a, ws float64
	for k, c := range children {
		if v := c[i]; v == v && nw[k] > 0 {
			w := math.Ldexp(nw[k], -ew)
			a += w * math.Ldexp(v, -ev)
			ws += w
		}
	}
	return math.Ldexp(a/ws, ev)
}

// Geometric sets out to the weighted geometric mean of the children
// (COINr's a_gmean): exp(Σ wₖ·log xₖ / Σ wₖ) over the unit's present
// children. Every present value must be positive; the error names the
// first offending unit (lowest index) and child, for example
// `geometric mean needs positive values: unit 12 has 0 in "Flights"`.
// The logarithms are lnFast's, within 5e-16 of math.Log's.
func Geometric(out []float64, children [][]float64, weights []float64, names []string) error {
	const msg = "geometric mean needs positive values"
	nw, err := prepareWeights("geometric mean", out, children, weights, names)
	if err != nil {
		return err
	}
	var acc, wsum [aggBlock]float64
	for start := 0; start < len(out); start += aggBlock {
		end := min(start+aggBlock, len(out))
		a, ws := acc[:end-start], wsum[:end-start]
		clear(a)
		clear(ws)
		for k, c := range children {
			w := nw[k]
			cb := c[start:end]
			cb = cb[:len(a)]
			for i, v := range cb {
				if v == v {
					if !(v > 0) {
						return firstBad(children, names, start, end, positive, msg)
					}
					a[i] += w * lnFast(v)
					ws[i] += w
				}
			}
		}
		o := out[start:end]
		o = o[:len(a)]
		for i := range o {
			switch {
			case !(ws[i] > 0):
				o[i] = math.NaN()
			default:
				o[i] = math.Exp(a[i] / ws[i])
				if math.IsInf(o[i], 0) {
					// exp rounded just past MaxFloat64: redo the unit with
					// the values divided by their maximum.
					o[i] = geometricUnit(children, nw, start+i)
				}
			}
		}
	}
	return nil
}

func positive(v float64) bool    { return v > 0 }
func nonNegative(v float64) bool { return v >= 0 }

// Harmonic sets out to the weighted harmonic mean of the children (COINr's
// a_hmean): Σ wₖ / Σ (wₖ/xₖ) over the unit's present children. Every
// present value must be positive (COINr rejects zeros; negative values
// make the harmonic mean meaningless, so we reject them too); the error
// names the first offending unit and child.
func Harmonic(out []float64, children [][]float64, weights []float64, names []string) error {
	const msg = "harmonic mean needs positive values"
	nw, err := prepareWeights("harmonic mean", out, children, weights, names)
	if err != nil {
		return err
	}
	var acc, wsum [aggBlock]float64
	for start := 0; start < len(out); start += aggBlock {
		end := min(start+aggBlock, len(out))
		a, ws := acc[:end-start], wsum[:end-start]
		clear(a)
		clear(ws)
		for k, c := range children {
			w := nw[k]
			cb := c[start:end]
			cb = cb[:len(a)]
			for i, v := range cb {
				if v == v {
					if !(v > 0) {
						return firstBad(children, names, start, end, positive, msg)
					}
					a[i] += w / v
					ws[i] += w
				}
			}
		}
		o := out[start:end]
		o = o[:len(a)]
		for i := range o {
			switch {
			case !(ws[i] > 0):
				o[i] = math.NaN()
			case math.IsInf(a[i], 0) || a[i] < 0x1p-1000:
				// A value so small that w/x overflowed, or so large that
				// it lost precision: redo the unit with the values divided
				// by their minimum.
				o[i] = powerMeanUnit(children, nw, start+i, -1)
			default:
				o[i] = ws[i] / a[i]
			}
		}
	}
	return nil
}

// GeneralisedMean sets out to the weighted generalised (power) mean of the
// children (COINr's a_genmean): (Σ wₖ·xₖ^p / Σ wₖ)^{1/p} over the unit's
// present children. p = 1 is Arithmetic, p = −1 Harmonic, and p = 0 —
// where COINr stops with an error — is taken as its limit, Geometric.
// For p < 0 every present value must be positive and for other p ≠ 1 every
// present value must be ≥ 0 (a negative number has no real non-integer
// power); the error names the first offending unit and child. p must be
// finite. The result is computed in logs (see powerMeanUnit), so it is
// accurate and finite for any p, large or close to 0, and lies between
// the unit's smallest and largest weighted values. It costs a few
// logarithms and exponentials per value, several times Arithmetic.
func GeneralisedMean(out []float64, children [][]float64, weights []float64, p float64, names []string) error {
	switch {
	case !finite(p):
		return fmt.Errorf("generalised mean: the power p must be a number, got %v", p)
	case p == 1:
		if _, err := prepareWeights("generalised mean", out, children, weights, names); err != nil {
			return err
		}
		return Arithmetic(out, children, weights)
	case p == 0:
		return Geometric(out, children, weights, names)
	case p == -1:
		return Harmonic(out, children, weights, names)
	}
	nw, err := prepareWeights("generalised mean", out, children, weights, names)
	if err != nil {
		return err
	}
	ok, msg := nonNegative, fmt.Sprintf("generalised mean with p = %v needs values ≥ 0", p)
	if p < 0 {
		ok, msg = positive, fmt.Sprintf("generalised mean with p = %v needs positive values", p)
	}
	for i := range out {
		for k, c := range children {
			if v := c[i]; v == v && !ok(v) {
				return fmt.Errorf("%s: unit %d has %v in %s", msg, i, v, childName(names, k))
			}
		}
		out[i] = powerMeanUnit(children, nw, i, p)
	}
	return nil
}

// geometricUnit computes the weighted geometric mean of unit i's present
// children as max·exp(Σ w·log(x/max)/Σ w), which cannot overflow. The
// values are already validated.
func geometricUnit(children [][]float64, nw []float64, i int) float64 {
	m := math.Inf(-1)
	for k, c := range children {
		if v := c[i]; v > m && nw[k] > 0 {
			m = v
		}
	}
	var a, ws float64
	for k, c := range children {
		// Skip weight 0: its x/m may underflow to 0, and 0·log 0 is NaN.
		if v := c[i]; v == v && nw[k] > 0 {
			a += nw[k] * logPos(v/m)
			ws += nw[k]
		}
	}
	return m * math.Exp(a/ws)
}

// powerMeanUnit computes the weighted power mean (p ≠ 0) of unit i's
// present children of positive weight; their values are already
// validated. It uses the identity M = s·(Σ wₖ·(xₖ/s)^p / Σ wₖ)^{1/p},
// which holds for any s > 0, twice:
//
//  1. In logs, with the sum taken as a log-sum-exp, for an estimate s of
//     M that cannot overflow whatever p and the weights.
//  2. Around that s, where Σ wₖ·(xₖ/s)^p / Σ wₖ is close to 1: written
//     as 1 + Σ wₖ·expm1(p·log(xₖ/s)) / Σ wₖ and raised to 1/p with
//     log1p, it keeps its digits even as p approaches 0.
//
// The result is clamped to the values' range against rounding.
func powerMeanUnit(children [][]float64, nw []float64, i int, p float64) float64 {
	top, lo, hi := math.Inf(-1), math.Inf(1), math.Inf(-1)
	ws := 0.0
	for k, c := range children {
		if v := c[i]; v == v && nw[k] > 0 {
			top = max(top, logPos(nw[k])+p*logPos(v))
			lo, hi = min(lo, v), max(hi, v)
			ws += nw[k]
		}
	}
	if !(ws > 0) {
		return math.NaN()
	}
	if math.IsInf(top, -1) || hi == 0 {
		return 0 // p > 0 and every value 0
	}
	sum := 0.0
	for k, c := range children {
		if v := c[i]; v == v && nw[k] > 0 {
			sum += math.Exp(logPos(nw[k]) + p*logPos(v) - top)
		}
	}
	s := math.Exp((top + logPos(sum) - logPos(ws)) / p)
	s = min(max(s, lo), hi)
	if s == 0 {
		return 0
	}
	a := 0.0
	for k, c := range children {
		if v := c[i]; v == v && nw[k] > 0 {
			w := nw[k]
			if t := p * logPos(v/s); t > 1 {
				// w·(e^t − 1) without overflowing e^t when w is small.
				a += math.Exp(logPos(w)+t) - w
			} else {
				a += w * math.Expm1(t)
			}
		}
	}
	r := s * math.Exp(math.Log1p(a/ws)/p)
	if math.IsNaN(r) {
		r = s
	}
	return min(max(r, lo), hi)
}
