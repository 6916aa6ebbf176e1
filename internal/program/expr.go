package program

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// Expressions are written in the expr language (github.com/expr-lang/expr)
// and type-checked by it when the definition loads; the engine never runs
// expr's interpreter. Instead each checked syntax tree is lowered to an Op
// tree that the engine evaluates a column at a time.
//
// Values are float64. Missing is NaN. A boolean is 1 (true), 0 (false) or
// NaN (unknown, because a value it needs is missing). Comparisons with a
// missing value are unknown; `a && b` is false when either is false, and
// `a || b` true when either is true, whatever the other; a condition that
// is unknown makes `c ? x : y` missing. present(x) is never unknown.

// OpKind says what an Op computes.
type OpKind uint8

// Op kinds. Arithmetic follows IEEE 754, so x/0 is ±Inf and 0/0 is NaN
// (missing); definitions guard divisions with conditionals.
const (
	OpConst OpKind = iota // Value
	OpCol                 // column Col
	OpNeg
	OpNot
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpPow
	OpMod
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpIf      // Args[0] ? Args[1] : Args[2]
	OpPresent // 1 if Args[0] is not missing, else 0
	OpAbs
	OpLog
	OpSqrt
	OpFloor
	OpCeil
	OpRound
	OpMin      // n-ary, missing if any is missing
	OpMax      // n-ary, missing if any is missing
	OpSum      // n-ary, skips missing; missing if all are
	OpMean     // n-ary, skips missing; missing if all are
	OpCount    // n-ary: how many are present
	OpCoalesce // first present argument
	OpClamp    // Args[0] limited to [Args[1], Args[2]]
	OpIn       // Args[0] equals one of Set
)

// Op is one node of a lowered expression.
type Op struct {
	Kind  OpKind
	Col   int
	Value float64
	Set   []float64
	Args  []*Op
}

// Expr is a compiled expression.
type Expr struct {
	Source string
	Root   *Op
	// Bool reports whether the expression is a condition.
	Bool bool
	// Refs are the columns the expression reads, in order of first use.
	Refs []int
	// Deps are the indicators it uses (by id), for ordering and cycles.
	Deps []string
}

// reservedNames are the functions expressions may call and the words of
// the expression language; no input or indicator may take them.
var reservedNames = map[string]bool{
	"present": true, "abs": true, "log": true, "sqrt": true, "floor": true,
	"ceil": true, "round": true, "min": true, "max": true, "sum": true,
	"mean": true, "count": true, "coalesce": true, "clamp": true,
	"true": true, "false": true, "nil": true, "in": true, "not": true, "and": true, "or": true,
	"let": true, "if": true, "else": true, "matches": true, "contains": true,
	"startsWith": true, "endsWith": true,
}

// Limits on one expression. Definitions are written by people: anything
// beyond these is a mistake or an attack, and expr's recursive parser
// would exhaust the stack long before the 4 MiB definition limit.
const (
	maxExprBytes = 4096
	maxExprDepth = 64
)

// checkSize refuses expressions that are too long or nested too deep.
func checkSize(src string) error {
	if len(src) > maxExprBytes {
		return fmt.Errorf("expression is %d characters long; the limit is %d", len(src), maxExprBytes)
	}
	depth := 0
	for _, r := range src {
		switch r {
		case '(', '[', '{':
			depth++
			if depth > maxExprDepth {
				return fmt.Errorf("expression is nested more than %d levels deep", maxExprDepth)
			}
		case ')', ']', '}':
			depth--
		}
	}
	return nil
}

// quote shows an expression in a message, shortened when long.
func quote(src string) string {
	if len(src) > 80 {
		src = src[:77] + "…"
	}
	return fmt.Sprintf("%q", src)
}

var (
	tFloat  = reflect.TypeOf(float64(0))
	tBool   = reflect.TypeOf(false)
	tString = reflect.TypeOf("")
)

// unreachable implements the expr functions for the type checker; the
// engine evaluates Op trees and never calls these.
func unreachable(...any) (any, error) {
	return nil, fmt.Errorf("program: expressions are evaluated by the engine")
}

