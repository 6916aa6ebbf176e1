package cli

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// openCycleDB prepares the database at url with miit-tide, the jiangsu
// channel and an open cycle, and returns the cycle's id as text.
func openCycleDB(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := workflow.New(db)
	admin := workflow.Actor{Name: "admin"}
	v, err := s.RegisterBuiltinProgram(ctx, admin, "miit-tide")
	if err == nil {
		_, err = s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: "jiangsu", NameZh: "江苏省", NameEn: "Jiangsu", Kind: "province"})
	}
	var c store.Cycle
	if err == nil {
		c, err = s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018,
			TitleZh: "2018年", TitleEn: "2018"})
	}
	if err == nil {
		c, err = s.OpenCycle(ctx, admin, c.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(c.ID, 10)
}

// writeExampleRows writes n enterprises with the template's example
// values to path; bad may spoil a row's cell (by header).
func writeExampleRows(t *testing.T, path string, n int, bad map[int]map[string]string) {
	t.Helper()
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	cols := ingest.Columns(p)
	headers := make([]string, len(cols))
	for c, col := range cols {
		headers[c] = col.Header
	}
	w, err := sheet.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(headers, nil); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range n {
		row := make([]any, len(cols))
		for c, col := range cols {
			v := col.Input.Example
			switch col.Input.ID {
			case "uscc":
				v = demo.CreditCode(rng, "320100")
			case "name":
				v = "示例企业" + strconv.Itoa(i)
			case "channel":
				v = "jiangsu"
			}
			if b, ok := bad[i][col.Header]; ok {
				v = b
			}
			row[c] = v
		}
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestImportExportCommands(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, _ store.Dialect, url string) {
		cycle := openCycleDB(t, url)
		dir := t.TempDir()
		p, _ := program.Builtin("miit-tide")
		emp, _ := p.Input("employees")

		bad := filepath.Join(dir, "bad.csv")
		writeExampleRows(t, bad, 4, map[int]map[string]string{1: {ingest.Header(emp, 0): "lots"}, 3: {ingest.Header(emp, 0): "-1"}})
		code, out, errOut := run(t, "import", "--database", url, "--cycle", cycle, "--in", bad)
		if code != ExitError || !strings.Contains(errOut, "row 3, column") || !strings.Contains(errOut, "row 5, column") ||
			!strings.Contains(errOut, "nothing written") {
			t.Fatalf("import of a bad file: exit %d\n%s%s", code, out, errOut)
		}

		good := filepath.Join(dir, "good.xlsx")
		writeExampleRows(t, good, 4, nil)
		code, out, errOut = run(t, "import", "--database", url, "--cycle", cycle, "--in", good, "--channel", "jiangsu")
		if code != ExitOK || !strings.Contains(out, "4 enterprises created") || !strings.Contains(out, "4 applications created") {
			t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
		}
		code, out, errOut = run(t, "import", "--database", url, "--cycle", "77", "--in", good)
		if code != ExitError || !strings.Contains(errOut, "cycle 77 does not exist") {
			t.Fatalf("import into an unknown cycle: exit %d\n%s%s", code, out, errOut)
		}

		for _, name := range []string{"out.csv", "out.xlsx"} {
			path := filepath.Join(dir, name)
			code, out, errOut = run(t, "export", "--database", url, "--cycle", cycle, "--out", path)
			if code != ExitOK || !strings.Contains(out, "wrote 4 rows") {
				t.Fatalf("export %s: exit %d\n%s%s", name, code, out, errOut)
			}
			r, err := sheet.Open(path, sheet.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.Header(), ",") != strings.Join(workflow.ExportColumns, ",") {
				t.Errorf("%s header: %q", name, r.Header())
			}
			cells, _, err := r.Next()
			if err != nil || cells[2] != "jiangsu" || cells[3] != "draft" {
				t.Errorf("%s first row: %q %v", name, cells, err)
			}
			r.Close()
		}
		if _, err := os.Stat(filepath.Join(dir, "no.pdf")); err == nil {
			t.Fatal("unexpected file")
		}
		code, _, errOut = run(t, "export", "--database", url, "--cycle", cycle, "--out", filepath.Join(dir, "no.pdf"))
		if code != ExitError || !strings.Contains(errOut, ".xlsx or .csv") {
			t.Errorf("export to .pdf: exit %d\n%s", code, errOut)
		}
	})
}

func TestImportExportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"import", "--in", "x.csv"},
		{"import", "--cycle", "x", "--in", "x.csv"},
		{"import", "--cycle", "1"},
		{"export", "--out", "x.csv"},
		{"export", "--cycle", "1"},
	} {
		if code, out, errOut := run(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d\n%s%s", args, code, ExitUsage, out, errOut)
		}
	}
}
