package ingest

import (
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
)

const sb2023 = "../../../shared/data/SB2023_World2500.xlsx"

// sbCompany is one row of the EU R&D Scoreboard 2023 (amounts in million
// EUR; ok false when the cell is blank).
type sbCompany struct {
	name                 string
	rd, sales, employees float64
	rdOK, salesOK, empOK bool
}

func readSB2023(t *testing.T) []sbCompany {
	t.Helper()
	r, err := sheet.Open(sb2023, sheet.Options{})
	if err != nil {
		t.Skipf("scoreboard not available: %v", err)
	}
	defer r.Close()
	idx := map[string]int{}
	for c, h := range r.Header() {
		idx[h] = c
	}
	for _, h := range []string{"Company", "R&D (€ million)", "Net sales (€ million)", "Employees"} {
		if _, ok := idx[h]; !ok {
			t.Fatalf("scoreboard has no column %q", h)
		}
	}
	num := func(s string) (float64, bool) {
		if s == "" {
			return 0, false
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("scoreboard cell %q: %v", s, err)
		}
		return x, true
	}
	var out []sbCompany
	for {
		cells, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c := sbCompany{name: cells[idx["Company"]]}
		c.rd, c.rdOK = num(cells[idx["R&D (€ million)"]])
		c.sales, c.salesOK = num(cells[idx["Net sales (€ million)"]])
		c.employees, c.empOK = num(cells[idx["Employees"]])
		out = append(out, c)
	}
	return out
}

// TestScoreboardThroughMIITGates screens the 2,500 real companies through
// the size and R&D gates of miit-tide, at two exchange rates, and checks
// the engine's counts against counts made here with plain arithmetic.
func TestScoreboardThroughMIITGates(t *testing.T) {
	companies := readSB2023(t)
	if len(companies) != 2500 {
		t.Fatalf("%d companies, want 2,500", len(companies))
	}
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	gate := func(id string) int {
		for g, gi := range p.Gates {
			if gi.ID == id {
				return g
			}
		}
		t.Fatalf("miit-tide has no gate %q", id)
		return -1
	}
	gEmp, gSales, gRD := gate("employees"), gate("sales"), gate("rd_intensity")
	for _, rate := range []float64{7.08, 0.5} { // yuan per euro; 0.5 is a what-if
		tab := scoring.NewTable(p, len(companies))
		in := func(id string) *program.InputInfo {
			x, _ := p.Input(id)
			return x
		}
		emp, sales, rd := in("employees"), in("sales"), in("rd")
		for i, c := range companies {
			tab.Text[p.IDInput.TextCol][i] = strconv.Itoa(i)
			// € million → 万元: × rate × 1e6 / 1e4.
			if c.empOK {
				tab.Num[emp.Col][i] = c.employees
			}
			if c.salesOK {
				tab.Num[sales.Col+2][i] = c.sales * rate * 100
			}
			if c.rdOK {
				tab.Num[rd.Col+2][i] = c.rd * rate * 100
			}
		}
		r, err := scoring.Run(p, tab, scoring.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var wantEmp, wantSales, wantRD, wantAll, gotEmp, gotSales, gotRD, gotAll int
		for i, c := range companies {
			e := c.empOK && c.employees >= 300
			s := c.salesOK && c.sales*rate*1e6 >= 30e6
			d := c.rdOK && c.salesOK && c.rd/c.sales >= 0.03
			wantEmp += b2i(e)
			wantSales += b2i(s)
			wantRD += b2i(d)
			wantAll += b2i(e && s && d)
			ge, gs, gd := r.Gate[gEmp][i] == 1, r.Gate[gSales][i] == 1, r.Gate[gRD][i] == 1
			gotEmp += b2i(ge)
			gotSales += b2i(gs)
			gotRD += b2i(gd)
			gotAll += b2i(ge && gs && gd)
			if e != ge || s != gs || d != gd {
				t.Errorf("rate %v, %s: engine employees/sales/R&D %v/%v/%v, expected %v/%v/%v", rate, c.name, ge, gs, gd, e, s, d)
			}
		}
		t.Logf("rate %v yuan/€: ≥300 employees %d, sales ≥ 30 M RMB %d, R&D ≥ 3 %% %d, all three %d of %d",
			rate, gotEmp, gotSales, gotRD, gotAll, len(companies))
		if gotEmp != wantEmp || gotSales != wantSales || gotRD != wantRD || gotAll != wantAll {
			t.Errorf("rate %v: engine counts %d/%d/%d/%d, expected %d/%d/%d/%d", rate, gotEmp, gotSales, gotRD, gotAll, wantEmp, wantSales, wantRD, wantAll)
		}
		if wantAll == 0 || wantAll == len(companies) {
			t.Errorf("rate %v: %d of %d pass all three gates; the check tells nothing", rate, wantAll, len(companies))
		}
		// Samsung Electronics reports no employee count: missing, so the
		// gate fails as unknown rather than passing or counting zero.
		for i, c := range companies {
			if c.name == "SAMSUNG ELECTRONICS" && r.Gate[gEmp][i] != -1 {
				t.Errorf("Samsung's missing employee count: gate state %d, want -1 (unknown)", r.Gate[gEmp][i])
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
