package sheet

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var (
	tplHeaders = []string{"统一社会信用代码", "企业名称", "营业收入（万元）", "研发人员数", "行业"}
	tplHints   = []string{"18 位", "与营业执照一致", "万元，≥ 0", "整数，0–1000000", "从列表中选择"}
	tplExample = []any{"914403001922038216", "华为技术有限公司", 64230000.0, 114000, "制造业"}
)

func tplValidations(industries []string) []Validation {
	return []Validation{
		{Column: 2, Kind: "decimal", Min: 0, Max: math.Inf(1), Prompt: "上一年度营业收入，单位万元"},
		{Column: 3, Kind: "whole", Min: 0, Max: 1000000},
		{Column: 4, Kind: "list", Choices: industries, Prompt: "请选择行业"},
	}
}

func TestWriteTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.xlsx")
	if err := WriteTemplate(path, tplHeaders, tplHints, tplExample, tplValidations([]string{"制造业", "软件和信息技术服务业", "其他"})); err != nil {
		t.Fatal(err)
	}
	assertNoTemp(t, filepath.Dir(path))

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Sheet1", "A2"); v != "※ 18 位" {
		t.Errorf("A2 = %q", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "A3"); v != "※ 示例 e.g. 914403001922038216" {
		t.Errorf("A3 = %q", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "C3", excelize.Options{RawCellValue: true}); v != "64230000" {
		t.Errorf("C3 = %q", v)
	}
	id, _ := f.GetCellStyle("Sheet1", "E1")
	if st, _ := f.GetStyle(id); st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header not bold: %+v", st)
	}
	if p, err := f.GetPanes("Sheet1"); err != nil || !p.Freeze || p.YSplit != 2 {
		t.Errorf("panes %+v %v", p, err)
	}
	dvs, err := f.GetDataValidations("Sheet1")
	if err != nil || len(dvs) != 3 {
		t.Fatalf("validations %d, %v", len(dvs), err)
	}
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = fmt.Sprintf("%s %s %s %s", dv.Type, dv.Operator, dv.Formula1, dv.Formula2)
		if dv.Error == nil || !strings.Contains(*dv.Error, "。") {
			t.Errorf("%s: no bilingual error message", dv.Sqref)
		}
	}
	want := map[string]string{
		"C3:C10000": "decimal greaterThanOrEqual 0 ",
		"D3:D10000": "whole between 0 1000000",
		"E3:E10000": `list  "制造业,软件和信息技术服务业,其他" `,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("validations\n got %q\nwant %q", got, want)
	}
	f.Close()

	// Read back: the hint and example rows are skipped.
	r := mustOpen(t, path, Options{})
	if !reflect.DeepEqual(r.Header(), tplHeaders) {
		t.Errorf("Header() = %q", r.Header())
	}
	if _, _, err := r.Next(); err == nil || err.Error() != "EOF" {
		t.Errorf("an empty template has data: %v", err)
	}
	r.Close()

	// An enterprise fills in rows 4 and 5 (keeping the example row).
	f, _ = excelize.OpenFile(path)
	f.SetSheetRow("Sheet1", "A4", &[]any{"91110108551385082Q", "小米科技有限责任公司", 1.5e6, 32000, "制造业"})
	f.SetSheetRow("Sheet1", "A5", &[]any{"91440300708461136T", "深圳市腾讯计算机系统有限公司", "12,3x", 5, "其他"})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res := readAll(t, mustOpen(t, path, Options{}))
	if !reflect.DeepEqual(res.nums, []int{4, 5}) || res.rows[0][2] != "1500000" || res.rows[1][1] != "深圳市腾讯计算机系统有限公司" {
		t.Errorf("rows %v %q", res.nums, res.rows)
	}
	if _, err := ParseNumber(res.rows[1][2]); err == nil {
		t.Error("12,3x parsed")
	}
}

