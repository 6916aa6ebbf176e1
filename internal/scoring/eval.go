package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/program"
)

// chunkRows is how many enterprises one worker evaluates at a time: small
// enough that every intermediate column stays in the L1/L2 cache.
const chunkRows = 1024

// evaluator evaluates compiled expressions (xop) over a chunk of rows.
// Each worker has its own, with a stack of scratch buffers of chunkRows
// values and the memo of the ops its plan shares (see rowPlan).
type evaluator struct {
	cols    [][]float64
	scratch [][]float64
	top     int
	// memo[s] holds the values of the op with memo slot s for the chunk
	// numbered memoGen[s]; gen numbers the current chunk.
	memo    [][]float64
	memoBuf [][]float64
	memoGen []uint64
	gen     uint64
	// kids is scratch for the aggregation pass's views of a node's
	// children.
	kids [][]float64
	// Scratch of the row pass (see chunkViews): per node, where its
	// scores and bands go, and the chunk's own columns for the nodes the
	// result keeps none of; worst is the gates' lowest state per row.
	views     [][]float64
	nodes     [][]float64
	bandViews [][]int8
	worst     []int8
}

// begin starts a new chunk: the memo of the previous one no longer
// holds.
func (e *evaluator) begin(pl *rowPlan) {
	if len(e.memo) < pl.memos {
		e.memo = make([][]float64, pl.memos)
		e.memoBuf = make([][]float64, pl.memos)
		e.memoGen = make([]uint64, pl.memos)
	}
	e.gen++
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

// b2i is 1 for true and 0 for false, without a jump (see truth).
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// mask is all ones for true and zero for false, without a jump (see
// truth).
func mask(b bool) uint64 {
	var i uint64
	if b {
		i = 1
	}
	return -i
}

// eval computes op for rows [lo, lo+len(out)) and returns the values: out
// itself, or a read-only view of a column or of the memo when op is a
// plain column or was computed before in this chunk.
func (e *evaluator) eval(op *xop, lo int, out []float64) []float64 {
	s := op.memo
	if s < 0 {
		return e.compute(op, lo, out)
	}
	if e.memoGen[s] == e.gen {
		return e.memo[s]
	}
	if e.memoBuf[s] == nil {
		e.memoBuf[s] = make([]float64, chunkRows)
	}
	v := e.compute(op, lo, e.memoBuf[s][:len(out)])
	e.memo[s], e.memoGen[s] = v, e.gen
	return v
}

// compute is eval without the memo.
//
// A constant operand of an arithmetic operator, a comparison or a
// conditional is used as it is rather than spread over a buffer first:
// definitions are full of `x > 0`, `x * 100` and `c ? x : 0.0`.
func (e *evaluator) compute(op *xop, lo int, out []float64) []float64 {
	n := len(out)
	switch op.kind {
	case program.OpConst:
		for i := range out {
			out[i] = op.value
		}
		return out
	case program.OpCol:
		return e.cols[op.col][lo : lo+n]
	case program.OpNeg, program.OpNot, program.OpPresent, program.OpAbs, program.OpLog,
		program.OpSqrt, program.OpFloor, program.OpCeil, program.OpRound, program.OpIn:
		a := e.eval(op.args[0], lo, out)
		unary(op.kind, op.set, a, out)
		return out
	case opMissing:
		a := e.eval(op.args[0], lo, out)
		a = a[:n]
		for i, x := range a {
			out[i] = truth(x != x)
		}
		return out
	case program.OpIf:
		c := e.eval(op.args[0], lo, out)
		// Where the condition is the same for the whole chunk (staff > 0,
		// a year's value present), only its branch is computed.
		switch uniform(c) {
		case 1:
			return e.eval(op.args[1], lo, out)
		case 0:
			return e.eval(op.args[2], lo, out)
		}
		x, xc, px := e.operand(op.args[1], lo, n)
		y, yc, py := e.operand(op.args[2], lo, n)
		choose(out, c, x, xc, y, yc)
		e.release(px)
		e.release(py)
		return out
	case program.OpSum, program.OpMean, program.OpCount:
		if !e.sum3(op, lo, out) {
			e.sumN(op, lo, out)
		}
		return out
	case program.OpMin, program.OpMax, program.OpCoalesce:
		if op.kind == program.OpCoalesce && len(op.args) == 2 && op.args[1].kind == program.OpConst {
			// coalesce(x, 0.0), the usual default: one pass, selecting
			// with a mask (whether a value is missing can be random).
			a := e.eval(op.args[0], lo, out)
			coalesceConst(out, a, op.args[1].value)
			return out
		}
		first := e.eval(op.args[0], lo, out)
		if &first[0] != &out[0] {
			copy(out, first)
		}
		tmp := e.get(n)
		for _, arg := range op.args[1:] {
			v := e.eval(arg, lo, tmp)
			switch op.kind {
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
		x := e.eval(op.args[0], lo, out)
		l, lc, pl := e.operand(op.args[1], lo, n)
		h, hc, ph := e.operand(op.args[2], lo, n)
		x = x[:n]
		switch {
		case l == nil && h == nil:
			for i, v := range x {
				out[i] = clamp(v, lc, hc)
			}
		default:
			for i, v := range x {
				lv, hv := lc, hc
				if l != nil {
					lv = l[i]
				}
				if h != nil {
					hv = h[i]
				}
				out[i] = clamp(v, lv, hv)
			}
		}
		e.release(pl)
		e.release(ph)
		return out
	}
	// A binary operator; a constant on the right (compile turned it
	// there where it could) is passed as a number.
	l, r := op.args[0], op.args[1]
	if x, shift, scale, div, ok := roundedRate(op); ok {
		roundRate(out, e.eval(x, lo, out), shift, scale, div)
		return out
	}
	a := e.eval(l, lo, out)
	if r.kind == program.OpConst {
		binaryConst(op.kind, a, r.value, out)
		return out
	}
	b := e.eval(r, lo, e.get(n))
	binary(op.kind, a, b, out)
	e.put()
	return out
}

// sumN computes a sum, mean or count of any number of arguments, one
// pass per argument and two more (see sum3).
func (e *evaluator) sumN(op *xop, lo int, out []float64) {
	n := len(out)
	// out holds the running sum; the first argument sets it and the
	// count, the others add to them.
	cnt := e.get(n)
	tmp := e.get(n)
	first := e.eval(op.args[0], lo, tmp)
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
	for _, arg := range op.args[1:] {
		v := e.eval(arg, lo, tmp)
		for i, x := range v {
			if !isNaN(x) {
				out[i] += x
				cnt[i]++
			}
		}
	}
	switch op.kind {
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
}

// coalesceConst sets out[i] to a[i], or c where a[i] is missing.
func coalesceConst(out, a []float64, c float64) {
	a = a[:len(out)]
	cb := math.Float64bits(c)
	for i, x := range a {
		xb := math.Float64bits(x)
		out[i] = math.Float64frombits(xb ^ (xb^cb)&mask(x != x))
	}
}

// uniform returns 1 when every condition in c is true, 0 when every one
// is false, and -1 otherwise (mixed, or some unknown). It stops at the
// first that differs from the first: a mixed chunk costs a few steps.
func uniform(c []float64) int {
	if len(c) == 0 {
		return -1
	}
	switch first := c[0]; {
	case first == 0:
		for _, x := range c {
			if x != 0 {
				return -1
			}
		}
		return 0
	case first == first:
		for _, x := range c {
			if x == 0 || x != x {
				return -1
			}
		}
		return 1
	}
	return -1
}

// choose sets out[i] to c[i] ? x[i] : y[i], missing where c[i] is
// unknown; a nil x or y stands for the constant xc or yc. It selects
// with masks rather than jumps: conditions are often as good as random.
func choose(out, c, x []float64, xc float64, y []float64, yc float64) {
	c = c[:len(out)]
	pick := func(cv, xv, yv float64) float64 {
		xb, yb := math.Float64bits(xv), math.Float64bits(yv)
		r := yb ^ (xb^yb)&mask(cv != 0) // NaN != 0 picks x, then:
		r ^= (r ^ nanBits) & mask(cv != cv)
		return math.Float64frombits(r)
	}
	switch {
	case x != nil && y != nil:
		x, y = x[:len(c)], y[:len(c)]
		for i, cv := range c {
			out[i] = pick(cv, x[i], y[i])
		}
	case x != nil:
		x = x[:len(c)]
		for i, cv := range c {
			out[i] = pick(cv, x[i], yc)
		}
	case y != nil:
		y = y[:len(c)]
		for i, cv := range c {
			out[i] = pick(cv, xc, y[i])
		}
	default:
		for i, cv := range c {
			out[i] = pick(cv, xc, yc)
		}
	}
}

// operand evaluates an argument that may be used as a constant: it
// returns the values, or nil and the constant. pushed says whether a
// scratch buffer was taken (to give back with release).
func (e *evaluator) operand(op *xop, lo, n int) (v []float64, c float64, pushed bool) {
	switch op.kind {
	case program.OpConst:
		return nil, op.value, false
	case program.OpCol:
		return e.cols[op.col][lo : lo+n], 0, false
	}
	if op.memo >= 0 && e.memoGen[op.memo] == e.gen {
		return e.memo[op.memo], 0, false
	}
	return e.eval(op, lo, e.get(n)), 0, true
}

func (e *evaluator) release(pushed bool) {
	if pushed {
		e.put()
	}
}

// clamp limits x to [l, h]: l when x < l, else h when x > h; missing
// when any of the three is. It selects with masks: whether a value lies
// beyond a limit is as good as random.
func clamp(x, l, h float64) float64 {
	if isNaN(x) || isNaN(l) || isNaN(h) {
		return nan
	}
	lt := mask(x < l)
	gt := mask(x > h) &^ lt
	r := math.Float64bits(x)
	r ^= (r ^ math.Float64bits(l)) & lt
	r ^= (r ^ math.Float64bits(h)) & gt
	return math.Float64frombits(r)
}

func unary(kind program.OpKind, set []float64, a, out []float64) {
	switch kind {
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
			for _, s := range set {
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
		logicInto(out, a, b, 0, false)
	case program.OpOr:
		logicInto(out, a, b, 0, true)
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
		logicInto(out, a, nil, c, false)
	case program.OpOr:
		logicInto(out, a, nil, c, true)
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
		unary(op.Kind, op.Set, []float64{arg(0)}, out[:])
		return out[0]
	}
	var out [1]float64
	binary(op.Kind, []float64{arg(0)}, []float64{arg(1)}, out[:])
	return out[0]
}
