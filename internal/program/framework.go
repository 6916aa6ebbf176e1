package program

import (
	"fmt"
	"slices"
)

var (
	imputeMethods    = []string{"", "none", "mean", "median", "group_mean", "group_median"}
	outlierMethods   = []string{"", "none", "winsorise", "log"}
	normaliseMethods = []string{"", "minmax", "zscore", "rank", "percentile", "goalposts", "target"}
	aggregations     = []string{AggSum, AggArithmetic, AggGeometric, AggHarmonic, AggGeneralised}
)

func (p *Program) compileScoring(ps *problems) {
	sc := &p.Def.Scoring
	switch sc.Model {
	case ModelBands, ModelComposite, ModelCombined:
	case "":
		ps.add("scoring.model", "missing; use bands, composite or combined")
	default:
		ps.add("scoring.model", "unknown model %q; use bands, composite or combined", sc.Model)
	}
	switch sc.BandPoints {
	case "":
		sc.BandPoints = "low"
	case "low", "mid", "high":
	default:
		ps.add("scoring.band_points", "must be low, mid or high, got %q", sc.BandPoints)
	}
	s := p.finalScope()
	p.compileNode(ps, s, &sc.Framework, "scoring.framework", -1, 0)
	for _, n := range p.Nodes {
		switch {
		case n.Kind == NodeComposite && sc.Model == ModelBands:
			ps.add(n.Path, "a bands program cannot have composite indicator leaves; use model: combined")
		case (n.Kind == NodePoints || n.Kind == NodeBands) && sc.Model == ModelComposite:
			ps.add(n.Path, "a composite program cannot have points or bands leaves; use model: combined")
		}
	}
	if p.HasComposite || sc.Model == ModelComposite {
		p.validatePipeline(ps)
	}
}

func (p *Program) validatePipeline(ps *problems) {
	pl := &p.Def.Scoring.Pipeline
	if !ps.finite("scoring.pipeline.coverage", pl.Coverage) {
	} else if pl.Coverage < 0 || pl.Coverage > 1 {
		ps.add("scoring.pipeline.coverage", "must be a fraction between 0 and 1, got %v", pl.Coverage)
	}
	switch pl.Screen {
	case "":
		pl.Screen = "before"
	case "before", "after":
	default:
		ps.add("scoring.pipeline.screen", "must be before or after (imputation), got %q", pl.Screen)
	}
	if !slices.Contains(imputeMethods, pl.Impute.Method) {
		ps.add("scoring.pipeline.impute.method", "unknown method %q; use none, mean, median, group_mean or group_median", pl.Impute.Method)
	}
	if pl.Impute.Method == "group_mean" || pl.Impute.Method == "group_median" {
		in, ok := p.inputs[pl.Impute.Group]
		switch {
		case pl.Impute.Group == "":
			ps.add("scoring.pipeline.impute.group", "%s needs the input that defines the groups", pl.Impute.Method)
		case !ok:
			ps.add("scoring.pipeline.impute.group", "unknown input %q", pl.Impute.Group)
		case in.Kind != KindChoice && in.Kind != KindText:
			ps.add("scoring.pipeline.impute.group", "input %q must be a choice or text", pl.Impute.Group)
		}
	}
	o := &pl.Outliers
	if !slices.Contains(outlierMethods, o.Method) {
		ps.add("scoring.pipeline.outliers.method", "unknown method %q; use none, winsorise or log", o.Method)
	}
	if o.Method == "winsorise" && ps.finite("scoring.pipeline.outliers.skew", o.SkewThreshold) &&
		ps.finite("scoring.pipeline.outliers.kurtosis", o.KurtosisThreshold) {
		if o.MaxWinsorise <= 0 {
			ps.add("scoring.pipeline.outliers.max_winsorise", "must be > 0")
		}
		if o.SkewThreshold <= 0 {
			ps.add("scoring.pipeline.outliers.skew", "must be > 0 (COINr uses 2)")
		}
		if o.KurtosisThreshold <= 0 {
			ps.add("scoring.pipeline.outliers.kurtosis", "must be > 0 (COINr uses 3.5)")
		}
		if o.Fallback != "" && o.Fallback != "log" && o.Fallback != "none" {
			ps.add("scoring.pipeline.outliers.fallback", "must be log or none, got %q", o.Fallback)
		}
	}
	n := &pl.Normalise
	for _, f := range []struct {
		name string
		v    float64
	}{{"low", n.Low}, {"high", n.High}, {"mean", n.Mean}, {"sd", n.SD}, {"scale", n.Scale}} {
		if !ps.finite("scoring.pipeline.normalise."+f.name, f.v) {
			return
		}
	}
	if !ps.finitePtr("scoring.pipeline.normalise.cap", n.Cap) {
		return
	}
	if !slices.Contains(normaliseMethods, n.Method) {
		ps.add("scoring.pipeline.normalise.method", "unknown method %q; use minmax, zscore, rank, percentile, goalposts or target", n.Method)
	}
	switch n.Method {
	case "", "minmax":
		if n.Low == 0 && n.High == 0 {
			n.High = 100
		}
		if n.Low >= n.High {
			ps.add("scoring.pipeline.normalise.high", "must be above low (%v)", n.Low)
		}
	case "zscore":
		if n.SD <= 0 {
			ps.add("scoring.pipeline.normalise.sd", "must be > 0 (for example 1, or 10 with mean 100)")
		}
	case "goalposts", "target":
		if n.Scale == 0 {
			n.Scale = 100
		}
		for _, l := range p.Nodes {
			switch {
			case l.Kind != NodeComposite:
			case n.Method == "target" && l.Target == nil:
				ps.add(l.Path+".target", "the target normalisation needs a target on every indicator")
			case n.Method == "goalposts" && l.Goalposts == nil:
				ps.add(l.Path+".goalposts", "the goalposts normalisation needs [low, high] goalposts on every indicator")
			case n.Method == "goalposts" && l.Goalposts[0] >= l.Goalposts[1]:
				ps.add(l.Path+".goalposts", "low %v must be below high %v", l.Goalposts[0], l.Goalposts[1])
			}
		}
	}
}