func exprOptions(env map[string]any) []expr.Option {
	f1 := new(func(float64) float64)
	agg := []any{new(func([]float64) float64), new(func(...float64) float64)}
	opts := []expr.Option{
		expr.Env(env),
		expr.DisableAllBuiltins(),
		expr.Optimize(false),
		expr.Function("present", unreachable, new(func(float64) bool), new(func(string) bool), new(func(bool) bool)),
		expr.Function("coalesce", unreachable, new(func(...float64) float64)),
		expr.Function("clamp", unreachable, new(func(float64, float64, float64) float64)),
	}
	for _, name := range []string{"abs", "log", "sqrt", "floor", "ceil", "round"} {
		opts = append(opts, expr.Function(name, unreachable, f1))
	}
	for _, name := range []string{"min", "max", "sum", "mean", "count"} {
		opts = append(opts, expr.Function(name, unreachable, agg...))
	}
	return opts
}

// scope is what names an expression may use.
type scope struct {
	p   *Program
	env map[string]any
	// upTo limits indicators to those before this index in the
	// definition (-1: all); used while ordering is unknown.
	allowIndicators bool
}

func (p *Program) newScope(withIndicators bool) *scope {
	env := map[string]any{}
	for _, in := range p.Inputs {
		switch {
		case in.Kind == KindText || in.Kind == KindChoice:
			env[in.ID] = ""
		case in.Kind == KindYesNo && !in.Yearly:
			env[in.ID] = false
		case in.Kind == KindYesNo:
			env[in.ID] = []bool{}
		case in.Yearly:
			env[in.ID] = []float64{}
		default:
			env[in.ID] = 0.0
		}
	}
	if withIndicators {
		for i := range p.Def.Indicators {
			id := p.Def.Indicators[i].ID
			if _, clash := env[id]; !clash && validVarID(id) && !reservedNames[id] {
				env[id] = 0.0
			}
		}
	}
	return &scope{p: p, env: env, allowIndicators: withIndicators}
}

// compile type-checks src and lowers it. want is tFloat or tBool.
func (s *scope) compile(src string, want reflect.Type) (*Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("expression is empty")
	}
	if err := checkSize(src); err != nil {
		return nil, err
	}
	prog, err := expr.Compile(src, exprOptions(s.env)...)
	if err != nil {
		if yearly := s.bareYearly(src); yearly != nil && strings.Contains(err.Error(), "[]float64") {
			return nil, fmt.Errorf("%q holds %d yearly values: pick one, e.g. %s[%d] for the latest, or combine them, e.g. sum(%s) (in %s)",
				yearly.ID, yearly.Years, yearly.ID, yearly.Years-1, yearly.ID, quote(src))
		}
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("%s (at column %d of %s)", fe.Message, fe.Column+1, quote(src))
		}
		return nil, fmt.Errorf("%s", oneLine(err.Error()))
	}
	root := prog.Node()
	got, err := kindOf(root)
	if err != nil {
		return nil, fmt.Errorf("%v in %s", err, quote(src))
	}
	switch want {
	case tBool:
		if got != tBool {
			return nil, fmt.Errorf("must be a condition (true or false), but %s is a %s", quote(src), typeWord(got))
		}
	case tFloat:
		if got != tFloat {
			return nil, fmt.Errorf("must be a number, but %s is a %s", quote(src), typeWord(got))
		}
	}
	l := &lowerer{s: s, seenCol: map[int]bool{}, seenDep: map[string]bool{}}
	op, err := l.lower(root)
	if err != nil {
		return nil, err
	}
	return &Expr{Source: src, Root: op, Bool: want == tBool, Refs: l.refs, Deps: l.deps}, nil
}

// kindOf says whether a checked expression is a number or a condition.
// expr types a conditional whose branches differ (a whole and a decimal
// number, or a number and a condition) as interface{}: look into its
// branches, and accept it only when both are numbers or both conditions.
func kindOf(n ast.Node) (reflect.Type, error) {
	t := n.Type()
	switch t.Kind() {
	case reflect.Float64, reflect.Int:
		return tFloat, nil
	case reflect.Interface:
		c, ok := n.(*ast.ConditionalNode)
		if !ok {
			return nil, fmt.Errorf("%s is not supported in program expressions", n.String())
		}
		a, err := kindOf(c.Exp1)
		if err != nil {
			return nil, err
		}
		b, err := kindOf(c.Exp2)
		if err != nil {
			return nil, err
		}
		if a != b {
			return nil, fmt.Errorf("the two branches of `? :` must both be numbers or both conditions, but one is a %s and the other a %s", typeWord(a), typeWord(b))
		}
		return a, nil
	}
	return t, nil
}

