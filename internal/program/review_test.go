package program_test

import (
	"math"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// TestReviewBuiltin: hnte's review scores the expert-points inputs with at
// least 5 experts, and its band items know their bands; miit-tide has no
// review.
func TestReviewBuiltin(t *testing.T) {
	p, err := program.Builtin("hnte")
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasReview() || len(p.ReviewItems) != 11 || p.Def.Review.MinExperts != 5 || p.Def.Review.Combine != program.CombineMean {
		t.Fatalf("hnte review: %d items, %+v", len(p.ReviewItems), p.Def.Review)
	}
	it, ok := p.ReviewItem("transformation_points")
	if !ok || it.Node == nil || it.Node.ID != "transformation" || it.Lo() != 0 || it.Hi() != 30 {
		t.Fatalf("transformation_points: %+v", it)
	}
	if lo, hi, ok := it.BandRange("B"); !ok || lo != 19 || hi != 24 {
		t.Errorf("band B of transformation = %v–%v, %v; want 19–24", lo, hi, ok)
	}
	if _, _, ok := it.BandRange("Z"); ok {
		t.Error("band Z of transformation exists")
	}
	if it, _ := p.ReviewItem("ip_support_points"); it.Node != nil {
		t.Errorf("ip_support_points is a points leaf, not a band: %+v", it.Node)
	}
	tide, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	if tide.HasReview() {
		t.Error("miit-tide has a review")
	}
}

// TestReviewProblems: each mistake in a review section is reported at its
// path.
func TestReviewProblems(t *testing.T) {
	for _, c := range []struct {
		review, path, want string
	}{
		{"review: {items: [], min_experts: 3}", "review.items", "at least one input"},
		{"review: {items: [nope], min_experts: 3}", "review.items[0]", `no input "nope"`},
		{"review: {items: [staff], min_experts: 3}", "review.items[0]", "number in points"},
		{"review: {items: [expert_points, expert_points], min_experts: 3}", "review.items[1]", "listed twice"},
		{"review: {items: [expert_points], min_experts: 0}", "review.min_experts", "between 1 and 50"},
		{"review: {items: [expert_points], min_experts: 3, combine: median}", "review.combine", `"median"`},
	} {
		_, err := program.Load([]byte(baseYAML+c.review+"\n"), "r.yaml")
		list := problemsOf(t, err)
		if !hasProblem(list, c.path, c.want) {
			t.Errorf("%s: want %s: …%s…; got%s", c.review, c.path, c.want, listString(list))
		}
	}
	var p *program.Program
	src := edited(t, "  - id: expert_points\n    unit: points\n    min: 0\n", "  - id: expert_points\n    unit: points\n")
	_, err := program.Load([]byte(src+"review: {items: [expert_points], min_experts: 3}\n"), "r.yaml")
	list := problemsOf(t, err)
	if !hasProblem(list, "review.items[0]", "needs a min and a max") {
		t.Errorf("no min: got%s", listString(list))
	}
	p, err = program.Load([]byte(baseYAML+"review: {items: [expert_points], min_experts: 2, source: test}\n"), "r.yaml")
	if err != nil || !p.HasReview() || p.Def.Review.Combine != program.CombineMean {
		t.Fatalf("a valid review: %v", err)
	}
}

// TestCombineScores: the mean, and the trimmed mean dropping one highest
// and one lowest from 5 values up.
func TestCombineScores(t *testing.T) {
	for _, c := range []struct {
		method string
		in     []float64
		want   float64
	}{
		{program.CombineMean, []float64{7, 8, 8}, 23.0 / 3},
		{program.CombineTrimmedMean, []float64{7, 8, 8}, 23.0 / 3},
		{program.CombineTrimmedMean, []float64{30, 25, 26, 27, 28}, 27},
		{program.CombineMean, []float64{30, 25, 26, 27, 28}, 27.2},
		{program.CombineTrimmedMean, []float64{1, 2, 3, 4, 5, 100}, 3.5},
	} {
		if got := program.CombineScores(c.method, c.in); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s%v = %v, want %v", c.method, c.in, got, c.want)
		}
	}
	if !math.IsNaN(program.CombineScores(program.CombineMean, nil)) {
		t.Error("no values combine to a number")
	}
}
