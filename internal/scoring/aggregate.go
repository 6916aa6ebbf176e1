package scoring

import (
	"cmp"
	"slices"

	"github.com/exemplar/exemplar/internal/composite"
	"github.com/exemplar/exemplar/internal/program"
)

// aggregate computes every branch node for rows [lo, hi), children first.
func (r *Result) aggregate(lo, hi int) error {
	p := r.P
	for _, node := range p.Nodes {
		if node.Kind == program.NodeComposite && r.Lo != nil {
			copy(r.Lo[node.Index][lo:hi], r.Score[node.Index][lo:hi])
			copy(r.Hi[node.Index][lo:hi], r.Score[node.Index][lo:hi])
		}
		if node.Kind != program.NodeBranch {
			continue
		}
		if err := r.aggregateNode(node, r.Score, lo, hi); err != nil {
			return err
		}
		if r.Lo != nil {
			if err := r.aggregateNode(node, r.Lo, lo, hi); err != nil {
				return err
			}
			if err := r.aggregateNode(node, r.Hi, lo, hi); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Result) aggregateNode(node *program.NodeInfo, score [][]float64, lo, hi int) error {
	p := r.P
	out := score[node.Index][lo:hi]
	children := make([][]float64, len(node.Children))
	weights := make([]float64, len(node.Children))
	names := make([]string, len(node.Children))
	for k, c := range node.Children {
		children[k] = score[c][lo:hi]
		weights[k] = p.Nodes[c].W
		names[k] = p.Nodes[c].ID
	}
	var err error
	switch node.Agg {
	case program.AggSum:
		sumNode(out, children, weights)
	case program.AggArithmetic:
		err = composite.Arithmetic(out, children, weights)
	case program.AggGeometric:
		err = composite.Geometric(out, children, weights, names)
	case program.AggHarmonic:
		err = composite.Harmonic(out, children, weights, names)
	case program.AggGeneralised:
		err = composite.GeneralisedMean(out, children, weights, node.Power, names)
	}
	if err != nil {
		return &NodeError{Path: node.Path, ID: node.ID, Offset: lo, Err: err}
	}
	if node.Max != nil {
		for i, x := range out {
			if x > *node.Max {
				out[i] = *node.Max
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

// sumNode adds weighted children, skipping missing ones; all missing
// gives missing.
func sumNode(out []float64, children [][]float64, weights []float64) {
	for i := range out {
		s, any := 0.0, false
		for k, c := range children {
			if x := c[i]; !isNaN(x) {
				s += weights[k] * x
				any = true
			}
		}
		if any {
			out[i] = s
		} else {
			out[i] = nan
		}
	}
}

// rank orders the ranked enterprises and gives each its rank.
func (r *Result) rank() {
	p := r.P
	score := r.Score[p.DecisionNode.Index]
	r.Rank = make([]int32, r.N)
	r.ChannelRank = make([]int32, r.N)
	order := make([]int32, 0, r.N)
	for i := 0; i < r.N; i++ {
		if r.Eligible[i] && !isNaN(score[i]) {
			order = append(order, int32(i))
		}
	}
	ids := r.idColumn()
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		for _, t := range p.Ties {
			var col []float64
			if t.Node != nil {
				col = r.Score[t.Node.Index]
			} else {
				col = r.Cols[t.Col]
			}
			// Missing sorts last whatever the order.
			x, y := col[a], col[b]
			switch {
			case isNaN(x) && isNaN(y):
				continue
			case isNaN(x):
				return 1
			case isNaN(y):
				return -1
			}
			c := cmp.Compare(x, y)
			if t.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if ids != nil {
			if c := cmp.Compare(ids[a], ids[b]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	for k, i := range order {
		if k > 0 && score[i] == score[order[k-1]] {
			r.Rank[i] = r.Rank[order[k-1]]
		} else {
			r.Rank[i] = int32(k + 1)
		}
	}
	seen := map[string]int32{}
	for _, i := range order {
		ch := r.Channel(int(i))
		seen[ch]++
		r.ChannelRank[i] = seen[ch]
	}
	r.Order = order
}

func (r *Result) idColumn() []string {
	if r.P.IDInput == nil {
		return nil
	}
	return r.Text[r.P.IDInput.TextCol]
}

// ID returns enterprise i's identifier.
func (r *Result) ID(i int) string {
	if ids := r.idColumn(); ids != nil {
		return ids[i]
	}
	return ""
}

// Channel returns enterprise i's channel, or "" when the program has none.
func (r *Result) Channel(i int) string {
	in := r.P.ChannelInput
	switch {
	case in == nil:
		return ""
	case in.Kind == program.KindText:
		return r.Text[in.TextCol][i]
	}
	return in.OptionValue(r.Cols[in.Col][i])
}

// Quota returns the number that may pass in channel ch; 0 means no limit.
func (r *Result) Quota(ch string) int {
	q := r.P.Def.Decision.Quota
	if n, ok := q.Channels[ch]; ok {
		return n
	}
	return q.Default
}

// PassesThreshold reports whether a decision score clears the threshold.
func (r *Result) PassesThreshold(s float64) bool {
	d := r.P.Def.Decision
	switch {
	case isNaN(s):
		return false
	case d.Threshold == nil:
		return true
	case d.Strict:
		return s > *d.Threshold
	}
	return s >= *d.Threshold
}

// decide sets every outcome: gates first, then coverage, threshold and
// quota in rank order.
func (r *Result) decide() {
	score := r.Score[r.P.DecisionNode.Index]
	r.Outcome = make([]Outcome, r.N)
	for i := range r.Outcome {
		switch {
		case !r.Eligible[i]:
			r.Outcome[i] = NotEligible
		case isNaN(score[i]):
			r.Outcome[i] = NotScored
		default:
			r.Outcome[i] = BelowThreshold
		}
	}
	passed := map[string]int{}
	for _, i := range r.Order {
		if !r.PassesThreshold(score[i]) {
			continue
		}
		ch := r.Channel(int(i))
		if q := r.Quota(ch); q > 0 && passed[ch] >= q {
			r.Outcome[i] = OverQuota
			continue
		}
		passed[ch]++
		r.Outcome[i] = Pass
	}
}