// bareYearly finds a yearly input written in src without a year index.
func (s *scope) bareYearly(src string) *InputInfo {
	for _, in := range s.p.Inputs {
		if !in.Yearly {
			continue
		}
		for i := 0; ; {
			k := strings.Index(src[i:], in.ID)
			if k < 0 {
				break
			}
			start, end := i+k, i+k+len(in.ID)
			i = end
			if start > 0 && isIdentByte(src[start-1]) || end < len(src) && isIdentByte(src[end]) {
				continue
			}
			rest := strings.TrimLeft(src[end:], " ")
			before := strings.TrimRight(src[:start], " ")
			if strings.HasPrefix(rest, "[") || strings.HasSuffix(before, "(") {
				continue
			}
			return in
		}
	}
	return nil
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	return strings.TrimSpace(lines[0]) + func() string {
		if len(lines) > 1 {
			return " (" + strings.TrimSpace(strings.Join(lines[1:], " ")) + ")"
		}
		return ""
	}()
}

func typeWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "condition"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "list of yearly values (index it, e.g. x[2], or use sum(x))"
	case reflect.Float64, reflect.Int:
		return "number"
	}
	return t.String()
}

type lowerer struct {
	s       *scope
	refs    []int
	seenCol map[int]bool
	deps    []string
	seenDep map[string]bool
}

func (l *lowerer) ref(col int) *Op {
	if !l.seenCol[col] {
		l.seenCol[col] = true
		l.refs = append(l.refs, col)
	}
	return &Op{Kind: OpCol, Col: col}
}

// column resolves an identifier that denotes a single value.
func (l *lowerer) column(name string) (*Op, error) {
	p := l.s.p
	if in, ok := p.inputs[name]; ok {
		if in.Kind == KindText {
			return nil, fmt.Errorf("%q is text and cannot be used in a calculation", name)
		}
		if in.Yearly {
			return nil, fmt.Errorf("%q holds %d yearly values: pick one, e.g. %s[%d] for the latest, or use sum(%s)", name, in.Years, name, in.Years-1, name)
		}
		return l.ref(in.Col), nil
	}
	if l.s.allowIndicators {
		if !l.seenDep[name] {
			l.seenDep[name] = true
			l.deps = append(l.deps, name)
		}
		if ind, ok := p.indicators[name]; ok {
			return l.ref(ind.Col), nil
		}
		// Not laid out yet (while ordering indicators): a placeholder.
		return &Op{Kind: OpCol, Col: -1}, nil
	}
	return nil, fmt.Errorf("unknown name %q", name)
}

// yearly resolves a yearly input used as a list.
func (l *lowerer) yearly(n ast.Node) ([]*Op, bool, error) {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		in, ok := l.s.p.inputs[n.Value]
		if !ok || !in.Yearly {
			return nil, false, nil
		}
		ops := make([]*Op, in.Years)
		for y := range ops {
			ops[y] = l.ref(in.Col + y)
		}
		return ops, true, nil
	case *ast.SliceNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if !ok {
			return nil, false, nil
		}
		in, ok := l.s.p.inputs[id.Value]
		if !ok || !in.Yearly {
			return nil, false, nil
		}
		from, to := 0, in.Years
		var err error
		if n.From != nil {
			if from, err = constIndex(n.From, in.Years); err != nil {
				return nil, true, err
			}
		}
		if n.To != nil {
			if to, err = sliceEnd(n.To, in.Years); err != nil {
				return nil, true, err
			}
		}
		if from >= to {
			return nil, true, fmt.Errorf("slice %s[%d:%d] is empty", id.Value, from, to)
		}
		ops := make([]*Op, 0, to-from)
		for y := from; y < to; y++ {
			ops = append(ops, l.ref(in.Col+y))
		}
		return ops, true, nil
	}
	return nil, false, nil
}

