package program_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

var opNames = map[program.OpKind]string{
	program.OpNeg: "Neg", program.OpNot: "Not", program.OpAdd: "Add", program.OpSub: "Sub",
	program.OpMul: "Mul", program.OpDiv: "Div", program.OpPow: "Pow", program.OpMod: "Mod",
	program.OpEq: "Eq", program.OpNe: "Ne", program.OpLt: "Lt", program.OpLe: "Le",
	program.OpGt: "Gt", program.OpGe: "Ge", program.OpAnd: "And", program.OpOr: "Or",
	program.OpIf: "If", program.OpPresent: "Present", program.OpAbs: "Abs", program.OpLog: "Log",
	program.OpSqrt: "Sqrt", program.OpFloor: "Floor", program.OpCeil: "Ceil", program.OpRound: "Round",
	program.OpMin: "Min", program.OpMax: "Max", program.OpSum: "Sum", program.OpMean: "Mean",
	program.OpCount: "Count", program.OpCoalesce: "Coalesce", program.OpClamp: "Clamp", program.OpIn: "In",
}

// opString writes an Op tree compactly: constants as numbers, columns as
// c<N> (or by name when p is given), other ops as Name(args), In with its
// set as In{1,2}(arg).
func opString(p *program.Program, op *program.Op) string {
	switch op.Kind {
	case program.OpConst:
		return strconv.FormatFloat(op.Value, 'g', -1, 64)
	case program.OpCol:
		if p != nil && op.Col >= 0 {
			return p.ColumnName(op.Col)
		}
		return fmt.Sprintf("c%d", op.Col)
	}
	name, ok := opNames[op.Kind]
	if !ok {
		name = fmt.Sprintf("Op%d", op.Kind)
	}
	var b strings.Builder
	b.WriteString(name)
	if op.Kind == program.OpIn {
		b.WriteString("{")
		for i, v := range op.Set {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteString("}")
	}
	b.WriteString("(")
	for i, a := range op.Args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(opString(p, a))
	}
	b.WriteString(")")
	return b.String()
}

// exprDef is a small definition for expression tests. Numeric columns:
// level 0, x 1, y 2, sales 3–5, flag 6, flags 7–9; then the indicators.
// Text columns: uscc 0, name 1.
func exprDef(ind, rule string) *program.Definition {
	return &program.Definition{
		Schema: program.SchemaVersion,
		Name:   "expr",
		Title:  program.Text{En: "Expressions"},
		Years:  3,
		ID:     "uscc",
		Inputs: []program.Input{
			{ID: "uscc", Kind: program.KindText},
			{ID: "level", Kind: program.KindChoice, Options: []program.Option{{Value: "none"}, {Value: "provincial"}, {Value: "national"}}},
			{ID: "x"},
			{ID: "y", Unit: "%"},
			{ID: "sales", Yearly: true, Unit: "万元"},
			{ID: "flag", Kind: program.KindYesNo},
			{ID: "name", Kind: program.KindText},
			{ID: "flags", Kind: program.KindYesNo, Yearly: true},
		},
		Indicators: []program.Indicator{
			{ID: "t", Expr: ind},
			{ID: "base", Expr: "x * 2"},
		},
		Gates: []program.Gate{
			{ID: "g", Rule: rule, Message: program.Text{En: "failed"}},
		},
		Scoring: program.Scoring{
			Model:     program.ModelBands,
			Framework: program.Node{ID: "total", Points: "x"},
		},
	}
}

// compileNumber compiles src as indicator t and returns its expression.
func compileNumber(t *testing.T, src string) (*program.Program, *program.Expr) {
	t.Helper()
	p, err := program.Compile(exprDef(src, "x > 0"), "")
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	ind, ok := p.Indicator("t")
	if !ok || ind.Expr == nil {
		t.Fatalf("%q: indicator not compiled", src)
	}
	return p, ind.Expr
}

// compileCondition compiles src as the gate rule.
func compileCondition(t *testing.T, src string) (*program.Program, *program.Expr) {
	t.Helper()
	p, err := program.Compile(exprDef("1", src), "")
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	return p, p.Gates[0].Expr
}

