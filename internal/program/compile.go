package program

import (
	"fmt"
	"regexp"
	"strings"
)

// compileIndicators checks each indicator's expression, orders them so
// each comes after those it uses, and reports unknown names and cycles.
func (p *Program) compileIndicators(ps *problems) {
	defs := p.Def.Indicators
	s := p.newScope(true)
	deps := make(map[string][]string, len(defs))
	index := map[string]int{}
	ok := make([]bool, len(defs))
	for i := range defs {
		d := &defs[i]
		path := fmt.Sprintf("indicators[%d]", i)
		_, dup := index[d.ID]
		if !ps.varID(path+".id", d.ID, dup) {
			continue
		}
		if _, clash := p.inputs[d.ID]; clash {
			ps.add(path+".id", "%q is already an input", d.ID)
			continue
		}
		index[d.ID] = i
		e, err := s.compile(d.Expr, tFloat)
		if err != nil {
			ps.add(path+".expr", "%v", err)
			continue
		}
		deps[d.ID] = e.Deps
		ok[i] = true
	}
	// Order by depth-first search; a grey node met again closes a cycle.
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	var order []int
	var stack []string
	var visit func(id string) bool
	visit = func(id string) bool {
		switch colour[id] {
		case grey:
			start := 0
			for i, s := range stack {
				if s == id {
					start = i
				}
			}
			cycle := append(append([]string{}, stack[start:]...), id)
			ps.add(fmt.Sprintf("indicators[%d].expr", index[id]), "indicators depend on each other in a cycle: %s", strings.Join(cycle, " → "))
			return false
		case black:
			return true
		}
		colour[id] = grey
		stack = append(stack, id)
		good := true
		for _, d := range deps[id] {
			if _, known := index[d]; !known {
				ps.add(fmt.Sprintf("indicators[%d].expr", index[id]), "unknown name %q", d)
				good = false
				continue
			}
			if !ok[index[d]] {
				good = false
				continue
			}
			if !visit(d) {
				good = false
			}
		}
		stack = stack[:len(stack)-1]
		colour[id] = black
		if good {
			order = append(order, index[id])
		}
		return good
	}
	for i := range defs {
		if ok[i] && colour[defs[i].ID] == white {
			visit(defs[i].ID)
		}
	}
	// Lay out the indicators that compiled and whose dependencies did; the
	// others are broken, and uses of them elsewhere are not reported again.
	laid := map[string]bool{}
	for _, i := range order {
		laid[defs[i].ID] = true
	}
	for i := range defs {
		if id := defs[i].ID; !laid[id] {
			p.broken[id] = true
		}
	}
	for k, i := range order {
		d := &defs[i]
		p.indicators[d.ID] = &IndicatorInfo{Indicator: d, Col: p.NumCols + k}
	}
	for _, i := range order {
		d := &defs[i]
		e, err := s.compile(d.Expr, tFloat)
		if err != nil {
			ps.add(fmt.Sprintf("indicators[%d].expr", i), "%v", err)
			continue
		}
		info := p.indicators[d.ID]
		info.Expr = e
		p.Indicators = append(p.Indicators, info)
	}
}

// finalScope is the scope for gates, bands and points: every input and
// every indicator. Indicators that failed to compile resolve to nothing,
// which is harmless since Compile then fails anyway.
func (p *Program) finalScope() *scope { return p.newScope(true) }

var placeholderRE = regexp.MustCompile(`\{([^{}]+)\}`)

func (p *Program) compileGates(ps *problems) {
	s := p.finalScope()
	seen := map[string]bool{}
	for i := range p.Def.Gates {
		g := &p.Def.Gates[i]
		path := fmt.Sprintf("gates[%d]", i)
		if !validID(g.ID) {
			ps.add(path+".id", "must be an identifier, got %q", g.ID)
		} else if seen[g.ID] {
			ps.add(path+".id", "%q is defined twice", g.ID)
		}
		seen[g.ID] = true
		if g.Message.Zh == "" && g.Message.En == "" {
			ps.add(path+".message", "a gate needs a message (zh and en) saying what failed")
		}
		info := &GateInfo{Gate: g, Placeholders: map[string]*Expr{}}
		e, err := s.compile(g.Rule, tBool)
		if err != nil {
			ps.add(path+".rule", "%v", err)
		} else {
			info.Expr = e
		}
		for _, lm := range [][2]string{{"zh", g.Message.Zh}, {"en", g.Message.En}} {
			lang, msg := lm[0], lm[1]
			for _, m := range placeholderRE.FindAllStringSubmatch(msg, -1) {
				key := m[1]
				if _, done := info.Placeholders[key]; done {
					continue
				}
				pe, err := s.compile(key, tFloat)
				if err != nil {
					ps.add(path+".message."+lang, "placeholder {%s}: %v", key, err)
					continue
				}
				info.Placeholders[key] = pe
			}
		}
		p.Gates = append(p.Gates, info)
	}
}

func (p *Program) compileDecision(ps *problems) {
	d := &p.Def.Decision
	if len(p.Nodes) == 0 {
		return
	}
	p.DecisionNode = p.Root()
	if d.Score != "" {
		n, ok := p.nodes[d.Score]
		if !ok {
			ps.add("decision.score", "unknown framework node %q", d.Score)
		} else {
			p.DecisionNode = n
		}
	}
	ps.finitePtr("decision.threshold", d.Threshold)
	if d.Quota.Default < 0 {
		ps.add("decision.quota.default", "must be ≥ 0 (0 means no quota)")
	}
	for _, ch := range sortedKeys(d.Quota.Channels) {
		if d.Quota.Channels[ch] < 0 {
			ps.add("decision.quota.channels."+ch, "must be ≥ 0")
		}
		if p.ChannelInput != nil && p.ChannelInput.Kind == KindChoice {
			if _, ok := p.ChannelInput.Code(ch); !ok {
				ps.add("decision.quota.channels."+ch, "%q is not an option of the channel input %q", ch, p.ChannelInput.ID)
			}
		}
	}
	if (d.Quota.Default > 0 || len(d.Quota.Channels) > 0) && p.ChannelInput == nil {
		ps.add("decision.quota", "a quota needs the program's channel input (top-level `channel`)")
	}
	for i, t := range d.Ties {
		path := fmt.Sprintf("decision.ties[%d]", i)
		ti := TieInfo{Name: t.By, Desc: true, Col: -1}
		switch t.Order {
		case "", "desc":
		case "asc":
			ti.Desc = false
		default:
			ps.add(path+".order", "must be asc or desc, got %q", t.Order)
		}
		if n, ok := p.nodes[t.By]; ok {
			ti.Node = n
		} else if ind, ok := p.indicators[t.By]; ok {
			ti.Col = ind.Col
		} else if in, ok := p.inputs[t.By]; ok && in.Col >= 0 {
			ti.Col = in.Col + in.Years - 1
		} else {
			if !p.broken[t.By] {
				ps.add(path+".by", "unknown node, indicator or numeric input %q", t.By)
			}
			continue
		}
		p.Ties = append(p.Ties, ti)
	}
}