// constInt reads a whole number written out, possibly negative.
func constInt(n ast.Node) (int, error) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return n.Value, nil
	case *ast.UnaryNode:
		if in, ok := n.Node.(*ast.IntegerNode); ok && n.Operator == "-" {
			return -in.Value, nil
		}
	}
	return 0, fmt.Errorf("a year index must be a whole number written out, like 0, 1 or -1")
}

// constIndex reads a constant year index; negative counts from the end.
func constIndex(n ast.Node, years int) (int, error) {
	v, err := constInt(n)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		v += years
	}
	if v < 0 || v >= years {
		return 0, fmt.Errorf("year index out of range: there are %d years, indexed 0 (oldest) to %d (latest), or -1 for the latest", years, years-1)
	}
	return v, nil
}

// sliceEnd reads the exclusive end of a year slice: 0..years, negative
// counting from the end (sales[:-1] is all but the latest year).
func sliceEnd(n ast.Node, years int) (int, error) {
	v, err := constInt(n)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		v += years
	}
	if v < 0 || v > years {
		return 0, fmt.Errorf("slice end: year index out of range: there are %d years, so a slice ends at 0 to %d", years, years)
	}
	return v, nil
}

var binaryOps = map[string]OpKind{
	"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "^": OpPow, "**": OpPow, "%": OpMod,
	"==": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe,
	"&&": OpAnd, "and": OpAnd, "||": OpOr, "or": OpOr,
}

var unaryFuncs = map[string]OpKind{
	"abs": OpAbs, "log": OpLog, "sqrt": OpSqrt, "floor": OpFloor, "ceil": OpCeil, "round": OpRound,
	"present": OpPresent,
}

var naryFuncs = map[string]OpKind{
	"min": OpMin, "max": OpMax, "sum": OpSum, "mean": OpMean, "count": OpCount,
	"coalesce": OpCoalesce, "clamp": OpClamp,
}

func (l *lowerer) lower(n ast.Node) (*Op, error) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return &Op{Kind: OpConst, Value: float64(n.Value)}, nil
	case *ast.FloatNode:
		return &Op{Kind: OpConst, Value: n.Value}, nil
	case *ast.BoolNode:
		if n.Value {
			return &Op{Kind: OpConst, Value: 1}, nil
		}
		return &Op{Kind: OpConst, Value: 0}, nil
	case *ast.IdentifierNode:
		return l.column(n.Value)
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if !ok {
			return nil, fmt.Errorf("only a yearly input can be indexed, like sales[2]")
		}
		in, ok := l.s.p.inputs[id.Value]
		if !ok || !in.Yearly {
			return nil, fmt.Errorf("%q is not a yearly input and cannot be indexed", id.Value)
		}
		y, err := constIndex(n.Property, in.Years)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id.Value, err)
		}
		return l.ref(in.Col + y), nil
	case *ast.UnaryNode:
		a, err := l.lower(n.Node)
		if err != nil {
			return nil, err
		}
		switch n.Operator {
		case "-":
			return &Op{Kind: OpNeg, Args: []*Op{a}}, nil
		case "+":
			return a, nil
		case "!", "not":
			return &Op{Kind: OpNot, Args: []*Op{a}}, nil
		}
		return nil, fmt.Errorf("operator %q is not supported", n.Operator)
	case *ast.BinaryNode:
		return l.binary(n)
	case *ast.ConditionalNode:
		c, err := l.lower(n.Cond)
		if err != nil {
			return nil, err
		}
		a, err := l.lower(n.Exp1)
		if err != nil {
			return nil, err
		}
		b, err := l.lower(n.Exp2)
		if err != nil {
			return nil, err
		}
		return &Op{Kind: OpIf, Args: []*Op{c, a, b}}, nil
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			return nil, fmt.Errorf("only the built-in functions can be called")
		}
		return l.call(id.Value, n.Arguments)
	case *ast.StringNode:
		return nil, fmt.Errorf("text %q can only be compared with a choice input", n.Value)
	}
	return nil, fmt.Errorf("%q is not supported in program expressions", n.String())
}

