package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/composite"
	"github.com/exemplar/exemplar/internal/program"
)

// aggChunkRows is how many enterprises the aggregation pass combines at
// a time. It is larger than chunkRows because aggregation streams every
// child column once: longer runs of each column keep the hardware
// prefetchers ahead, while a chunk of the few branch outputs (re-read by
// their parent) still fits in L2.
const aggChunkRows = 8192

// aggPlan is what the aggregation pass needs of each branch node, worked
// out once per run so that the chunks allocate nothing for it.
type aggPlan struct {
	nodes []aggNode
	// of[k] is node k's index in nodes, -1 for leaves.
	of []int
}

type aggNode struct {
	info     *program.NodeInfo
	children []int
	weights  []float64
	names    []string
	// complete: no child can be missing, so a sum needs no checks.
	complete bool
}

func newAggPlan(p *program.Program) *aggPlan {
	a := &aggPlan{of: make([]int, len(p.Nodes))}
	for k := range a.of {
		a.of[k] = -1
	}
	// never[k]: node k's score is never missing. Points and band leaves
	// score 0 when their data is missing; a sum of such is never missing.
	never := make([]bool, len(p.Nodes))
	for _, node := range p.Nodes { // children come before their parent
		switch node.Kind {
		case program.NodePoints, program.NodeBands:
			never[node.Index] = true
			continue
		case program.NodeComposite:
			continue
		}
		n := aggNode{info: node, children: node.Children, complete: true}
		for _, c := range node.Children {
			n.weights = append(n.weights, p.Nodes[c].W)
			n.names = append(n.names, p.Nodes[c].ID)
			n.complete = n.complete && never[c]
		}
		never[node.Index] = n.complete && node.Agg == program.AggSum
		a.of[node.Index] = len(a.nodes)
		a.nodes = append(a.nodes, n)
	}
	return a
}

// rangedNodes reports, per node, whether its low and high bounds can
// differ from its score: a band leaf with a band of two different points
// (or whose midpoint is not its point), and every branch above one. The
// other nodes' bounds equal their score bit for bit, so Run lets Lo and Hi
// share the score's column instead of computing and storing two copies.
func rangedNodes(p *program.Program) []bool {
	ranged := make([]bool, len(p.Nodes))
	if !p.HasRanges {
		return ranged
	}
	same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	for _, node := range p.Nodes { // children come before their parent
		switch node.Kind {
		case program.NodeBands:
			for _, b := range node.Bands {
				l, h := b.Points[0], b.Points[1]
				if !same(l, h) || !same((l+h)/2, l) {
					ranged[node.Index] = true
				}
			}
		case program.NodeBranch:
			for _, c := range node.Children {
				if ranged[c] {
					ranged[node.Index] = true
				}
			}
		}
	}
	return ranged
}

// aggregate computes every branch node for rows [lo, hi) from the
// result's columns, children first, with e's scratch for the children's
// views.
func (r *Result) aggregate(plan *aggPlan, e *evaluator, lo, hi int) error {
	if len(e.views) < len(r.Score) {
		e.views = make([][]float64, len(r.Score))
	}
	views := e.views[:len(r.Score)]
	for k, col := range r.Score {
		views[k] = col[lo:hi]
	}
	return r.aggregateViews(plan, e, lo, views)
}

// aggregateViews computes every branch node, children first, where
// score[k] holds node k's scores for the rows from lo.
func (r *Result) aggregateViews(plan *aggPlan, e *evaluator, lo int, score [][]float64) error {
	for i := range plan.nodes {
		n := &plan.nodes[i]
		children := e.kids[:0]
		for _, c := range n.children {
			children = append(children, score[c])
		}
		e.kids = children
		if err := combine(n, score[n.info.Index], children); err != nil {
			node := n.info
			return &NodeError{Path: node.Path, ID: node.ID, Offset: lo, Err: err}
		}
	}
	return nil
}

// combine aggregates children into out by n's method, capped at its max.
func combine(n *aggNode, out []float64, children [][]float64) error {
	node := n.info
	var err error
	switch node.Agg {
	case program.AggSum:
		if n.complete {
			// The cap too, in the same pass.
			top := math.Inf(1)
			if node.Max != nil {
				top = *node.Max
			}
			sumComplete(out, children, n.weights, top)
			return nil
		}
		sumNode(out, children, n.weights)
	case program.AggArithmetic:
		err = composite.Arithmetic(out, children, n.weights)
	case program.AggGeometric:
		err = composite.Geometric(out, children, n.weights, n.names)
	case program.AggHarmonic:
		err = composite.Harmonic(out, children, n.weights, n.names)
	case program.AggGeneralised:
		err = composite.GeneralisedMean(out, children, n.weights, node.Power, n.names)
	}
	if err != nil {
		return err
	}
	if node.Max != nil {
		m := *node.Max
		for i, x := range out {
			if x > m {
				out[i] = m
			}
		}
	}
	return nil
}

// NodeError is an aggregation that cannot be computed, such as a
// geometric mean over a zero.
type NodeError struct {
	Path   string
	ID     string
	Offset int
	Err    error
}

func (e *NodeError) Error() string {
	return "scoring: " + e.Path + " (" + e.ID + "): " + e.Err.Error()
}

func (e *NodeError) Unwrap() error { return e.Err }

// sumComplete is sumNode for children that are never missing, capped
// at top (+Inf for none): the same sums, added in the same order from 0,
// without the checks, and two children to a pass, the cap in the last.
func sumComplete(out []float64, children [][]float64, weights []float64, top float64) {
	if len(children) == 0 {
		clear(out)
		return
	}
	for k := 0; k < len(children); k += 2 {
		c := children[k][:len(out)]
		w := weights[k]
		d, v := c, 0.0 // d and v stand for no second child
		if k+1 < len(children) {
			d, v = children[k+1][:len(out)], weights[k+1]
		}
		pair := k+1 < len(children)
		first, last := k == 0, k+2 >= len(children)
		// The branches below are the same for every row.
		for i, x := range c {
			acc := 0.0
			if !first {
				acc = out[i]
			}
			acc += w * x
			if pair {
				acc += v * d[i]
			}
			if last && acc > top {
				acc = top
			}
			out[i] = acc
		}
	}
}

// sumNode adds weighted children, skipping missing ones; all missing
// gives missing. It goes child by child over blocks of units (adding in
// child order, as a unit-by-unit loop would) so that each child streams
// through once and the running sums stay in L1.
func sumNode(out []float64, children [][]float64, weights []float64) {
	const block = 256
	var acc [block]float64
	var any [block]bool
	for start := 0; start < len(out); start += block {
		end := min(start+block, len(out))
		a, seen := acc[:end-start], any[:end-start]
		clear(a)
		clear(seen)
		for k, c := range children {
			w := weights[k]
			cb := c[start:end]
			cb = cb[:len(a)]
			for i, x := range cb {
				if !isNaN(x) {
					a[i] += w * x
					seen[i] = true
				}
			}
		}
		o := out[start:end]
		o = o[:len(a)]
		for i := range o {
			if seen[i] {
				o[i] = a[i]
			} else {
				o[i] = nan
			}
		}
	}
}