func TestLowerNumbers(t *testing.T) {
	cases := []struct{ src, want string }{
		{"42", "42"},
		{"1.5", "1.5"},
		{"0.0", "0"},
		{"x", "c1"},
		{"(x)", "c1"},
		{"-x", "Neg(c1)"},
		{"+x", "c1"},
		{"-1", "Neg(1)"},
		{"x + y", "Add(c1,c2)"},
		{"x - y * 2", "Sub(c1,Mul(c2,2))"},
		{"(x - y) / 2", "Div(Sub(c1,c2),2)"},
		{"x ** 2", "Pow(c1,2)"},
		{"x ^ 2", "Pow(c1,2)"},
		{"7 % 2", "Mod(7,2)"},
		{"sales[0]", "c3"},
		{"sales[1]", "c4"},
		{"sales[2]", "c5"},
		{"sales[-1]", "c5"},
		{"sales[-2]", "c4"},
		{"sales[-3]", "c3"},
		{"sales[2] - sales[0]", "Sub(c5,c3)"},
		{"sum(sales)", "Sum(c3,c4,c5)"},
		{"sum(sales[1:])", "Sum(c4,c5)"},
		{"sum(sales[:2])", "Sum(c3,c4)"},
		{"sum(sales[0:1])", "Sum(c3)"},
		{"sum(sales[-2:])", "Sum(c4,c5)"},
		{"mean(sales[1:3])", "Mean(c4,c5)"},
		{"sum(x, y, 1)", "Sum(c1,c2,1)"},
		{"mean(sales)", "Mean(c3,c4,c5)"},
		{"mean(x, y, sales[0])", "Mean(c1,c2,c3)"},
		{"count(sales)", "Count(c3,c4,c5)"},
		{"count(x, y)", "Count(c1,c2)"},
		{"min(x, y)", "Min(c1,c2)"},
		{"max(sales)", "Max(c3,c4,c5)"},
		{"min(x)", "Min(c1)"},
		{"coalesce(x, 0.0)", "Coalesce(c1,0)"},
		{"clamp(x, 0, 10)", "Clamp(c1,0,10)"},
		{"abs(x)", "Abs(c1)"},
		{"log(x)", "Log(c1)"},
		{"sqrt(x)", "Sqrt(c1)"},
		{"floor(x)", "Floor(c1)"},
		{"ceil(x)", "Ceil(c1)"},
		{"round(x * 100) / 100", "Div(Round(Mul(c1,100)),100)"},
		{"x > 0 ? y : 0", "If(Gt(c1,0),c2,0)"},
		{"x > 0 ? 1 : 0.5", "If(Gt(c1,0),1,0.5)"},
		{"x > 0 ? 0.5 : 1", "If(Gt(c1,0),0.5,1)"},
		{"x > 0 ? (y > 0 ? 1 : 2.5) : 3", "If(Gt(c1,0),If(Gt(c2,0),1,2.5),3)"},
		{"flag ? 6 : 3", "If(c6,6,3)"},
		{"flags[-1] ? 1 : 0", "If(c9,1,0)"},
		{`level == "national" ? 10 : 0`, "If(Eq(c0,2),10,0)"},
		{"present(x) ? x : y", "If(Present(c1),c1,c2)"},
		{"base + 1", "Add(c10,1)"}, // t uses base, so base takes the first indicator column
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, e := compileNumber(t, c.src)
			if got := opString(nil, e.Root); got != c.want {
				t.Errorf("%q lowers to %s, want %s", c.src, got, c.want)
			}
			if e.Bool {
				t.Errorf("%q marked as a condition", c.src)
			}
			if e.Source != c.src {
				t.Errorf("Source = %q, want %q", e.Source, c.src)
			}
		})
	}
}

func TestLowerConditions(t *testing.T) {
	cases := []struct{ src, want string }{
		{"true", "1"},
		{"false", "0"},
		{"flag", "c6"},
		{"!flag", "Not(c6)"},
		{"not flag", "Not(c6)"},
		{"x > 0", "Gt(c1,0)"},
		{"x >= 0", "Ge(c1,0)"},
		{"x < y", "Lt(c1,c2)"},
		{"x <= y", "Le(c1,c2)"},
		{"x == y", "Eq(c1,c2)"},
		{"x != 1", "Ne(c1,1)"},
		{"x > 0 && y > 0", "And(Gt(c1,0),Gt(c2,0))"},
		{"x > 0 and y > 0", "And(Gt(c1,0),Gt(c2,0))"},
		{"x > 0 || flag", "Or(Gt(c1,0),c6)"},
		{"x > 0 or not flag", "Or(Gt(c1,0),Not(c6))"},
		{"not (x > 0 and y > 0)", "Not(And(Gt(c1,0),Gt(c2,0)))"},
		{`level == "national"`, "Eq(c0,2)"},
		{`"national" == level`, "Eq(c0,2)"},
		{`level != "none"`, "Ne(c0,0)"},
		{`level == 'provincial'`, "Eq(c0,1)"},
		{`level in ["provincial", "national"]`, "In{1,2}(c0)"},
		{`level in ['none']`, "In{0}(c0)"},
		{`level not in ["none"]`, "Not(In{0}(c0))"},
		{`not (level in ["none"])`, "Not(In{0}(c0))"},
		{"present(x)", "Present(c1)"},
		{"present(level)", "Present(c0)"},
		{"present(sales[-1])", "Present(c5)"},
		{"!present(x) || x == 0", "Or(Not(Present(c1)),Eq(c1,0))"},
		{"sum(sales) * 100 >= 3 * sales[-1]", "Ge(Mul(Sum(c3,c4,c5),100),Mul(3,c5))"},
		{"x > 0 ? y > 0 : flag", "If(Gt(c1,0),Gt(c2,0),c6)"},
		{"flags[0] && flags[1]", "And(c7,c8)"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, e := compileCondition(t, c.src)
			if got := opString(nil, e.Root); got != c.want {
				t.Errorf("%q lowers to %s, want %s", c.src, got, c.want)
			}
			if !e.Bool {
				t.Errorf("%q not marked as a condition", c.src)
			}
		})
	}
}

