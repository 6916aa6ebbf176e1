// Package benchdata builds the deterministic inputs of the scoring
// engine's benchmarks: a composite program of 30 indicators with its
// table, and tables for the built-in band-scoring program hnte. The
// benchmarks in internal/scoring and the peak-memory program under
// bench/cmd/enginepeak share it, so that they measure the same thing.
package benchdata

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/uscc"
)

// Composite program shape: Pillars pillars of PerPillar indicators each.
const (
	Pillars    = 5
	PerPillar  = 6
	Indicators = Pillars * PerPillar
	Sectors    = 10
)

// CompositeYAML returns the benchmark's composite program: 30 numeric
// inputs as composite leaves (a few lower-is-better), 5 arithmetic
// pillars of 6 under an arithmetic root, and the COINr-style pipeline —
// no coverage screening, imputation by the mean of the enterprise's
// sector (a choice of 10), winsorisation of up to 5 points while |skew| ≥
// 2 and kurtosis ≥ 3.5 with the log fallback, min-max onto 0–100.
func CompositeYAML() string {
	var b strings.Builder
	b.WriteString(`schema: exemplar/v1
name: bench-composite
version: "1"
title: {zh: 基准综合指数, en: "Benchmark composite index"}
years: 1
id: uscc
inputs:
  - {id: uscc, kind: text, required: true, name: {en: "Unified social credit code"}}
  - id: sector
    kind: choice
    name: {en: "Sector"}
    options:
`)
	for s := 0; s < Sectors; s++ {
		fmt.Fprintf(&b, "      - {value: s%d, name: {en: \"Sector %d\"}}\n", s, s)
	}
	for k := 0; k < Indicators; k++ {
		fmt.Fprintf(&b, "  - {id: x%02d, name: {en: \"Indicator %d\"}}\n", k, k)
	}
	b.WriteString(`scoring:
  model: composite
  pipeline:
    coverage: 0
    impute: {method: group_mean, group: sector}
    outliers: {method: winsorise, max_winsorise: 5, skew: 2, kurtosis: 3.5, fallback: log}
    normalise: {method: minmax, low: 0, high: 100}
  framework:
    id: index
    name: {en: "Index"}
    aggregate: arithmetic
    children:
`)
	for p := 0; p < Pillars; p++ {
		fmt.Fprintf(&b, "      - id: pillar%d\n        name: {en: \"Pillar %d\"}\n        aggregate: arithmetic\n        children:\n", p, p)
		for j := 0; j < PerPillar; j++ {
			k := p*PerPillar + j
			dir := 1
			if k%7 == 3 {
				dir = -1
			}
			fmt.Fprintf(&b, "          - {id: i%02d, indicator: x%02d, direction: %d, weight: %d}\n", k, k, dir, 1+k%3)
		}
	}
	b.WriteString(`decision:
  score: index
`)
	return b.String()
}

// CompositeProgram compiles CompositeYAML.
func CompositeProgram() (*program.Program, error) {
	return program.Load([]byte(CompositeYAML()), "bench-composite.yaml")
}

// HNTEProgram loads the built-in band-scoring program.
func HNTEProgram() (*program.Program, error) { return program.Builtin("hnte") }

// Shapes of the composite columns.
const (
	shapeNormal    = iota // symmetric: passes the outlier test untouched
	shapeOutliers         // symmetric with three far outliers: winsorised
	shapeLogNormal        // heavily skewed: winsorising 5 points cannot fix it, log fallback
	shapeUniform
)

func shapeOf(k int) int {
	switch k % 10 {
	case 2:
		return shapeLogNormal
	case 5:
		return shapeOutliers
	case 7, 8:
		return shapeUniform
	}
	return shapeNormal
}

