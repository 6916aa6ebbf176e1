package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
)

// programView is a compiled program definition laid out for a person
// reading it in one language: what an enterprise provides (inputs with
// units and ranges), what it must meet (gates with their messages), how
// it is scored (the framework with weights) and how the decision is
// made. Every string is plain text: the template escapes it.
type programView struct {
	Name, Version, Title, Summary, Source string
	Years, ValidityYears                  int
	Model                                 string
	Inputs                                []inputView
	Indicators                            []indicatorView
	Gates                                 []gateView
	Framework                             frameworkNode
	Decision                              []string // the decision rule, sentence by sentence
}

type inputView struct {
	ID, Name, Kind, Unit, Range, Hint string
	Years                             int // > 1: one value per year
	Required                          bool
	Options                           []string // "value — name" of a choice
}

type indicatorView struct{ ID, Name, Unit, Expr string }

type gateView struct{ ID, Name, Rule, Message string }

// frameworkNode is one node of the scoring framework with its children.
type frameworkNode struct {
	ID, Name, What string
	Weight, Max    string // "weight 0.3", "max 30"; "" when the definition leaves the default
	Bands          []string
	Children       []frameworkNode
}

// viewProgram lays p out in lang ("zh" or "en").
func viewProgram(p *program.Program, lang string) programView {
	d := p.Def
	v := programView{Name: d.Name, Version: d.Version, Title: d.Title.In(lang), Summary: d.Summary.In(lang), Source: d.Source,
		Years: d.Years, ValidityYears: d.ValidityYears, Model: d.Scoring.Model}
	for _, in := range p.Inputs {
		iv := inputView{ID: in.ID, Name: in.Name.In(lang), Kind: in.Kind, Unit: in.Unit, Hint: in.Hint.In(lang), Required: in.Required}
		if iv.Kind == "" {
			iv.Kind = program.KindNumber
		}
		if in.Yearly {
			iv.Years = in.Years
		}
		iv.Range = numberRange(in.Min, in.Max)
		for _, o := range in.Options {
			iv.Options = append(iv.Options, o.Value+" — "+o.Name.In(lang))
		}
		v.Inputs = append(v.Inputs, iv)
	}
	for _, ind := range p.Indicators {
		v.Indicators = append(v.Indicators, indicatorView{ID: ind.ID, Name: ind.Name.In(lang), Unit: ind.Unit, Expr: oneLine(ind.Expr.Source)})
	}
	for _, g := range p.Gates {
		v.Gates = append(v.Gates, gateView{ID: g.ID, Name: g.Name.In(lang), Rule: oneLine(g.Rule), Message: g.Message.In(lang)})
	}
	v.Framework = viewNode(p, p.Root(), lang)
	v.Decision = viewDecision(p, lang)
	return v
}

// numberRange shows the bounds of a number: "≥ 0", "0 – 100", or "".
func numberRange(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return num(*lo) + " – " + num(*hi)
	case lo != nil:
		return "≥ " + num(*lo)
	case hi != nil:
		return "≤ " + num(*hi)
	}
	return ""
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// oneLine folds an expression written over several YAML lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func viewNode(p *program.Program, n *program.NodeInfo, lang string) frameworkNode {
	tf := func(key string, args ...any) string { return fmt.Sprintf(message(lang, key), args...) }
	fn := frameworkNode{ID: n.ID, Name: n.Name.In(lang)}
	switch n.Kind {
	case program.NodeBranch:
		fn.What = tf("setup.prog.node.branch", n.Agg)
	case program.NodePoints:
		fn.What = tf("setup.prog.node.points", oneLine(n.Points.Source))
	case program.NodeBands:
		fn.What = message(lang, "setup.prog.node.bands")
		if n.Value != nil {
			fn.What = tf("setup.prog.node.bands_on", oneLine(n.Value.Source))
		}
		for _, b := range n.Bands {
			fn.Bands = append(fn.Bands, bandText(b, lang))
		}
	case program.NodeComposite:
		fn.What = tf("setup.prog.node.composite", n.Indicator)
		if n.Direction < 0 {
			fn.What = tf("setup.prog.node.composite_low", n.Indicator)
		}
	}
	if n.Weight != nil {
		fn.Weight = tf("setup.prog.weight", num(n.W))
	}
	if n.Max != nil {
		fn.Max = tf("setup.prog.max", num(*n.Max))
	}
	for _, c := range n.Children {
		fn.Children = append(fn.Children, viewNode(p, p.Nodes[c], lang))
	}
	return fn
}

// bandText says one band: "≥ 10: 3–5 points (label)".
func bandText(b program.BandInfo, lang string) string {
	var cond string
	switch {
	case b.AtLeast != nil:
		cond = "≥ " + num(*b.AtLeast)
	case b.Above != nil:
		cond = "> " + num(*b.Above)
	case b.Band.When != "":
		cond = oneLine(b.Band.When)
	}
	pts := num(b.Points[0])
	if b.Points[1] != b.Points[0] {
		pts += "–" + num(b.Points[1])
	}
	s := cond + ": " + fmt.Sprintf(message(lang, "setup.prog.points"), pts)
	if b.Label != "" {
		s += " (" + b.Label + ")"
	}
	return s
}

// viewDecision says the decision rule in sentences.
func viewDecision(p *program.Program, lang string) []string {
	tf := func(key string, args ...any) string { return fmt.Sprintf(message(lang, key), args...) }
	d := p.Def.Decision
	node := p.DecisionNode.ID + " " + p.DecisionNode.Name.In(lang)
	var out []string
	if d.Threshold != nil {
		op := "≥"
		if d.Strict {
			op = ">"
		}
		out = append(out, tf("setup.prog.decision.threshold", node, op, num(*d.Threshold)))
	} else {
		out = append(out, tf("setup.prog.decision.ranked", node))
	}
	if d.Quota.Default > 0 || len(d.Quota.Channels) > 0 {
		chans := make([]string, 0, len(d.Quota.Channels))
		for ch, n := range d.Quota.Channels {
			chans = append(chans, ch+" "+strconv.Itoa(n))
		}
		sort.Strings(chans)
		if len(chans) > 0 {
			out = append(out, tf("setup.prog.decision.quota_except", d.Quota.Default, strings.Join(chans, ", ")))
		} else {
			out = append(out, tf("setup.prog.decision.quota", d.Quota.Default))
		}
	}
	if len(d.Ties) > 0 {
		keys := make([]string, 0, len(d.Ties))
		for _, t := range d.Ties {
			order := t.Order
			if order == "" {
				order = "desc"
			}
			keys = append(keys, t.By+" ("+order+")")
		}
		out = append(out, tf("setup.prog.decision.ties", strings.Join(keys, ", ")))
	}
	return out
}
