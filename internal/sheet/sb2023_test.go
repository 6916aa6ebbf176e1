package sheet

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sb2023 finds the EU Industrial R&D Investment Scoreboard 2023 in the
// shared folder beside the repository (as CI lays it out) or at its place
// on a developer's machine.
func sb2023(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{
		filepath.Join("..", "..", "..", "shared", "data", "SB2023_World2500.xlsx"),
		"/work/shared/data/SB2023_World2500.xlsx",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	tb.Skip("SB2023_World2500.xlsx not found beside the repository")
	return ""
}

func TestReadSB2023(t *testing.T) {
	path := sb2023(t)
	r := mustOpen(t, path, Options{})
	h := r.Header()
	if len(h) != 21 || !reflect.DeepEqual(h[:4], []string{"Rank", "Company", "Year", "Country"}) {
		t.Fatalf("Header() = %q", h)
	}
	employees := -1
	for j, name := range h {
		if name == "Employees" {
			employees = j
		}
	}
	if employees != 17 {
		t.Fatalf("Employees is column %d", employees)
	}
	res := readAll(t, r)
	if len(res.errs) > 0 {
		t.Fatalf("errors: %v", res.errs[0])
	}
	if len(res.rows) != 2500 || res.nums[0] != 2 || res.nums[2499] != 2501 {
		t.Fatalf("%d rows, numbered %d to %d", len(res.rows), res.nums[0], res.nums[len(res.nums)-1])
	}
	if res.rows[0][1] != "ALPHABET" || res.rows[0][0] != "1" || res.rows[0][employees] != "190234" {
		t.Errorf("first row %q", res.rows[0])
	}
	// SAMSUNG ELECTRONICS, rank 7, is on sheet row 8 and reports no
	// employee count.
	samsung := -1
	for i, row := range res.rows {
		if row[1] == "SAMSUNG ELECTRONICS" {
			samsung = i
		}
	}
	if samsung < 0 || res.nums[samsung] != 8 || res.rows[samsung][0] != "7" {
		t.Fatalf("SAMSUNG ELECTRONICS at index %d", samsung)
	}
	if v := res.rows[samsung][employees]; v != "" {
		t.Errorf("SAMSUNG ELECTRONICS employees = %q, want empty", v)
	}
	// Every figure (columns G onwards) is empty, a number that ParseNumber
	// reads, or one of the few error values the publisher's formulas left
	// (e.g. "#NUM!" on row 1365), which ParseNumber names as such.
	excelErrs := 0
	for i, row := range res.rows {
		for j := 6; j < len(row); j++ {
			if row[j] == "" {
				continue
			}
			if _, err := ParseNumber(row[j]); err != nil {
				if excelErrors[row[j]] && strings.Contains(err.Error(), "an Excel error value") {
					excelErrs++
					continue
				}
				t.Fatalf("row %d, column %s: %v", res.nums[i], ColumnName(j), err)
			}
		}
	}
	if excelErrs == 0 || excelErrs > 100 {
		t.Errorf("%d error values", excelErrs)
	}
	t.Logf("%d cells hold Excel error values", excelErrs)
	// The same cells as excelize's own GetRows with raw values.
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows("Sheet 1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range res.rows {
		want := make([]string, len(h))
		copy(want, all[res.nums[i]-1])
		if !reflect.DeepEqual(row, want) {
			t.Fatalf("row %d differs from GetRows:\n%q\n%q", res.nums[i], row, want)
		}
	}
}

// BenchmarkReadSB2023 reads every cell of the 2,500-company workbook with
// this package; compare with BenchmarkExcelizeGetRows in the same run:
//
//	go test ./internal/sheet -run '^$' -bench 'SB2023|GetRows' -benchmem
func BenchmarkReadSB2023(b *testing.B) {
	path := sb2023(b)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		cells := 0
		for {
			row, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			cells += len(row)
		}
		r.Close()
		if cells != 2500*21 {
			b.Fatalf("%d cells", cells)
		}
	}
}

// BenchmarkExcelizeGetRows is the baseline: excelize's OpenFile and GetRows
// (all rows in memory, values formatted for display) over the same file.
func BenchmarkExcelizeGetRows(b *testing.B) {
	path := sb2023(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.GetRows("Sheet 1")
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		if len(rows) != 2501 {
			b.Fatalf("%d rows", len(rows))
		}
	}
}
