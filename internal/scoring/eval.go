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
}

func newEvaluator(cols [][]float64) *evaluator {
	return &evaluator{cols: cols}
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

func truth(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// eval computes op for rows [lo, lo+len(out)) and returns the values: out
// itself, or a read-only view of a column when op is a plain column.
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
		x := e.eval(op.Args[1], lo, e.get(n))
		y := e.eval(op.Args[2], lo, e.get(n))
		for i := range out {
			switch cv := c[i]; {
			case isNaN(cv):
				out[i] = nan
			case cv != 0:
				out[i] = x[i]
			default:
				out[i] = y[i]
			}
		}
		e.put()
		e.put()
		return out
	case program.OpSum, program.OpMean, program.OpCount:
		acc := e.get(n)
		cnt := e.get(n)
		tmp := e.get(n)
		for i := range acc {
			acc[i], cnt[i] = 0, 0
		}
		for _, arg := range op.Args {
			v := e.eval(arg, lo, tmp)
			for i, x := range v {
				if !isNaN(x) {
					acc[i] += x
					cnt[i]++
				}
			}
		}
		for i := range out {
			switch {
			case op.Kind == program.OpCount:
				out[i] = cnt[i]
			case cnt[i] == 0:
				out[i] = nan
			case op.Kind == program.OpMean:
				out[i] = acc[i] / cnt[i]
			default:
				out[i] = acc[i]
			}
		}
		e.put()
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
			for i, x := range v {
				o := out[i]
				switch op.Kind {
				case program.OpCoalesce:
					if isNaN(o) {
						out[i] = x
					}
				case program.OpMin:
					if isNaN(x) || x < o {
						out[i] = x
					}
				default:
					if isNaN(x) || x > o {
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
	a := e.eval(op.Args[0], lo, out)
	b := e.eval(op.Args[1], lo, e.get(n))
	binary(op.Kind, a, b, out)
	e.put()
	return out
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

func binary(k program.OpKind, a, b, out []float64) {
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
			x, y := a[i], b[i]
			switch {
			case x == 0 || y == 0:
				out[i] = 0
			case isNaN(x) || isNaN(y):
				out[i] = nan
			default:
				out[i] = 1
			}
		}
	case program.OpOr:
		for i := range out {
			x, y := a[i], b[i]
			switch {
			case (x != 0 && !isNaN(x)) || (y != 0 && !isNaN(y)):
				out[i] = 1
			case isNaN(x) || isNaN(y):
				out[i] = nan
			default:
				out[i] = 0
			}
		}
	default:
		for i := range out {
			x, y := a[i], b[i]
			if isNaN(x) || isNaN(y) {
				out[i] = nan
				continue
			}
			out[i] = truth(compare(k, x, y))
		}
	}
}

func compare(k program.OpKind, x, y float64) bool {
	switch k {
	case program.OpEq:
		return x == y
	case program.OpNe:
		return x != y
	case program.OpLt:
		return x < y
	case program.OpLe:
		return x <= y
	case program.OpGt:
		return x > y
	}
	return x >= y
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
