package scoring

import (
	"math"

	"github.com/exemplar/exemplar/internal/program"
)

// The row pass: for a chunk of rows, the indicators, gates, leaf scores
// and bands, and (for programs without composite leaves) the framework's
// branches. Everything in it is row by row, so one row can be scored
// again on its own (Result.rowScores) and give the same bits.

// rowPass computes the indicators and gates of rows [lo, hi) into the
// result's columns.
func (r *Result) rowPass(e *evaluator, lo, hi int) {
	p := r.P
	pl := r.rows
	e.cols = r.Cols
	e.begin(pl)
	m := hi - lo
	for k, ind := range p.Indicators {
		out := r.Cols[ind.Col][lo:hi]
		v := e.eval(pl.indicators[k], lo, out)
		// A division by zero or the like yields ±Inf: treat as missing,
		// so no infinity reaches a score.
		for i, x := range v {
			if math.IsInf(x, 0) {
				x = nan
			}
			out[i] = x
		}
	}
	// worst[i] is the lowest gate state of row i so far: eligible is
	// worst == 1, every gate passed.
	if cap(e.worst) < m {
		e.worst = make([]int8, chunkRows)
	}
	worst := e.worst[:m]
	for i := range worst {
		worst[i] = 1
	}
	buf := e.get(m)
	for g := range p.Gates {
		if e.compareStates(pl.gates[g], lo, r.Gate[g][lo:hi], worst) {
			continue
		}
		v := e.eval(pl.gates[g], lo, buf)
		st := r.Gate[g][lo:hi]
		st = st[:len(v)]
		worst := worst[:len(v)]
		// Which enterprises fail is as good as random: decide without
		// branches (SETcc, CMOV), which a mispredicted jump per row would
		// cost.
		for i, x := range v {
			var pass, unknown int8
			if x != 0 {
				pass = 1
			}
			if x != x {
				unknown = 1
			}
			state := pass - 2*unknown // 1 pass, 0 fail, -1 unknown (NaN != 0)
			st[i] = state
			worst[i] = min(worst[i], state)
		}
	}
	elig := r.Eligible[lo:hi]
	elig = elig[:len(worst)]
	for i, w := range worst {
		elig[i] = w == 1
	}
	e.put()
}

// compareStates sets the gate states st (and lowers worst) of a gate
// whose rule is a comparison, comparing in the same pass rather than
// writing the comparison's values first and reading them back. It
// returns false, doing nothing, for other rules, and for a comparison
// that is computed for other uses anyway (in the memo).
func (e *evaluator) compareStates(op *xop, lo int, st, worst []int8) bool {
	a, b, bc, pushed, ok := e.comparands(op, lo, len(st))
	if !ok {
		return false
	}
	st = st[:len(a)]
	worst = worst[:len(a)]
	kind := op.kind
	for i, x := range a {
		y := bc
		if b != nil { // the same for every row
			y = b[i]
		}
		// As the general path: 1 pass, 0 fail, -1 unknown.
		s := int8(b2i(compare(kind, x, y))) | -int8(b2i(x != x)|b2i(y != y))
		st[i] = s
		worst[i] = min(worst[i], s)
	}
	for range pushed {
		e.put()
	}
	return true
}

// comparands evaluates the operands of a comparison op for n rows from
// lo: the left one's values, and the right one's values or constant (b
// nil). ok is false, with nothing evaluated, when op is no comparison,
// has a constant on the left, or has a memo slot (see compareStates).
// pushed says how many scratch buffers they took, to give back with put.
func (e *evaluator) comparands(op *xop, lo, n int) (a, b []float64, bc float64, pushed int, ok bool) {
	switch op.kind {
	case program.OpEq, program.OpNe, program.OpLt, program.OpLe, program.OpGt, program.OpGe:
	default:
		return nil, nil, 0, 0, false
	}
	if op.memo >= 0 || op.args[0].kind == program.OpConst {
		return nil, nil, 0, 0, false
	}
	a, _, pa := e.operand(op.args[0], lo, n)
	b, bc, pb := e.operand(op.args[1], lo, n)
	a = a[:n]
	if b != nil {
		b = b[:n]
	}
	return a, b, bc, b2i(pa) + b2i(pb), true
}

// compare is x k y for a comparison operator k, false where either is
// missing (but for !=: see known).
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

