package program

import (
	"fmt"
	"math"
	"strings"
)

// Program is a validated definition with its expressions compiled and its
// data laid out in columns, ready for the scoring engine.
//
// The engine works on one float64 column per numeric input and year
// (yes/no as 1 or 0, a choice as its option's index, missing as NaN),
// followed by one column per indicator; text inputs live in separate
// string columns.
type Program struct {
	Def *Definition

	Inputs  []*InputInfo
	inputs  map[string]*InputInfo
	NumCols int // numeric input columns
	TxtCols int // text input columns

	// Indicators are in evaluation order: each only uses inputs and
	// indicators before it. Indicator i lives in column NumCols+i.
	Indicators []*IndicatorInfo
	indicators map[string]*IndicatorInfo
	// broken are indicators that failed to compile (reported once).
	broken map[string]bool

	Gates []*GateInfo

	// Nodes are the framework nodes, children before their parent; the
	// root is last.
	Nodes []*NodeInfo
	nodes map[string]*NodeInfo
	// HasComposite reports whether any leaf is a composite indicator.
	HasComposite bool
	// HasRanges reports whether any band gives a range of points.
	HasRanges bool

	// DecisionNode is the node whose score the decision compares.
	DecisionNode *NodeInfo
	Ties         []TieInfo
	IDInput      *InputInfo
	ChannelInput *InputInfo
	// ReviewItems are the inputs experts score, in the order of the
	// definition's review.items (empty without a review section).
	ReviewItems []ReviewItem
}

// InputInfo is an input with its place in the columns.
type InputInfo struct {
	*Input
	Col     int // first numeric column, -1 for text
	TextCol int // text column, -1 unless text
	Years   int // columns it spans: Definition.Years if yearly, else 1
	// Factor converts from a unit a spreadsheet header may name to this
	// input's unit; see UnitFactor.
	codes map[string]int
}

// Code returns the column value that encodes a choice option.
func (in *InputInfo) Code(option string) (float64, bool) {
	c, ok := in.codes[option]
	return float64(c), ok
}

// OptionValue returns the option that the column value v encodes.
func (in *InputInfo) OptionValue(v float64) string {
	i := int(v)
	if math.IsNaN(v) || i < 0 || i >= len(in.Options) {
		return ""
	}
	return in.Options[i].Value
}

// IndicatorInfo is a derived indicator with its compiled expression.
type IndicatorInfo struct {
	*Indicator
	Col  int
	Expr *Expr
}

// GateInfo is a gate with its compiled rule and message placeholders.
type GateInfo struct {
	*Gate
	Expr *Expr
	// Placeholders maps each {…} in either message to its expression.
	Placeholders map[string]*Expr
}

// Leaf kinds of framework nodes.
const (
	NodeBranch = iota
	NodePoints
	NodeBands
	NodeComposite
)

// NodeInfo is a framework node, compiled.
type NodeInfo struct {
	*Node
	Path     string
	Index    int
	Parent   int // -1 for the root
	Children []int
	Kind     int
	Depth    int
	Points   *Expr
	Value    *Expr
	Bands    []BandInfo
	Fixed    *InputInfo
	// Source is the column a composite leaf reads.
	SourceCol int
	// W is the weight (1 when the definition gives none).
	W float64
	// Agg is the aggregation of a branch, defaulted.
	Agg string
}

// BandInfo is a band with its compiled condition.
type BandInfo struct {
	*Band
	When *Expr
}

// TieInfo is a compiled tie-break: by a node's score or a column.
type TieInfo struct {
	Node *NodeInfo
	Col  int
	Desc bool
	Name string
}

func newProgram(def *Definition) *Program {
	return &Program{
		Def:        def,
		inputs:     map[string]*InputInfo{},
		indicators: map[string]*IndicatorInfo{},
		broken:     map[string]bool{},
		nodes:      map[string]*NodeInfo{},
	}
}

// Input returns the input named id.
func (p *Program) Input(id string) (*InputInfo, bool) {
	in, ok := p.inputs[id]
	return in, ok
}

// Indicator returns the indicator named id.
func (p *Program) Indicator(id string) (*IndicatorInfo, bool) {
	ind, ok := p.indicators[id]
	return ind, ok
}

// NodeByID returns the framework node named id.
func (p *Program) NodeByID(id string) (*NodeInfo, bool) {
	n, ok := p.nodes[id]
	return n, ok
}

