package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/program"
)

// chunkRows is how many enterprises one worker evaluates at a time: small
// enough that every intermediate column stays in the L1/L2 cache.
const chunkRows = 1024

// evaluator evaluates Op trees over a range of rows. Each worker has its
// own, with a stack of scratch buffers of chunkRows values.
type evaluator struct {
	cols    [][]float64
	scratch [][]float64
	top     int
	// kids is scratch for the aggregation pass's views of a node's
	// children.
	kids [][]float64
}

func (e *evaluator) get(n int) []float64 {
	if e.top == len(e.scratch) {
		e.scratch = append(e.scratch, make([]float64, chunkRows))
	}
	b := e.scratch[e.top][:n]
	e.top++
	return b
}

func (e *evaluator) put() { e.top-- }

func isNaN(v float64) bool { return v != v }

var nan = math.NaN()

// truth is 1 for true and 0 for false. It is written so that the
// compiler sets a register from the flags rather than jumping: whether
// a value passes a comparison is often as good as random, and a
// mispredicted branch costs more than the rest of a loop's step.
func truth(b bool) float64 {
	var i int
	if b {
		i = 1
	}
	return float64(i)
}

// eval computes op for rows [lo, lo+len(out)) and returns the values: out
// itself, or a read-only view of a column when op is a plain column.
//
// A constant operand of an arithmetic operator, a comparison or a
// conditional is used as it is rather than spread over a buffer first:
// definitions are full of `x > 0`, `x * 100` and `c ? x : 0.0`.
func (e *evaluator) eval(op *program.Op, lo int, out []float64) []float64 {
	n := len(out)
	switch op.Kind {
	case program.OpConst:
		for i := range out {
			out[i] = op.Value
		}
		return out
	case program.OpCol:
		return e.cols[op.Col][lo : lo+n]
	case program.OpNeg, program.OpNot, program.OpPresent, program.OpAbs, program.OpLog,
		program.OpSqrt, program.OpFloor, program.OpCeil, program.OpRound, program.OpIn:
		a := e.eval(op.Args[0], lo, out)
		unary(op, a, out)
		return out
	case program.OpIf:
		c := e.eval(op.Args[0], lo, out)
		x, xc, px := e.operand(op.Args[1], lo, n)
		y, yc, py := e.operand(op.Args[2], lo, n)
		for i := range out {
			xv, yv := xc, yc
			if x != nil {
				xv = x[i]
			}
			if y != nil {
				yv = y[i]
			}
			switch cv := c[i]; {
			case isNaN(cv):
				out[i] = nan
			case cv != 0:
				out[i] = xv
			default:
				out[i] = yv
			}
		}
		e.release(px)
		e.release(py)
		return out
	case program.OpSum, program.OpMean, program.OpCount:
		// out holds the running sum; the first argument sets it and the
		// count, the others add to them.
		cnt := e.get(n)
		tmp := e.get(n)
		first := e.eval(op.Args[0], lo, tmp)
		for i, x := range first {
			switch {
			case isNaN(x):
				out[i], cnt[i] = 0, 0
			case x == 0:
				out[i], cnt[i] = 0, 1 // 0 + -0 is +0
			default:
				out[i], cnt[i] = x, 1
			}
		}
		for _, arg := range op.Args[1:] {
			v := e.eval(arg, lo, tmp)
			for i, x := range v {
				if !isNaN(x) {
					out[i] += x
					cnt[i]++
				}
			}
		}
		switch op.Kind {
		case program.OpCount:
			copy(out, cnt)
		case program.OpMean:
			for i, c := range cnt {
				if c == 0 {
					out[i] = nan
				} else {
					out[i] /= c
				}
			}
		default:
			for i, c := range cnt {
				if c == 0 {
					out[i] = nan
				}
			}
		}
		e.put()
		e.put()
		return out
	case program.OpMin, program.OpMax, program.OpCoalesce:
		first := e.eval(op.Args[0], lo, out)
		if &first[0] != &out[0] {
			copy(out, first)
		}
		tmp := e.get(n)
		for _, arg := range op.Args[1:] {
			v := e.eval(arg, lo, tmp)
			switch op.Kind {
			case program.OpCoalesce:
				for i, x := range v {
					if isNaN(out[i]) {
						out[i] = x
					}
				}
			case program.OpMin:
				for i, x := range v {
					if isNaN(x) || x < out[i] {
						out[i] = x
					}
				}
			default:
				for i, x := range v {
					if isNaN(x) || x > out[i] {
						out[i] = x
					}
				}
			}
		}
		e.put()
		return out
	case program.OpClamp:
		x := e.eval(op.Args[0], lo, out)
		l := e.eval(op.Args[1], lo, e.get(n))
		h := e.eval(op.Args[2], lo, e.get(n))
		for i := range out {
			out[i] = clamp(x[i], l[i], h[i])
		}
		e.put()
		e.put()
		return out
	}
	// A binary operator. A constant on the right is passed as a number;
	// one on the left too when the operator can be turned round.
	l, r := op.Args[0], op.Args[1]
	k := op.Kind
	if l.Kind == program.OpConst && r.Kind != program.OpConst {
		if fk, ok := flipped[k]; ok {
			l, r, k = r, l, fk
		}
	}
	a := e.eval(l, lo, out)
	if r.Kind == program.OpConst {
		binaryConst(k, a, r.Value, out)
		return out
	}
	b := e.eval(r, lo, e.get(n))
	binary(k, a, b, out)
	e.put()
	return out
}

