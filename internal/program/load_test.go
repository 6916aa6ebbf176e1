package program_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/exemplar/exemplar/internal/program"
)

// baseYAML is a small valid definition that uses every part of the schema
// once: each test case below changes one thing in it.
//
// Numeric columns: region 0, level 1, staff 2, sales 3–5, rd 6–8,
// certified 9, expert_points 10; indicators rd_ratio 11, growth 12.
const baseYAML = `schema: exemplar/v1
name: base
version: "1"
title: {zh: 基础项目, en: Base program}
years: 3
validity_years: 3
id: uscc
channel: region
inputs:
  - id: uscc
    kind: text
    format: uscc
    name: {zh: 统一社会信用代码, en: Credit code}
  - id: region
    kind: choice
    name: {zh: 地区, en: Region}
    options:
      - {value: north, name: {zh: 北, en: North}}
      - {value: south, name: {zh: 南, en: South}}
  - id: level
    kind: choice
    options:
      - {value: none}
      - {value: provincial}
      - {value: national}
  - id: staff
    unit: persons
    min: 0
    max: 100000
  - id: sales
    unit: 万元
    yearly: true
    min: 0
  - id: rd
    unit: 万元
    yearly: true
  - id: certified
    kind: yesno
  - id: expert_points
    unit: points
    min: 0
    max: 10
indicators:
  - id: rd_ratio
    unit: "%"
    expr: "sum(sales) > 0 ? sum(rd) / sum(sales) * 100 : 0.0"
  - id: growth
    expr: "sales[-1] - sales[0]"
gates:
  - id: staff
    name: {zh: 职工, en: Staff}
    rule: "staff >= 10"
    message: {zh: "职工 {staff} 人", en: "{staff} staff"}
  - id: level
    rule: "level in ['provincial', 'national']"
    message: {en: "no provincial or national technology centre"}
scoring:
  model: combined
  pipeline:
    coverage: 0.5
    impute: {method: mean}
    outliers: {method: winsorise, max_winsorise: 5, skew: 2, kurtosis: 3.5, fallback: log}
    normalise: {method: minmax, low: 0, high: 100}
  framework:
    id: total
    aggregate: sum
    children:
      - id: expert
        max: 10
        points: "coalesce(expert_points, 0.0)"
      - id: intensity
        max: 20
        value: rd_ratio
        bands:
          - {label: A, at_least: 5, points: [15, 20]}
          - {label: B, above: 0, points: [1, 14]}
          - {label: C, when: "true", points: [0, 0]}
      - id: growth_score
        indicator: growth
decision:
  score: total
  threshold: 10
  quota: {default: 2, channels: {south: 1}}
  ties:
    - {by: rd_ratio}
    - {by: staff, order: asc}
`

// edited applies old→new replacements to baseYAML; each old text must
// occur exactly once so that a case cannot silently stop testing anything.
func edited(t *testing.T, pairs ...string) string {
	t.Helper()
	if len(pairs)%2 != 0 {
		t.Fatalf("edited: odd number of arguments")
	}
	src := baseYAML
	for i := 0; i < len(pairs); i += 2 {
		if n := strings.Count(src, pairs[i]); n != 1 {
			t.Fatalf("edited: %q occurs %d times in the base definition, want 1", pairs[i], n)
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// baseDef parses baseYAML into a fresh Definition.
func baseDef(t *testing.T) *program.Definition {
	t.Helper()
	var d program.Definition
	if err := yaml.Unmarshal([]byte(baseYAML), &d); err != nil {
		t.Fatalf("base definition: %v", err)
	}
	return &d
}

// problemsOf returns the problems of err, failing the test unless err is
// a *program.Problems.
func problemsOf(t *testing.T, err error) []program.Problem {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want *program.Problems")
	}
	var ps *program.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %T %v is not a *program.Problems", err, err)
	}
	if len(ps.List) == 0 {
		t.Fatalf("*program.Problems with an empty list: %v", err)
	}
	return ps.List
}

// hasProblem reports whether list holds a problem at exactly path whose
// message contains fragment.
func hasProblem(list []program.Problem, path, fragment string) bool {
	for _, p := range list {
		if p.Path == path && strings.Contains(p.Message, fragment) {
			return true
		}
	}
	return false
}

func listString(list []program.Problem) string {
	var b strings.Builder
	for _, p := range list {
		fmt.Fprintf(&b, "\n  %q: %s", p.Path, p.Message)
	}
	return b.String()
}

// lineOf returns the 1-based line of src on which fragment starts.
func lineOf(t *testing.T, src, fragment string) int {
	t.Helper()
	i := strings.Index(src, fragment)
	if i < 0 {
		t.Fatalf("%q not in source", fragment)
	}
	return strings.Count(src[:i], "\n") + 1
}

func TestLoadBase(t *testing.T) {
	p, err := program.Load([]byte(baseYAML), "base.yaml")
	if err != nil {
		t.Fatalf("base definition: %v", err)
	}
	if p.NumCols != 11 || p.TxtCols != 1 || p.Cols() != 13 {
		t.Errorf("NumCols, TxtCols, Cols = %d, %d, %d; want 11, 1, 13", p.NumCols, p.TxtCols, p.Cols())
	}
	wantCols := map[string][3]int{ // Col, TextCol, Years
		"uscc": {-1, 0, 1}, "region": {0, -1, 1}, "level": {1, -1, 1}, "staff": {2, -1, 1},
		"sales": {3, -1, 3}, "rd": {6, -1, 3}, "certified": {9, -1, 1}, "expert_points": {10, -1, 1},
	}
	if len(p.Inputs) != len(wantCols) {
		t.Errorf("%d inputs, want %d", len(p.Inputs), len(wantCols))
	}
	for id, w := range wantCols {
		in, ok := p.Input(id)
		if !ok {
			t.Errorf("input %q missing", id)
			continue
		}
		if got := [3]int{in.Col, in.TextCol, in.Years}; got != w {
			t.Errorf("input %q: Col, TextCol, Years = %v, want %v", id, got, w)
		}
	}
	for col, name := range map[int]string{0: "region", 3: "sales[0]", 5: "sales[2]", 7: "rd[1]", 10: "expert_points", 11: "rd_ratio", 12: "growth"} {
		if got := p.ColumnName(col); got != name {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, name)
		}
	}
	if p.IDInput == nil || p.IDInput.ID != "uscc" {
		t.Errorf("IDInput = %v, want uscc", p.IDInput)
	}
	if p.ChannelInput == nil || p.ChannelInput.ID != "region" {
		t.Errorf("ChannelInput = %v, want region", p.ChannelInput)
	}
	level, _ := p.Input("level")
	for i, o := range []string{"none", "provincial", "national"} {
		if c, ok := level.Code(o); !ok || c != float64(i) {
			t.Errorf("Code(%q) = %v, %v; want %d, true", o, c, ok, i)
		}
		if got := level.OptionValue(float64(i)); got != o {
			t.Errorf("OptionValue(%d) = %q, want %q", i, got, o)
		}
	}
	if _, ok := level.Code("city"); ok {
		t.Errorf("Code(city) found an option that does not exist")
	}
	if v := level.OptionValue(3); v != "" {
		t.Errorf("OptionValue(3) = %q, want empty", v)
	}
	if len(p.Indicators) != 2 || p.Indicators[0].ID != "rd_ratio" || p.Indicators[0].Col != 11 || p.Indicators[1].Col != 12 {
		t.Errorf("indicators laid out wrongly: %+v", p.Indicators)
	}
	if len(p.Gates) != 2 || len(p.Gates[0].Placeholders) != 1 || p.Gates[0].Placeholders["staff"] == nil {
		t.Errorf("gates compiled wrongly: %+v", p.Gates)
	}
	var ids []string
	for _, n := range p.Nodes {
		ids = append(ids, n.ID)
	}
	if got := strings.Join(ids, " "); got != "expert intensity growth_score total" {
		t.Errorf("node order %q, want children before the root", got)
	}
	root := p.Root()
	if root.ID != "total" || root.Parent != -1 || root.Kind != program.NodeBranch || root.Agg != program.AggSum {
		t.Errorf("root = %+v", root)
	}
	kinds := map[string]int{"expert": program.NodePoints, "intensity": program.NodeBands, "growth_score": program.NodeComposite}
	for id, k := range kinds {
		n, ok := p.NodeByID(id)
		if !ok || n.Kind != k || n.Parent != root.Index || n.Depth != 1 || n.W != 1 {
			t.Errorf("node %q = %+v, want kind %d under the root", id, n, k)
		}
	}
	if g, _ := p.NodeByID("growth_score"); g.SourceCol != 12 || g.Direction != 1 {
		t.Errorf("composite leaf reads column %d direction %d, want 12 and 1", g.SourceCol, g.Direction)
	}
	if !p.HasComposite || !p.HasRanges {
		t.Errorf("HasComposite, HasRanges = %v, %v; want true, true", p.HasComposite, p.HasRanges)
	}
	if p.DecisionNode != root {
		t.Errorf("decision node %v, want the root", p.DecisionNode)
	}
	if len(p.Ties) != 2 || p.Ties[0].Col != 11 || !p.Ties[0].Desc || p.Ties[1].Col != 2 || p.Ties[1].Desc {
		t.Errorf("ties = %+v", p.Ties)
	}
	if p.Def.Scoring.BandPoints != "low" {
		t.Errorf("band_points default %q, want low", p.Def.Scoring.BandPoints)
	}
}

