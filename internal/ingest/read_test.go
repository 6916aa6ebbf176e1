package ingest

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
)

// tiny is a small program for header and cell tests.
const tiny = `
schema: exemplar/v1
name: tiny
title: {zh: 测试, en: Tiny}
years: 3
id: uscc
channel: region
inputs:
  - {id: uscc, kind: text, format: uscc, required: true, name: {zh: 统一社会信用代码, en: Credit code}}
  - {id: region, kind: choice, options: [{value: north, name: {zh: 北方, en: North}}, {value: south, name: {zh: 南方, en: South}}], name: {zh: 地区, en: Region}}
  - {id: sales, unit: 万元, yearly: true, min: 0, name: {zh: 销售收入, en: Sales}, aliases: [revenue]}
  - {id: staff, unit: persons, min: 0, name: {zh: 职工人数, en: Staff}}
  - {id: share, unit: "%", min: 0, max: 100, name: {zh: 占比, en: Share}}
  - {id: certified, kind: yesno, name: {zh: 已认证, en: Certified}}
gates:
  - {id: big, rule: "sales[-1] >= 100", message: {zh: 太小, en: too small}}
scoring:
  model: bands
  framework:
    id: total
    children:
      - {id: s, points: "coalesce(share, 0.0)"}
`

func tinyProgram(t *testing.T) *program.Program {
	t.Helper()
	p, err := loadTiny()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func loadTiny() (*program.Program, error) { return program.Load([]byte(tiny), "tiny.yaml") }

// Valid credit codes (check characters computed by GB 32100-2015).
const (
	codeA = "91110108MA01C1AB2B"
	codeB = "91310115MA1H7GBL0T"
)

func writeCSV(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeXLSX(t *testing.T, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "data.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func col(t *testing.T, p *program.Program, tab *scoring.Table, id string, year int) []float64 {
	t.Helper()
	in, ok := p.Input(id)
	if !ok {
		t.Fatalf("no input %s", id)
	}
	return tab.Num[in.Col+year]
}

func TestCheckTestCodes(t *testing.T) {
	// The constants above must be valid, or every test below tests nothing.
	p := tinyProgram(t)
	path := writeCSV(t, "ok.csv", "uscc,sales [3]\n"+codeA+",1\n"+codeB+",2\n")
	if _, err := Read(p, path, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestHeadersUnitsAndYears(t *testing.T) {
	p := tinyProgram(t)
	path := writeCSV(t, "h.csv",
		"统一社会信用代码,地区,销售收入 第1年 (元),Sales year 2 (亿元),revenue [3],职工人数（人）,Share (%),certified\n"+
			codeA+",北方,1230000,0.5,300,120,12.5%,是\n"+
			codeB+",south,,1,400,0,7,no\n")
	tab, err := Read(p, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.N != 2 {
		t.Fatalf("%d rows, want 2", tab.N)
	}
	checks := []struct {
		id   string
		year int
		want []float64
	}{
		{"sales", 0, []float64{123, math.NaN()}}, // 1,230,000 元 = 123 万元; blank stays missing
		{"sales", 1, []float64{5000, 10000}},     // 0.5 亿元 = 5,000 万元
		{"sales", 2, []float64{300, 400}},
		{"staff", 0, []float64{120, 0}},
		{"share", 0, []float64{12.5, 7}},
		{"certified", 0, []float64{1, 0}},
		{"region", 0, []float64{0, 1}},
	}
	for _, c := range checks {
		got := col(t, p, tab, c.id, c.year)
		for i, w := range c.want {
			if !(got[i] == w || math.IsNaN(got[i]) && math.IsNaN(w)) {
				t.Errorf("%s[%d] row %d: %v, want %v", c.id, c.year, i, got[i], w)
			}
		}
	}
	if tab.Text[0][0] != codeA {
		t.Errorf("id %q", tab.Text[0][0])
	}
}

// badCase is one bad file and what its error must say.
type badCase struct {
	name     string
	file     string // CSV content
	want     []string
	sentinel error
}

func TestBadInputIsRefusedWithItsPlace(t *testing.T) {
	p := tinyProgram(t)
	head := "uscc,sales [1],sales [2],sales [3],staff,share,certified,region\n"
	good := codeA + ",1,2,3,10,50,yes,north\n"
	cases := []badCase{
		{"unknown header", "uscc,sales [3],turnover\n" + codeA + ",1,2\n", []string{"row 1, column C", `unknown column "turnover"`}, nil},
		{"two headers for one input", "uscc,sales [3],revenue [3]\n" + codeA + ",1,2\n", []string{"row 1, column C", "same input as column B"}, nil},
		{"yearly header without year", "uscc,sales\n" + codeA + ",1\n", []string{"column B", "write the year"}, nil},
		{"year out of range", "uscc,sales [4]\n" + codeA + ",1\n", []string{"year 4 is out of range 1–3"}, nil},
		{"wrong unit", "uscc,staff (万元)\n" + codeA + ",1\n", []string{"money"}, nil},
		{"missing id column", "sales [3]\n1\n", []string{"required column missing", "uscc"}, nil},
		{"text in a number", head + codeA + ",1,2,abc,10,50,yes,north\n", []string{"row 2, column D", "abc"}, sheet.ErrNotNumber},
		{"negative sales", head + codeA + ",1,2,-3,10,50,yes,north\n", []string{"row 2, column D", "at least 0"}, nil},
		{"NaN", head + codeA + ",1,NaN,3,10,50,yes,north\n", []string{"row 2, column C"}, sheet.ErrNotNumber},
		{"infinity", head + codeA + ",1,2,Inf,10,50,yes,north\n", []string{"row 2, column D"}, sheet.ErrNotNumber},
		{"share above 100", head + codeA + ",1,2,3,10,150,yes,north\n", []string{"column F", "at most 100"}, nil},
		{"fractional persons", head + codeA + ",1,2,3,10.5,50,yes,north\n", []string{"column E", "whole number"}, nil},
		{"bad yes/no", head + codeA + ",1,2,3,10,50,maybe,north\n", []string{"column G", "maybe"}, nil},
		{"bad choice", head + codeA + ",1,2,3,10,50,yes,west\n", []string{"column H", "north, south"}, nil},
		{"bad check character", head + "91110108MA01C1AB2F,1,2,3,10,50,yes,north\n", []string{"row 2, column A", "check character"}, nil},
		{"code too short", head + "9111010,1,2,3,10,50,yes,north\n", []string{"row 2, column A"}, nil},
		{"missing required id", head + ",1,2,3,10,50,yes,north\n", []string{"row 2, column A", "required"}, nil},
		{"duplicate enterprise", head + good + good, []string{"row 3", "duplicate uscc", "already on row 2"}, nil},
		{"empty file", "", []string{"h.csv"}, sheet.ErrEmptyFile},
		{"ragged row", head + codeA + ",1,2,3,10,50,yes,north,extra\n", []string{"row 2"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeCSV(t, "h.csv", c.file)
			tab, err := Read(p, path, Options{})
			if err == nil {
				t.Fatalf("accepted (%d rows)", tab.N)
			}
			if tab != nil {
				t.Error("returned a table with the error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "h.csv") {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("error is not %v: %s", c.sentinel, msg)
			}
		})
	}
}

func TestEveryBadCellIsListed(t *testing.T) {
	p := tinyProgram(t)
	var b strings.Builder
	b.WriteString("uscc,sales [3]\n")
	for i := 0; i < 70; i++ {
		b.WriteString(codeA[:17] + "X,-1\n") // bad code and bad sales: two problems a row
	}
	_, err := Read(p, writeCSV(t, "many.csv", b.String()), Options{MaxErrors: 10})
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want *Errors, got %v", err)
	}
	if len(errs.List) != 10 || errs.Extra != 130 {
		t.Errorf("listed %d, extra %d; want 10 and 130", len(errs.List), errs.Extra)
	}
	if !strings.Contains(err.Error(), "140 problems") {
		t.Errorf("summary: %s", strings.SplitN(err.Error(), "\n", 2)[0])
	}
}

func TestIgnoreUnknownColumns(t *testing.T) {
	p := tinyProgram(t)
	path := writeCSV(t, "x.csv", "Rank,uscc,sales [3],Country\n1,"+codeA+",5,CN\n")
	tab, err := Read(p, path, Options{IgnoreUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := col(t, p, tab, "sales", 2)[0]; got != 5 {
		t.Errorf("sales %v", got)
	}
}

func TestNonSpreadsheetsAreRefused(t *testing.T) {
	p := tinyProgram(t)
	dir := t.TempDir()
	png := filepath.Join(dir, "photo.xlsx")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644)
	good := writeXLSX(t, [][]any{{"uscc", "sales [3]"}, {codeA, 5}})
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "cut.xlsx")
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	for _, c := range []struct {
		path string
		want error
	}{{png, sheet.ErrNotSpreadsheet}, {trunc, sheet.ErrCorrupt}} {
		_, err := Read(p, c.path, Options{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", filepath.Base(c.path), err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), filepath.Base(c.path)) {
			t.Errorf("error does not name the file: %v", err)
		}
	}
}

func TestXLSXNumbersAndRows(t *testing.T) {
	p := tinyProgram(t)
	path := writeXLSX(t, [][]any{
		{"统一社会信用代码", "销售收入 [3] (万元)", "职工人数"},
		{codeA, 12345.678, 300},
		{codeB, "abc", 10},
	})
	_, err := Read(p, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "row 3, column B") {
		t.Fatalf("want an error at row 3, column B; got %v", err)
	}
	path = writeXLSX(t, [][]any{
		{"统一社会信用代码", "销售收入 [3] (万元)", "职工人数"},
		{codeA, 12345.678, 300},
	})
	tab, err := Read(p, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := col(t, p, tab, "sales", 2)[0]; got != 12345.678 {
		t.Errorf("sales %v", got)
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	for _, name := range program.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			p, err := program.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "template.xlsx")
			if err := WriteTemplate(p, path, "zh"); err != nil {
				t.Fatal(err)
			}
			// The hint and example rows are skipped: an untouched
			// template holds no enterprise.
			tab, err := Read(p, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tab.N != 0 {
				t.Errorf("empty template read as %d rows", tab.N)
			}
			// Fill one row below the example with the example values:
			// they must all be valid.
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sh := f.GetSheetName(0)
			for c, tc := range Columns(p) {
				cell, _ := excelize.CoordinatesToCellName(c+1, 4)
				ex := tc.Input.Example
				if ex == "" && tc.Input.Kind == program.KindNumber {
					ex = "1"
				}
				f.SetCellValue(sh, cell, ex)
			}
			if err := f.Save(); err != nil {
				t.Fatal(err)
			}
			tab, err = Read(p, path, Options{})
			if err != nil {
				t.Fatalf("the examples do not read back: %v", err)
			}
			if tab.N != 1 {
				t.Errorf("%d rows, want 1", tab.N)
			}
		})
	}
}