// CompositeTable fills a table of program p (CompositeProgram) for n
// enterprises: credit codes, a sector for each (missing for 0.1 %), and
// 30 indicator columns with about 1 % of values missing, of which three
// are log-normal (skewed) and three carry a few far outliers.
func CompositeTable(p *program.Program, n int) (*scoring.Table, error) {
	t := scoring.NewTable(p, n)
	in, ok := p.Input("uscc")
	if !ok {
		return nil, fmt.Errorf("benchdata: program %s is not the composite benchmark", p.Def.Name)
	}
	t.Text[in.TextCol] = CreditCodes(n, 1)
	sec, ok := p.Input("sector")
	if !ok {
		return nil, fmt.Errorf("benchdata: program %s has no sector", p.Def.Name)
	}
	rng := rand.New(rand.NewPCG(2023, 30))
	col := t.Num[sec.Col]
	for i := range col {
		if rng.IntN(1000) == 0 {
			col[i] = math.NaN()
		} else {
			col[i] = float64(rng.IntN(Sectors))
		}
	}
	for k := 0; k < Indicators; k++ {
		in, ok := p.Input(fmt.Sprintf("x%02d", k))
		if !ok {
			return nil, fmt.Errorf("benchdata: program %s has no x%02d", p.Def.Name, k)
		}
		col := t.Num[in.Col]
		shape := shapeOf(k)
		mean, sd := 50+float64(k), 5+float64(k%4)
		for i := range col {
			if rng.IntN(100) == 0 {
				col[i] = math.NaN()
				continue
			}
			var x float64
			switch shape {
			case shapeNormal, shapeOutliers:
				x = mean + sd*rng.NormFloat64()
			case shapeLogNormal:
				x = 1000 * math.Exp(1.5*rng.NormFloat64())
			case shapeUniform:
				x = 100 * rng.Float64()
			}
			col[i] = math.Round(x*100) / 100
		}
		if shape == shapeOutliers {
			// Three far outliers (1000 sd): the column fails the test and
			// winsorising them fixes it.
			for j := 1; j <= 3; j++ {
				col[j*n/4-1] = mean + 1000*sd
			}
		}
	}
	return t, nil
}

// CreditCodes returns n distinct, valid, fictional unified social credit
// codes in no particular order, all sliced out of one string so that the
// table's id column costs one allocation (as a reader interning into one
// buffer would).
func CreditCodes(n int, seed uint64) []string {
	const size = 18
	rng := rand.New(rand.NewPCG(seed, 18))
	divisions := []string{"110108", "310115", "440305", "320506", "330106", "420111", "510107", "370212"}
	buf := make([]byte, 0, n*size)
	var body [17]byte
	for i := 0; i < n; i++ {
		copy(body[:], "91")
		copy(body[2:], divisions[rng.IntN(len(divisions))])
		// Four random characters, then the index in base 31 (five
		// characters: up to 28 million) so that the codes are distinct.
		x := uint64(i)
		for j := 16; j >= 8; j-- {
			if j >= 12 {
				body[j] = uscc.Charset[x%31]
				x /= 31
			} else {
				body[j] = uscc.Charset[rng.IntN(len(uscc.Charset))]
			}
		}
		c, err := uscc.CheckChar(string(body[:]))
		if err != nil {
			panic(err) // the body is built from the charset
		}
		buf = append(buf, body[:]...)
		buf = append(buf, c)
	}
	all := string(buf)
	codes := make([]string, n)
	for i := range codes {
		codes[i] = all[i*size : (i+1)*size]
	}
	return codes
}