func (p *Program) compileNode(ps *problems, s *scope, n *Node, path string, parent, depth int) int {
	info := &NodeInfo{Node: n, Path: path, Parent: parent, Depth: depth, W: 1, SourceCol: -1}
	if !validID(n.ID) {
		ps.add(path+".id", "must be an identifier, got %q", n.ID)
	} else if _, dup := p.nodes[n.ID]; dup {
		ps.add(path+".id", "%q names two framework nodes", n.ID)
	} else {
		p.nodes[n.ID] = info
	}
	if n.Weight != nil && ps.finite(path+".weight", *n.Weight) {
		if *n.Weight <= 0 {
			ps.add(path+".weight", "must be > 0, got %v", *n.Weight)
		}
		info.W = *n.Weight
	}
	if !ps.finitePtr(path+".max", n.Max) {
		n.Max = nil
	} else if n.Max != nil && *n.Max < 0 {
		ps.add(path+".max", "must be ≥ 0, got %v", *n.Max)
	}
	kinds := 0
	if n.Points != "" {
		kinds++
		info.Kind = NodePoints
	}
	if len(n.Bands) > 0 {
		kinds++
		info.Kind = NodeBands
	}
	if n.Indicator != "" {
		kinds++
		info.Kind = NodeComposite
	}
	if len(n.Children) > 0 {
		if kinds > 0 {
			ps.add(path, "a node has either children or one of points, bands, indicator — not both")
		}
		info.Kind = NodeBranch
	} else if kinds == 0 {
		ps.add(path, "a leaf needs one of points, bands or indicator")
	} else if kinds > 1 {
		ps.add(path, "a leaf has exactly one of points, bands or indicator")
	}
	if depth > 12 {
		ps.add(path, "the framework is nested deeper than 12 levels")
		return -1
	}
	switch info.Kind {
	case NodeBranch:
		info.Agg = n.Aggregate
		if info.Agg == "" {
			info.Agg = AggArithmetic
			if p.Def.Scoring.Model == ModelBands {
				info.Agg = AggSum
			}
		}
		if !slices.Contains(aggregations, info.Agg) {
			ps.add(path+".aggregate", "unknown aggregation %q; use sum, arithmetic, geometric, harmonic or generalised", info.Agg)
		}
		if !ps.finite(path+".power", n.Power) {
		} else if info.Agg == AggGeneralised && n.Power == 0 {
			ps.add(path+".power", "a generalised mean needs a power other than 0 (0 is the geometric mean)")
		}
	case NodePoints:
		e, err := s.compile(n.Points, tFloat)
		if err != nil {
			ps.add(path+".points", "%v", err)
		}
		info.Points = e
	case NodeBands:
		p.compileBands(ps, s, info)
	case NodeComposite:
		p.HasComposite = true
		in, isInput := p.inputs[n.Indicator]
		ind, isIndicator := p.indicators[n.Indicator]
		switch {
		case isIndicator:
			info.SourceCol = ind.Col
		case isInput && in.Yearly:
			ps.add(path+".indicator", "%q is yearly: define an indicator that picks or combines its years", n.Indicator)
		case isInput && in.Kind == KindNumber:
			info.SourceCol = in.Col
		case p.broken[n.Indicator]:
			// Already reported where the indicator is defined.
		default:
			ps.add(path+".indicator", "unknown indicator or numeric input %q", n.Indicator)
		}
		ps.finitePtr(path+".target", n.Target)
		if n.Goalposts != nil {
			ps.finite(path+".goalposts", n.Goalposts[0])
			ps.finite(path+".goalposts", n.Goalposts[1])
		}
		switch n.Direction {
		case 0:
			n.Direction = 1
		case 1, -1:
		default:
			ps.add(path+".direction", "must be 1 (higher is better) or -1 (lower is better), got %d", n.Direction)
		}
	}
	for i := range n.Children {
		c := p.compileNode(ps, s, &n.Children[i], fmt.Sprintf("%s.children[%d]", path, i), -2, depth+1)
		if c >= 0 {
			info.Children = append(info.Children, c)
		}
	}
	info.Index = len(p.Nodes)
	for _, c := range info.Children {
		p.Nodes[c].Parent = info.Index
	}
	p.Nodes = append(p.Nodes, info)
	return info.Index
}

