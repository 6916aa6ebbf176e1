package program_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

func builtin(t *testing.T, name string) *program.Program {
	t.Helper()
	p, err := program.Builtin(name)
	if err != nil {
		t.Fatalf("built-in %s: %v", name, err)
	}
	return p
}

func TestBuiltinsLoad(t *testing.T) {
	names := program.BuiltinNames()
	if len(names) == 0 {
		t.Fatal("no built-in programs")
	}
	if !slices.IsSorted(names) {
		t.Errorf("BuiltinNames not sorted: %v", names)
	}
	for _, want := range []string{"hnte", "miit-tide"} {
		if !slices.Contains(names, want) {
			t.Errorf("BuiltinNames %v lacks %s", names, want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := builtin(t, name)
			if p.Def.Name != name {
				t.Errorf("file %s.yaml holds program %q", name, p.Def.Name)
			}
			if p.Def.Title.Zh == "" || p.Def.Title.En == "" || p.Def.Summary.Zh == "" || p.Def.Summary.En == "" {
				t.Errorf("title or summary lacks a language: %+v %+v", p.Def.Title, p.Def.Summary)
			}
			checkProgram(t, p)
			src, err := program.BuiltinSource(name)
			if err != nil || len(src) == 0 {
				t.Fatalf("BuiltinSource: %v", err)
			}
			q, err := program.Load(src, name+".yaml")
			if err != nil || q.Cols() != p.Cols() {
				t.Errorf("Load(BuiltinSource) differs from Builtin: %v", err)
			}
		})
	}
}

func TestBuiltinUnknown(t *testing.T) {
	for _, name := range []string{"nope", "", "../load", "builtin/hnte", "hnte.yaml"} {
		if _, err := program.Builtin(name); err == nil || !strings.Contains(err.Error(), "hnte") {
			t.Errorf("Builtin(%q): %v; want an error that lists the built-in programs", name, err)
		}
	}
}

// TestBuiltinSources checks that the built-in programs say where their
// numbers come from and speak both languages.
func TestBuiltinSources(t *testing.T) {
	for _, name := range program.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			d := builtin(t, name).Def
			if d.Source == "" || d.Scoring.Source == "" || d.Decision.Source == "" {
				t.Errorf("program, scoring or decision lacks a source")
			}
			if d.Decision.Quota.Default != 0 || len(d.Decision.Quota.Channels) > 0 {
				if d.Decision.Quota.Source == "" {
					t.Errorf("quota lacks a source")
				}
			}
			for _, in := range d.Inputs {
				if in.Name.Zh == "" || in.Name.En == "" {
					t.Errorf("input %s: name needs zh and en, got %+v", in.ID, in.Name)
				}
				// Text inputs (credit code, names) hold no rule's number.
				if in.Kind != program.KindText && in.Source == "" {
					t.Errorf("input %s has no source", in.ID)
				}
				for _, o := range in.Options {
					if o.Name.Zh == "" || o.Name.En == "" {
						t.Errorf("input %s option %s: name needs zh and en", in.ID, o.Value)
					}
				}
			}
			for _, ind := range d.Indicators {
				if ind.Source == "" {
					t.Errorf("indicator %s has no source", ind.ID)
				}
				if ind.Name.Zh == "" || ind.Name.En == "" {
					t.Errorf("indicator %s: name needs zh and en", ind.ID)
				}
			}
			for _, g := range d.Gates {
				if g.Source == "" {
					t.Errorf("gate %s has no source", g.ID)
				}
				if g.Name.Zh == "" || g.Name.En == "" {
					t.Errorf("gate %s: name needs zh and en, got %+v", g.ID, g.Name)
				}
				if g.Message.Zh == "" || g.Message.En == "" {
					t.Errorf("gate %s: message needs zh and en, got %+v", g.ID, g.Message)
				}
			}
			var walk func(n *program.Node)
			walk = func(n *program.Node) {
				if n.Name.Zh == "" || n.Name.En == "" {
					t.Errorf("framework node %s: name needs zh and en", n.ID)
				}
				for i := range n.Children {
					walk(&n.Children[i])
				}
			}
			walk(&d.Scoring.Framework)
		})
	}
}

