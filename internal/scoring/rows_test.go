package scoring_test

import (
	"math"
	"testing"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/scoring"
)

// TestRowScoresAgreeWithTheRun checks the scores a band program does not
// keep as columns, worked out again per enterprise: the decision node's
// comes out bit for bit as the run's column, each branch is the capped
// sum of its children, and every worker count gives the same bits.
func TestRowScoresAgreeWithTheRun(t *testing.T) {
	p, err := benchdata.HNTEProgram()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := benchdata.HNTETable(p, 5000)
	if err != nil {
		t.Fatal(err)
	}
	one, err := scoring.Run(p, tab, scoring.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	many, err := scoring.Run(p, tab, scoring.Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	dec := p.DecisionNode.Index
	kept := 0
	for k := range p.Nodes {
		if one.Score[k] != nil {
			kept++
		}
	}
	if kept != 1 || one.Score[dec] == nil {
		t.Fatalf("%d score columns kept; want the decision node's only", kept)
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	for i := 0; i < tab.N; i++ {
		if got := one.NodeScore(dec, i); !same(got, one.Score[dec][i]) {
			t.Fatalf("row %d: total worked out again %v, run's column %v", i, got, one.Score[dec][i])
		}
		a, b := one.Enterprise(i).Scores, many.Enterprise(i).Scores
		for k, node := range p.Nodes {
			if !same(a[k].Score, b[k].Score) || !same(a[k].Lo, b[k].Lo) || !same(a[k].Hi, b[k].Hi) {
				t.Fatalf("row %d node %s: %+v with 1 worker, %+v with 3", i, node.ID, a[k], b[k])
			}
			if a[k].Lo > a[k].Score || a[k].Hi < a[k].Score {
				t.Fatalf("row %d node %s: score outside its range: %+v", i, node.ID, a[k])
			}
			if len(node.Children) == 0 {
				continue
			}
			sum := 0.0
			for _, c := range node.Children {
				sum += a[c].Score
			}
			if node.Max != nil {
				sum = math.Min(sum, *node.Max)
			}
			if math.Abs(sum-a[k].Score) > 1e-9 {
				t.Fatalf("row %d node %s: %v, children sum to %v", i, node.ID, a[k].Score, sum)
			}
		}
		if k := i % len(p.Nodes); !same(one.NodeScore(k, i), a[k].Score) {
			t.Fatalf("row %d node %s: NodeScore %v, view %v", i, p.Nodes[k].ID, one.NodeScore(k, i), a[k].Score)
		}
		if one.Outcome[i] != many.Outcome[i] || one.Rank[i] != many.Rank[i] || one.Eligible[i] != many.Eligible[i] {
			t.Fatalf("row %d differs between worker counts", i)
		}
	}
}

// TestRankWhenTheFirstRowsAreNotRanked sorts a cohort whose first share
// of rows (one worker's) has no one eligible: the keys of the other
// shares alone decide how the scores are sorted.
func TestRankWhenTheFirstRowsAreNotRanked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 70,000 enterprises")
	}
	p, err := benchdata.HNTEProgram()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := benchdata.HNTETable(p, 70_000)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := p.Input("core_ip")
	for i := 0; i < tab.N/2+1000; i++ {
		tab.Num[in.Col][i] = 0 // fails the core-IP gate
	}
	r, err := scoring.Run(p, tab, scoring.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	score := r.Score[p.DecisionNode.Index]
	if len(r.Order) == 0 {
		t.Fatal("no one ranked")
	}
	for k := 1; k < len(r.Order); k++ {
		a, b := r.Order[k-1], r.Order[k]
		if score[a] < score[b] || score[a] == score[b] && r.ID(int(a)) > r.ID(int(b)) {
			t.Fatalf("order[%d]: %v (%s) before %v (%s)", k, score[a], r.ID(int(a)), score[b], r.ID(int(b)))
		}
	}
}