// chunkViews returns, per node, where the scores of rows [lo, hi) go:
// the node's column where the result keeps one, the evaluator's scratch
// otherwise; and likewise for the bands of band leaves.
func (r *Result) chunkViews(e *evaluator, lo, hi int) (score [][]float64, band [][]int8) {
	k := len(r.Score)
	if len(e.views) < k {
		e.views = make([][]float64, k)
		e.nodes = make([][]float64, k)
		e.bandViews = make([][]int8, k)
	}
	for k, col := range r.Score {
		if col != nil {
			e.views[k] = col[lo:hi]
			continue
		}
		if e.nodes[k] == nil {
			e.nodes[k] = make([]float64, chunkRows)
		}
		e.views[k] = e.nodes[k][:hi-lo]
	}
	for k, col := range r.Band {
		if col != nil {
			e.bandViews[k] = col[lo:hi]
		}
	}
	return e.views[:k], e.bandViews[:k]
}

// leafScores computes the points and band leaves of rows [lo, hi) into
// score[k] and band[k] (len hi-lo each), from the result's columns.
func (r *Result) leafScores(e *evaluator, lo, hi int, score [][]float64, band [][]int8) {
	pl := r.rows
	buf := e.get(hi - lo)
	for _, node := range r.P.Nodes {
		switch node.Kind {
		case program.NodePoints:
			x := pl.points[node.Index]
			var v []float64
			top := math.Inf(1)
			if node.Max != nil {
				top = *node.Max
			}
			s := score[node.Index]
			if x.kind == program.OpCoalesce && len(x.args) == 2 && x.args[0].kind == program.OpCol && x.args[1].kind == program.OpConst {
				// coalesce(input, 0.0), most points leaves: the default
				// and the limits in one pass.
				pointsOf(s, r.Cols[x.args[0].col][lo:hi], x.args[1].value, top)
				continue
			}
			v = e.eval(x, lo, buf)
			s = s[:len(v)]
			for i, x := range v {
				if isNaN(x) {
					x = 0
				}
				if x < 0 {
					x = 0
				}
				if x > top {
					x = top
				}
				s[i] = x
			}
			// A points leaf has no range: its Lo and Hi are its Score.
		case program.NodeBands:
			r.bands(e, node, lo, buf, score[node.Index], band[node.Index])
		}
	}
	e.put()
}

// pointsOf sets s[i] to the points of a leaf coalesce(v, c) limited to
// [0, top]: v[i], or c where it is missing, then 0 where that is missing
// or negative, top where above it. It is the general path's two passes
// (coalesceConst, then the limits in leafScores) in one.
func pointsOf(s, v []float64, c, top float64) {
	v = v[:len(s)]
	cb := math.Float64bits(c)
	for i, x := range v {
		xb := math.Float64bits(x)
		x = math.Float64frombits(xb ^ (xb^cb)&mask(x != x))
		if isNaN(x) {
			x = 0
		}
		if x < 0 {
			x = 0
		}
		if x > top {
			x = top
		}
		s[i] = x
	}
}

// selectBand sets band[i] to b where hit, as arithmetic rather than a
// branch: whether a value reaches a threshold is as good as random, and
// a mispredicted branch per row and band would cost more than the rest
// of the loop.
func selectBand(cur, b int8, hit bool) int8 {
	var h int8
	if hit {
		h = 1 // a SETcc, not a jump
	}
	m := -h
	return cur&^m | b&m
}

// bandWhere sets band[i] to nb where a[i] k b[i] holds (b nil: the
// constant bc) and both are present: where the comparison is 1.
func bandWhere(band []int8, nb int8, k program.OpKind, a, b []float64, bc float64) {
	a = a[:len(band)]
	for i, x := range a {
		y := bc
		if b != nil { // the same for every row
			y = b[i]
		}
		hit := compare(k, x, y) && x == x && y == y
		band[i] = selectBand(band[i], nb, hit)
	}
}