func (l *lowerer) call(name string, args []ast.Node) (*Op, error) {
	if k, ok := unaryFuncs[name]; ok {
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one argument", name)
		}
		if k == OpPresent {
			if id, ok := args[0].(*ast.IdentifierNode); ok {
				if in, ok := l.s.p.inputs[id.Value]; ok && in.Kind == KindText {
					return nil, fmt.Errorf("present(%s): text inputs are checked when the data is read", id.Value)
				}
			}
		}
		a, err := l.lower(args[0])
		if err != nil {
			return nil, err
		}
		return &Op{Kind: k, Args: []*Op{a}}, nil
	}
	k, ok := naryFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", name)
	}
	var ops []*Op
	for _, a := range args {
		ys, isYearly, err := l.yearly(a)
		if err != nil {
			return nil, err
		}
		if isYearly {
			ops = append(ops, ys...)
			continue
		}
		op, err := l.lower(a)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%s needs at least one value", name)
	}
	return &Op{Kind: k, Args: ops}, nil
}

func (l *lowerer) binary(n *ast.BinaryNode) (*Op, error) {
	if n.Operator == "in" || n.Operator == "not in" {
		in, ok := l.choice(n.Left)
		arr, isArr := n.Right.(*ast.ArrayNode)
		if !ok || !isArr {
			return nil, fmt.Errorf("`in` compares a choice input with a list of its options, like level in [\"national\", \"provincial\"]")
		}
		set := make([]float64, 0, len(arr.Nodes))
		for _, e := range arr.Nodes {
			s, ok := e.(*ast.StringNode)
			if !ok {
				return nil, fmt.Errorf("the list after `in` must hold options of %q written as text", in.ID)
			}
			c, ok := in.Code(s.Value)
			if !ok {
				return nil, unknownOption(in, s.Value)
			}
			set = append(set, c)
		}
		op := &Op{Kind: OpIn, Set: set, Args: []*Op{l.ref(in.Col)}}
		if n.Operator == "not in" {
			op = &Op{Kind: OpNot, Args: []*Op{op}}
		}
		return op, nil
	}
	k, ok := binaryOps[n.Operator]
	if !ok {
		return nil, fmt.Errorf("operator %q is not supported", n.Operator)
	}
	if k == OpEq || k == OpNe {
		// A choice compared with one of its options.
		for _, pair := range [][2]ast.Node{{n.Left, n.Right}, {n.Right, n.Left}} {
			in, ok := l.choice(pair[0])
			s, isStr := pair[1].(*ast.StringNode)
			if ok && isStr {
				c, ok := in.Code(s.Value)
				if !ok {
					return nil, unknownOption(in, s.Value)
				}
				return &Op{Kind: k, Args: []*Op{l.ref(in.Col), {Kind: OpConst, Value: c}}}, nil
			}
		}
		if isText(n.Left) || isText(n.Right) {
			return nil, fmt.Errorf("a choice can only be compared with one of its options written as text, like level == \"national\"")
		}
	}
	a, err := l.lower(n.Left)
	if err != nil {
		return nil, err
	}
	b, err := l.lower(n.Right)
	if err != nil {
		return nil, err
	}
	return &Op{Kind: k, Args: []*Op{a, b}}, nil
}

func isText(n ast.Node) bool { return n.Type() == tString }

func (l *lowerer) choice(n ast.Node) (*InputInfo, bool) {
	id, ok := n.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	in, ok := l.s.p.inputs[id.Value]
	return in, ok && in.Kind == KindChoice
}

func unknownOption(in *InputInfo, v string) error {
	opts := make([]string, len(in.Options))
	for i, o := range in.Options {
		opts[i] = fmt.Sprintf("%q", o.Value)
	}
	return fmt.Errorf("%q is not an option of %q (options: %s)", v, in.ID, strings.Join(opts, ", "))
}

// Constant reports whether op is a constant and its value.
func (op *Op) Constant() (float64, bool) {
	if op.Kind == OpConst {
		return op.Value, true
	}
	return math.NaN(), false
}
