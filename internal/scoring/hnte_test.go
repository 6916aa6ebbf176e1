package scoring

import (
	"math"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// ent is one enterprise for a hand-computed case: input id → values
// (one per year for yearly inputs; NaN for a missing year).
type ent map[string][]float64

func v(xs ...float64) []float64 { return xs }

var na = math.NaN()

// tableOf builds a table of program p from enterprises; text inputs get
// the enterprise's index as id.
func tableOf(t *testing.T, p *program.Program, ents []ent) *Table {
	t.Helper()
	tab := NewTable(p, len(ents))
	for i, e := range ents {
		if p.IDInput != nil {
			tab.Text[p.IDInput.TextCol][i] = string(rune('A'+i%26)) + strings.Repeat("x", i/26)
		}
		for id, vals := range e {
			in, ok := p.Input(id)
			if !ok {
				t.Fatalf("no input %q", id)
			}
			if len(vals) != in.Years {
				t.Fatalf("input %q wants %d values, got %d", id, in.Years, len(vals))
			}
			for y, x := range vals {
				tab.Num[in.Col+y][i] = x
			}
		}
	}
	return tab
}

// hnteBase passes every gate and scores exactly 70 with the experts'
// points fixed: ip 8+8+7+6+0 = 29, transformation 25, organisation
// 2+2+1+1 = 6, growth 5+5 = 10 (both 22.5 %, band C 5–6).
func hnteBase() ent {
	return ent{
		"registered_years": v(5), "core_ip": v(1), "supported_field": v(1),
		"staff_total": v(100), "staff_tech": v(10),
		"sales": v(4000, 5000, 6000), "rd": v(200, 200, 200), "rd_domestic": v(200, 200, 200),
		"hitech_revenue": v(60), "total_revenue": v(100), "major_accident": v(0),
		"ip_advancement_points": v(8), "ip_support_points": v(8), "ip_class1": v(1), "ip_class2": v(0),
		"ip_count_points": v(7), "ip_own_rd": v(1), "ip_acquisition_points": v(6), "standards_points": v(0),
		"transformations": v(5, 5, 5), "transformation_points": v(25),
		"org_rules_points": v(2), "org_body_points": v(2), "org_transfer_points": v(1), "org_talent_points": v(1),
		"total_assets": v(100, 120, 150), "liabilities": v(0, 0, 0),
		"net_asset_growth_points": v(5), "sales_growth_points": v(5),
	}
}

func with(base ent, changes ent) ent {
	e := ent{}
	for k, x := range base {
		e[k] = x
	}
	for k, x := range changes {
		e[k] = x
	}
	return e
}

func hnte(t *testing.T) *program.Program {
	t.Helper()
	p, err := program.Builtin("hnte")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func score(t *testing.T, p *program.Program, ents []ent) *Result {
	t.Helper()
	r, err := Run(p, tableOf(t, p, ents), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Every run doubles as a check of the columnar evaluator against the
	// row-at-a-time reference.
	checkAgainstRows(t, r)
	return r
}

func checkAgainstRows(t *testing.T, r *Result) {
	t.Helper()
	for _, ind := range r.P.Indicators {
		for i := 0; i < r.N; i++ {
			want := evalRow(ind.Expr.Root, r.Cols, i)
			if math.IsInf(want, 0) {
				want = math.NaN()
			}
			got := r.Cols[ind.Col][i]
			if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("indicator %s row %d: columnar %v, row-wise %v", ind.ID, i, got, want)
			}
		}
	}
	for g, gate := range r.P.Gates {
		for i := 0; i < r.N; i++ {
			x := evalRow(gate.Expr.Root, r.Cols, i)
			want := int8(-1)
			if x == 1 {
				want = 1
			} else if x == 0 {
				want = 0
			}
			if r.Gate[g][i] != want {
				t.Fatalf("gate %s row %d: columnar %d, row-wise %d", gate.ID, i, r.Gate[g][i], want)
			}
		}
	}
}

func nodeScore(t *testing.T, r *Result, i int, id string) float64 {
	t.Helper()
	n, ok := r.P.NodeByID(id)
	if !ok {
		t.Fatalf("no node %q", id)
	}
	return r.NodeScore(n.Index, i)
}

func indicator(t *testing.T, r *Result, i int, id string) float64 {
	t.Helper()
	ind, ok := r.P.Indicator(id)
	if !ok {
		t.Fatalf("no indicator %q", id)
	}
	return r.Cols[ind.Col][i]
}

func failedGates(r *Result, i int) []string {
	var out []string
	for g, gate := range r.P.Gates {
		if r.Gate[g][i] != 1 {
			out = append(out, gate.ID)
		}
	}
	return out
}

func TestHNTEThreshold70IsStrict(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	r := score(t, p, []ent{
		base,
		with(base, ent{"org_rules_points": v(2.5)}),
		with(base, ent{"org_rules_points": v(1.5)}),
	})
	cases := []struct {
		total float64
		want  Outcome
	}{{70, BelowThreshold}, {70.5, Pass}, {69.5, BelowThreshold}}
	for i, c := range cases {
		if got := nodeScore(t, r, i, "total"); got != c.total {
			t.Errorf("enterprise %d: total %v, want %v", i, got, c.total)
		}
		if r.Outcome[i] != c.want {
			t.Errorf("enterprise %d (total %v): outcome %v, want %v", i, c.total, r.Outcome[i], c.want)
		}
	}
	e := r.Enterprise(0)
	if !strings.Contains(e.Reason.En, "score 70 is not above 70") {
		t.Errorf("reason for 70: %q", e.Reason.En)
	}
	if r.Rank[1] != 1 || r.Rank[0] != 2 || r.Rank[2] != 3 {
		t.Errorf("ranks %v, want 70.5 first, 70 second, 69.5 third", r.Rank)
	}
}

func TestHNTERDThresholds(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	cases := []struct {
		name      string
		sales, rd []float64
		minPct    float64
		pass      bool
	}{
		{"last-year sales exactly 50 M: 5 % needed, 5 % given", v(5000, 5000, 5000), v(250, 250, 250), 5, true},
		{"last-year sales exactly 50 M: 4.99 % fails", v(5000, 5000, 5000), v(250, 250, 249.5), 5, false},
		{"last-year sales exactly 50 M: 4 % is not enough", v(5000, 5000, 5000), v(200, 200, 200), 5, false},
		{"just above 50 M: 4 % suffices", v(4000, 5000, 6000), v(200, 200, 200), 4, true},
		{"just above 50 M: below 4 % fails", v(4000, 5000, 6000), v(200, 200, 199), 4, false},
		{"exactly 200 M: 4 % needed, 4 % given", v(20000, 20000, 20000), v(800, 800, 800), 4, true},
		{"exactly 200 M: 3 % is not enough", v(20000, 20000, 20000), v(600, 600, 600), 4, false},
		{"above 200 M: 3 % suffices", v(19999, 20000, 20001), v(600, 600, 600), 3, true},
		{"above 200 M: below 3 % fails", v(19999, 20000, 20001), v(600, 600, 599), 3, false},
		{"young firm: the years it has", v(na, 1000, 1000), v(na, 100, 0), 5, true},
	}
	var ents []ent
	for _, c := range cases {
		ents = append(ents, with(base, ent{"sales": c.sales, "rd": c.rd, "rd_domestic": c.rd}))
	}
	r := score(t, p, ents)
	g := gateIndex(t, p, "rd_intensity")
	for i, c := range cases {
		if got := indicator(t, r, i, "rd_min_pct"); got != c.minPct {
			t.Errorf("%s: required %v %%, want %v %%", c.name, got, c.minPct)
		}
		if got := r.Gate[g][i] == 1; got != c.pass {
			t.Errorf("%s: gate passed = %v, want %v (intensity %v %%)", c.name, got, c.pass, indicator(t, r, i, "rd_intensity"))
		}
	}
	e := r.Enterprise(2)
	if len(e.Failures) != 1 || !strings.Contains(e.Failures[0].Message.En, "R&D was 4% of sales") || !strings.Contains(e.Failures[0].Message.En, "at least 5%") {
		t.Errorf("failure message: %+v", e.Failures)
	}
}

func gateIndex(t *testing.T, p *program.Program, id string) int {
	t.Helper()
	for g, gate := range p.Gates {
		if gate.ID == id {
			return g
		}
	}
	t.Fatalf("no gate %q", id)
	return -1
}

func TestHNTEGrowth(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	delete(base, "sales_growth_points")
	delete(base, "net_asset_growth_points")
	cases := []struct {
		name           string
		sales          []float64
		growth         float64
		band           string
		points, lo, hi float64
	}{
		{"three ordinary years", v(100, 120, 150), 22.5, "C", 5, 5, 6},
		{"exactly 35 %", v(100, 135, 182.25), 35, "A", 9, 9, 10},
		{"just under 35 %", v(100, 135, 182.2), 34.9815, "B", 7, 7, 8},
		{"exactly 5 %", v(100, 105, 110.25), 5, "D", 3, 3, 4},
		{"year 1 zero: last two years", v(0, 100, 150), 50, "A", 9, 9, 10},
		{"year 2 zero: no points", v(100, 0, 150), 0, "F", 0, 0, 0},
		{"younger than three years: the years it has", v(na, 100, 121), 21, "C", 5, 5, 6},
		{"only one year: no growth", v(na, na, 100), 0, "F", 0, 0, 0},
		{"shrinking", v(150, 120, 100), -18.3333, "F", 0, 0, 0},
		{"barely growing", v(100, 100, 100.01), 0.005, "E", 1, 1, 2},
		{"flat", v(100, 100, 100), 0, "F", 0, 0, 0},
	}
	var ents []ent
	for _, c := range cases {
		ents = append(ents, with(base, ent{"sales": c.sales, "rd": v(10, 10, 10), "rd_domestic": v(10, 10, 10)}))
	}
	r := score(t, p, ents)
	node, _ := p.NodeByID("sales_growth")
	for i, c := range cases {
		if got := indicator(t, r, i, "sales_growth"); math.Abs(got-c.growth) > 1e-9 {
			t.Errorf("%s: growth %v %%, want %v %%", c.name, got, c.growth)
		}
		e := r.Enterprise(i)
		s := e.Scores[node.Index]
		if s.Band != c.band || s.Score != c.points || s.Lo != c.lo || s.Hi != c.hi {
			t.Errorf("%s: band %s points %v [%v, %v], want %s %v [%v, %v]", c.name, s.Band, s.Score, s.Lo, s.Hi, c.band, c.points, c.lo, c.hi)
		}
	}
}

func TestHNTENetAssetsYearTwoZero(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	delete(base, "net_asset_growth_points")
	r := score(t, p, []ent{with(base, ent{"total_assets": v(100, 50, 200), "liabilities": v(0, 50, 0)})})
	if got := nodeScore(t, r, 0, "net_asset_growth"); got != 0 {
		t.Errorf("net assets zero in year 2: %v points, want 0", got)
	}
}

func TestHNTEGatesAndMessages(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	cases := []struct {
		name    string
		change  ent
		failed  string
		message string
	}{
		{"registered under a year", ent{"registered_years": v(0.5)}, "registered", "registered 0.5 years ago"},
		{"S&T staff below 10 %", ent{"staff_tech": v(9)}, "tech_staff", "S&T staff are 9% of the workforce"},
		{"R&D abroad", ent{"rd_domestic": v(100, 100, 100)}, "rd_domestic", "R&D spent in China is 50%"},
		{"high-tech revenue below 60 %", ent{"hitech_revenue": v(59)}, "hitech_revenue", "high-tech revenue is 59% of the total"},
		{"accident", ent{"major_accident": v(1)}, "no_major_accident", "major safety"},
		{"no core IP", ent{"core_ip": v(0)}, "core_ip", "no IP"},
		{"missing staff count", ent{"staff_total": v(na)}, "tech_staff", "missing: staff_total"},
	}
	var ents []ent
	for _, c := range cases {
		ents = append(ents, with(base, c.change))
	}
	r := score(t, p, ents)
	for i, c := range cases {
		got := failedGates(r, i)
		if len(got) != 1 || got[0] != c.failed {
			t.Errorf("%s: failed %v, want [%s]", c.name, got, c.failed)
			continue
		}
		if r.Outcome[i] != NotEligible || r.Rank[i] != 0 {
			t.Errorf("%s: outcome %v rank %d, want not eligible and unranked", c.name, r.Outcome[i], r.Rank[i])
		}
		e := r.Enterprise(i)
		if !strings.Contains(e.Failures[0].Message.En, c.message) {
			t.Errorf("%s: message %q lacks %q", c.name, e.Failures[0].Message.En, c.message)
		}
		if e.Failures[0].Message.Zh == "" || !strings.HasPrefix(e.Reason.Zh, "不符合基本条件") {
			t.Errorf("%s: Chinese reason %q", c.name, e.Reason.Zh)
		}
	}
}

func TestHNTECapsAndRanges(t *testing.T) {
	p := hnte(t)
	base := hnteBase()
	unfixed := with(base, nil)
	for _, k := range []string{"ip_count_points", "transformation_points", "net_asset_growth_points", "sales_growth_points"} {
		delete(unfixed, k)
	}
	r := score(t, p, []ent{
		// 8 + 8 + 8 + 6 + 2 = 32, capped at 30.
		with(base, ent{"ip_count_points": v(8), "standards_points": v(2)}),
		// Only purchased IP: acquisition at most 3.
		with(base, ent{"ip_own_rd": v(0)}),
		// An expert's points outside the band are clamped into it.
		with(base, ent{"transformation_points": v(40)}),
		unfixed,
	})
	if got := nodeScore(t, r, 0, "ip"); got != 30 {
		t.Errorf("IP with bonus: %v, want the cap 30", got)
	}
	if got := nodeScore(t, r, 1, "ip_acquisition"); got != 3 {
		t.Errorf("purchased IP acquisition: %v, want 3", got)
	}
	if got := nodeScore(t, r, 2, "transformation"); got != 30 {
		t.Errorf("fixed points above the band: %v, want 30", got)
	}
	// Unfixed: ip 8+8+[7,8]+6 = [29,30]; transformation [25,30];
	// organisation 6; sales growth 22.5 % → [5,6]; net assets 100 → 150
	// → 22.5 % → [5,6]. Total [70, 78], the low end counted.
	e := r.Enterprise(3)
	root := e.Scores[p.Root().Index]
	if root.Score != 70 || root.Lo != 70 || root.Hi != 78 {
		t.Errorf("unfixed total %v [%v, %v], want 70 [70, 78]", root.Score, root.Lo, root.Hi)
	}
}

func TestFormatValue(t *testing.T) {
	cases := []struct {
		v          float64
		unit, lang string
		want       string
	}{
		{na, "万元", "en", "missing"},
		{na, "", "zh", "缺失"},
		{1234567, "万元", "en", "1,234,567 万元"},
		{-1234.5, "", "en", "-1,234.5"},
		{2.58049, "%", "en", "2.58%"},
		{60, "%", "en", "60%"},
		{0.1 + 0.2, "", "en", "0.3"},
		{300, "persons", "zh", "300 人"},
		{300, "persons", "en", "300 persons"},
		{0.5, "years", "en", "0.5 years"},
	}
	for _, c := range cases {
		if got := FormatValue(c.v, c.unit, c.lang); got != c.want {
			t.Errorf("FormatValue(%v, %q, %s) = %q, want %q", c.v, c.unit, c.lang, got, c.want)
		}
	}
}
