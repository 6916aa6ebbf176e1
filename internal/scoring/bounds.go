package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/program"
)

// Bounds returns enterprise i's lowest and highest possible score on
// every framework node (program Nodes order): where a band gives a range
// of points and no expert has fixed them, the score counts one end of it
// (the program's band_points) and the bounds say how far it could move.
// Elsewhere both bounds equal the score.
//
// Bounds are worked out per enterprise, on demand, rather than kept as
// columns: they are read when a result is shown, and two more columns per
// node would be most of a band program's memory and time.
func (r *Result) Bounds(i int) (lo, hi []float64) {
	return r.bounds(i, r.rowScores(i))
}

// bounds is Bounds given the row's scores (see rowScores).
func (r *Result) bounds(i int, score []float64) (lo, hi []float64) {
	p := r.P
	lo = make([]float64, len(p.Nodes))
	hi = make([]float64, len(p.Nodes))
	var kidsLo, kidsHi [][]float64
	for k, node := range p.Nodes { // children come before their parent
		s := score[k]
		switch {
		case !r.ranged[k]:
			lo[k], hi[k] = s, s
		case node.Kind == program.NodeBands:
			lo[k], hi[k] = r.bandRange(node, i)
		case node.Kind == program.NodeBranch:
			n := &r.plan.nodes[r.plan.of[k]]
			kidsLo, kidsHi = kidsLo[:0], kidsHi[:0]
			for _, c := range n.children {
				kidsLo = append(kidsLo, lo[c:c+1])
				kidsHi = append(kidsHi, hi[c:c+1])
			}
			// The score itself was aggregated without error, and the
			// bounds come from the same kind of values.
			if combine(n, lo[k:k+1], kidsLo) != nil || combine(n, hi[k:k+1], kidsHi) != nil {
				lo[k], hi[k] = math.NaN(), math.NaN()
			}
		default:
			lo[k], hi[k] = s, s
		}
	}
	return lo, hi
}

// bandRange is the points range of enterprise i's band on a band leaf,
// closed on the experts' points when they fixed them (clamped into the
// band's range, as the score is).
func (r *Result) bandRange(node *program.NodeInfo, i int) (lo, hi float64) {
	if b := r.Band[node.Index][i]; b >= 0 {
		lo, hi = node.Bands[b].Points[0], node.Bands[b].Points[1]
	}
	if node.Fixed != nil {
		if f := r.Cols[node.Fixed.Col][i]; !isNaN(f) {
			x := min(max(f, lo), hi)
			return x, x
		}
	}
	return lo, hi
}