func TestLoadYAMLProblems(t *testing.T) {
	unknownTop := edited(t, "name: base\n", "name: base\ncolour: red\n")
	unknownNested := edited(t, "    unit: persons\n", "    units: persons\n")
	cases := []struct {
		name, src, path, msg string
	}{
		{"empty file", "", "", "definition is empty"},
		{"blank file", " \n\t\n", "", "definition is empty"},
		{"not YAML", "schema: [exemplar/v1\n", "", "yaml: line"},
		{"not YAML tab", "schema:\n\t- x\n", "", "yaml: line 2"},
		{"a list, not a mapping", "- schema\n- name\n", "", "cannot unmarshal"},
		{"two documents", baseYAML + "---\n" + baseYAML, "", "more than one YAML document"},
		{"unknown field", unknownTop, "", fmt.Sprintf("line %d: field colour not found", lineOf(t, unknownTop, "colour"))},
		{"unknown nested field", unknownNested, "", fmt.Sprintf("line %d: field units not found", lineOf(t, unknownNested, "units"))},
		{"wrong type", edited(t, "\nyears: 3\n", "\nyears: three\n"), "", "line 5"},
		{"duplicate key", edited(t, "\nyears: 3\n", "\nyears: 3\nyears: 4\n"), "", "already defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := program.Load([]byte(c.src), "bad.yaml")
			if p != nil {
				t.Errorf("Load returned a program with an error")
			}
			list := problemsOf(t, err)
			if !hasProblem(list, c.path, c.msg) {
				t.Errorf("want a problem at %q containing %q; got%s", c.path, c.msg, listString(list))
			}
			if !strings.HasPrefix(err.Error(), "bad.yaml: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// loadCase is one definition with one thing wrong. Exactly one of src,
// pairs (replacements in baseYAML) and edit (a change to the parsed base,
// then compiled with program.Compile) is set.
type loadCase struct {
	name  string
	pairs []string
	edit  func(d *program.Definition)
	path  string
	msg   string
}

func r(pairs ...string) []string { return pairs }

var loadCases = []loadCase{
	// head
	{name: "missing schema", pairs: r("schema: exemplar/v1\n", ""), path: "schema", msg: "missing"},
	{name: "unsupported schema", pairs: r("schema: exemplar/v1", "schema: exemplar/v2"), path: "schema", msg: `"exemplar/v2" is not supported`},
	{name: "name with space", pairs: r("name: base", "name: base program"), path: "name", msg: "identifier"},
	{name: "name starting with digit", pairs: r("name: base", "name: 1base"), path: "name", msg: "identifier"},
	{name: "name missing", pairs: r("name: base\n", ""), path: "name", msg: "identifier"},
	{name: "name too long", pairs: r("name: base", "name: "+strings.Repeat("b", 65)), path: "name", msg: "identifier"},
	{name: "no title", pairs: r("title: {zh: 基础项目, en: Base program}\n", ""), path: "title", msg: "title"},
	{name: "years 0", pairs: r("\nyears: 3", "\nyears: 0"), path: "years", msg: "between 1 and 10, got 0"},
	{name: "years 11", pairs: r("\nyears: 3", "\nyears: 11"), path: "years", msg: "between 1 and 10, got 11"},
	{name: "years negative", pairs: r("\nyears: 3", "\nyears: -1"), path: "years", msg: "between 1 and 10"},
	{name: "validity 51", pairs: r("validity_years: 3", "validity_years: 51"), path: "validity_years", msg: "between 0 and 50"},
	{name: "validity negative", pairs: r("validity_years: 3", "validity_years: -1"), path: "validity_years", msg: "between 0 and 50"},

	// inputs
	{name: "no inputs", edit: func(d *program.Definition) { d.Inputs = nil }, path: "inputs", msg: "at least one input"},
	{name: "duplicate input id", pairs: r("  - id: expert_points\n", "  - id: staff\n  - id: expert_points\n"), path: "inputs[7].id", msg: `"staff" is defined twice`},
	{name: "input id is a function name", pairs: r("  - id: certified\n", "  - id: sum\n"), path: "inputs[6].id", msg: `"sum" is a function name`},
	{name: "input id is a word operator", pairs: r("  - id: certified\n", "  - id: and\n"), path: "inputs[6].id", msg: "function name"},
	{name: "input id with minus", pairs: r("  - id: certified\n", "  - id: cert-ified\n"), path: "inputs[6].id", msg: "identifier"},
	{name: "input id starting with digit", pairs: r("  - id: certified\n", "  - id: 2certified\n"), path: "inputs[6].id", msg: "identifier"},
	{name: "input id empty", pairs: r("  - id: certified\n", "  - id: ''\n"), path: "inputs[6].id", msg: "identifier"},
	{name: "unknown unit", pairs: r("unit: persons", "unit: people"), path: "inputs[3].unit", msg: `unknown unit "people"`},
	{name: "min above max", pairs: r("    min: 0\n    max: 100000\n", "    min: 10\n    max: 5\n"), path: "inputs[3].min", msg: "min 10 is above max 5"},
	{name: "unknown kind", pairs: r("    kind: yesno\n", "    kind: boolean\n"), path: "inputs[6].kind", msg: `unknown kind "boolean"`},
	{name: "choice without options", edit: func(d *program.Definition) { d.Inputs[2].Options = nil }, path: "inputs[2].options", msg: "at least one option"},
	{name: "duplicate option", pairs: r("      - {value: national}\n", "      - {value: national}\n      - {value: provincial}\n"), path: "inputs[2].options[3].value", msg: `"provincial" is listed twice`},
	{name: "empty option", pairs: r("      - {value: national}\n", "      - {value: national}\n      - {value: ''}\n"), path: "inputs[2].options[3].value", msg: "must not be empty"},
	{name: "text input yearly", pairs: r("    format: uscc\n", "    format: uscc\n    yearly: true\n"), path: "inputs[0].yearly", msg: "cannot be yearly"},
	{name: "unknown format", pairs: r("format: uscc", "format: isbn"), path: "inputs[0].format", msg: `unknown format "isbn"`},
	{name: "id missing", pairs: r("\nid: uscc\n", "\n"), path: "id", msg: "name the input"},
	{name: "id unknown", pairs: r("\nid: uscc\n", "\nid: code\n"), path: "id", msg: `unknown input "code"`},
	{name: "id not text", pairs: r("\nid: uscc\n", "\nid: staff\n"), path: "id", msg: `"staff" must be of kind text`},
	{name: "id is a choice", pairs: r("\nid: uscc\n", "\nid: region\n"), path: "id", msg: "must be of kind text"},
	{name: "channel unknown", pairs: r("channel: region", "channel: province"), path: "channel", msg: `unknown input "province"`},
	{name: "channel a number", pairs: r("channel: region", "channel: staff"), path: "channel", msg: "must be of kind text or choice"},
	{name: "channel a yesno", pairs: r("channel: region", "channel: certified"), path: "channel", msg: "must be of kind text or choice"},

	// indicators
	{name: "indicator unknown name", pairs: r(`"sales[-1] - sales[0]"`, `"sales[-1] - costs"`), path: "indicators[1].expr", msg: "unknown name costs"},
	{name: "indicator empty", pairs: r(`"sales[-1] - sales[0]"`, `""`), path: "indicators[1].expr", msg: "empty"},
	{name: "indicator syntax error", pairs: r(`"sales[-1] - sales[0]"`, `"sales[-1] - "`), path: "indicators[1].expr", msg: "unexpected token"},
	{name: "indicator cycle", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "a", Expr: "b + 1"}, program.Indicator{ID: "b", Expr: "a * 2"})
	}, path: "indicators[2].expr", msg: "cycle: a → b → a"},
	{name: "indicator longer cycle", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "a", Expr: "growth + b"},
			program.Indicator{ID: "b", Expr: "c * 2"}, program.Indicator{ID: "c", Expr: "a - rd_ratio"})
	}, path: "indicators[2].expr", msg: "a → b → c → a"},
	{name: "indicator self-cycle", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "a", Expr: "a + 1"})
	}, path: "indicators[2].expr", msg: "cycle: a → a"},
	{name: "indicator is a condition", pairs: r(`"sales[-1] - sales[0]"`, `"sales[-1] > sales[0]"`), path: "indicators[1].expr", msg: "must be a number"},
	{name: "indicator is text", pairs: r(`"sales[-1] - sales[0]"`, `"uscc"`), path: "indicators[1].expr", msg: "must be a number"},
	{name: "yearly input without index", pairs: r(`"sales[-1] - sales[0]"`, `"sales + 1"`), path: "indicators[1].expr", msg: "holds 3 yearly values"},
	{name: "yearly input alone", pairs: r(`"sales[-1] - sales[0]"`, `"sales"`), path: "indicators[1].expr", msg: "list of yearly values"},
	{name: "year index out of range", pairs: r(`"sales[-1] - sales[0]"`, `"sales[3]"`), path: "indicators[1].expr", msg: "year index out of range: there are 3 years"},
	{name: "negative year index out of range", pairs: r(`"sales[-1] - sales[0]"`, `"sales[-4]"`), path: "indicators[1].expr", msg: "year index out of range"},
	{name: "indicator duplicate id", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "growth", Expr: "1"})
	}, path: "indicators[2].id", msg: `"growth" is defined twice`},
	{name: "indicator id is an input", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "staff", Expr: "1"})
	}, path: "indicators[2].id", msg: `"staff" is already an input`},
	{name: "indicator id is a function", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "mean", Expr: "1"})
	}, path: "indicators[2].id", msg: "function name"},
	{name: "indicator id with minus", edit: func(d *program.Definition) {
		d.Indicators = append(d.Indicators, program.Indicator{ID: "a-b", Expr: "1"})
	}, path: "indicators[2].id", msg: "identifier"},

	// gates
	{name: "choice compared with non-option", pairs: r(`"level in ['provincial', 'national']"`, `"level == 'city'"`), path: "gates[1].rule", msg: `"city" is not an option of "level"`},
	{name: "choice compared reversed with non-option", pairs: r(`"level in ['provincial', 'national']"`, `"'city' != level"`), path: "gates[1].rule", msg: `"city" is not an option`},
	{name: "in with non-option", pairs: r(`"level in ['provincial', 'national']"`, `"level in ['provincial', 'city']"`), path: "gates[1].rule", msg: `"city" is not an option of "level"`},
	{name: "not in with non-option", pairs: r(`"level in ['provincial', 'national']"`, `"level not in ['city']"`), path: "gates[1].rule", msg: "is not an option"},
	{name: "in with a number input", pairs: r(`"level in ['provincial', 'national']"`, `"staff in [1, 2]"`), path: "gates[1].rule", msg: "`in` compares a choice input"},
	{name: "choice compared with a number", pairs: r(`"level in ['provincial', 'national']"`, `"level == 2"`), path: "gates[1].rule", msg: "mismatched types"},
	{name: "text compared with a string", pairs: r(`"level in ['provincial', 'national']"`, `"uscc == 'x'"`), path: "gates[1].rule", msg: "can only be compared with one of its options"},
	{name: "gate rule is a number", pairs: r(`"staff >= 10"`, `"staff + 10"`), path: "gates[0].rule", msg: "must be a condition"},
	{name: "gate rule empty", pairs: r(`"staff >= 10"`, `""`), path: "gates[0].rule", msg: "empty"},
	{name: "placeholder unknown name", pairs: r(`"{staff} staff"`, `"{staf} staff"`), path: "gates[0].message.en", msg: "placeholder {staf}"},
	{name: "placeholder is a condition", pairs: r(`"职工 {staff} 人"`, `"职工 {staff > 1} 人"`), path: "gates[0].message.zh", msg: "placeholder {staff > 1}: must be a number"},
	{name: "gate without message", pairs: r(`    message: {en: "no provincial or national technology centre"}`+"\n", ""), path: "gates[1].message", msg: "needs a message"},
	{name: "gate duplicate id", pairs: r("  - id: level\n    rule:", "  - id: staff\n    rule:"), path: "gates[1].id", msg: `"staff" is defined twice`},
	{name: "gate bad id", pairs: r("  - id: level\n    rule:", "  - id: 'no level'\n    rule:"), path: "gates[1].id", msg: "identifier"},

	// scoring and framework
	{name: "no model", pairs: r("  model: combined\n", ""), path: "scoring.model", msg: "missing"},
	{name: "unknown model", pairs: r("model: combined", "model: index"), path: "scoring.model", msg: `unknown model "index"`},
	{name: "bad band_points", pairs: r("  model: combined\n", "  model: combined\n  band_points: middle\n"), path: "scoring.band_points", msg: `got "middle"`},
	{name: "weight 0", pairs: r("      - id: expert\n", "      - id: expert\n        weight: 0\n"), path: "scoring.framework.children[0].weight", msg: "must be > 0"},
	{name: "weight negative", pairs: r("      - id: intensity\n", "      - id: intensity\n        weight: -2\n"), path: "scoring.framework.children[1].weight", msg: "must be > 0, got -2"},
	{name: "max negative", pairs: r("        max: 10\n        points:", "        max: -1\n        points:"), path: "scoring.framework.children[0].max", msg: "must be ≥ 0"},
	{name: "node bad id", pairs: r("      - id: expert\n", "      - id: 'expert points'\n"), path: "scoring.framework.children[0].id", msg: "identifier"},
	{name: "node duplicate id", pairs: r("      - id: growth_score\n", "      - id: expert\n"), path: "scoring.framework.children[2].id", msg: `"expert" names two framework nodes`},
	{name: "leaf with two kinds", pairs: r(`        points: "coalesce(expert_points, 0.0)"`+"\n", `        points: "coalesce(expert_points, 0.0)"`+"\n        indicator: growth\n"), path: "scoring.framework.children[0]", msg: "exactly one of points, bands or indicator"},
	{name: "leaf with none", pairs: r("      - id: growth_score\n", "      - id: empty\n      - id: growth_score\n"), path: "scoring.framework.children[2]", msg: "needs one of points, bands or indicator"},
	{name: "branch with bands", edit: func(d *program.Definition) {
		d.Scoring.Framework.Bands = []program.Band{{When: "true", Points: [2]float64{1, 1}}}
	}, path: "scoring.framework", msg: "either children or one of points"},
	{name: "branch with points", edit: func(d *program.Definition) { d.Scoring.Framework.Points = "1" }, path: "scoring.framework", msg: "either children or"},
	{name: "unknown aggregation", pairs: r("aggregate: sum", "aggregate: median"), path: "scoring.framework.aggregate", msg: `unknown aggregation "median"`},
	{name: "generalised without power", pairs: r("aggregate: sum", "aggregate: generalised"), path: "scoring.framework.power", msg: "power other than 0"},
	{name: "points not a number", pairs: r(`"coalesce(expert_points, 0.0)"`, `"expert_points > 1"`), path: "scoring.framework.children[0].points", msg: "must be a number"},
	{name: "band with two comparisons", pairs: r("{label: A, at_least: 5,", "{label: A, at_least: 5, above: 4,"), path: "scoring.framework.children[1].bands[0]", msg: "exactly one of at_least, above or when"},
	{name: "band with none", pairs: r("{label: B, above: 0,", "{label: B,"), path: "scoring.framework.children[1].bands[1]", msg: "exactly one of at_least, above or when"},
	{name: "band when not a condition", pairs: r(`when: "true"`, `when: "1"`), path: "scoring.framework.children[1].bands[2].when", msg: "must be a condition"},
	{name: "reversed points range", pairs: r("points: [1, 14]", "points: [14, 1]"), path: "scoring.framework.children[1].bands[1].points", msg: "the range [14, 1] is reversed"},
	{name: "negative points", pairs: r("points: [0, 0]", "points: [-1, 0]"), path: "scoring.framework.children[1].bands[2].points", msg: "≥ 0"},
	{name: "points above node max", pairs: r("points: [15, 20]", "points: [15, 25]"), path: "scoring.framework.children[1].bands[0].points", msg: "25 is above the node's max 20"},
	{name: "bands at_least without value", pairs: r("        value: rd_ratio\n", ""), path: "scoring.framework.children[1].value", msg: "give its expression"},
	{name: "bands value not a number", pairs: r("value: rd_ratio", "value: rd_ratio > 1"), path: "scoring.framework.children[1].value", msg: "must be a number"},
	{name: "fixed input is a choice", pairs: r("        value: rd_ratio\n", "        value: rd_ratio\n        fixed: level\n"), path: "scoring.framework.children[1].fixed", msg: "numeric, non-yearly input"},
	{name: "fixed input yearly", pairs: r("        value: rd_ratio\n", "        value: rd_ratio\n        fixed: sales\n"), path: "scoring.framework.children[1].fixed", msg: "numeric, non-yearly input"},
	{name: "fixed input unknown", pairs: r("        value: rd_ratio\n", "        value: rd_ratio\n        fixed: nobody\n"), path: "scoring.framework.children[1].fixed", msg: `got "nobody"`},
	{name: "composite unknown indicator", pairs: r("indicator: growth\n", "indicator: growht\n"), path: "scoring.framework.children[2].indicator", msg: `unknown indicator or numeric input "growht"`},
	{name: "composite on a yearly input", pairs: r("indicator: growth\n", "indicator: sales\n"), path: "scoring.framework.children[2].indicator", msg: `"sales" is yearly`},
	{name: "composite on a choice input", pairs: r("indicator: growth\n", "indicator: level\n"), path: "scoring.framework.children[2].indicator", msg: "unknown indicator or numeric input"},
	{name: "direction 2", pairs: r("indicator: growth\n", "indicator: growth\n        direction: 2\n"), path: "scoring.framework.children[2].direction", msg: "got 2"},
	{name: "bands model with composite leaf", pairs: r("model: combined", "model: bands"), path: "scoring.framework.children[2]", msg: "a bands program cannot have composite indicator leaves"},
	{name: "composite model with points leaf", pairs: r("model: combined", "model: composite"), path: "scoring.framework.children[0]", msg: "a composite program cannot have points or bands leaves"},
	{name: "composite model with bands leaf", pairs: r("model: combined", "model: composite"), path: "scoring.framework.children[1]", msg: "a composite program cannot have points or bands leaves"},
	{name: "framework too deep", edit: func(d *program.Definition) {
		leaf := program.Node{ID: "n14", Points: "1"}
		for i := 13; i >= 1; i-- {
			leaf = program.Node{ID: fmt.Sprintf("n%d", i), Children: []program.Node{leaf}}
		}
		d.Scoring.Framework.Children = append(d.Scoring.Framework.Children, leaf)
	}, path: "scoring.framework.children[3]" + strings.Repeat(".children[0]", 12), msg: "deeper than 12 levels"},

	// pipeline
	{name: "coverage 1.5", pairs: r("coverage: 0.5", "coverage: 1.5"), path: "scoring.pipeline.coverage", msg: "between 0 and 1, got 1.5"},
	{name: "coverage negative", pairs: r("coverage: 0.5", "coverage: -0.1"), path: "scoring.pipeline.coverage", msg: "between 0 and 1"},
	{name: "unknown impute", pairs: r("{method: mean}", "{method: knn}"), path: "scoring.pipeline.impute.method", msg: `unknown method "knn"`},
	{name: "group_mean without group", pairs: r("{method: mean}", "{method: group_mean}"), path: "scoring.pipeline.impute.group", msg: "group_mean needs the input"},
	{name: "group_median unknown group", pairs: r("{method: mean}", "{method: group_median, group: zone}"), path: "scoring.pipeline.impute.group", msg: `unknown input "zone"`},
	{name: "group input a number", pairs: r("{method: mean}", "{method: group_mean, group: staff}"), path: "scoring.pipeline.impute.group", msg: `input "staff" must be a choice or text`},
	{name: "unknown outlier method", pairs: r("{method: winsorise,", "{method: trim,"), path: "scoring.pipeline.outliers.method", msg: `unknown method "trim"`},
	{name: "winsorise skew 0", pairs: r("skew: 2,", "skew: 0,"), path: "scoring.pipeline.outliers.skew", msg: "must be > 0"},
	{name: "winsorise kurtosis 0", pairs: r("kurtosis: 3.5,", ""), path: "scoring.pipeline.outliers.kurtosis", msg: "must be > 0"},
	{name: "winsorise max 0", pairs: r("max_winsorise: 5,", "max_winsorise: 0,"), path: "scoring.pipeline.outliers.max_winsorise", msg: "must be > 0"},
	{name: "winsorise bad fallback", pairs: r("fallback: log}", "fallback: sqrt}"), path: "scoring.pipeline.outliers.fallback", msg: `got "sqrt"`},
	{name: "unknown normalisation", pairs: r("{method: minmax,", "{method: softmax,"), path: "scoring.pipeline.normalise.method", msg: `unknown method "softmax"`},
	{name: "minmax low above high", pairs: r("low: 0, high: 100}", "low: 100, high: 50}"), path: "scoring.pipeline.normalise.high", msg: "must be above low (100)"},
	{name: "minmax low equals high", pairs: r("low: 0, high: 100}", "low: 5, high: 5}"), path: "scoring.pipeline.normalise.high", msg: "must be above low (5)"},
	{name: "zscore sd 0", pairs: r("{method: minmax, low: 0, high: 100}", "{method: zscore, mean: 100}"), path: "scoring.pipeline.normalise.sd", msg: "must be > 0"},
	{name: "zscore sd negative", pairs: r("{method: minmax, low: 0, high: 100}", "{method: zscore, mean: 100, sd: -1}"), path: "scoring.pipeline.normalise.sd", msg: "must be > 0"},
	{name: "goalposts leaf without goalposts", pairs: r("{method: minmax, low: 0, high: 100}", "{method: goalposts}"), path: "scoring.framework.children[2].goalposts", msg: "needs [low, high] goalposts"},
	{name: "goalposts reversed", pairs: r("{method: minmax, low: 0, high: 100}", "{method: goalposts}", "indicator: growth\n", "indicator: growth\n        goalposts: [10, 1]\n"), path: "scoring.framework.children[2].goalposts", msg: "low 10 must be below high 1"},
	{name: "target leaf without target", pairs: r("{method: minmax, low: 0, high: 100}", "{method: target}"), path: "scoring.framework.children[2].target", msg: "needs a target"},

	// decision
	{name: "unknown score node", pairs: r("score: total", "score: overall"), path: "decision.score", msg: `unknown framework node "overall"`},
	{name: "negative quota", pairs: r("default: 2,", "default: -1,"), path: "decision.quota.default", msg: "must be ≥ 0"},
	{name: "negative channel quota", pairs: r("channels: {south: 1}", "channels: {south: -1}"), path: "decision.quota.channels.south", msg: "must be ≥ 0"},
	{name: "quota channel not an option", pairs: r("channels: {south: 1}", "channels: {south: 1, east: 2}"), path: "decision.quota.channels.east", msg: `"east" is not an option of the channel input "region"`},
	{name: "quota without channel input", pairs: r("channel: region\n", ""), path: "decision.quota", msg: "needs the program's channel input"},
	{name: "tie by unknown name", pairs: r("{by: rd_ratio}", "{by: rd_share}"), path: "decision.ties[0].by", msg: `unknown node, indicator or numeric input "rd_share"`},
	{name: "tie by text input", pairs: r("{by: rd_ratio}", "{by: uscc}"), path: "decision.ties[0].by", msg: "numeric input"},
	{name: "bad tie order", pairs: r("order: asc}", "order: up}"), path: "decision.ties[1].order", msg: `must be asc or desc, got "up"`},
}

