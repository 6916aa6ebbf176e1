package scoring

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// awkward are values the fast paths must treat exactly as the general
// ones: missing, both zeros, tiny and huge values, and ordinary ones.
var awkward = []float64{math.NaN(), 0, math.Copysign(0, -1), 1, -1, 0.5, -2.25, 1e300, -1e300, 5e-324, 3, 7}

// randomColumn returns n values drawn from awkward and from a normal
// distribution, a third of them missing or zero.
func randomColumn(rng *rand.Rand, n int) []float64 {
	col := make([]float64, n)
	for i := range col {
		if rng.IntN(2) == 0 {
			col[i] = awkward[rng.IntN(len(awkward))]
		} else {
			col[i] = rng.NormFloat64() * 100
		}
	}
	return col
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// TestSum3AgreesWithSumN checks the one-pass sum, mean and count of two
// and three arguments against the general loop and the row-at-a-time
// reference, bit for bit.
func TestSum3AgreesWithSumN(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 1000 // within a chunk
	cols := [][]float64{randomColumn(rng, n), randomColumn(rng, n), randomColumn(rng, n)}
	for _, kind := range []program.OpKind{program.OpSum, program.OpMean, program.OpCount} {
		for _, args := range []int{2, 3} {
			op := &program.Op{Kind: kind}
			x := &xop{kind: kind, memo: -1}
			for c := range args {
				op.Args = append(op.Args, &program.Op{Kind: program.OpCol, Col: c})
				x.args = append(x.args, &xop{kind: program.OpCol, col: c, memo: -1})
			}
			e := &evaluator{cols: cols}
			fast := make([]float64, n)
			general := make([]float64, n)
			if !e.sum3(x, 0, fast) {
				t.Fatalf("%v of %d: no fast path", kind, args)
			}
			e.sumN(x, 0, general)
			for i := range fast {
				if !sameBits(fast[i], general[i]) {
					t.Fatalf("%v of %d, row %d: one pass %v (%x), general %v (%x)", kind, args, i, fast[i], math.Float64bits(fast[i]), general[i], math.Float64bits(general[i]))
				}
				if want := evalRow(op, cols, i); !sameBits(fast[i], want) {
					t.Fatalf("%v of %d, row %d: one pass %v, row-wise %v", kind, args, i, fast[i], want)
				}
			}
			if e.top != 0 {
				t.Fatalf("%v of %d: %d scratch buffers not given back", kind, args, e.top)
			}
		}
	}
}

// TestLogicAgreesWithTruthTable checks and and or, in the loop and with a
// constant operand, against the three-valued truth table.
func TestLogicAgreesWithTruthTable(t *testing.T) {
	// truth: 0 false, 1 true, 2 unknown
	class := func(x float64) int {
		switch {
		case x != x:
			return 2
		case x == 0:
			return 0
		}
		return 1
	}
	want := func(isOr bool, a, b int) float64 {
		switch {
		case isOr && (a == 1 || b == 1):
			return 1
		case !isOr && (a == 0 || b == 0):
			return 0
		case a == 2 || b == 2:
			return nan
		case isOr:
			return 0
		}
		return 1
	}
	vals := append([]float64{math.Inf(1), math.Inf(-1), math.Float64frombits(0x7FF0000000000001), math.Float64frombits(0xFFF8000000000000)}, awkward...)
	for _, isOr := range []bool{false, true} {
		for _, x := range vals {
			a := make([]float64, len(vals))
			for i := range a {
				a[i] = x
			}
			got := make([]float64, len(vals))
			logicInto(got, a, vals, 0, isOr)
			for i, y := range vals {
				w := want(isOr, class(x), class(y))
				if !sameBits(got[i], w) {
					t.Errorf("or=%v %v, %v: %v, want %v", isOr, x, y, got[i], w)
				}
				var one [1]float64
				logicInto(one[:], []float64{y}, nil, x, isOr)
				if !sameBits(one[0], w) {
					t.Errorf("or=%v %v, constant %v: %v, want %v", isOr, y, x, one[0], w)
				}
			}
		}
	}
}

// TestRankByCountingAgreesWithRadix ranks whole points (ties by the
// hundred, broken by id) with the counting sort and with the radix sort
// it replaces where keys are few, on one and on three parts.
func TestRankByCountingAgreesWithRadix(t *testing.T) {
	p, err := program.Builtin("hnte")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	const n = 20000
	r := &Result{P: p, N: n, Eligible: make([]bool, n), Score: make([][]float64, len(p.Nodes))}
	score := make([]float64, n)
	ids := make([]string, n)
	for i := range score {
		score[i] = float64(rng.IntN(101))
		switch rng.IntN(10) {
		case 0:
			score[i] = math.NaN()
		case 1:
			score[i] = math.Copysign(0, -1)
		}
		r.Eligible[i] = rng.IntN(3) > 0
		// Shared prefixes, some ids equal, some shorter than 16 bytes.
		ids[i] = "9111" + string(rune('A'+rng.IntN(3))) + "0000" + string(rune('0'+rng.IntN(10))) + string(rune('0'+rng.IntN(10)))
		if rng.IntN(2) == 0 {
			ids[i] += "XYZW000" + string(rune('a'+rng.IntN(26)))
		}
	}
	r.Score[p.DecisionNode.Index] = score
	var want []int32
	for _, bb := range []int{0, 17} {
		for _, parts := range []int{1, 3} {
			rows := evenBounds(n, parts)
			bounds := make([]int, parts+1)
			var diff uint64
			ref := scoreKey(score[0])
			for w := range parts {
				k := 0
				for i := rows[w]; i < rows[w+1]; i++ {
					if r.Eligible[i] && score[i] == score[i] {
						k++
						diff |= scoreKey(score[i]) ^ ref
					}
				}
				bounds[w+1] = bounds[w] + k
			}
			if shift, _ := narrowKeys(diff); bits.Len32(uint32(diff>>shift)) > 17 {
				t.Fatalf("keys differ in more than 17 bits: the test would not count")
			}
			old := bucketBits
			bucketBits = bb
			order := make([]int32, bounds[parts])
			r.rankByID(order, ids, rows, bounds, parts, diff)
			bucketBits = old
			if want == nil {
				want = order
				for k := 1; k < len(order); k++ {
					a, b := order[k-1], order[k]
					sa, sb := score[a], score[b]
					if sa < sb || sa == sb && (ids[a] > ids[b] || ids[a] == ids[b] && a > b) {
						t.Fatalf("position %d: row %d (%v %s) before row %d (%v %s)", k, a, sa, ids[a], b, sb, ids[b])
					}
				}
				continue
			}
			for k := range order {
				if order[k] != want[k] {
					t.Fatalf("bucket bits %d, %d parts: position %d is row %d, want %d", bb, parts, k, order[k], want[k])
				}
			}
		}
	}
}

// generalStates is the general path of a gate: the rule's values, then
// their states.
func generalStates(e *evaluator, op *xop, n int) []int8 {
	v := e.compute(op, 0, make([]float64, n))
	st := make([]int8, n)
	for i, x := range v {
		switch {
		case x != x:
			st[i] = -1
		case x != 0:
			st[i] = 1
		}
	}
	return st
}

// TestComparisonsInOnePass checks the gates' and bands' comparisons made
// in the pass that uses them (compareStates, bandWhere) against the
// comparison's values, for every operator, with a column or a constant
// on the right, and missing values on either side.
func TestComparisonsInOnePass(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 1000
	cols := [][]float64{randomColumn(rng, n), randomColumn(rng, n)}
	for i := range n / 4 {
		cols[1][i] = cols[0][i] // equal values
	}
	kinds := []program.OpKind{program.OpEq, program.OpNe, program.OpLt, program.OpLe, program.OpGt, program.OpGe}
	for _, k := range kinds {
		for _, right := range []*xop{{kind: program.OpCol, col: 1, memo: -1}, {kind: program.OpConst, value: 0, memo: -1}, {kind: program.OpConst, value: 3, memo: -1}} {
			op := &xop{kind: k, memo: -1, args: []*xop{{kind: program.OpCol, col: 0, memo: -1}, right}}
			e := &evaluator{cols: cols}
			want := generalStates(e, op, n)
			st := make([]int8, n)
			worst := make([]int8, n)
			for i := range worst {
				worst[i] = 1
			}
			if !e.compareStates(op, 0, st, worst) {
				t.Fatalf("%v: no one-pass path", k)
			}
			band := make([]int8, n)
			for i := range band {
				band[i] = -1
			}
			a, b, bc, pushed, ok := e.comparands(op, 0, n)
			if !ok || pushed != 0 {
				t.Fatalf("%v: comparands %v, %d pushed", k, ok, pushed)
			}
			bandWhere(band, 4, k, a, b, bc)
			for i := range st {
				if st[i] != want[i] || worst[i] != min(1, want[i]) {
					t.Fatalf("%v row %d (%v, %v): state %d (worst %d), want %d", k, i, cols[0][i], cols[1][i], st[i], worst[i], want[i])
				}
				if hit := band[i] == 4; hit != (want[i] == 1) {
					t.Fatalf("%v row %d (%v, %v): band %d, state %d", k, i, cols[0][i], cols[1][i], band[i], want[i])
				}
			}
			if e.top != 0 {
				t.Fatalf("%v: %d scratch buffers not given back", k, e.top)
			}
		}
	}
	// A comparison the memo holds, or with a constant on the left, takes
	// the general path.
	memo := &xop{kind: program.OpGt, memo: 0, args: []*xop{{kind: program.OpCol, col: 0, memo: -1}, {kind: program.OpConst, memo: -1}}}
	left := &xop{kind: program.OpGt, memo: -1, args: []*xop{{kind: program.OpConst, memo: -1}, {kind: program.OpCol, col: 0, memo: -1}}}
	e := &evaluator{cols: cols}
	for _, op := range []*xop{memo, left} {
		if e.compareStates(op, 0, make([]int8, n), make([]int8, n)) {
			t.Errorf("op %+v took the one-pass path", op)
		}
	}
}

// TestPointsInOnePass checks pointsOf against coalesceConst followed by
// the limits, as leafScores did them.
func TestPointsInOnePass(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	v := randomColumn(rng, 1000)
	for _, c := range []float64{0, 2, -1, math.NaN()} {
		for _, top := range []float64{8, math.Inf(1), 0} {
			got := make([]float64, len(v))
			pointsOf(got, v, c, top)
			want := make([]float64, len(v))
			coalesceConst(want, v, c)
			for i, x := range want {
				if isNaN(x) {
					x = 0
				}
				if x < 0 {
					x = 0
				}
				if x > top {
					x = top
				}
				want[i] = x
			}
			for i := range got {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("c %v top %v row %d (%v): %v, want %v", c, top, i, v[i], got[i], want[i])
				}
			}
		}
	}
}