func TestHNTE(t *testing.T) {
	p := builtin(t, "hnte")
	d := p.Def
	var gates []string
	for _, g := range p.Gates {
		gates = append(gates, g.ID)
	}
	want := []string{"registered", "core_ip", "supported_field", "tech_staff", "rd_intensity", "rd_domestic", "hitech_revenue", "no_major_accident"}
	if !slices.Equal(gates, want) {
		t.Errorf("gates %v, want %v", gates, want)
	}
	if d.Years != 3 || d.ValidityYears != 3 {
		t.Errorf("years %d, validity %d; want 3 and 3", d.Years, d.ValidityYears)
	}
	if d.Decision.Threshold == nil || *d.Decision.Threshold != 70 || !d.Decision.Strict {
		t.Errorf("decision threshold %v strict %v; want above 70", d.Decision.Threshold, d.Decision.Strict)
	}
	if d.Scoring.Model != program.ModelBands || p.HasComposite || !p.HasRanges {
		t.Errorf("model %s, composite %v, ranges %v", d.Scoring.Model, p.HasComposite, p.HasRanges)
	}
	root := p.Root()
	if p.DecisionNode != root || root.ID != "total" || root.Max == nil || *root.Max != 100 || root.Agg != program.AggSum {
		t.Errorf("decision node %s, root %s", p.DecisionNode.ID, root.ID)
	}
	// The four parts of the score: 30 + 30 + 20 + 20 = 100 points.
	sum := 0.0
	for _, c := range root.Children {
		n := p.Nodes[c]
		if n.Max == nil {
			t.Fatalf("node %s has no max", n.ID)
		}
		sum += *n.Max
	}
	if sum != 100 {
		t.Errorf("parts add up to %v points, want 100", sum)
	}
	if p.IDInput.ID != "uscc" || p.IDInput.Format != "uscc" || p.ChannelInput != nil {
		t.Errorf("id %s format %q channel %v", p.IDInput.ID, p.IDInput.Format, p.ChannelInput)
	}
	// The rules with their thresholds, by column name.
	rules := map[string]string{
		"registered":        "Ge(registered_years,1)",
		"tech_staff":        "Ge(Mul(staff_tech,10),staff_total)",
		"rd_intensity":      "Ge(Mul(Sum(rd[0],rd[1],rd[2]),100),Mul(rd_min_pct,Sum(sales[0],sales[1],sales[2])))",
		"rd_domestic":       "Ge(Mul(Sum(rd_domestic[0],rd_domestic[1],rd_domestic[2]),100),Mul(60,Sum(rd[0],rd[1],rd[2])))",
		"hitech_revenue":    "Ge(Mul(hitech_revenue,100),Mul(60,total_revenue))",
		"no_major_accident": "Not(major_accident)",
	}
	for _, g := range p.Gates {
		if w, ok := rules[g.ID]; ok {
			if got := opString(p, g.Expr.Root); got != w {
				t.Errorf("gate %s = %s, want %s", g.ID, got, w)
			}
		}
	}
	// R&D share required by last-year sales: ≤ 5,000 万元 → 5 %, ≤ 20,000 万元 → 4 %, above → 3 %.
	ind, _ := p.Indicator("rd_min_pct")
	if got, w := opString(p, ind.Expr.Root), "If(Le(sales[2],5000),5,If(Le(sales[2],20000),4,3))"; got != w {
		t.Errorf("rd_min_pct = %s, want %s", got, w)
	}
}

