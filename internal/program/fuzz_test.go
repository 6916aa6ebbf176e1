package program_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// FuzzLoad checks that Load never panics and returns exactly one of a
// program and a *Problems with at least one problem.
func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("builtin/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no built-in YAML files: %v", err)
	}
	files = append(files, "../../examples/asem.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(baseYAML))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := program.Load(data, "fuzz.yaml")
		switch {
		case p == nil && err == nil:
			t.Fatal("Load returned neither a program nor an error")
		case p != nil && err != nil:
			t.Fatalf("Load returned a program and an error: %v", err)
		case err != nil:
			var ps *program.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T is not a *program.Problems: %v", err, err)
			}
			if len(ps.List) == 0 {
				t.Fatal("*program.Problems without problems")
			}
			for _, pr := range ps.List {
				if pr.Message == "" {
					t.Errorf("problem at %q without a message", pr.Path)
				}
			}
			_ = err.Error()
		default:
			checkProgram(t, p)
		}
	})
}

// fuzzExprDef is the fixed definition FuzzExpr compiles an indicator
// into: nothing else refers to indicator 0, so any problem must be there.
func fuzzExprDef(src string) *program.Definition {
	d := exprDef(src, "x > 0 && base >= 0")
	d.Gates[0].Message = program.Text{Zh: "x 为 {x}", En: "x is {x}, base {base}"}
	return d
}

// FuzzExpr checks that compiling any indicator expression never panics,
// and that a bad one is reported at indicators[0].expr and nowhere else.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"x", "sales[-1] - sales[0]", "sum(sales[1:]) / 2", `level == "national" ? 1 : 0.5`,
		`level not in ["none"] ? y : -x`, "clamp(coalesce(x, 0.0), 0, 10)", "present(x) and x > 0 ? 1 : 0",
		"mean(sales) + count(sales) + min(x, y) + max(sales)", "base * 2", "t", "sales[3]", "sales + 1",
		"round((0.5 * (sales[1] / sales[0] + sales[2] / sales[1]) - 1) * 1000000) / 10000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := program.Compile(fuzzExprDef(src), "")
		if err == nil {
			if p == nil {
				t.Fatal("Compile returned neither a program nor an error")
			}
			checkProgram(t, p)
			ind, ok := p.Indicator("t")
			if !ok || ind.Expr == nil || ind.Expr.Bool || ind.Expr.Source != src {
				t.Fatalf("indicator t not compiled as a number: %+v", ind)
			}
			return
		}
		if p != nil {
			t.Fatalf("Compile returned a program and an error: %v", err)
		}
		var ps *program.Problems
		if !errors.As(err, &ps) || len(ps.List) == 0 {
			t.Fatalf("error %T %v is not a *program.Problems with problems", err, err)
		}
		for _, pr := range ps.List {
			if pr.Path != "indicators[0].expr" || pr.Message == "" {
				t.Errorf("problem %q: %q; want one at indicators[0].expr", pr.Path, pr.Message)
			}
		}
	})
}