// TestSumCompleteAgreesWithSumNode checks the two-children-a-pass sum of
// children that are never missing, capped, against sumNode and the cap.
func TestSumCompleteAgreesWithSumNode(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const n = 700
	for kids := 0; kids <= 5; kids++ {
		var children [][]float64
		var weights []float64
		for range kids {
			c := make([]float64, n)
			for i := range c {
				c[i] = awkward[1+rng.IntN(len(awkward)-1)] // never missing
				if rng.IntN(2) == 0 {
					c[i] = float64(rng.IntN(12))
				}
			}
			children = append(children, c)
			weights = append(weights, []float64{1, 1, 0.5, 3}[rng.IntN(4)])
		}
		for _, top := range []float64{30, math.Inf(1)} {
			got := make([]float64, n)
			sumComplete(got, children, weights, top)
			want := make([]float64, n)
			if kids > 0 {
				sumNode(want, children, weights)
			}
			for i := range want {
				if want[i] > top {
					want[i] = top
				}
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%d children, top %v, row %d: %v, want %v", kids, top, i, got[i], want[i])
				}
			}
		}
	}
}

// TestRoundedRateInOnePass checks round((x ± c) * s) / d in one pass
// against its four passes, and that other shapes are left alone.
func TestRoundedRateInOnePass(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	const n = 1000
	x := randomColumn(rng, n)
	for i := range n / 2 {
		x[i] = float64(rng.IntN(4000)) / 1000 // rates near the band edges
	}
	cols := [][]float64{x}
	k := func(v float64) *xop { return &xop{kind: program.OpConst, value: v, memo: -1} }
	for _, sub := range []program.OpKind{program.OpSub, program.OpAdd} {
		for _, c := range [][3]float64{{1, 1e6, 1e4}, {0.5, 100, 100}, {-2, 3, 7}} {
			inner := &xop{kind: sub, memo: -1, args: []*xop{{kind: program.OpCol, memo: -1}, k(c[0])}}
			mul := &xop{kind: program.OpMul, memo: -1, args: []*xop{inner, k(c[1])}}
			rd := &xop{kind: program.OpRound, memo: -1, args: []*xop{mul}}
			op := &xop{kind: program.OpDiv, memo: -1, args: []*xop{rd, k(c[2])}}
			if _, _, _, _, ok := roundedRate(op); !ok {
				t.Fatalf("%v %v: not matched", sub, c)
			}
			e := &evaluator{cols: cols}
			got := e.compute(op, 0, make([]float64, n))
			want := make([]float64, n)
			binaryConst(sub, x, c[0], want)
			binaryConst(program.OpMul, want, c[1], want)
			unary(program.OpRound, nil, want, want)
			binaryConst(program.OpDiv, want, c[2], want)
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%v %v row %d (%v): %v, want %v", sub, c, i, x[i], got[i], want[i])
				}
			}
			// Shared inner steps are computed once by the memo instead.
			mul.memo = 0
			if _, _, _, _, ok := roundedRate(op); ok {
				t.Fatalf("%v %v: matched with a shared step", sub, c)
			}
		}
	}
}