func TestExprRefsAndDeps(t *testing.T) {
	cases := []struct {
		src  string
		refs []int
		deps []string
	}{
		{"42", nil, nil},
		{"x", []int{1}, nil},
		{"y + x + y + sales[1] + x", []int{2, 1, 4}, nil},
		{"sum(sales) + x + sales[0]", []int{3, 4, 5, 1}, nil},
		{"sum(sales[1:]) - sales[-1]", []int{4, 5}, nil},
		{`level == "national" ? y : x`, []int{0, 2, 1}, nil},
		{"base", []int{10}, []string{"base"}},
		{"base * base + x", []int{10, 1}, []string{"base"}},
		{"x + base", []int{1, 10}, []string{"base"}},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			p, e := compileNumber(t, c.src)
			if !slices.Equal(e.Refs, c.refs) {
				t.Errorf("Refs = %v, want %v", e.Refs, c.refs)
			}
			if !slices.Equal(e.Deps, c.deps) {
				t.Errorf("Deps = %v, want %v", e.Deps, c.deps)
			}
			if p.NumCols != 10 {
				t.Errorf("NumCols = %d, want 10", p.NumCols)
			}
		})
	}
	// A gate reads indicators too, and names them in Deps.
	p, e := compileCondition(t, "t > base and x > 0")
	tc, bc := colOf(t, p, "t"), colOf(t, p, "base")
	if !slices.Equal(e.Refs, []int{tc, bc, 1}) || !slices.Equal(e.Deps, []string{"t", "base"}) {
		t.Errorf("gate: Refs %v Deps %v; want [%d %d 1] [t base]", e.Refs, e.Deps, tc, bc)
	}
}

func colOf(t *testing.T, p *program.Program, id string) int {
	t.Helper()
	ind, ok := p.Indicator(id)
	if !ok {
		t.Fatalf("no indicator %q", id)
	}
	return ind.Col
}

func TestIndicatorOrder(t *testing.T) {
	// t (defined first) uses base, so base is evaluated first.
	p, _ := compileNumber(t, "base + 1")
	if p.Indicators[0].ID != "base" || p.Indicators[1].ID != "t" {
		t.Errorf("order %s, %s; want base, t", p.Indicators[0].ID, p.Indicators[1].ID)
	}
	if p.Indicators[0].Col != 10 || p.Indicators[1].Col != 11 {
		t.Errorf("columns %d, %d; want 10, 11", p.Indicators[0].Col, p.Indicators[1].Col)
	}
	// Otherwise definition order is kept.
	p, _ = compileNumber(t, "x + 1")
	if p.Indicators[0].ID != "t" || p.Indicators[1].ID != "base" {
		t.Errorf("order %s, %s; want t, base", p.Indicators[0].ID, p.Indicators[1].ID)
	}
	if got := opString(p, p.Indicators[1].Expr.Root); got != "Mul(x,2)" {
		t.Errorf("base = %s", got)
	}
}

