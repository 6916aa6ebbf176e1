package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/exemplar/exemplar/internal/program"
)

// loadProgram loads a built-in program by name, or a definition file.
func loadProgram(ref string) (*program.Program, error) {
	if ref == "" {
		return nil, usagef("--program is required: a built-in name (%s) or a YAML file", strings.Join(program.BuiltinNames(), ", "))
	}
	if !strings.ContainsAny(ref, "/\\.") {
		return program.Builtin(ref)
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		return nil, err
	}
	return program.Load(b, ref)
}

func runPrograms(_ context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("say list, show NAME|FILE or validate FILE")
	}
	fs := newFlags(env, "programs", "programs list | show NAME|FILE | validate FILE")
	lang := langFlag(fs)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	switch args[0] {
	case "list":
		return listPrograms(env.Stdout, *lang)
	case "show":
		if len(pos) != 1 {
			return usagef("show takes one program: a built-in name or a YAML file")
		}
		p, err := loadProgram(pos[0])
		if err != nil {
			return err
		}
		showProgram(env.Stdout, p, *lang)
		return nil
	case "validate":
		if len(pos) == 0 {
			return usagef("validate takes one or more YAML files")
		}
		failed := 0
		for _, f := range pos {
			b, err := os.ReadFile(f)
			if err == nil {
				_, err = program.Load(b, f)
			}
			if err != nil {
				fmt.Fprintln(env.Stdout, err)
				failed++
				continue
			}
			fmt.Fprintf(env.Stdout, "%s: valid\n", f)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d definitions invalid", failed, len(pos))
		}
		return nil
	}
	return usagef("unknown subcommand %q: say list, show or validate", args[0])
}

func listPrograms(w io.Writer, lang string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tMODEL\tTITLE")
	for _, name := range program.BuiltinNames() {
		p, err := program.Builtin(name)
		if err != nil {
			return err
		}
		d := p.Def
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.Version, d.Scoring.Model, d.Title.In(lang))
	}
	return tw.Flush()
}

func showProgram(w io.Writer, p *program.Program, lang string) {
	d := p.Def
	fmt.Fprintf(w, "%s — %s (version %s)\n", d.Name, d.Title.In(lang), d.Version)
	if s := d.Summary.In(lang); s != "" {
		fmt.Fprintf(w, "%s\n", s)
	}
	if d.Source != "" {
		fmt.Fprintf(w, "Source: %s\n", d.Source)
	}
	fmt.Fprintf(w, "Years of data: %d; recognition valid %d years\n", d.Years, d.ValidityYears)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "\nInputs (%d):\n", len(p.Inputs))
	for _, in := range p.Inputs {
		kind := in.Kind
		if in.Kind == program.KindNumber {
			kind = in.Unit
		}
		if in.Yearly {
			kind += fmt.Sprintf(" × %d years", in.Years)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", in.ID, kind, in.Name.In(lang))
	}
	tw.Flush()
	if len(p.Indicators) > 0 {
		fmt.Fprintf(w, "\nIndicators (%d):\n", len(p.Indicators))
		for _, ind := range p.Indicators {
			fmt.Fprintf(tw, "  %s\t= %s\t%s\n", ind.ID, oneLineExpr(ind.Expr.Source), ind.Name.In(lang))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nGates (%d):\n", len(p.Gates))
	for _, g := range p.Gates {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", g.ID, oneLineExpr(g.Rule), g.Name.In(lang))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nFramework (%s):\n", d.Scoring.Model)
	printNode(w, p, p.Root(), lang)
	dec := d.Decision
	fmt.Fprintf(w, "\nDecision: by %s", p.DecisionNode.ID)
	if dec.Threshold != nil {
		op := "≥"
		if dec.Strict {
			op = ">"
		}
		fmt.Fprintf(w, ", pass when score %s %v", op, *dec.Threshold)
	}
	if dec.Quota.Default > 0 || len(dec.Quota.Channels) > 0 {
		fmt.Fprintf(w, ", quota %d per channel (%d channels set apart)", dec.Quota.Default, len(dec.Quota.Channels))
	}
	fmt.Fprintln(w)
}

func printNode(w io.Writer, p *program.Program, n *program.NodeInfo, lang string) {
	indent := strings.Repeat("  ", n.Depth+1)
	var what string
	switch n.Kind {
	case program.NodeBranch:
		what = n.Agg
	case program.NodePoints:
		what = "points = " + oneLineExpr(n.Points.Source)
	case program.NodeBands:
		what = fmt.Sprintf("%d bands", len(n.Bands))
		if n.Value != nil {
			what += " on " + oneLineExpr(n.Value.Source)
		}
	case program.NodeComposite:
		what = "indicator " + n.Indicator
		if n.Direction < 0 {
			what += " (lower is better)"
		}
	}
	extra := ""
	if n.Max != nil {
		extra = fmt.Sprintf(", max %v", *n.Max)
	}
	if n.W != 1 {
		extra += fmt.Sprintf(", weight %v", n.W)
	}
	fmt.Fprintf(w, "%s%s  %s  [%s%s]\n", indent, n.ID, n.Name.In(lang), what, extra)
	for _, c := range n.Children {
		printNode(w, p, p.Nodes[c], lang)
	}
}

func oneLineExpr(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 70 {
		s = s[:67] + "…"
	}
	return s
}