func TestLoadProblems(t *testing.T) {
	for _, c := range loadCases {
		t.Run(c.name, func(t *testing.T) {
			var (
				p   *program.Program
				err error
			)
			if c.edit != nil {
				d := baseDef(t)
				c.edit(d)
				p, err = program.Compile(d, "base.yaml")
			} else {
				p, err = program.Load([]byte(edited(t, c.pairs...)), "base.yaml")
			}
			if p != nil {
				t.Errorf("a program came back with the error")
			}
			list := problemsOf(t, err)
			if !hasProblem(list, c.path, c.msg) {
				t.Errorf("want a problem at %q containing %q; got%s", c.path, c.msg, listString(list))
			}
		})
	}
}

// TestLoadAccepts checks variants that must stay valid: each is a
// boundary next to one of the problems above.
func TestLoadAccepts(t *testing.T) {
	cases := []struct {
		name  string
		pairs []string
	}{
		{"base", nil},
		{"negative year index", r(`"sales[-1] - sales[0]"`, `"sales[-1] - sales[-3]"`)},
		{"own unit", r("unit: persons", "unit: x-widgets")},
		{"min equals max", r("    min: 0\n    max: 100000\n", "    min: 5\n    max: 5\n")},
		{"years 1", r("\nyears: 3", "\nyears: 1", `"sales[-1] - sales[0]"`, `"sales[0] * 2"`)},
		{"years 10", r("\nyears: 3", "\nyears: 10")},
		{"validity 0", r("validity_years: 3", "validity_years: 0")},
		{"no channel and no quota", r("channel: region\n", "", "  quota: {default: 2, channels: {south: 1}}\n", "")},
		{"text channel with any quota key", r("channel: region", "channel: uscc", "channels: {south: 1}", "channels: {anything: 1}")},
		{"gate with only a Chinese message", r(`{zh: "职工 {staff} 人", en: "{staff} staff"}`, `{zh: "职工 {staff} 人"}`)},
		{"placeholder with year index", r(`"{staff} staff"`, `"{staff} staff, sales {sales[-1]}"`)},
		{"not in", r(`"level in ['provincial', 'national']"`, `"level not in ['none']"`)},
		{"word operators", r(`"staff >= 10"`, `"staff >= 10 and not certified or level == 'national'"`)},
		{"mixed int and float ternary", r(`"sales[-1] - sales[0]"`, `"staff > 0 ? 1 : 0.5"`)},
		{"generalised with power", r("aggregate: sum", "aggregate: generalised\n    power: 2")},
		{"direction -1", r("indicator: growth\n", "indicator: growth\n        direction: -1\n")},
		{"composite on a numeric input", r("indicator: growth\n", "indicator: staff\n")},
		{"goalposts", r("{method: minmax, low: 0, high: 100}", "{method: goalposts}", "indicator: growth\n", "indicator: growth\n        goalposts: [0, 10]\n")},
		{"target", r("{method: minmax, low: 0, high: 100}", "{method: target}", "indicator: growth\n", "indicator: growth\n        target: 50\n")},
		{"zscore", r("{method: minmax, low: 0, high: 100}", "{method: zscore, mean: 100, sd: 10}")},
		{"group_mean by choice", r("{method: mean}", "{method: group_mean, group: level}")},
		{"group_median by text", r("{method: mean}", "{method: group_median, group: uscc}")},
		{"tie by node", r("{by: rd_ratio}", "{by: intensity, order: desc}")},
		{"decision on a pillar", r("score: total", "score: intensity")},
		{"fixed points", r("        value: rd_ratio\n", "        value: rd_ratio\n        fixed: expert_points\n")},
		{"explicit document start", r("schema: exemplar/v1", "---\nschema: exemplar/v1")},
		{"indicator order differs from definition order", r(`"sales[-1] - sales[0]"`, `"sales[-1] - sales[0] + zeta"`, "gates:\n", "  - {id: zeta, expr: \"rd_ratio * 2\"}\ngates:\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := baseYAML
			if c.pairs != nil {
				src = edited(t, c.pairs...)
			}
			p, err := program.Load([]byte(src), "ok.yaml")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if p == nil {
				t.Fatal("Load returned neither a program nor an error")
			}
			checkProgram(t, p)
		})
	}
}

