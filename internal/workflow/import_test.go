package workflow_test

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

func tide(t testing.TB) *program.Program {
	t.Helper()
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// importCells lays firm fm out as the template's row of p.
func importCells(p *program.Program, fm *firm) []any {
	cols := ingest.Columns(p)
	row := make([]any, len(cols))
	for c, col := range cols {
		switch col.Input.ID {
		case "uscc":
			row[c] = fm.code
			continue
		case "channel":
			row[c] = fm.channel
			continue
		}
		v, ok := fm.inputs[col.Input.ID]
		if !ok {
			continue
		}
		if ys, ok := v.([]any); ok {
			v = ys[col.Year]
		}
		if b, ok := v.(bool); ok {
			v = map[bool]string{true: "yes", false: "no"}[b]
		}
		row[c] = v
	}
	return row
}

// writeImport writes the firms to path (.csv or .xlsx) under the
// template's headers; edit may change a row's cells (by header) first.
func writeImport(t testing.TB, p *program.Program, path string, firms []*firm, edit func(i int, set func(header string, v any))) {
	t.Helper()
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
	for i, fm := range firms {
		row := importCells(p, fm)
		if edit != nil {
			edit(i, func(h string, v any) {
				for c := range headers {
					if headers[c] == h {
						row[c] = v
						return
					}
				}
				t.Fatalf("no column %q", h)
			})
		}
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func header(p *program.Program, id string, year int) string {
	in, _ := p.Input(id)
	return ingest.Header(in, year)
}

// counts are the rows of the tables an import writes.
type counts struct{ enterprises, applications, audit int }

func countRows(t testing.TB, db *store.DB) counts {
	t.Helper()
	var c counts
	for _, q := range []struct {
		table string
		n     *int
	}{{"enterprises", &c.enterprises}, {"applications", &c.applications}, {"audit_log", &c.audit}} {
		if err := db.QueryRow(t.Context(), "SELECT count(*) FROM "+q.table).Scan(q.n); err != nil {
			t.Fatalf("count %s: %v", q.table, err)
		}
	}
	return c
}

func TestImportCreatesUpdatesAndSubmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := tide(t)
		c := f.openCycleWith(nil)
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu")}
		path := filepath.Join(t.TempDir(), "apply.csv")
		writeImport(t, p, path, firms, nil)

		var res workflow.ImportResult
		f.step("application.import", func() (err error) {
			res, err = f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
			return err
		})
		if res.Rows != 3 || res.EnterprisesCreated != 3 || res.ApplicationsCreated != 3 || len(res.ApplicationIDs) != 3 {
			t.Fatalf("first import: %+v", res)
		}
		// Imported drafts are complete: they submit as typed-in ones do.
		for i, id := range res.ApplicationIDs {
			a, err := f.s.Application(f.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != workflow.StatusDraft || !strings.Contains(string(a.Inputs), `"employees":`+fmt.Sprint(firms[i].inputs["employees"])) {
				t.Fatalf("application %d: %s %s", id, a.Status, a.Inputs)
			}
			if i == 0 {
				f.step("application.submit", func() error {
					_, err := f.s.SubmitApplication(f.ctx, enterpriseUser, a.ID, a.Version, "import-1")
					return err
				})
			}
		}

		// Again, with one enterprise renamed and another's data changed;
		// the submitted one is left out.
		firms[1].inputs["name"] = "改名后的企业"
		firms[2].inputs["employees"] = float64(4321)
		writeImport(t, p, path, firms[1:], nil)
		f.clock.Set(cst(2018, 5, 3, 9))
		before := countRows(t, db)
		f.step("application.import", func() (err error) {
			res, err = f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
			return err
		})
		if res.EnterprisesUpdated != 1 || res.ApplicationsUpdated != 2 || res.EnterprisesCreated+res.ApplicationsCreated != 0 {
			t.Fatalf("second import: %+v", res)
		}
		after := countRows(t, db)
		// rename + 2 saves + the summary.
		if after.enterprises != before.enterprises || after.audit != before.audit+4 {
			t.Fatalf("second import: %+v → %+v", before, after)
		}
		e, names, err := f.s.Enterprise(f.ctx, mustEnterprise(t, db, firms[1].code))
		if err != nil || e.Name != "改名后的企业" || len(names) != 2 {
			t.Fatalf("renamed enterprise: %+v %v %v", e, names, err)
		}

		// The same file once more changes nothing but records the import.
		f.step("application.import", func() (err error) {
			res, err = f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
			return err
		})
		if res.Unchanged != 2 || res.ApplicationsUpdated+res.EnterprisesUpdated != 0 {
			t.Fatalf("unchanged import: %+v", res)
		}

		// The submitted application cannot be replaced: the whole file is
		// refused, the other rows too.
		firms[2].inputs["employees"] = float64(999)
		writeImport(t, p, path, firms, nil)
		before = countRows(t, db)
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
			return err
		}, "row 2", `is "submitted"`, "nothing written")
		if after := countRows(t, db); after != before {
			t.Fatalf("refused import wrote: %+v → %+v", before, after)
		}
		a, _ := f.s.Application(f.ctx, res.ApplicationIDs[1])
		if strings.Contains(string(a.Inputs), `"employees":999`) {
			t.Fatal("a refused import saved a row")
		}
		f.verifyAudit()
	})
}