// bands scores a band leaf for the rows of band (from lo): the first band
// that matches gives the range; an expert's fixed points (clamped into the
// range) or the program's band_points choice gives the score. buf is
// scratch of the chunk's length.
func (r *Result) bands(e *evaluator, node *program.NodeInfo, lo int, buf, score []float64, band []int8) {
	m := len(band)
	var val []float64
	if node.Value != nil {
		val = e.eval(r.rows.values[node.Index], lo, e.get(m))[:m]
	}
	// The bands are tried last to first, each overwriting the rows it
	// matches: what is left is the first match, with one select per row
	// and band and no test of which rows are still open. A ladder of
	// thresholds at the front takes one pass for all its bands.
	ladder := r.rows.ladder[node.Index]
	when := r.rows.when[node.Index]
	last := len(node.Bands) - 1
	init := int8(-1)
	if w := when[last]; w != nil && w.kind == program.OpConst && w.value == 1 {
		init, last = int8(last), last-1 // "when: true", the catch-all band
	}
	for i := range band {
		band[i] = init
	}
	for b := last; b >= len(ladder); b-- {
		bi, nb := node.Bands[b], int8(b)
		switch {
		case bi.AtLeast != nil:
			t := *bi.AtLeast
			for i, x := range val {
				band[i] = selectBand(band[i], nb, x >= t)
			}
		case bi.Above != nil:
			t := *bi.Above
			for i, x := range val {
				band[i] = selectBand(band[i], nb, x > t)
			}
		case when[b].kind == program.OpConst:
			// A constant: true matches every row, false none.
			if when[b].value == 1 {
				for i := range band {
					band[i] = nb
				}
			}
		default:
			if a, y, yc, pushed, ok := e.comparands(when[b], lo, m); ok {
				// A comparison (ip_class2 >= 5): compared here, in the
				// pass that selects, as compareStates does for gates.
				bandWhere(band, nb, when[b].kind, a, y, yc)
				for range pushed {
					e.put()
				}
				continue
			}
			cond := e.eval(when[b], lo, buf)[:m]
			for i, c := range cond {
				band[i] = selectBand(band[i], nb, c == 1)
			}
		}
	}
	if len(ladder) > 0 {
		k := int8(len(ladder))
		for i, x := range val {
			var miss int8
			for _, t := range ladder {
				miss += int8(b2i(!(x >= t))) // NaN misses every one
			}
			band[i] = selectBand(band[i], miss, miss < k)
		}
	}
	if node.Value != nil {
		e.put()
	}
	var fixed []float64
	if node.Fixed != nil {
		fixed = r.Cols[node.Fixed.Col][lo : lo+m]
	}
	const (
		pickLow = iota
		pickMid
		pickHigh
	)
	pick := pickLow
	switch r.P.Def.Scoring.BandPoints {
	case "high":
		pick = pickHigh
	case "mid":
		pick = pickMid
	}
	// Tables indexed by band+1 (0 for no band) turn the band into its
	// points without branches.
	nb := len(node.Bands) + 1
	var lut [3][128]float64 // low, high, picked
	for b := 0; b < nb; b++ {
		var l, h float64
		if b > 0 {
			l, h = node.Bands[b-1].Points[0], node.Bands[b-1].Points[1]
		}
		x := l
		switch pick {
		case pickHigh:
			x = h
		case pickMid:
			x = (l + h) / 2
		}
		lut[0][b], lut[1][b], lut[2][b] = l, h, x
	}
	s := score[:len(band)]
	if fixed == nil {
		for i, b := range band {
			s[i] = lut[2][uint8(b+1)&127]
		}
		return
	}
	// The experts' points, where given, replace the pick, clamped into
	// the band's range (see bandRange).
	// Whether the experts fixed a leaf's points is as good as random:
	// select with a mask rather than a jump.
	fixed = fixed[:len(band)]
	for i, b := range band {
		k := uint8(b+1) & 127
		f := fixed[i]
		x := math.Float64bits(lut[2][k])
		y := math.Float64bits(min(max(f, lut[0][k]), lut[1][k]))
		s[i] = math.Float64frombits(x ^ (x^y)&mask(f == f))
	}
}

// rowScores returns enterprise i's score on every node, computed again
// for that row alone where the result keeps no column (see Result.Score).
// It writes nothing to the result, so readers may call it concurrently.
func (r *Result) rowScores(i int) []float64 {
	p := r.P
	out := make([]float64, len(p.Nodes))
	all := true
	for k, col := range r.Score {
		if col != nil {
			out[k] = col[i]
		} else {
			all = false
		}
	}
	if all {
		return out
	}
	e := &evaluator{cols: r.Cols}
	e.begin(r.rows)
	score := make([][]float64, len(p.Nodes))
	band := make([][]int8, len(p.Nodes))
	bands := make([]int8, len(p.Nodes))
	for k := range score {
		score[k] = out[k : k+1]
		band[k] = bands[k : k+1]
	}
	r.leafScores(e, i, i+1, score, band)
	// The run aggregated these rows without error; the same values give
	// the same result.
	_ = r.aggregateViews(r.plan, e, i, score)
	for k, col := range r.Score {
		if col != nil {
			out[k] = col[i]
		}
	}
	return out
}

// NodeScore returns enterprise i's score on node k (program Nodes order):
// from Score where the result keeps the node's column, worked out for the
// row otherwise.
func (r *Result) NodeScore(k, i int) float64 {
	if col := r.Score[k]; col != nil {
		return col[i]
	}
	return r.rowScores(i)[k]
}
