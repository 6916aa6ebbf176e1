package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/program"
)

// Kernels that do in one pass over a chunk what the general evaluator
// does in several, for shapes that programs use a lot. Each gives the
// same bits as the general path (fast_test.go compares them).

// sum3 computes a sum, mean or count of two or three arguments (a
// value per year) in one pass, where sumN takes one per argument and two
// more. It returns false, computing nothing, for other numbers of
// arguments or when one is a constant.
//
// It adds the same values in the same order from the same +0 as sumN
// and evalRow, so it gives the same bits: a missing value adds +0 where
// they skip it, which changes nothing, as a running sum that starts at
// +0 is never -0 (x + -x is +0).
func (e *evaluator) sum3(op *xop, lo int, out []float64) bool {
	if len(op.args) != 2 && len(op.args) != 3 {
		return false
	}
	for _, a := range op.args {
		if a.kind == program.OpConst {
			return false
		}
	}
	n := len(out)
	var v [3][]float64
	var pushed [3]bool
	for k, a := range op.args {
		v[k], _, pushed[k] = e.operand(a, lo, n)
		v[k] = v[k][:n]
	}
	x, y := v[0], v[1]
	// The kind of result and the number of arguments are the same for
	// every row: the branches on them below are always predicted.
	count, mean := op.kind == program.OpCount, op.kind == program.OpMean
	for i := range out {
		acc, cnt := 0.0, truth(x[i] == x[i])+truth(y[i] == y[i])
		acc += orZero(x[i])
		acc += orZero(y[i])
		if v[2] != nil {
			z := v[2][i]
			acc += orZero(z)
			cnt += truth(z == z)
		}
		r := acc
		switch {
		case count:
			out[i] = cnt
			continue
		case mean:
			r = acc / cnt
		}
		rb := math.Float64bits(r)
		rb ^= (rb ^ nanBits) & mask(cnt == 0) // missing when all are
		out[i] = math.Float64frombits(rb)
	}
	for k := len(op.args) - 1; k >= 0; k-- {
		e.release(pushed[k])
	}
	return true
}

// orZero is x, or +0 where x is missing, without a jump.
func orZero(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) &^ mask(x != x))
}

// roundedRate matches op against round((x ± shift) * scale) / div with
// constants shift, scale and div (a growth rate rounded to a number of
// decimals, round((v - 1) * 1e6) / 1e4), four passes that roundRate
// makes one. Subtraction is returned as the addition of -shift, which
// gives the same bits. ok is false where op has another shape, or where
// an inner op is also used elsewhere (the memo computes it for them).
func roundedRate(op *xop) (x *xop, shift, scale, div float64, ok bool) {
	isConst := func(o *xop) bool { return o.kind == program.OpConst }
	inner := func(o *xop) bool { return o.memo < 0 }
	if op.kind != program.OpDiv || !isConst(op.args[1]) {
		return nil, 0, 0, 0, false
	}
	rd := op.args[0]
	if rd.kind != program.OpRound || !inner(rd) {
		return nil, 0, 0, 0, false
	}
	mul := rd.args[0]
	if mul.kind != program.OpMul || !inner(mul) || !isConst(mul.args[1]) {
		return nil, 0, 0, 0, false
	}
	add := mul.args[0]
	if (add.kind != program.OpAdd && add.kind != program.OpSub) || !inner(add) || !isConst(add.args[1]) {
		return nil, 0, 0, 0, false
	}
	shift = add.args[1].value
	if add.kind == program.OpSub {
		shift = -shift // x - c is x + (-c), exactly
	}
	return add.args[0], shift, mul.args[1].value, op.args[1].value, true
}

// roundRate sets out[i] to round((x[i] + shift) * scale) / div, each
// step rounded to float64 as the separate passes round it.
func roundRate(out, x []float64, shift, scale, div float64) {
	x = x[:len(out)]
	for i, v := range x {
		out[i] = math.Round(float64(v+shift)*scale) / div
	}
}

// logicInto sets out[i] to a[i] && b[i], or to a[i] || b[i] when isOr;
// a nil b stands for the constant c. Both are three-valued: false wins
// over unknown in &&, true in ||. Operands are often as good as random,
// so the result is worked out with masks rather than jumps, written out
// in the loop: as a function it is beyond the compiler's inlining budget,
// and a call per row (with the loop's state spilled around it) cost
// several times the work.
//
// The operands' bits without the sign (shifted left by one) tell false
// (0) and unknown (above infBits, a NaN) apart without a jump; a true
// operand's shifted bits minus one lie below infBits.
func logicInto(out, a, b []float64, c float64, isOr bool) {
	const infBits = 0xFFE0000000000000 // ±Inf, shifted
	a = a[:len(out)]
	if b != nil {
		b = b[:len(out)]
	}
	cb := math.Float64bits(c) << 1
	for i, x := range a {
		xb, yb := math.Float64bits(x)<<1, cb
		if b != nil { // the same for every row: no misprediction
			yb = math.Float64bits(b[i]) << 1
		}
		var r uint64
		if isOr {
			t := -uint64(b2i(min(xb-1, yb-1) < infBits))
			r = nanBits & -uint64(b2i(max(xb, yb) > infBits))
			r ^= (r ^ oneBits) & t
		} else {
			f := -uint64(b2i(min(xb, yb) == 0))
			u := -uint64(b2i(max(xb, yb) > infBits))
			r = (oneBits ^ (oneBits^nanBits)&u) &^ f
		}
		out[i] = math.Float64frombits(r)
	}
}

// The bits of 1 and of math.NaN(): the values and and or give.
const (
	oneBits = 0x3FF0000000000000
	nanBits = 0x7FF8000000000001
)