// maxBands is the most bands one leaf may have.
const maxBands = 100

func (p *Program) compileBands(ps *problems, s *scope, info *NodeInfo) {
	n := info.Node
	path := info.Path
	needValue := false
	// The engine keeps a band as an int8 per enterprise.
	if len(n.Bands) > maxBands {
		ps.add(path+".bands", "%d bands; at most %d", len(n.Bands), maxBands)
		return
	}
	for i := range n.Bands {
		b := &n.Bands[i]
		bp := fmt.Sprintf("%s.bands[%d]", path, i)
		bi := BandInfo{Band: b}
		if !ps.finitePtr(bp+".at_least", b.AtLeast) || !ps.finitePtr(bp+".above", b.Above) ||
			!ps.finite(bp+".points", b.Points[0]) || !ps.finite(bp+".points", b.Points[1]) {
			info.Bands = append(info.Bands, bi)
			continue
		}
		set := 0
		if b.AtLeast != nil {
			set++
			needValue = true
		}
		if b.Above != nil {
			set++
			needValue = true
		}
		if b.When != "" {
			set++
			e, err := s.compile(b.When, tBool)
			if err != nil {
				ps.add(bp+".when", "%v", err)
			}
			bi.When = e
		}
		if set != 1 {
			ps.add(bp, "a band has exactly one of at_least, above or when")
		}
		if b.Points[0] > b.Points[1] {
			ps.add(bp+".points", "the range [%v, %v] is reversed", b.Points[0], b.Points[1])
		}
		if b.Points[0] < 0 {
			ps.add(bp+".points", "points must be ≥ 0")
		}
		if b.Points[0] != b.Points[1] {
			p.HasRanges = true
		}
		if n.Max != nil && b.Points[1] > *n.Max {
			ps.add(bp+".points", "%v is above the node's max %v", b.Points[1], *n.Max)
		}
		info.Bands = append(info.Bands, bi)
	}
	if needValue {
		e, err := s.compile(n.Value, tFloat)
		if n.Value == "" {
			ps.add(path+".value", "bands with at_least or above compare a value: give its expression")
		} else if err != nil {
			ps.add(path+".value", "%v", err)
		}
		info.Value = e
	}
	if n.Fixed != "" {
		in, ok := p.inputs[n.Fixed]
		if !ok || in.Kind != KindNumber || in.Yearly {
			ps.add(path+".fixed", "must name a numeric, non-yearly input (the points the experts fixed), got %q", n.Fixed)
		} else {
			info.Fixed = in
		}
	}
}