func TestWriteTemplateLongList(t *testing.T) {
	var long []string
	for i := 0; i < 60; i++ {
		long = append(long, fmt.Sprintf("行业分类第%02d类", i))
	}
	long = append(long, "批发, 零售") // a comma cannot be inline
	path := filepath.Join(t.TempDir(), "long.xlsx")
	if err := WriteTemplate(path, tplHeaders, tplHints, tplExample, tplValidations(long)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if vis, _ := f.GetSheetVisible(listSheet); vis {
		t.Error("the list sheet is visible")
	}
	dvs, _ := f.GetDataValidations("Sheet1")
	var formula string
	for _, dv := range dvs {
		if dv.Type == "list" {
			formula = dv.Formula1
		}
	}
	if formula != "Lists!$A$1:$A$61" {
		t.Errorf("list formula %q", formula)
	}
	if v, _ := f.GetCellValue(listSheet, "A61"); v != "批发, 零售" {
		t.Errorf("A61 = %q", v)
	}
	// The template sheet is still the one read by default.
	r := mustOpen(t, path, Options{})
	if !reflect.DeepEqual(r.Header(), tplHeaders) {
		t.Errorf("Header() = %q", r.Header())
	}
}

func TestWriteTemplateErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.xlsx")
	tests := []struct {
		name    string
		headers []string
		example []any
		v       []Validation
		want    error
		say     string
	}{
		{"no columns", nil, nil, nil, ErrNoHeader, "at least one column"},
		{"empty name", []string{"A", " "}, nil, nil, ErrNoHeader, "column B"},
		{"duplicate", []string{"Name", "NAME"}, nil, nil, ErrDuplicateHeader, "column B (\"NAME\"): duplicate column name: the same as column A"},
		{"bad column", []string{"A"}, nil, []Validation{{Column: 1, Kind: "whole"}}, ErrUnsupported, "validation for column 1"},
		{"bad kind", []string{"A"}, nil, []Validation{{Column: 0, Kind: "date"}}, ErrUnsupported, `kind "date"`},
		{"min above max", []string{"A"}, nil, []Validation{{Column: 0, Kind: "decimal", Min: 2, Max: 1}}, ErrUnsupported, "bounds 2 to 1"},
		{"fractional whole", []string{"A"}, nil, []Validation{{Column: 0, Kind: "whole", Min: 0.5, Max: 1}}, ErrUnsupported, "not integers"},
		{"empty list", []string{"A"}, nil, []Validation{{Column: 0, Kind: "list"}}, ErrUnsupported, "without choices"},
		{"long prompt", []string{"A"}, nil, []Validation{{Column: 0, Kind: "list", Choices: []string{"x"}, Prompt: strings.Repeat("说", 300)}}, ErrUnsupported, "at most 255"},
		{"bad example", []string{"A", "B"}, []any{"x", math.NaN()}, nil, ErrUnsupported, "row 3, column B (\"B\")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteTemplate(path, tt.headers, nil, tt.example, tt.v)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tt.want) {
				t.Fatalf("WriteTemplate = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.say) {
				t.Errorf("error %q, want the file and %q", err, tt.say)
			}
		})
	}
	assertNoTemp(t, dir)
}

func TestWriteTemplateUnbounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.xlsx")
	v := []Validation{
		{Column: 0, Kind: "decimal", Min: math.Inf(-1), Max: math.Inf(1)},
		{Column: 1, Kind: "whole", Min: math.Inf(-1), Max: 10},
	}
	if err := WriteTemplate(path, []string{"A", "B"}, nil, nil, v); err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenFile(path)
	defer f.Close()
	dvs, _ := f.GetDataValidations("Sheet1")
	if len(dvs) != 2 || dvs[0].Operator != "between" || dvs[1].Operator != "lessThanOrEqual" || dvs[1].Formula1 != "10" {
		t.Errorf("validations %+v %+v", dvs[0], dvs[1])
	}
	r := mustOpen(t, path, Options{})
	if _, _, err := r.Next(); err == nil || err.Error() != "EOF" {
		t.Errorf("Next = %v", err)
	}
}