// Root returns the framework's root node.
func (p *Program) Root() *NodeInfo { return p.Nodes[len(p.Nodes)-1] }

// Cols is the number of numeric columns the engine holds: inputs, then
// indicators.
func (p *Program) Cols() int { return p.NumCols + len(p.Indicators) }

// ColumnName names a numeric column for people: "sales[2]", "rd_ratio".
func (p *Program) ColumnName(col int) string {
	if col >= p.NumCols && col < p.Cols() {
		return p.Indicators[col-p.NumCols].ID
	}
	for _, in := range p.Inputs {
		if in.Col >= 0 && col >= in.Col && col < in.Col+in.Years {
			if in.Yearly {
				return fmt.Sprintf("%s[%d]", in.ID, col-in.Col)
			}
			return in.ID
		}
	}
	return fmt.Sprintf("column %d", col)
}

var knownUnits = map[string]bool{
	"元": true, "万元": true, "亿元": true, "%": true, "persons": true, "count": true,
	"ratio": true, "points": true, "years": true, "": true,
}

func (p *Program) layoutInputs(ps *problems) {
	d := p.Def
	if len(d.Inputs) == 0 {
		ps.add("inputs", "a program needs at least one input")
	}
	for i := range d.Inputs {
		in := &d.Inputs[i]
		path := fmt.Sprintf("inputs[%d]", i)
		if in.Kind == "" {
			in.Kind = KindNumber
		}
		_, dup := p.inputs[in.ID]
		if !ps.varID(path+".id", in.ID, dup) {
			continue
		}
		info := &InputInfo{Input: in, Col: -1, TextCol: -1, Years: 1}
		if in.Yearly {
			info.Years = max(d.Years, 1)
		}
		switch in.Kind {
		case KindNumber:
			if !knownUnits[in.Unit] && !strings.HasPrefix(in.Unit, "x-") {
				ps.add(path+".unit", "unknown unit %q; use one of 元, 万元, 亿元, %%, persons, count, ratio, points, years (or x-… for your own)", in.Unit)
			}
			okMin, okMax := ps.finitePtr(path+".min", in.Min), ps.finitePtr(path+".max", in.Max)
			if okMin && okMax && in.Min != nil && in.Max != nil && *in.Min > *in.Max {
				ps.add(path+".min", "min %v is above max %v", *in.Min, *in.Max)
			}
		case KindYesNo:
		case KindChoice:
			if in.Yearly {
				ps.add(path+".yearly", "a choice cannot be yearly; define one choice input per year")
			}
			if len(in.Options) == 0 {
				ps.add(path+".options", "a choice needs at least one option")
			}
			info.codes = map[string]int{}
			for j, o := range in.Options {
				if o.Value == "" {
					ps.add(fmt.Sprintf("%s.options[%d].value", path, j), "must not be empty")
				}
				if _, dup := info.codes[o.Value]; dup {
					ps.add(fmt.Sprintf("%s.options[%d].value", path, j), "%q is listed twice", o.Value)
				}
				info.codes[o.Value] = j
			}
		case KindText:
			if in.Yearly {
				ps.add(path+".yearly", "a text input cannot be yearly")
			}
			if in.Format != "" && in.Format != "uscc" {
				ps.add(path+".format", "unknown format %q; the only one is uscc", in.Format)
			}
		default:
			ps.add(path+".kind", "unknown kind %q; use number, yesno, choice or text", in.Kind)
		}
		if in.Kind == KindText {
			info.TextCol = p.TxtCols
			p.TxtCols++
		} else {
			info.Col = p.NumCols
			p.NumCols += info.Years
		}
		p.inputs[in.ID] = info
		p.Inputs = append(p.Inputs, info)
	}
	if d.ID == "" {
		ps.add("id", "name the input that identifies an enterprise")
	} else if in, ok := p.inputs[d.ID]; !ok {
		ps.add("id", "unknown input %q", d.ID)
	} else if in.Kind != KindText {
		ps.add("id", "input %q must be of kind text", d.ID)
	} else {
		p.IDInput = in
	}
	if d.Channel != "" {
		if in, ok := p.inputs[d.Channel]; !ok {
			ps.add("channel", "unknown input %q", d.Channel)
		} else if in.Kind != KindText && in.Kind != KindChoice {
			ps.add("channel", "input %q must be of kind text or choice", d.Channel)
		} else {
			p.ChannelInput = in
		}
	}
}