// flipped gives, for the binary operators whose operands can swap places,
// the operator that does so: c < x is x > c.
var flipped = map[program.OpKind]program.OpKind{
	program.OpAdd: program.OpAdd, program.OpMul: program.OpMul,
	program.OpEq: program.OpEq, program.OpNe: program.OpNe,
	program.OpAnd: program.OpAnd, program.OpOr: program.OpOr,
	program.OpLt: program.OpGt, program.OpGt: program.OpLt,
	program.OpLe: program.OpGe, program.OpGe: program.OpLe,
}

// operand evaluates an argument that may be used as a constant: it
// returns the values, or nil and the constant. pushed says whether a
// scratch buffer was taken (to give back with release).
func (e *evaluator) operand(op *program.Op, lo, n int) (v []float64, c float64, pushed bool) {
	switch op.Kind {
	case program.OpConst:
		return nil, op.Value, false
	case program.OpCol:
		return e.cols[op.Col][lo : lo+n], 0, false
	}
	return e.eval(op, lo, e.get(n)), 0, true
}

func (e *evaluator) release(pushed bool) {
	if pushed {
		e.put()
	}
}

func clamp(x, l, h float64) float64 {
	switch {
	case isNaN(x) || isNaN(l) || isNaN(h):
		return nan
	case x < l:
		return l
	case x > h:
		return h
	}
	return x
}

func unary(op *program.Op, a, out []float64) {
	switch op.Kind {
	case program.OpNeg:
		for i, x := range a {
			out[i] = -x
		}
	case program.OpNot:
		for i, x := range a {
			if isNaN(x) {
				out[i] = nan
			} else {
				out[i] = truth(x == 0)
			}
		}
	case program.OpPresent:
		for i, x := range a {
			out[i] = truth(!isNaN(x))
		}
	case program.OpAbs:
		for i, x := range a {
			out[i] = math.Abs(x)
		}
	case program.OpLog:
		for i, x := range a {
			out[i] = math.Log(x)
		}
	case program.OpSqrt:
		for i, x := range a {
			out[i] = math.Sqrt(x)
		}
	case program.OpFloor:
		for i, x := range a {
			out[i] = math.Floor(x)
		}
	case program.OpCeil:
		for i, x := range a {
			out[i] = math.Ceil(x)
		}
	case program.OpRound:
		for i, x := range a {
			out[i] = math.Round(x)
		}
	case program.OpIn:
		for i, x := range a {
			if isNaN(x) {
				out[i] = nan
				continue
			}
			hit := false
			for _, s := range op.Set {
				if x == s {
					hit = true
					break
				}
			}
			out[i] = truth(hit)
		}
	}
}

// binary computes a k b for every row. Each operator has its own loop,
// with no decision inside it but the one the operator itself needs.
func binary(k program.OpKind, a, b, out []float64) {
	a, b = a[:len(out)], b[:len(out)]
	switch k {
	case program.OpAdd:
		for i := range out {
			out[i] = a[i] + b[i]
		}
	case program.OpSub:
		for i := range out {
			out[i] = a[i] - b[i]
		}
	case program.OpMul:
		for i := range out {
			out[i] = a[i] * b[i]
		}
	case program.OpDiv:
		for i := range out {
			out[i] = a[i] / b[i]
		}
	case program.OpPow:
		for i := range out {
			out[i] = math.Pow(a[i], b[i])
		}
	case program.OpMod:
		for i := range out {
			out[i] = math.Mod(a[i], b[i])
		}
	case program.OpAnd:
		for i := range out {
			out[i] = and(a[i], b[i])
		}
	case program.OpOr:
		for i := range out {
			out[i] = or(a[i], b[i])
		}
	case program.OpEq:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x == y)
		}
	case program.OpNe:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x != y)
		}
	case program.OpLt:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x < y)
		}
	case program.OpLe:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x <= y)
		}
	case program.OpGt:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x > y)
		}
	default:
		for i := range out {
			x, y := a[i], b[i]
			out[i] = known(x, y, x >= y)
		}
	}
}