// checkProgram checks invariants every compiled program keeps: every
// column an expression reads exists, and an indicator reads only inputs
// and the indicators before it.
func checkProgram(t *testing.T, p *program.Program) {
	t.Helper()
	check := func(what string, e *program.Expr, limit int) {
		t.Helper()
		if e == nil || e.Root == nil {
			t.Errorf("%s: not compiled", what)
			return
		}
		for _, c := range e.Refs {
			if c < 0 || c >= limit {
				t.Errorf("%s reads column %d, outside [0, %d)", what, c, limit)
			}
		}
		// Refs are the columns of the tree's leaves, in order, without
		// repeats.
		var cols []int
		var walk func(op *program.Op)
		walk = func(op *program.Op) {
			if op.Kind == program.OpCol {
				if op.Col < 0 || op.Col >= limit {
					t.Errorf("%s: Op reads column %d, outside [0, %d)", what, op.Col, limit)
				}
				if !slices.Contains(cols, op.Col) {
					cols = append(cols, op.Col)
				}
			}
			for _, a := range op.Args {
				walk(a)
			}
		}
		walk(e.Root)
		if !slices.Equal(cols, e.Refs) {
			t.Errorf("%s: Refs %v, but the tree reads %v", what, e.Refs, cols)
		}
	}
	if len(p.Indicators) != len(p.Def.Indicators) {
		t.Errorf("%d indicators compiled of %d", len(p.Indicators), len(p.Def.Indicators))
	}
	for i, ind := range p.Indicators {
		if ind.Col != p.NumCols+i {
			t.Errorf("indicator %q in column %d, want %d", ind.ID, ind.Col, p.NumCols+i)
		}
		check("indicator "+ind.ID, ind.Expr, ind.Col)
	}
	if len(p.Gates) != len(p.Def.Gates) {
		t.Errorf("%d gates compiled of %d", len(p.Gates), len(p.Def.Gates))
	}
	for _, g := range p.Gates {
		check("gate "+g.ID, g.Expr, p.Cols())
		if g.Expr != nil && !g.Expr.Bool {
			t.Errorf("gate %q: rule not marked as a condition", g.ID)
		}
		for k, e := range g.Placeholders {
			check("gate "+g.ID+" {"+k+"}", e, p.Cols())
		}
	}
	if len(p.Nodes) == 0 || p.Root().Parent != -1 || p.DecisionNode == nil {
		t.Fatalf("framework not compiled: %d nodes", len(p.Nodes))
	}
	for i, n := range p.Nodes {
		if n.Index != i {
			t.Errorf("node %q has Index %d at %d", n.ID, n.Index, i)
		}
		if i < len(p.Nodes)-1 && (n.Parent <= i || n.Parent >= len(p.Nodes)) {
			t.Errorf("node %q has parent %d, want a later node", n.ID, n.Parent)
		}
		switch n.Kind {
		case program.NodePoints:
			check("node "+n.ID+" points", n.Points, p.Cols())
		case program.NodeBands:
			if n.Value != nil {
				check("node "+n.ID+" value", n.Value, p.Cols())
			}
			for j, b := range n.Bands {
				if b.When != nil {
					check(fmt.Sprintf("node %s band %d", n.ID, j), b.When, p.Cols())
				}
			}
		case program.NodeComposite:
			if n.SourceCol < 0 || n.SourceCol >= p.Cols() {
				t.Errorf("composite leaf %q reads column %d", n.ID, n.SourceCol)
			}
		case program.NodeBranch:
			if len(n.Children) == 0 {
				t.Errorf("branch %q without children", n.ID)
			}
		}
	}
}

