package sheet

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// xlsxFile writes rows (row 1 first; a nil row leaves the row empty) to
// the first sheet of a new workbook at dir/name, with excelize directly,
// and adds empty sheets named extra.
func xlsxFile(t testing.TB, dir, name string, rows [][]any, extra ...string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range extra {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// textFile writes content to dir/name.
func textFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readResult is everything a Reader returned, in order.
type readResult struct {
	rows [][]string
	nums []int
	errs []*Error
}

// readAll reads r to the end, going on after errors about one row, as an
// importer that reports every bad row does.
func readAll(t testing.TB, r *Reader) readResult {
	t.Helper()
	var res readResult
	for i := 0; i < 1_000_000; i++ {
		cells, row, err := r.Next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Next: %T %v is not an *Error", err, err)
			}
			res.errs = append(res.errs, e)
			if r.err != nil { // fatal
				return res
			}
			continue
		}
		if len(cells) != len(r.Header()) {
			t.Fatalf("row %d has %d cells, header %d", row, len(cells), len(r.Header()))
		}
		res.rows = append(res.rows, cells)
		res.nums = append(res.nums, row)
	}
	t.Fatal("Next never returned io.EOF")
	return res
}

// openErr opens path expecting an error of kind want (nil: any kind), and
// returns it.
func openErr(t *testing.T, path string, opt Options, want error) *Error {
	t.Helper()
	r, err := Open(path, opt)
	if err == nil {
		r.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Open(%s): %T %v is not an *Error", path, err, err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("Open(%s) = %v, want %v", path, err, want)
	}
	wantFile := path
	if opt.Name != "" {
		wantFile = opt.Name
	}
	if e.File != wantFile || !strings.HasPrefix(err.Error(), wantFile+": ") {
		t.Errorf("error %q does not name the file %s", err, wantFile)
	}
	return e
}

// contains fails unless msg contains every part.
func contains(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

// mustOpen opens path or fails the test.
func mustOpen(t testing.TB, path string, opt Options) *Reader {
	t.Helper()
	r, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
