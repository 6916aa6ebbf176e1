package scoring

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// asemDir holds COINr's ASEM example and COINr's own results.
const asemDir = "../../../shared/data/coinr-asem"

// readCSV returns a CSV file's header and rows keyed by uCode.
func readCSV(t *testing.T, name string) ([]string, map[string][]string, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(asemDir, name))
	if err != nil {
		t.Skipf("reference data not available: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	key := 0
	for c, h := range recs[0] {
		if h == "uCode" {
			key = c
		}
	}
	rows := map[string][]string{}
	var order []string
	for _, r := range recs[1:] {
		rows[r[key]] = r
		order = append(order, r[key])
	}
	return recs[0], rows, order
}

func parseCell(t *testing.T, s string) float64 {
	t.Helper()
	if s == "" || s == "NA" {
		return math.NaN()
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad number %q", s)
	}
	return x
}

// asemRun scores COINr's ASEM data with examples/asem.yaml.
func asemRun(t *testing.T) (*Result, []string) {
	t.Helper()
	src, err := os.ReadFile("../../examples/asem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := program.Load(src, "asem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	header, rows, order := readCSV(t, "asem_idata.csv")
	tab := NewTable(p, len(order))
	for i, code := range order {
		for c, h := range header {
			in, ok := p.Input(h)
			if !ok {
				t.Fatalf("asem.yaml has no input %q", h)
			}
			cell := rows[code][c]
			if in.Kind == program.KindText {
				tab.Text[in.TextCol][i] = cell
			} else {
				tab.Num[in.Col][i] = parseCell(t, cell)
			}
		}
	}
	r, err := Run(p, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r, order
}

// TestASEMReproducesCOINr checks the index, sub-indices, pillars,
// normalised indicators and ranks against COINr's asem_results.csv.
func TestASEMReproducesCOINr(t *testing.T) {
	r, order := asemRun(t)
	header, want, _ := readCSV(t, "asem_results.csv")
	const tol = 1e-6
	checked := 0
	for i, code := range order {
		row, ok := want[code]
		if !ok {
			t.Fatalf("COINr has no result for %s", code)
		}
		for c, h := range header {
			switch h {
			case "uCode", "uName":
				continue
			case "Rank":
				if got := strconv.Itoa(int(r.Rank[i])); got != row[c] {
					t.Errorf("%s rank %s, COINr %s", code, got, row[c])
				}
				continue
			}
			n, ok := r.P.NodeByID(h)
			if !ok {
				t.Fatalf("no framework node for COINr column %q", h)
			}
			got, exp := r.Score[n.Index][i], parseCell(t, row[c])
			if math.IsNaN(exp) != math.IsNaN(got) || math.Abs(got-exp) > tol {
				t.Errorf("%s %s: %v, COINr %v", code, h, got, exp)
			}
			checked++
		}
	}
	if checked != 51*(len(header)-3) {
		t.Errorf("checked %d values, want %d", checked, 51*(len(header)-3))
	}
}

// TestASEMIntermediateSteps checks the denominated indicators against
// COINr's asem_denominated.csv and reports what outlier treatment did.
func TestASEMIntermediateSteps(t *testing.T) {
	r, order := asemRun(t)
	header, den, _ := readCSV(t, "asem_denominated.csv")
	p := r.P
	for c, h := range header[1:] {
		col := -1
		if ind, ok := p.Indicator(h + "_per"); ok {
			col = ind.Col
		} else if in, ok := p.Input(h); ok {
			col = in.Col
		} else {
			t.Fatalf("no column for %s", h)
		}
		for i, code := range order {
			exp := parseCell(t, den[code][c+1])
			got := r.Cols[col][i]
			if math.IsNaN(exp) != math.IsNaN(got) || math.Abs(got-exp) > 1e-9*math.Max(1, math.Abs(exp)) {
				t.Errorf("denominated %s of %s: %v, COINr %v", h, code, got, exp)
			}
		}
	}
	treated := 0
	for _, rep := range r.Composite {
		if rep.Outliers.Failed {
			treated++
			t.Logf("%s: winsorised %d, log %v", rep.Node, rep.Outliers.Winsorised, rep.Outliers.LogTransformed)
		}
	}
	if treated == 0 {
		t.Error("COINr treats outliers in several ASEM indicators; none were treated")
	}
}
