package scoring

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

func load(t *testing.T, src string) *program.Program {
	t.Helper()
	p, err := program.Load([]byte(src), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// quotaProgram ranks by one points leaf, with a channel quota and a
// tie-break.
const quotaProgram = `
schema: exemplar/v1
name: q
title: {en: Quota}
years: 1
id: code
channel: region
inputs:
  - {id: code, kind: text}
  - {id: region, kind: choice, options: [{value: north}, {value: south}]}
  - {id: pts, unit: points}
  - {id: patents, unit: count}
  - {id: ok, kind: yesno}
gates:
  - {id: ok, rule: "ok", message: {en: "not ok"}}
scoring:
  model: bands
  framework:
    id: total
    children:
      - {id: p, points: "pts"}
decision:
  threshold: 50
  quota: {default: 2, channels: {south: 1}}
  ties: [{by: patents}]
`

func TestRankTiesQuotaAndThreshold(t *testing.T) {
	p := load(t, quotaProgram)
	type row struct {
		code    string
		region  float64
		pts     float64
		patents float64
		ok      float64
	}
	rows := []row{
		{"a", 0, 90, 1, 1}, // north, rank 1
		{"b", 0, 80, 5, 1}, // north, tie on 80 with c: more patents first
		{"c", 0, 80, 2, 1}, // north, third in north: over quota
		{"d", 1, 80, 2, 1}, // south, ties with c on patents too: id decides
		{"e", 1, 70, 9, 1}, // south, beyond quota 1
		{"f", 1, 40, 0, 1}, // below threshold
		{"g", 0, 99, 0, 0}, // not eligible: unranked
		{"h", 0, 50, 0, 1}, // exactly the threshold, not strict: passes? north is full
		{"i", 1, na, 0, 1}, // no points → 0, below threshold
	}
	tab := NewTable(p, len(rows))
	for i, r := range rows {
		tab.Text[0][i] = r.code
		tab.Num[0][i] = r.region
		tab.Num[1][i] = r.pts
		tab.Num[2][i] = r.patents
		tab.Num[3][i] = r.ok
	}
	r, err := Run(p, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantRank := []int32{1, 2, 2, 2, 5, 7, 0, 6, 8}
	wantOut := []Outcome{Pass, Pass, OverQuota, Pass, OverQuota, BelowThreshold, NotEligible, OverQuota, BelowThreshold}
	wantOrder := "abcdehfi"
	var order strings.Builder
	for _, i := range r.Order {
		order.WriteString(rows[i].code)
	}
	if order.String() != wantOrder {
		t.Errorf("order %s, want %s", order.String(), wantOrder)
	}
	for i := range rows {
		if r.Rank[i] != wantRank[i] || r.Outcome[i] != wantOut[i] {
			t.Errorf("%s: rank %d outcome %v, want %d %v", rows[i].code, r.Rank[i], r.Outcome[i], wantRank[i], wantOut[i])
		}
	}
	e := r.Enterprise(4)
	if !strings.Contains(e.Reason.En, "ranks 2 in channel south, beyond its quota of 1") {
		t.Errorf("over-quota reason: %q", e.Reason.En)
	}
	if e := r.Enterprise(0); !strings.Contains(e.Reason.En, "1 of quota 2 in channel north") {
		t.Errorf("pass reason: %q", e.Reason.En)
	}
}

// logicProgram exercises the three-valued logic of missing values.
const logicProgram = `
schema: exemplar/v1
name: logic
title: {en: Logic}
years: 3
id: code
inputs:
  - {id: code, kind: text}
  - {id: a}
  - {id: b}
  - {id: s, yearly: true}
indicators:
  - {id: and_, expr: "(a > 0 && b > 0) ? 1 : 0"}
  - {id: or_, expr: "(a > 0 || b > 0) ? 1 : 0"}
  - {id: not_, expr: "!(a > 0) ? 1 : 0"}
  - {id: sum_, expr: "sum(s)"}
  - {id: mean_, expr: "mean(s)"}
  - {id: count_, expr: "count(s)"}
  - {id: min_, expr: "min(a, b)"}
  - {id: co, expr: "coalesce(a, b, -1)"}
  - {id: pr, expr: "present(a) ? 1 : 0"}
  - {id: div, expr: "a / b"}
gates:
  - {id: g, rule: "a > 0 || b > 0", message: {en: "a {a} b {b}"}}
scoring:
  model: bands
  framework: {id: t, children: [{id: x, points: "0"}]}
`

func TestMissingValueLogic(t *testing.T) {
	p := load(t, logicProgram)
	cases := []struct {
		a, b float64
		s    [3]float64
		want map[string]float64
		gate int8
	}{
		{1, na, [3]float64{1, 2, 3}, map[string]float64{"and_": na, "or_": 1, "not_": 0, "sum_": 6, "mean_": 2, "count_": 3, "min_": na, "co": 1, "pr": 1, "div": na}, 1},
		{-1, na, [3]float64{na, 2, na}, map[string]float64{"and_": 0, "or_": na, "not_": 1, "sum_": 2, "mean_": 2, "count_": 1, "min_": na, "co": -1, "pr": 1, "div": na}, -1},
		{na, na, [3]float64{na, na, na}, map[string]float64{"and_": na, "or_": na, "not_": na, "sum_": na, "mean_": na, "count_": 0, "min_": na, "co": -1, "pr": 0, "div": na}, -1},
		{-1, -2, [3]float64{0, 0, 0}, map[string]float64{"and_": 0, "or_": 0, "not_": 1, "sum_": 0, "mean_": 0, "count_": 3, "min_": -2, "co": -1, "pr": 1, "div": 0.5}, 0},
		{3, 0, [3]float64{1, 1, 1}, map[string]float64{"and_": 0, "or_": 1, "div": na}, 1}, // 3/0 = +Inf → missing
	}
	tab := NewTable(p, len(cases))
	ain, _ := p.Input("a")
	bin, _ := p.Input("b")
	sin, _ := p.Input("s")
	for i, c := range cases {
		tab.Num[ain.Col][i] = c.a
		tab.Num[bin.Col][i] = c.b
		for y := range c.s {
			tab.Num[sin.Col+y][i] = c.s[y]
		}
	}
	r, err := Run(p, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstRows(t, r)
	for i, c := range cases {
		for id, want := range c.want {
			got := indicator(t, r, i, id)
			if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("case %d %s: %v, want %v", i, id, got, want)
			}
		}
		if r.Gate[0][i] != c.gate {
			t.Errorf("case %d gate %d, want %d", i, r.Gate[0][i], c.gate)
		}
	}
	if e := r.Enterprise(1); !strings.Contains(e.Failures[0].Message.En, "a -1 b missing (missing: b)") {
		t.Errorf("message %q", e.Failures[0].Message.En)
	}
}

// compositeProgram is a small composite index, used for determinism and
// for the aggregation errors.
func compositeProgram(agg, normalise string) string {
	return `
schema: exemplar/v1
name: c
title: {en: C}
years: 1
id: code
inputs:
  - {id: code, kind: text}
  - {id: grp, kind: choice, options: [{value: x}, {value: y}, {value: z}]}
  - {id: i1}
  - {id: i2}
  - {id: i3}
  - {id: i4}
indicators:
  - {id: r12, expr: "i2 > 0 ? i1 / i2 : 0.0"}
scoring:
  model: composite
  pipeline:
    coverage: 0.7
    impute: {method: group_median, group: grp}
    outliers: {method: winsorise, max_winsorise: 5, skew: 2, kurtosis: 3.5}
    normalise: ` + normalise + `
  framework:
    id: index
    aggregate: ` + agg + `
    children:
      - {id: p1, weight: 2, aggregate: ` + agg + `, children: [{id: l1, indicator: i1}, {id: l2, indicator: i2, direction: -1}]}
      - {id: p2, aggregate: ` + agg + `, children: [{id: l3, indicator: i3}, {id: l4, indicator: i4}, {id: l5, indicator: r12}]}
`
}

func randomTable(p *program.Program, n int, seed uint64) *Table {
	rng := rand.New(rand.NewPCG(seed, 1))
	tab := NewTable(p, n)
	for i := 0; i < n; i++ {
		tab.Text[0][i] = string(rune('a'+i%26)) + strings.Repeat("z", i/26%5) + string(rune('0'+i%10))
		tab.Num[0][i] = float64(rng.IntN(3))
		for c := 1; c < p.NumCols; c++ {
			if rng.Float64() < 0.05 {
				continue // missing
			}
			x := math.Exp(2 * rng.NormFloat64()) // skewed
			tab.Num[c][i] = x
		}
	}
	return tab
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	p := load(t, compositeProgram("arithmetic", "{method: minmax, low: 0, high: 100}"))
	const n = 5*chunkRows + 17
	one, err := Run(p, randomTable(p, n, 42), Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	many, err := Run(p, randomTable(p, n, 42), Options{Workers: 7})
	if err != nil {
		t.Fatal(err)
	}
	for k := range one.Score {
		for i := 0; i < n; i++ {
			a, b := one.Score[k][i], many.Score[k][i]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Fatalf("node %s row %d: %v with 1 worker, %v with 7", p.Nodes[k].ID, i, a, b)
			}
		}
	}
	for i := 0; i < n; i++ {
		if one.Rank[i] != many.Rank[i] || one.Outcome[i] != many.Outcome[i] {
			t.Fatalf("row %d: rank/outcome differ between worker counts", i)
		}
	}
	notScored := 0
	for i := 0; i < n; i++ {
		if one.Outcome[i] == NotScored {
			notScored++
			if e := one.Enterprise(i); !strings.Contains(e.Reason.En, "70% needed") {
				t.Fatalf("not-scored reason %q", e.Reason.En)
			}
		}
	}
	if notScored == 0 {
		t.Error("with 5 % missing and 70 % coverage some enterprises should be screened out")
	}
}

func TestGeometricNeedsPositiveValues(t *testing.T) {
	// Min-max from 0 puts a zero in every leaf: a geometric mean cannot
	// take it, and the error says where.
	p := load(t, compositeProgram("geometric", "{method: minmax, low: 0, high: 100}"))
	_, err := Run(p, randomTable(p, 300, 1), Options{})
	var ne *NodeError
	if !errors.As(err, &ne) {
		t.Fatalf("want a NodeError, got %v", err)
	}
	if (ne.ID != "p1" && ne.ID != "p2") || !strings.Contains(err.Error(), "positive") {
		t.Errorf("error: %v", err)
	}
	// From 1 to 100 it works.
	p = load(t, compositeProgram("geometric", "{method: minmax, low: 1, high: 100}"))
	r, err := Run(p, randomTable(p, 300, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Check one enterprise's index by hand: weighted geometric mean of the
	// pillars (weights 2 and 1).
	root, p1, p2 := p.Root().Index, mustNode(t, p, "p1"), mustNode(t, p, "p2")
	for i := 0; i < r.N; i++ {
		if r.Outcome[i] == NotScored {
			continue
		}
		want := math.Pow(math.Pow(r.Score[p1][i], 2)*r.Score[p2][i], 1.0/3)
		if math.Abs(r.Score[root][i]-want) > 1e-9*want {
			t.Fatalf("row %d: geometric index %v, want %v", i, r.Score[root][i], want)
		}
		break
	}
}

func mustNode(t *testing.T, p *program.Program, id string) int {
	t.Helper()
	n, ok := p.NodeByID(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return n.Index
}

func TestTableShapeIsChecked(t *testing.T) {
	p := load(t, quotaProgram)
	tab := NewTable(p, 3)
	tab.Num[1] = tab.Num[1][:2]
	if _, err := Run(p, tab, Options{}); err == nil || !strings.Contains(err.Error(), "pts") {
		t.Errorf("short column: %v", err)
	}
	tab = &Table{N: 1}
	if _, err := Run(p, tab, Options{}); err == nil {
		t.Error("a table without columns was accepted")
	}
}

func TestEmptyTable(t *testing.T) {
	for _, src := range []string{quotaProgram, compositeProgram("arithmetic", "{method: minmax, low: 0, high: 100}")} {
		p := load(t, src)
		r, err := Run(p, NewTable(p, 0), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.N != 0 || len(r.Order) != 0 {
			t.Errorf("empty table: %d rows, %d ranked", r.N, len(r.Order))
		}
	}
}

// combinedProgram adds band points and a composite sub-index.
const combinedProgram = `
schema: exemplar/v1
name: combo
title: {en: Combined}
years: 1
id: code
inputs:
  - {id: code, kind: text}
  - {id: patents, unit: count}
  - {id: x1}
  - {id: x2}
scoring:
  model: combined
  pipeline:
    normalise: {method: minmax, low: 0, high: 100}
  framework:
    id: total
    aggregate: sum
    children:
      - id: ip
        max: 30
        value: patents
        bands:
          - {label: A, at_least: 10, points: [25, 30]}
          - {label: B, at_least: 1, points: [10, 20]}
          - {label: C, when: "true", points: [0, 0]}
      - id: index
        weight: 0.7
        aggregate: arithmetic
        children:
          - {id: l1, indicator: x1, weight: 3}
          - {id: l2, indicator: x2, direction: -1}
`

func TestCombinedBandsAndComposite(t *testing.T) {
	p := load(t, combinedProgram)
	tab := NewTable(p, 3)
	pat, _ := p.Input("patents")
	x1, _ := p.Input("x1")
	x2, _ := p.Input("x2")
	for i, row := range [][3]float64{{12, 10, 5}, {3, 20, 1}, {0, 30, 3}} {
		tab.Text[0][i] = string(rune('a' + i))
		tab.Num[pat.Col][i], tab.Num[x1.Col][i], tab.Num[x2.Col][i] = row[0], row[1], row[2]
	}
	r, err := Run(p, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// x1 10,20,30 → 0,50,100; x2 5,1,3 reversed → 0,100,50.
	// index = (3·l1 + l2)/4 → 0, 62.5, 87.5; total = band low + 0.7·index.
	want := []struct{ total, lo, hi float64 }{
		{25, 25, 30},
		{10 + 0.7*62.5, 10 + 0.7*62.5, 20 + 0.7*62.5},
		{0.7 * 87.5, 0.7 * 87.5, 0.7 * 87.5},
	}
	for i, w := range want {
		e := r.Enterprise(i)
		root := e.Scores[p.Root().Index]
		if math.Abs(root.Score-w.total) > 1e-9 || math.Abs(root.Lo-w.lo) > 1e-9 || math.Abs(root.Hi-w.hi) > 1e-9 {
			t.Errorf("enterprise %d: total %v [%v, %v], want %v [%v, %v]", i, root.Score, root.Lo, root.Hi, w.total, w.lo, w.hi)
		}
	}
	if r.Rank[0] != 3 || r.Rank[1] != 2 || r.Rank[2] != 1 { // 25, 53.75, 61.25
		t.Errorf("ranks %v", r.Rank)
	}
}

func TestQuotasOfTheRunOverrideTheProgram(t *testing.T) {
	p := load(t, quotaProgram)
	tab := NewTable(p, 4)
	for i, pts := range []float64{90, 80, 70, 60} {
		tab.Text[0][i] = string(rune('a' + i))
		tab.Num[0][i] = 0 // all north: the program allows 2
		tab.Num[1][i] = pts
		tab.Num[3][i] = 1
	}
	r, err := Run(p, tab, Options{Quotas: map[string]int{"north": 3}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Outcome{Pass, Pass, Pass, OverQuota}
	for i, w := range want {
		if r.Outcome[i] != w {
			t.Errorf("enterprise %d: %v, want %v (the run's quota is 3)", i, r.Outcome[i], w)
		}
	}
	if q := r.Quota("south"); q != 1 {
		t.Errorf("south falls back to the program's quota: %d, want 1", q)
	}
}
