package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/exemplar/exemplar/internal/ingest"
)

func runTemplate(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "template", "template --program NAME|FILE --out FILE.xlsx")
	prog := fs.String("program", "", "built-in program name or definition file")
	out := fs.String("out", "", "the template to write (.xlsx)")
	lang := langFlag(fs)
	if err := parseOnlyFlags(fs, args, lang); err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		return usagef("--out must name an .xlsx file")
	}
	p, err := loadProgram(*prog)
	if err != nil {
		return err
	}
	if err := ingest.WriteTemplate(p, *out, *lang); err != nil {
		return err
	}
	cols := 0
	for _, in := range p.Inputs {
		cols += in.Years
	}
	fmt.Fprintf(env.Stdout, "Wrote %s: %d columns for %s (%s). Fill in one row per enterprise from row 4; row 2 says what each column wants, row 3 is an example.\n",
		*out, cols, p.Def.Name, p.Def.Title.In(*lang))
	return nil
}