// binaryConst computes a k c for every row: binary with a constant right
// operand.
func binaryConst(k program.OpKind, a []float64, c float64, out []float64) {
	a = a[:len(out)]
	switch k {
	case program.OpAdd:
		for i, x := range a {
			out[i] = x + c
		}
	case program.OpSub:
		for i, x := range a {
			out[i] = x - c
		}
	case program.OpMul:
		for i, x := range a {
			out[i] = x * c
		}
	case program.OpDiv:
		for i, x := range a {
			out[i] = x / c
		}
	case program.OpPow:
		for i, x := range a {
			out[i] = math.Pow(x, c)
		}
	case program.OpMod:
		for i, x := range a {
			out[i] = math.Mod(x, c)
		}
	case program.OpAnd:
		for i, x := range a {
			out[i] = and(x, c)
		}
	case program.OpOr:
		for i, x := range a {
			out[i] = or(x, c)
		}
	case program.OpEq:
		for i, x := range a {
			out[i] = known(x, c, x == c)
		}
	case program.OpNe:
		for i, x := range a {
			out[i] = known(x, c, x != c)
		}
	case program.OpLt:
		for i, x := range a {
			out[i] = known(x, c, x < c)
		}
	case program.OpLe:
		for i, x := range a {
			out[i] = known(x, c, x <= c)
		}
	case program.OpGt:
		for i, x := range a {
			out[i] = known(x, c, x > c)
		}
	default:
		for i, x := range a {
			out[i] = known(x, c, x >= c)
		}
	}
}

// known is a comparison's value: unknown (NaN) when x or y is missing.
func known(x, y float64, b bool) float64 {
	if isNaN(x) || isNaN(y) {
		return nan
	}
	return truth(b)
}

// and is three-valued: false wins over unknown.
func and(x, y float64) float64 {
	switch {
	case x == 0 || y == 0:
		return 0
	case isNaN(x) || isNaN(y):
		return nan
	}
	return 1
}

// or is three-valued: true wins over unknown.
func or(x, y float64) float64 {
	switch {
	case (x != 0 && !isNaN(x)) || (y != 0 && !isNaN(y)):
		return 1
	case isNaN(x) || isNaN(y):
		return nan
	}
	return 0
}

// evalRow computes op for one row; it is the reference the columnar
// evaluator is tested against, and formats gate messages.
func evalRow(op *program.Op, cols [][]float64, row int) float64 {
	arg := func(k int) float64 { return evalRow(op.Args[k], cols, row) }
	switch op.Kind {
	case program.OpConst:
		return op.Value
	case program.OpCol:
		return cols[op.Col][row]
	case program.OpIf:
		c := arg(0)
		switch {
		case isNaN(c):
			return nan
		case c != 0:
			return arg(1)
		}
		return arg(2)
	case program.OpSum, program.OpMean, program.OpCount:
		acc, cnt := 0.0, 0.0
		for k := range op.Args {
			if x := arg(k); !isNaN(x) {
				acc += x
				cnt++
			}
		}
		switch {
		case op.Kind == program.OpCount:
			return cnt
		case cnt == 0:
			return nan
		case op.Kind == program.OpMean:
			return acc / cnt
		}
		return acc
	case program.OpMin, program.OpMax, program.OpCoalesce:
		o := arg(0)
		for k := 1; k < len(op.Args); k++ {
			x := arg(k)
			switch op.Kind {
			case program.OpCoalesce:
				if isNaN(o) {
					o = x
				}
			case program.OpMin:
				if isNaN(x) || x < o {
					o = x
				}
			default:
				if isNaN(x) || x > o {
					o = x
				}
			}
		}
		return o
	case program.OpClamp:
		return clamp(arg(0), arg(1), arg(2))
	case program.OpNeg, program.OpNot, program.OpPresent, program.OpAbs, program.OpLog,
		program.OpSqrt, program.OpFloor, program.OpCeil, program.OpRound, program.OpIn:
		var out [1]float64
		unary(op, []float64{arg(0)}, out[:])
		return out[0]
	}
	var out [1]float64
	binary(op.Kind, []float64{arg(0)}, []float64{arg(1)}, out[:])
	return out[0]
}
