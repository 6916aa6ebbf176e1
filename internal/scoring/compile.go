package scoring

import (
	"math"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
)

// xop is a program.Op prepared for the chunk evaluator (see rowPlan).
type xop struct {
	kind  program.OpKind
	col   int
	value float64
	set   []float64
	args  []*xop
	// memo is the op's slot in the evaluator's memo, or -1: an op that
	// the row pass uses more than once (sum(rd) in two indicators and two
	// gates) is computed once per chunk and read from the memo after.
	memo int
	// uses counts the references to the op from other ops and roots.
	uses int
}

// opMissing is an xop kind of the engine's own: 1 where its argument is
// missing, else 0 (what !present(x) computes in two steps).
const opMissing program.OpKind = 255

// rowPlan is the row pass of a program, compiled once per run: every
// expression the pass evaluates, with equal subexpressions merged into
// one xop, so that a chunk computes each of them once.
type rowPlan struct {
	indicators []*xop   // p.Indicators order
	gates      []*xop   // p.Gates order
	points     []*xop   // by node index; nil but for points leaves
	values     []*xop   // by node index: a band leaf's value, or nil
	when       [][]*xop // by node index and band: the condition, or nil
	// ladder[k] are the thresholds of band leaf k's leading bands when
	// they compare its value with thresholds that only go down, so that
	// each band's rows include those of the bands before it (at_least 35,
	// 25, …, above 0): the first band a value reaches is then the number
	// of thresholds it misses, one pass for them all. As x > t is
	// x >= nextafter(t, +Inf), every threshold is an at-least.
	ladder [][]float64
	memos  int
}

// newRowPlan compiles the expressions of p's row pass.
func newRowPlan(p *program.Program) *rowPlan {
	c := &opCompiler{seen: map[string]*xop{}, id: map[*xop]int{}}
	pl := &rowPlan{
		points: make([]*xop, len(p.Nodes)),
		values: make([]*xop, len(p.Nodes)),
		when:   make([][]*xop, len(p.Nodes)),
		ladder: make([][]float64, len(p.Nodes)),
	}
	var roots []*xop
	root := func(e *program.Expr) *xop {
		x := c.compile(e.Root)
		roots = append(roots, x)
		return x
	}
	for _, ind := range p.Indicators {
		pl.indicators = append(pl.indicators, root(ind.Expr))
	}
	for _, g := range p.Gates {
		pl.gates = append(pl.gates, root(g.Expr))
	}
	for _, node := range p.Nodes {
		switch node.Kind {
		case program.NodePoints:
			pl.points[node.Index] = root(node.Points)
		case program.NodeBands:
			if node.Value != nil {
				pl.values[node.Index] = root(node.Value)
			}
			pl.ladder[node.Index] = ladder(node.Bands)
			pl.when[node.Index] = make([]*xop, len(node.Bands))
			for b, bi := range node.Bands {
				if bi.AtLeast == nil && bi.Above == nil {
					pl.when[node.Index][b] = root(bi.When)
				}
			}
		}
	}
	// Count the references: each root once, each argument once per
	// parent that names it (a parent is counted once, however many
	// parents share it).
	done := map[*xop]bool{}
	var count func(x *xop)
	count = func(x *xop) {
		x.uses++
		if done[x] {
			return
		}
		done[x] = true
		for _, a := range x.args {
			count(a)
		}
	}
	for _, x := range roots {
		count(x)
	}
	for x := range done {
		x.memo = -1
		if x.uses > 1 && x.kind != program.OpConst && x.kind != program.OpCol {
			x.memo = pl.memos
			pl.memos++
		}
	}
	return pl
}

// ladder returns the at-least thresholds of the leading bands that form
// a ladder (see rowPlan.ladder), nil when fewer than two do.
func ladder(bands []program.BandInfo) []float64 {
	var ts []float64
	for _, b := range bands {
		var t float64
		switch {
		case b.AtLeast != nil:
			t = *b.AtLeast
		case b.Above != nil:
			t = math.Nextafter(*b.Above, math.Inf(1))
		default:
			return keep(ts)
		}
		if len(ts) > 0 && t > ts[len(ts)-1] {
			return keep(ts)
		}
		ts = append(ts, t)
	}
	return keep(ts)
}

func keep(ts []float64) []float64 {
	if len(ts) < 2 {
		return nil
	}
	return ts
}

// opCompiler turns Op trees into xops, giving equal subtrees one xop.
type opCompiler struct {
	seen map[string]*xop
	id   map[*xop]int
}

func (c *opCompiler) compile(o *program.Op) *xop {
	x := &xop{kind: o.Kind, col: o.Col, value: o.Value, set: o.Set}
	for _, a := range o.Args {
		x.args = append(x.args, c.compile(a))
	}
	if len(x.args) == 2 && x.args[0].kind == program.OpConst && x.args[1].kind != program.OpConst {
		// A constant on the left is turned to the right where the
		// operator allows it, so that it is used as a number (see
		// binaryConst): c < x is x > c.
		if k, ok := flipped[x.kind]; ok {
			x.kind = k
			x.args[0], x.args[1] = x.args[1], x.args[0]
		}
	}
	if x.kind == program.OpNot && x.args[0].kind == program.OpPresent {
		// !present(x), the guard before a division: one pass, not two.
		x.kind, x.args = opMissing, x.args[0].args
	}
	var key strings.Builder
	key.WriteString(strconv.Itoa(int(x.kind)))
	switch x.kind {
	case program.OpConst:
		key.WriteString("/" + strconv.FormatUint(math.Float64bits(x.value), 16))
	case program.OpCol:
		key.WriteString("/" + strconv.Itoa(x.col))
	}
	for _, s := range x.set {
		key.WriteString("," + strconv.FormatUint(math.Float64bits(s), 16))
	}
	for _, a := range x.args {
		key.WriteString(" " + strconv.Itoa(c.id[a]))
	}
	if y, ok := c.seen[key.String()]; ok {
		return y
	}
	c.seen[key.String()] = x
	c.id[x] = len(c.id)
	return x
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