// TestLoadManyProblems checks that validation goes on after a problem and
// reports every one, in the order of the document.
func TestLoadManyProblems(t *testing.T) {
	src := edited(t,
		"schema: exemplar/v1", "schema: exemplar/v0",
		"name: base", "name: 'base program'",
		"\nyears: 3", "\nyears: 12",
		"unit: persons", "unit: people",
		"format: uscc", "format: isbn",
		"gates:\n", "  - {id: spare, expr: \"sales[-1] - costs\"}\ngates:\n",
		`"staff >= 10"`, `"staff + 10"`,
		`"{staff} staff"`, `"{staf} staff"`,
		"      - id: expert\n", "      - id: expert\n        weight: 0\n",
		"points: [1, 14]", "points: [14, 1]",
		"coverage: 0.5", "coverage: 1.5",
		"{method: mean}", "{method: knn}",
		"score: total", "score: overall",
		"order: asc}", "order: up}",
	)
	want := []program.Problem{
		{Path: "schema", Message: `"exemplar/v0" is not supported`},
		{Path: "name", Message: "identifier"},
		{Path: "years", Message: "got 12"},
		{Path: "inputs[0].format", Message: "isbn"},
		{Path: "inputs[3].unit", Message: "people"},
		{Path: "indicators[2].expr", Message: "unknown name costs"},
		{Path: "gates[0].rule", Message: "must be a condition"},
		{Path: "gates[0].message.en", Message: "{staf}"},
		{Path: "scoring.framework.children[0].weight", Message: "must be > 0"},
		{Path: "scoring.framework.children[1].bands[1].points", Message: "reversed"},
		{Path: "scoring.pipeline.coverage", Message: "1.5"},
		{Path: "scoring.pipeline.impute.method", Message: "knn"},
		{Path: "decision.score", Message: "overall"},
		{Path: "decision.ties[1].order", Message: "up"},
	}
	_, err := program.Load([]byte(src), "many.yaml")
	list := problemsOf(t, err)
	if len(list) != len(want) {
		t.Fatalf("%d problems, want %d:%s", len(list), len(want), listString(list))
	}
	for i, w := range want {
		if list[i].Path != w.Path || !strings.Contains(list[i].Message, w.Message) {
			t.Errorf("problem %d = %q: %s; want %q containing %q", i, list[i].Path, list[i].Message, w.Path, w.Message)
		}
	}
	if !strings.HasPrefix(err.Error(), "many.yaml: 14 problems\n  schema: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoadTooLarge(t *testing.T) {
	// A valid definition padded with a comment to 5 MB.
	big := baseYAML + "# " + strings.Repeat("x", 5<<20) + "\n"
	p, err := program.Load([]byte(big), "big.yaml")
	if p != nil {
		t.Fatal("a 5 MB definition was accepted")
	}
	list := problemsOf(t, err)
	if len(list) != 1 || list[0].Path != "" || !strings.Contains(list[0].Message, "the limit is") {
		t.Errorf("problems:%s", listString(list))
	}
	// Padded to just under 4 MiB it loads.
	pad := 4<<20 - len(baseYAML) - 3
	ok := baseYAML + "# " + strings.Repeat("x", pad) + "\n"
	if len(ok) != 4<<20 {
		t.Fatalf("padding: %d bytes", len(ok))
	}
	if _, err := program.Load([]byte(ok), "ok.yaml"); err != nil {
		t.Errorf("a definition of exactly 4 MiB: %v", err)
	}
}

func TestProblemsError(t *testing.T) {
	one := &program.Problems{List: []program.Problem{{Path: "years", Message: "must be between 1 and 10, got 0"}}}
	if got, want := one.Error(), "definition: 1 problem\n  years: must be between 1 and 10, got 0"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	two := &program.Problems{File: "p.yaml", List: []program.Problem{{Message: "definition is empty"}, {Path: "a", Message: "b"}}}
	if got, want := two.Error(), "p.yaml: 2 problems\n  definition is empty\n  a: b"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTextIn(t *testing.T) {
	both := program.Text{Zh: "中", En: "en"}
	zh := program.Text{Zh: "中"}
	en := program.Text{En: "en"}
	cases := []struct {
		t          program.Text
		lang, want string
	}{
		{both, "zh", "中"}, {both, "en", "en"}, {both, "fr", "en"},
		{zh, "zh", "中"}, {zh, "en", "中"},
		{en, "zh", "en"}, {en, "en", "en"},
		{program.Text{}, "zh", ""},
	}
	for _, c := range cases {
		if got := c.t.In(c.lang); got != c.want {
			t.Errorf("%+v.In(%q) = %q, want %q", c.t, c.lang, got, c.want)
		}
	}
}

// TestCompileMatchesLoad checks that Compile on a parsed definition gives
// the same program as Load.
func TestCompileMatchesLoad(t *testing.T) {
	a, err := program.Load([]byte(baseYAML), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := program.Compile(baseDef(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if a.NumCols != b.NumCols || len(a.Nodes) != len(b.Nodes) || len(a.Indicators) != len(b.Indicators) {
		t.Errorf("Load and Compile disagree")
	}
}

// Known bugs, each shown by a test that is skipped until it is fixed.

func TestLoadNameUpperCase(t *testing.T) {
	_, err := program.Load([]byte(edited(t, "name: base", "name: Base")), "")
	if list := problemsOf(t, err); !hasProblem(list, "name", "lower-case") {
		t.Errorf("problems:%s", listString(list))
	}
}

func TestLoadCommentOnly(t *testing.T) {
	_, err := program.Load([]byte("# nothing here\n"), "")
	if list := problemsOf(t, err); !hasProblem(list, "", "definition is empty") {
		t.Errorf("problems:%s", listString(list))
	}
}

func TestLoadProblemOrderIsStable(t *testing.T) {
	src := edited(t, `{zh: "职工 {staff} 人", en: "{staff} staff"}`, `{zh: "职工 {a} 人", en: "{b} staff"}`)
	for i := 0; i < 50; i++ {
		_, err := program.Load([]byte(src), "")
		list := problemsOf(t, err)
		if len(list) != 2 || list[0].Path != "gates[0].message.zh" || list[1].Path != "gates[0].message.en" {
			t.Fatalf("run %d: problems out of order:%s", i, listString(list))
		}
	}
}

func TestLoadReservedIndicatorDoesNotCascade(t *testing.T) {
	d := baseDef(t)
	d.Indicators = append(d.Indicators, program.Indicator{ID: "sum", Expr: "1"})
	_, err := program.Compile(d, "")
	list := problemsOf(t, err)
	if len(list) != 1 || list[0].Path != "indicators[2].id" {
		t.Errorf("want only the problem with the name; got%s", listString(list))
	}
}

func TestLoadExprKeywordInputID(t *testing.T) {
	for _, id := range []string{"let", "if", "else", "matches", "contains", "startsWith", "endsWith"} {
		_, err := program.Load([]byte(edited(t, "  - id: certified\n", "  - id: "+id+"\n")), "")
		if err == nil {
			t.Errorf("input id %q accepted", id)
		}
	}
}

func TestLoadYearlyChoice(t *testing.T) {
	_, err := program.Load([]byte(edited(t, "  - id: level\n    kind: choice\n", "  - id: level\n    kind: choice\n    yearly: true\n")), "")
	if err == nil {
		t.Errorf("a yearly choice compared without a year index was accepted")
	}
}

func TestLoadCycleDoesNotCascade(t *testing.T) {
	d := baseDef(t)
	d.Indicators = append(d.Indicators, program.Indicator{ID: "a", Expr: "b + 1"}, program.Indicator{ID: "b", Expr: "a * 2"})
	_, err := program.Compile(d, "")
	list := problemsOf(t, err)
	if len(list) != 1 || list[0].Path != "indicators[2].expr" {
		t.Errorf("want only the cycle; got%s", listString(list))
	}
}

func TestLoadRejectsNaNAndInf(t *testing.T) {
	cases := []struct{ name, old, new, path string }{
		{"weight nan", "      - id: expert\n", "      - id: expert\n        weight: .nan\n", "scoring.framework.children[0].weight"},
		{"weight inf", "      - id: expert\n", "      - id: expert\n        weight: .inf\n", "scoring.framework.children[0].weight"},
		{"max nan", "        max: 10\n        points:", "        max: .nan\n        points:", "scoring.framework.children[0].max"},
		{"band points nan", "points: [1, 14]", "points: [.nan, 14]", "scoring.framework.children[1].bands[1].points"},
		{"at_least nan", "at_least: 5,", "at_least: .nan,", "scoring.framework.children[1].bands[0].at_least"},
		{"coverage nan", "coverage: 0.5", "coverage: .nan", "scoring.pipeline.coverage"},
		{"minmax low nan", "low: 0, high: 100}", "low: .nan, high: 100}", "scoring.pipeline.normalise.low"},
		{"zscore sd nan", "{method: minmax, low: 0, high: 100}", "{method: zscore, sd: .nan}", "scoring.pipeline.normalise.sd"},
		{"skew nan", "skew: 2,", "skew: .nan,", "scoring.pipeline.outliers.skew"},
		{"input min nan", "    min: 0\n    max: 100000\n", "    min: .nan\n    max: 5\n", "inputs[3].min"},
		{"threshold nan", "threshold: 10", "threshold: .nan", "decision.threshold"},
		{"power nan", "aggregate: sum", "aggregate: generalised\n    power: .nan", "scoring.framework.power"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := program.Load([]byte(edited(t, c.old, c.new)), "")
			if err == nil {
				t.Fatalf("accepted")
			}
			if list := problemsOf(t, err); !hasProblem(list, c.path, "") {
				t.Errorf("no problem at %q:%s", c.path, listString(list))
			}
		})
	}
}

func TestColumnNameOutOfRange(t *testing.T) {
	p, err := program.Load([]byte(baseYAML), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ColumnName(p.Cols()); got != fmt.Sprintf("column %d", p.Cols()) {
		t.Errorf("ColumnName(%d) = %q", p.Cols(), got)
	}
	if got := p.ColumnName(-1); got != "column -1" {
		t.Errorf("ColumnName(-1) = %q", got)
	}
}
