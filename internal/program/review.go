package program

import (
	"math"
	"slices"
	"strconv"
)

// Review combination methods.
const (
	CombineMean        = "mean"         // the plain mean of the experts' values
	CombineTrimmedMean = "trimmed_mean" // with 5 or more values, the mean without the highest and the lowest
)

// Review is a program's expert review (专家评审): which inputs experts
// score, how many experts score each application, and how their values
// combine into the application's review value.
type Review struct {
	// Items are the ids of the inputs experts score: numeric, non-yearly
	// inputs in points with a min and a max. When a band leaf names the
	// input as its fixed points, the expert's value must also lie within
	// the band the engine computed for the application.
	Items []string `yaml:"items"`
	// MinExperts is how many experts must submit a scoresheet for each
	// application (at least 1).
	MinExperts int `yaml:"min_experts"`
	// Combine is mean (the default) or trimmed_mean.
	Combine string `yaml:"combine"`
	Source  string `yaml:"source"`
}

// ReviewItem is one input of the review, compiled.
type ReviewItem struct {
	Input *InputInfo
	// Node is the band leaf whose points the item fixes (nil when the
	// item is not a band leaf's fixed input): the expert's value must lie
	// within the band's range for the application.
	Node *NodeInfo
}

// Lo and Hi are the item's allowed values before any band narrows them:
// the input's min and max.
func (it ReviewItem) Lo() float64 { return *it.Input.Min }

// Hi is the input's max; see Lo.
func (it ReviewItem) Hi() float64 { return *it.Input.Max }

// BandRange returns the points range of the band labelled label on the
// item's band leaf, and false when the item has no band leaf or the leaf
// no such band.
func (it ReviewItem) BandRange(label string) (lo, hi float64, ok bool) {
	if it.Node == nil {
		return 0, 0, false
	}
	for i, b := range it.Node.Bands {
		l := b.Label
		if l == "" {
			l = strconv.Itoa(i + 1)
		}
		if l == label {
			return b.Points[0], b.Points[1], true
		}
	}
	return 0, 0, false
}

// maxReviewExperts bounds min_experts: review panels are a handful of
// people; hundreds is a typing mistake.
const maxReviewExperts = 50

// compileReview checks the review section (when the definition has one)
// and fills p.ReviewItems. It runs after the framework is compiled, so
// that band leaves' fixed inputs are known.
func (p *Program) compileReview(ps *problems) {
	r := p.Def.Review
	if r == nil {
		return
	}
	if len(r.Items) == 0 {
		ps.add("review.items", "name at least one input the experts score")
	}
	fixedBy := map[string]*NodeInfo{}
	for _, n := range p.Nodes {
		if n.Fixed != nil && n.Kind == NodeBands {
			fixedBy[n.Fixed.ID] = n
		}
	}
	var seen []string
	for i, id := range r.Items {
		path := "review.items[" + strconv.Itoa(i) + "]"
		in, ok := p.inputs[id]
		switch {
		case !ok:
			ps.add(path, "program has no input %q", id)
			continue
		case slices.Contains(seen, id):
			ps.add(path, "%q is listed twice", id)
			continue
		case in.Kind != KindNumber || in.Yearly || in.Unit != "points":
			ps.add(path, "input %q must be a number in points, not yearly, for experts to score it", id)
			continue
		case in.Min == nil || in.Max == nil:
			ps.add(path, "input %q needs a min and a max: they bound what an expert may give", id)
			continue
		case math.IsNaN(*in.Min) || math.IsNaN(*in.Max) || *in.Min > *in.Max:
			ps.add(path, "input %q: its min must not be above its max", id)
			continue
		}
		seen = append(seen, id)
		p.ReviewItems = append(p.ReviewItems, ReviewItem{Input: in, Node: fixedBy[id]})
	}
	if r.MinExperts < 1 || r.MinExperts > maxReviewExperts {
		ps.add("review.min_experts", "must be between 1 and %d, got %d", maxReviewExperts, r.MinExperts)
	}
	switch r.Combine {
	case "":
		r.Combine = CombineMean
	case CombineMean, CombineTrimmedMean:
	default:
		ps.add("review.combine", "must be %q or %q, got %q", CombineMean, CombineTrimmedMean, r.Combine)
	}
}

// HasReview reports whether the program's applications are scored by
// experts before deliberation.
func (p *Program) HasReview() bool { return p.Def.Review != nil && len(p.ReviewItems) > 0 }

// ReviewItem returns the review item of input id.
func (p *Program) ReviewItem(id string) (ReviewItem, bool) {
	for _, it := range p.ReviewItems {
		if it.Input.ID == id {
			return it, true
		}
	}
	return ReviewItem{}, false
}

// CombineScores combines the experts' values of one item by method:
// their mean, or with CombineTrimmedMean and 5 or more values, the mean
// of the values without one highest and one lowest. It returns NaN for
// no values.
func CombineScores(method string, values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	v := slices.Clone(values)
	slices.Sort(v)
	if method == CombineTrimmedMean && len(v) >= 5 {
		v = v[1 : len(v)-1]
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}