// HNTETable fills a table of the built-in hnte program for n enterprises
// with values like those of the demo's sample data (internal/demo), a
// little more successful: about two in three pass every gate, a few have a value missing, and about
// half have the experts' points fixed within their bands.
func HNTETable(p *program.Program, n int) (*scoring.Table, error) {
	t := scoring.NewTable(p, n)
	col := func(id string, year int) []float64 {
		in, ok := p.Input(id)
		if !ok || in.Col < 0 {
			panic(fmt.Sprintf("benchdata: hnte has no numeric input %q", id))
		}
		return t.Num[in.Col+year]
	}
	set := func(id string, i int, v float64) { col(id, 0)[i] = v }
	yearly := func(id string, i int, vs [3]float64) {
		for y, v := range vs {
			col(id, y)[i] = v
		}
	}
	flag := func(id string, i int, b bool) {
		if b {
			set(id, i, 1)
		} else {
			set(id, i, 0)
		}
	}
	id, _ := p.Input("uscc")
	t.Text[id.TextCol] = CreditCodes(n, 2)
	rng := rand.New(rand.NewPCG(2016, 32))
	logNormal := func(median, sigma float64) float64 { return median * math.Exp(sigma*rng.NormFloat64()) }
	series := func(last, growth, noise float64) [3]float64 {
		var s [3]float64
		s[2] = last
		for y := 1; y >= 0; y-- {
			s[y] = s[y+1] / (1 + growth + noise*rng.NormFloat64())
		}
		for y := range s {
			s[y] = round1(s[y])
		}
		return s
	}
	maybe := func(id string, i int, lo, hi int) {
		if rng.IntN(2) == 0 {
			set(id, i, float64(lo+rng.IntN(hi-lo+1)))
		}
	}
	for i := 0; i < n; i++ {
		set("registered_years", i, round1(0.5+rng.Float64()*15))
		flag("core_ip", i, rng.Float64() > 0.04)
		flag("supported_field", i, rng.Float64() > 0.03)
		staff := math.Round(logNormal(180, 0.9)) + 10
		set("staff_total", i, staff)
		set("staff_tech", i, math.Round(staff*(0.06+0.3*rng.Float64())))
		sales := series(round1(logNormal(9000, 1.2)), 0.15, 0.2)
		if rng.IntN(50) == 0 {
			sales[0] = math.NaN() // registered for less than three years
		}
		yearly("sales", i, sales)
		intensity := 0.035 + 0.06*rng.Float64()
		var rd, dom [3]float64
		for y := range rd {
			s := sales[y]
			if s != s {
				s = sales[2]
			}
			rd[y] = round1(s * intensity * (0.9 + 0.2*rng.Float64()))
			dom[y] = math.Min(round1(rd[y]*(0.8+0.5*rng.Float64())), rd[y])
		}
		yearly("rd", i, rd)
		yearly("rd_domestic", i, dom)
		set("total_revenue", i, round1(sales[2]*1.03))
		set("hitech_revenue", i, round1(sales[2]*(0.55+0.45*rng.Float64())))
		flag("major_accident", i, rng.Float64() < 0.02)
		set("ip_advancement_points", i, float64(2+rng.IntN(7)))
		set("ip_support_points", i, float64(2+rng.IntN(7)))
		set("ip_class1", i, float64(rng.IntN(4)))
		set("ip_class2", i, float64(rng.IntN(9)))
		maybe("ip_count_points", i, 0, 8)
		flag("ip_own_rd", i, rng.Float64() > 0.15)
		set("ip_acquisition_points", i, float64(1+rng.IntN(6)))
		set("standards_points", i, float64(rng.IntN(3)))
		yearly("transformations", i, [3]float64{float64(rng.IntN(7)), float64(rng.IntN(7)), float64(rng.IntN(7))})
		maybe("transformation_points", i, 0, 30)
		set("org_rules_points", i, float64(1+rng.IntN(6)))
		set("org_body_points", i, float64(1+rng.IntN(6)))
		set("org_transfer_points", i, float64(rng.IntN(5)))
		set("org_talent_points", i, float64(rng.IntN(5)))
		assets := series(round1(logNormal(12000, 1.0)), 0.12, 0.15)
		yearly("total_assets", i, assets)
		var liab [3]float64
		for y := range liab {
			liab[y] = round1(assets[y] * (0.3 + 0.3*rng.Float64()))
		}
		yearly("liabilities", i, liab)
		maybe("net_asset_growth_points", i, 0, 10)
		maybe("sales_growth_points", i, 0, 10)
		if rng.IntN(200) == 0 {
			// A value the applicant left empty.
			set("hitech_revenue", i, math.NaN())
		}
	}
	return t, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// Sum is the floor the engine is measured against: one plain pass over
// the columns, adding every value (missing values make the sum NaN, which
// costs nothing extra).
func Sum(cols [][]float64) float64 {
	s := 0.0
	for _, c := range cols {
		for _, v := range c {
			s += v
		}
	}
	return s
}

// CompositeMatrix returns the 30 indicator columns of a CompositeTable:
// the matrix the composite figures are measured against.
func CompositeMatrix(p *program.Program, t *scoring.Table) [][]float64 {
	cols := make([][]float64, 0, Indicators)
	for k := 0; k < Indicators; k++ {
		in, _ := p.Input(fmt.Sprintf("x%02d", k))
		cols = append(cols, t.Num[in.Col])
	}
	return cols
}

// Clone returns a deep copy of t's numeric columns sharing its text.
func Clone(t *scoring.Table) *scoring.Table {
	c := &scoring.Table{N: t.N, Num: make([][]float64, len(t.Num)), Text: t.Text}
	for k, col := range t.Num {
		c.Num[k] = append([]float64(nil), col...)
	}
	return c
}

// CopyInto refills dst's numeric columns from src (same shape), so that a
// table consumed by a Reuse run can be scored again without allocating.
func CopyInto(dst, src *scoring.Table) {
	for k := range src.Num {
		copy(dst.Num[k], src.Num[k])
	}
}
