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