func TestExprProblems(t *testing.T) {
	cases := []struct {
		src, msg string
		cond     bool // compile as the gate rule instead of indicator t
	}{
		{"", "expression is empty", false},
		{"   ", "expression is empty", false},
		{"x +", "unexpected token", false},
		{"sales", "list of yearly values", false},
		{"sales + 1", "holds 3 yearly values", false},
		{"sales[3]", "sales: year index out of range: there are 3 years, indexed 0 (oldest) to 2 (latest)", false},
		{"sales[-4]", "year index out of range", false},
		{"sales[x]", "integer", false},
		{"sales[1.0]", "integer", false},
		{"sum(sales[2:1])", "slice sales[2:1] is empty", false},
		{"sum(sales[1:5])", "year index out of range", false},
		{"x[0]", "undefined", false},
		{"uscc", "must be a number", false},
		{"name + 1", "mismatched types string and int", false},
		{"level", "must be a number", false},
		{"level + 1", "mismatched types string and int", false},
		{"x > 0", "must be a number, but \"x > 0\" is a condition", false},
		{"foo(x)", "unknown name foo", false},
		{"len(sales)", "unknown name len", false},
		{"nil", "not supported", false},
		{`"text"`, "must be a number", false},
		{"mean()", "needs at least one value", false},
		{"abs(x, y)", "too many arguments", false},
		{"t + 1", "cycle: t → t", false},
		{"x ?? 1", "not supported", false},
		{"let z = 1; z", "not supported", false},
		{"all(sales, # > 0) ? 1 : 0", "not supported", false},
		{"x + 1", "must be a condition", true},
		{`level == "city"`, `"city" is not an option of "level" (options: "none", "provincial", "national")`, true},
		{`level in ["national", "city"]`, `"city" is not an option`, true},
		{`level in [1, 2]`, "cannot use string as type int", true},
		{`x in [1, 2]`, "`in` compares a choice input", true},
		{`x in ["a"]`, "cannot use float64 as type string", true},
		{`level == name`, "can only be compared with one of its options", true},
		{`name == "x"`, "can only be compared with one of its options", true},
		{`level < "national"`, "can only be compared", true},
		{"present(name)", "text inputs are checked when the data is read", true},
		{"present(sales)", "to call present", true},
		{"flags", "list of yearly values", true},
		{"level matches 'n'", `operator "matches" is not supported`, true},
	}
	for _, c := range cases {
		name := c.src
		if c.cond {
			name = "rule " + name
		}
		t.Run(name, func(t *testing.T) {
			def := exprDef(c.src, "x > 0")
			path := "indicators[0].expr"
			if c.cond {
				def = exprDef("1", c.src)
				path = "gates[0].rule"
			}
			p, err := program.Compile(def, "")
			if p != nil {
				t.Fatalf("%q accepted", c.src)
			}
			list := problemsOf(t, err)
			for _, pr := range list {
				if pr.Path != path {
					t.Errorf("problem at %q, want only %q:%s", pr.Path, path, listString(list))
				}
			}
			if !hasProblem(list, path, c.msg) {
				t.Errorf("want a problem at %q containing %q; got%s", path, c.msg, listString(list))
			}
		})
	}
}

func TestOpConstant(t *testing.T) {
	_, e := compileNumber(t, "2.5")
	if v, ok := e.Root.Constant(); !ok || v != 2.5 {
		t.Errorf("Constant() = %v, %v; want 2.5, true", v, ok)
	}
	_, e = compileNumber(t, "x")
	if v, ok := e.Root.Constant(); ok || !math.IsNaN(v) {
		t.Errorf("Constant() of a column = %v, %v; want NaN, false", v, ok)
	}
}

// Known bugs in expression checking and lowering.

func TestMixedTernaryIsNotACondition(t *testing.T) {
	for _, src := range []string{"x > 0 ? 1 : 0.5", "sales[0] > 0 ? x > 0 : 1.5"} {
		if _, err := program.Compile(exprDef("1", src), ""); err == nil {
			t.Errorf("gate rule %q is a number but was accepted as a condition", src)
		}
	}
}

func TestMixedTernaryIsNotANumber(t *testing.T) {
	for _, src := range []string{"x > 0 ? true : 1", "x > 0 ? level : 1"} {
		if _, err := program.Compile(exprDef(src, "x > 0"), ""); err == nil {
			t.Errorf("indicator %q was accepted as a number", src)
		}
	}
}

func TestSliceNegativeEnd(t *testing.T) {
	_, e := compileNumber(t, "sum(sales[:-1])")
	if got := opString(nil, e.Root); got != "Sum(c3,c4)" {
		t.Errorf("sum(sales[:-1]) lowers to %s, want Sum(c3,c4)", got)
	}
}

func TestDeeplyNestedExpression(t *testing.T) {
	n := 500000
	src := strings.Repeat("(", n) + "x" + strings.Repeat(")", n)
	if _, err := program.Compile(exprDef(src, "x > 0"), ""); err == nil {
		t.Errorf("a 1 MB expression was accepted")
	}
}