func mustEnterprise(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(t.Context(), "SELECT id FROM enterprises WHERE uscc = ?", code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestImportTemplate fills in the program's own XLSX template (with its
// hint and example rows) and imports it.
func TestImportTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := tide(t)
		c := f.openCycleWith(nil)
		path := filepath.Join(t.TempDir(), "template.xlsx")
		if err := ingest.WriteTemplate(p, path, "zh"); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang")}
		for i, fm := range firms {
			cell, _ := excelize.CoordinatesToCellName(1, 4+i)
			row := importCells(p, fm)
			if err := x.SetSheetRow(x.GetSheetName(0), cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Save(); err != nil {
			t.Fatal(err)
		}
		x.Close()
		var res workflow.ImportResult
		f.step("application.import", func() (err error) {
			res, err = f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
			return err
		})
		if res.Rows != 2 || res.ApplicationsCreated != 2 {
			t.Fatalf("template import: %+v", res)
		}
		f.verifyAudit()
	})
}

// TestImportBadRows: a file with several bad rows writes nothing and names
// every bad row and column.
func TestImportBadRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := tide(t)
		c := f.openCycleWith(nil)
		var firms []*firm
		for range 6 {
			firms = append(firms, f.newFirm("jiangsu"))
		}
		firms[5].code = firms[1].code // duplicate enterprise: file row 7 repeats row 3
		path := filepath.Join(t.TempDir(), "bad.xlsx")
		writeImport(t, p, path, firms, func(i int, set func(string, any)) {
			switch i {
			case 0: // row 2
				set(header(p, "uscc", 0), "91320100MA1XXXXXX0")
			case 2: // row 4
				set(header(p, "employees", 0), "many")
			case 3: // row 5
				set(header(p, "sales", 1), -5)
				set(header(p, "tech_centre", 0), "galactic")
			}
		})
		cols := ingest.Columns(p)
		letter := func(id string, year int) string {
			for c, col := range cols {
				if col.Input.ID == id && col.Year == year {
					return sheet.ColumnName(c)
				}
			}
			t.Fatalf("no column %s", id)
			return ""
		}
		before := countRows(t, db)
		_, err := f.s.ImportApplications(f.ctx, admin, c.ID, path, workflow.ImportOptions{})
		if errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("import of bad rows: %v; want invalid", err)
		}
		var list *ingest.Errors
		if !errors.As(err, &list) || len(list.List) != 5 {
			t.Fatalf("want 5 problems listed, got %v", err)
		}
		for _, want := range []string{
			"row 2, column " + letter("uscc", 0),
			"row 4, column " + letter("employees", 0),
			"row 5, column " + letter("sales", 1),
			"row 5, column " + letter("tech_centre", 0),
			"row 7, column " + letter("uscc", 0), "already on row 3",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not say %q:\n%v", want, err)
			}
		}
		if after := countRows(t, db); after != before {
			t.Fatalf("a refused import wrote: %+v → %+v", before, after)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := tide(t)
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang")}
		path := filepath.Join(t.TempDir(), "apply.csv")
		writeImport(t, p, path, firms, nil)
		imp := func(cycle int64, opts workflow.ImportOptions) func() error {
			return func() error {
				_, err := f.s.ImportApplications(f.ctx, admin, cycle, path, opts)
				return err
			}
		}
		f.refuse(errs.NotFound, imp(999, workflow.ImportOptions{}), "cycle 999 does not exist")
		draft := f.createCycle(workflow.KindIdentification, 2018, nil)
		f.refuse(errs.Conflict, imp(draft.ID, workflow.ImportOptions{}), `phase "draft"`)
		open := draft
		f.step("cycle.open", func() (err error) { open, err = f.s.OpenCycle(f.ctx, admin, draft.ID); return err })
		// A channel's import may speak for its own enterprises only.
		f.refuse(errs.Invalid, imp(open.ID, workflow.ImportOptions{Channel: "jiangsu"}), "row 3", `this import is for channel "jiangsu"`)
		// A channel the program knows but the database does not.
		firms[1].channel = "beijing"
		writeImport(t, p, path, firms, nil)
		f.refuse(errs.Invalid, imp(open.ID, workflow.ImportOptions{}), "row 3", `channel "beijing" is not registered`)
		// An empty file.
		writeImport(t, p, path, nil, nil)
		f.refuse(errs.Invalid, imp(open.ID, workflow.ImportOptions{}), "no rows")
		if n := countRows(t, db); n.enterprises != 0 || n.applications != 0 {
			t.Fatalf("refusals wrote: %+v", n)
		}
	})
}

func TestExportCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.openCycleWith(nil)
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu")}
		firms[2].inputs["employees"] = float64(120) // fails the 300-employee gate
		for _, fm := range firms {
			f.apply(c.ID, fm)
		}
		late := f.newFirm("zhejiang") // applied, never submitted
		f.register(late)
		f.step("application.create", func() error {
			_, err := f.s.CreateApplication(f.ctx, enterpriseUser, c.ID, late.e.ID)
			return err
		})

		dir := t.TempDir()
		// Before evaluation: the applications, nothing else.
		res, err := f.s.ExportCycle(f.ctx, c.ID, filepath.Join(dir, "early.csv"))
		if err != nil || res.Rows != 4 || res.RunID != 0 {
			t.Fatalf("early export: %+v %v", res, err)
		}
		f.toNotice(c, firms)
		for _, name := range []string{"cycle.xlsx", "cycle.csv"} {
			path := filepath.Join(dir, name)
			res, err := f.s.ExportCycle(f.ctx, c.ID, path)
			if err != nil || res.Rows != 4 || res.RunID == 0 {
				t.Fatalf("export %s: %+v %v", name, res, err)
			}
			rows := readSheet(t, path)
			if strings.Join(rows[0], ",") != strings.Join(workflow.ExportColumns, ",") {
				t.Fatalf("%s header: %v", name, rows[0])
			}
			byCode := map[string][]string{}
			for _, r := range rows[1:] {
				byCode[r[0]] = r
			}
			pass, fail, lateRow := byCode[firms[0].code], byCode[firms[2].code], byCode[late.code]
			if pass[1] != firms[0].name || pass[2] != "jiangsu" || pass[3] != workflow.StatusRecommended ||
				pass[4] != "pass" || pass[5] == "" || pass[6] != "1" && pass[6] != "2" || pass[7] != "pass" || pass[10] != "proposed" {
				t.Errorf("%s passing row: %q", name, pass)
			}
			if fail[4] == "pass" || fail[7] != "fail" || !strings.Contains(fail[9], "300") || fail[8] == "" {
				t.Errorf("%s failing row: %q", name, fail)
			}
			if lateRow[3] != workflow.StatusDraft || lateRow[4] != "" || lateRow[7] != "" {
				t.Errorf("%s unsubmitted row: %q", name, lateRow)
			}
			if rows[1][6] != "1" {
				t.Errorf("%s: rows are not in rank order: %q", name, rows[1])
			}
		}
		if _, err := f.s.ExportCycle(f.ctx, 999, filepath.Join(dir, "x.csv")); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("export of an unknown cycle: %v", err)
		}
		if _, err := f.s.ExportCycle(f.ctx, c.ID, filepath.Join(dir, "x.pdf")); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("export to .pdf: %v", err)
		}
	})
}

// readSheet reads a whole file, header first.
func readSheet(t *testing.T, path string) [][]string {
	t.Helper()
	r, err := sheet.Open(path, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := [][]string{r.Header()}
	for {
		cells, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append(cells, make([]string, len(out[0])-len(cells))...))
	}
}
