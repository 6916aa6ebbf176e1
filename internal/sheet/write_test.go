package sheet

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type score float64 // a named type, as callers have

var tenth = 0.1 // a variable, so that tenth+0.2 is computed in float64

func TestWriterRoundTrip(t *testing.T) {
	day := time.Date(2018, 6, 5, 0, 0, 0, 0, time.UTC)
	moment := time.Date(2018, 6, 5, 14, 30, 5, 0, time.UTC)
	rows := [][]any{
		{"华为技术有限公司", 1234.5, int64(-3), true, day},
		{"=HYPERLINK(\"x\")", score(0.1), uint8(7), false, moment},
		{"Xiaomi", nil, tenth + 0.2}, // 0.30000000000000004
		{"+86 10 1234", math.MaxInt64, math.Copysign(0, -1), nil, nil},
	}
	wantXLSX := [][]string{
		{"华为技术有限公司", "1234.5", "-3", "1", "43256"},
		{"=HYPERLINK(\"x\")", "0.1", "7", "0", "43256.60422453703"},
		{"Xiaomi", "", "0.3", "", ""},
		{"+86 10 1234", "9223372036854775807", "0", "", ""},
	}
	wantCSV := [][]string{
		{"华为技术有限公司", "1234.5", "-3", "TRUE", "2018-06-05"},
		{"'=HYPERLINK(\"x\")", "0.1", "7", "FALSE", "2018-06-05 14:30:05"},
		{"Xiaomi", "", "0.30000000000000004", "", ""},
		{"'+86 10 1234", "9223372036854775807", "0", "", ""},
	}
	header := []string{"Name", "Score", "Count", "Listed", "Date"}
	for _, ext := range []string{".xlsx", ".csv"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out"+ext)
			w, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteHeader(header, []string{"企业名称 / enterprise name", "", "units"}); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteHints([]string{"text", "0–100"}); err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				if err := w.WriteRow(row); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the file exists before Close: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := w.WriteRow([]any{1}); !errors.Is(err, ErrClosed) {
				t.Errorf("WriteRow after Close = %v", err)
			}
			assertNoTemp(t, filepath.Dir(path))

			r := mustOpen(t, path, Options{})
			if !reflect.DeepEqual(r.Header(), header) {
				t.Fatalf("Header() = %q", r.Header())
			}
			res := readAll(t, r)
			want := wantXLSX
			if ext == ".csv" {
				want = wantCSV
			}
			if len(res.errs) > 0 || !reflect.DeepEqual(res.rows, want) {
				t.Errorf("rows %q\nwant %q\nerrors %v", res.rows, want, res.errs)
			}
			if !reflect.DeepEqual(res.nums, []int{3, 4, 5, 6}) {
				t.Errorf("row numbers %v: the hint row must be row 2", res.nums)
			}
		})
	}
}

func TestWriterXLSXFormatting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "styled.xlsx")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]string{"Name", "营业收入（万元）"}, []string{"", "Net sales, 10k CNY"})
	w.WriteRow([]any{"a", 12.5})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments, err := f.GetComments("Sheet1")
	if err != nil || len(comments) != 1 || comments[0].Cell != "B1" || !strings.Contains(comments[0].Text, "Net sales") {
		t.Errorf("comments %+v, %v", comments, err)
	}
	panes, err := f.GetPanes("Sheet1")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v", panes, err)
	}
	id, _ := f.GetCellStyle("Sheet1", "A1")
	st, _ := f.GetStyle(id)
	if st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v", st)
	}
	typ, _ := f.GetCellType("Sheet1", "B2")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("number cell type %v", typ)
	}
	if v, _ := f.GetCellValue("Sheet1", "B2", excelize.Options{RawCellValue: true}); v != "12.5" {
		t.Errorf("B2 = %q", v)
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(filepath.Join(dir, "out.json")); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Create(.json) = %v", err)
	}
	if _, err := Create(filepath.Join(dir, "no", "such", "dir.csv")); err == nil {
		t.Error("Create in a missing folder succeeded")
	}
	for _, ext := range []string{".xlsx", ".csv"} {
		path := filepath.Join(dir, "bad"+ext)
		w, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteHints([]string{"x"}); err == nil {
			t.Error("WriteHints before the header succeeded")
		}
		if err := w.WriteHeader([]string{"Name", "Value"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteHeader([]string{"Again"}, nil); err == nil {
			t.Error("a second header succeeded")
		}
		for _, tt := range []struct {
			row  []any
			want string
		}{
			{[]any{"a", math.NaN()}, `row 2, column B ("Value"): unsupported value NaN`},
			{[]any{"a", math.Inf(-1)}, "unsupported value -Inf"},
			{[]any{"a", struct{}{}}, "unsupported value of type struct {}"},
			{[]any{"a", 1, 2}, "3 values for 2 columns"},
		} {
			err := w.WriteRow(tt.row)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("%s: WriteRow(%v) = %v, want %q", ext, tt.row, err, tt.want)
			}
		}
		if ext == ".xlsx" {
			err := w.WriteRow([]any{strings.Repeat("长", 40000)})
			if err == nil || !strings.Contains(err.Error(), "at most 32767") {
				t.Errorf("long text: %v", err)
			}
		}
		// The Writer is still usable after refused rows.
		if err := w.WriteRow([]any{"ok", 1}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		res := readAll(t, mustOpen(t, path, Options{}))
		if len(res.rows) != 1 || res.rows[0][0] != "ok" {
			t.Errorf("%s rows %q", ext, res.rows)
		}
	}
}

func TestWriterIsAtomic(t *testing.T) {
	for _, ext := range []string{".xlsx", ".csv"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "result"+ext)
		if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
			t.Fatal(err)
		}
		// Abort, as a failed export does: the old file stays.
		w, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w.WriteHeader([]string{"A"}, nil)
		w.WriteRow([]any{"half"})
		w.Abort()
		w.Abort()
		if b, _ := os.ReadFile(path); string(b) != "previous" {
			t.Errorf("%s: Abort changed the file: %q", ext, b)
		}
		assertNoTemp(t, dir)
		// A writer never closed (a killed process) leaves the old file too,
		// and only a hidden temporary file beside it.
		w, _ = Create(path)
		w.WriteHeader([]string{"A"}, nil)
		if b, _ := os.ReadFile(path); string(b) != "previous" {
			t.Errorf("%s: an unfinished writer changed the file", ext)
		}
		w.Abort()
		// Close replaces it whole.
		w, _ = Create(path)
		w.WriteHeader([]string{"A"}, nil)
		w.WriteRow([]any{"new"})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		res := readAll(t, mustOpen(t, path, Options{}))
		if len(res.rows) != 1 || res.rows[0][0] != "new" {
			t.Errorf("%s: rows %q", ext, res.rows)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", ext, st.Mode())
		}
		assertNoTemp(t, dir)
	}
}

func TestWriterCSVBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	w, _ := Create(path)
	w.WriteHeader([]string{"名称", "值"}, []string{"ignored in CSV"})
	w.WriteRow([]any{"a,b", 1e-9})
	w.WriteRow([]any{"line\nbreak", 2.5e21})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "\uFEFF名称,值\r\n\"a,b\",1E-09\r\n\"line\r\nbreak\",2.5E+21\r\n"
	if string(b) != want {
		t.Errorf("got  %q\nwant %q", b, want)
	}
}

// assertNoTemp fails if a temporary file of Writer is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