func TestMIITTide(t *testing.T) {
	p := builtin(t, "miit-tide")
	d := p.Def
	ch := p.ChannelInput
	if ch == nil || ch.ID != "channel" || ch.Kind != program.KindChoice {
		t.Fatalf("channel input %v", ch)
	}
	provinces := []string{"beijing", "tianjin", "hebei", "shanxi", "inner_mongolia", "liaoning", "jilin", "heilongjiang",
		"shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei", "hunan",
		"guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou", "yunnan", "tibet", "shaanxi", "gansu",
		"qinghai", "ningxia", "xinjiang"}
	cities := []string{"dalian", "qingdao", "ningbo", "xiamen", "shenzhen"}
	if len(provinces) != 31 {
		t.Fatalf("test lists %d provinces", len(provinces))
	}
	all := append(append(append([]string{}, provinces...), cities...), "xpcc", "central_soe")
	var got []string
	for _, o := range ch.Options {
		got = append(got, o.Value)
	}
	if len(got) != 38 {
		t.Errorf("%d channel options, want 38 (31 provinces, 5 cities, xpcc, central_soe)", len(got))
	}
	for _, v := range all {
		if !slices.Contains(got, v) {
			t.Errorf("channel option %s missing", v)
		}
	}
	q := d.Decision.Quota
	if q.Default != 5 {
		t.Errorf("default quota %d, want 5", q.Default)
	}
	for _, c := range append(append([]string{}, cities...), "xpcc") {
		if q.Channels[c] != 3 {
			t.Errorf("quota of %s is %d, want 3", c, q.Channels[c])
		}
	}
	if q.Channels["central_soe"] != 1 {
		t.Errorf("quota of central_soe is %d, want 1", q.Channels["central_soe"])
	}
	if len(q.Channels) != 7 {
		t.Errorf("%d channels with their own quota, want 7", len(q.Channels))
	}
	rules := map[string]string{}
	for _, g := range p.Gates {
		rules[g.ID] = opString(p, g.Expr.Root)
	}
	for id, w := range map[string]string{
		"employees":    "Ge(employees,300)",
		"sales":        "Ge(sales[2],3000)",
		"total_assets": "Ge(total_assets,4000)",
		"rd_intensity": "Ge(Mul(rd[2],100),Mul(3,sales[2]))",
		"tech_centre":  "In{1,2}(tech_centre)",
	} {
		if rules[id] != w {
			t.Errorf("gate %s = %q, want %s", id, rules[id], w)
		}
	}
	for id, unit := range map[string]string{"employees": "persons", "sales": "万元", "total_assets": "万元", "rd": "万元"} {
		in, ok := p.Input(id)
		if !ok || in.Unit != unit {
			t.Errorf("input %s unit %v, want %s", id, in, unit)
		}
	}
	if d.Years != 3 || d.ValidityYears != 3 || d.Scoring.Model != program.ModelComposite {
		t.Errorf("years %d validity %d model %s", d.Years, d.ValidityYears, d.Scoring.Model)
	}
	leaves := 0
	for _, n := range p.Nodes {
		if n.Kind == program.NodeComposite {
			leaves++
		}
	}
	if leaves != 20 {
		t.Errorf("%d composite leaves, want the 20 published indicators", leaves)
	}
	if p.DecisionNode.ID != "index" || d.Decision.Threshold != nil {
		t.Errorf("decision on %s threshold %v; want index without a pass mark", p.DecisionNode.ID, d.Decision.Threshold)
	}
}

func TestASEMExample(t *testing.T) {
	src, err := os.ReadFile("../../examples/asem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := program.Load(src, "asem.yaml")
	if err != nil {
		t.Fatalf("asem.yaml: %v", err)
	}
	checkProgram(t, p)
	leaves, reversed := 0, 0
	for _, n := range p.Nodes {
		if n.Kind == program.NodeComposite {
			leaves++
			if n.Direction == -1 {
				reversed++
			}
		}
	}
	if leaves != 49 {
		t.Errorf("%d composite leaves, want 49", leaves)
	}
	if reversed != 14 {
		t.Errorf("%d leaves with direction -1, want 14", reversed)
	}
	if root := p.Root(); root.ID != "Index" || p.DecisionNode != root {
		t.Errorf("root %s, decision node %s; want Index", root.ID, p.DecisionNode.ID)
	}
	if pl := p.Def.Scoring.Pipeline; pl.Impute.Method != "group_mean" || pl.Impute.Group != "EurAsia_group" || pl.Coverage != 0.9 {
		t.Errorf("pipeline %+v", pl)
	}
}
