package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestReadXLSX(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.xlsx")
	f := excelize.NewFile()
	rows := [][]any{
		{" Company ", "Net sales", "Founded", "Listed", "Note"},
		{"ALPHA", 1234.5, time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC), true, "  padded  "},
		nil,             // an empty row 3 is skipped
		{"  ", "", nil}, // a row of blanks too
		{"BETA", 0.1 + 0.2},
		{"GAMMA", 1.5e-7, nil, false},
	}
	for i, row := range rows {
		if row != nil {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A display format must not change what is read.
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err := f.SetCellStyle("Sheet1", "B2", "B6", style); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r := mustOpen(t, path, Options{})
	if got, want := r.Header(), []string{"Company", "Net sales", "Founded", "Listed", "Note"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Header() = %q, want %q", got, want)
	}
	if r.HeaderRow() != 1 || r.SizeHint() <= 0 {
		t.Errorf("HeaderRow() = %d, SizeHint() = %d", r.HeaderRow(), r.SizeHint())
	}
	res := readAll(t, r)
	if len(res.errs) > 0 {
		t.Fatalf("errors: %v", res.errs)
	}
	want := [][]string{
		{"ALPHA", "1234.5", "36925", "1", "padded"},
		{"BETA", "0.3", "", "", ""},
		{"GAMMA", "0.00000015", "", "0", ""},
	}
	if !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows = %q\nwant   %q", res.rows, want)
	}
	if !reflect.DeepEqual(res.nums, []int{2, 5, 6}) {
		t.Errorf("row numbers = %v, want [2 5 6]", res.nums)
	}
	if p := r.Progress(); p != 1 {
		t.Errorf("Progress() at the end = %v", p)
	}
	if _, _, err := r.Next(); err == nil || err.Error() != "EOF" {
		t.Errorf("Next after the end = %v", err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := r.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close = %v", err)
	}
	v, err := ParseNumber(res.rows[2][1])
	if err != nil || v != 1.5e-7 {
		t.Errorf("raw value does not parse: %v %v", v, err)
	}
}

func TestReadXLSXHeaderRowAndSkipRows(t *testing.T) {
	dir := t.TempDir()
	path := xlsxFile(t, dir, "form.xlsx", [][]any{
		{"2023 年度申报表"},
		nil,
		{"Name", "Value"},
		{"unit", "万元"},
		{"※ 填写说明", "number"},
		{"A", 1},
		{"※ not a hint once data started", 2},
	})
	r := mustOpen(t, path, Options{HeaderRow: 3, SkipRows: 1})
	res := readAll(t, r)
	if !reflect.DeepEqual(res.nums, []int{6, 7}) || res.rows[1][0] != "※ not a hint once data started" {
		t.Errorf("rows %v %q", res.nums, res.rows)
	}
	// Without HeaderRow the title is taken as the one-column header, and
	// row 3's second value then has no header.
	r = mustOpen(t, path, Options{})
	if h := r.Header(); !reflect.DeepEqual(h, []string{"2023 年度申报表"}) {
		t.Errorf("Header() = %q", h)
	}
	_, row, err := r.Next()
	if !errors.Is(err, ErrNoHeaderColumn) || row != 3 {
		t.Errorf("Next = row %d, %v", row, err)
	}
	openErr(t, path, Options{HeaderRow: 2}, ErrNoHeader)
	e := openErr(t, path, Options{HeaderRow: 99}, ErrNoHeader)
	contains(t, e.Error(), "row 99", "ends before row 99")
	openErr(t, path, Options{HeaderRow: -1}, nil) // any *Error
}

func TestReadXLSXSheets(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"a"})
	f.NewSheet("Data 2023")
	f.SetSheetRow("Data 2023", "A1", &[]any{"Name", "Score"})
	f.SetSheetRow("Data 2023", "A2", &[]any{"X", "1", "extra"})
	path := filepath.Join(dir, "two.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r := mustOpen(t, path, Options{Sheet: "data 2023"})
	if h := r.Header(); !reflect.DeepEqual(h, []string{"Name", "Score"}) {
		t.Fatalf("Header() = %q", h)
	}
	_, _, err := r.Next()
	var e *Error
	if !errors.As(err, &e) || e.Sheet != "Data 2023" || e.Row != 2 || e.Column != "C" {
		t.Fatalf("Next = %v", err)
	}
	contains(t, err.Error(), path+`: sheet "Data 2023", row 2, column C: value in a column with no header`, `"extra"`)

	e = openErr(t, path, Options{Sheet: "Summary"}, ErrUnknownSheet)
	contains(t, e.Error(), `no such sheet "Summary"`, `"Sheet1" and "Data 2023"`)

	// A single-sheet workbook's errors do not name the sheet.
	one := xlsxFile(t, dir, "one.xlsx", [][]any{{"A"}, {"1", "2"}})
	e = openErr(t, one, Options{Sheet: "Data"}, ErrUnknownSheet)
	contains(t, e.Error(), `no such sheet "Data": the workbook has one sheet, "Sheet1"`)
	r = mustOpen(t, one, Options{})
	_, _, err = r.Next()
	if strings.Contains(err.Error(), "sheet") {
		t.Errorf("single-sheet error names the sheet: %v", err)
	}
}

func TestReadXLSXDamaged(t *testing.T) {
	dir := t.TempDir()
	rows := [][]any{{"Name", "Value"}}
	for i := 0; i < 2000; i++ {
		rows = append(rows, []any{strings.Repeat("x", i%50), i})
	}
	good := xlsxFile(t, dir, "good.xlsx", rows)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("truncated", func(t *testing.T) {
		path := textFile(t, dir, "half.xlsx", string(data[:len(data)/2]))
		e := openErr(t, path, Options{}, ErrCorrupt)
		contains(t, e.Error(), "damaged file: the XLSX file is cut short", "do it again")
	})
	t.Run("flipped byte", func(t *testing.T) {
		// Damage the compressed worksheet: excelize alone would read it
		// without a word and return fewer rows.
		bad := append([]byte(nil), data...)
		off := sheetDataOffset(t, data)
		for i := 0; i < 8; i++ {
			bad[off+200+i] ^= 0x55
		}
		path := textFile(t, dir, "flipped.xlsx", string(bad))
		e := openErr(t, path, Options{}, ErrCorrupt)
		contains(t, e.Error(), "xl/worksheets/sheet1.xml", "damaged")
	})
	t.Run("empty", func(t *testing.T) {
		path := textFile(t, dir, "empty.xlsx", "")
		e := openErr(t, path, Options{}, ErrEmptyFile)
		contains(t, e.Error(), "empty file (0 bytes)")
	})
	t.Run("too large", func(t *testing.T) {
		defer func(a, b int64) { UnzipSizeLimit, UnzipXMLSizeLimit = a, b }(UnzipSizeLimit, UnzipXMLSizeLimit)
		UnzipSizeLimit, UnzipXMLSizeLimit = 64<<10, 16<<10
		e := openErr(t, good, Options{}, ErrTooLarge)
		contains(t, e.Error(), "more than 64 KiB")
	})
	t.Run("zip bomb", func(t *testing.T) {
		// 200 MiB of zeros compress to about 200 KiB; the declared size
		// is refused before anything is inflated.
		defer func(a int64) { UnzipSizeLimit = a }(UnzipSizeLimit)
		UnzipSizeLimit = 100 << 20
		path := bombFile(t, dir, 200<<20)
		start := time.Now()
		openErr(t, path, Options{}, ErrTooLarge)
		if d := time.Since(start); d > 5*time.Second {
			t.Logf("refusing took %v", d)
		}
	})
}

// sheetDataOffset returns where the compressed data of the worksheet part
// starts inside the xlsx bytes.
func sheetDataOffset(t *testing.T, data []byte) int {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			if f.CompressedSize64 < 300 {
				t.Fatalf("worksheet part too small: %d", f.CompressedSize64)
			}
			return int(off)
		}
	}
	t.Fatal("no worksheet part")
	return 0
}

// bombFile writes a minimal workbook whose worksheet part is n bytes of
// XML whitespace.
func bombFile(t *testing.T, dir string, n int64) string {
	path := filepath.Join(dir, "bomb.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":     `<?xml version="1.0"?><workbook/>`,
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for i := int64(0); i < n>>20; i++ {
		w.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return path
}

func TestReadNotASpreadsheet(t *testing.T) {
	dir := t.TempDir()
	oleName := func(name string) string {
		var b []byte
		for _, r := range name {
			b = append(b, byte(r), 0)
		}
		return string(append(b, 0, 0))
	}
	ole := "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 500)
	tests := []struct {
		name, content string
		want          error
		say           string
	}{
		{"scan.xlsx", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ErrNotSpreadsheet, "a PNG image"},
		{"report.xlsx", "%PDF-1.7\n%âãÏÓ\n1 0 obj", ErrNotSpreadsheet, "a PDF document"},
		{"photo.csv", "\xFF\xD8\xFF\xE0\x00\x10JFIF", ErrNotSpreadsheet, "a JPEG image"},
		{"old.xls", ole + oleName("Workbook") + "...", ErrLegacyFormat, "save it as Excel Workbook (.xlsx)"},
		{"old.xlsx", ole + oleName("Book"), ErrLegacyFormat, "Excel 97-2003"},
		{"locked.xlsx", ole + oleName("EncryptionInfo") + oleName("EncryptedPackage"), ErrEncrypted, "remove the password"},
		{"letter.xlsx", ole + oleName("WordDocument"), ErrNotSpreadsheet, "Word 97-2003"},
		{"export.xls", "<html><body><table><tr><td>1</td></tr></table>", ErrNotSpreadsheet, "web page"},
		{"xml2003.xls", `<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`, ErrLegacyFormat, "Excel 2003 XML"},
		{"data.xlsx", "Name,Value\nA,1\n", ErrNotSpreadsheet, "if it is CSV, name it .csv"},
		{"data.dat", "Name,Value\nA,1\n", ErrNotSpreadsheet, `unknown file type ".dat"`},
		{"data", "Name,Value\n", ErrNotSpreadsheet, "no extension"},
		{"binary.csv", "Name,Value\n\x00\x01\x02", ErrNotSpreadsheet, "binary data"},
		{"unicode.txt", "\xFF\xFEN\x00a\x00", ErrEncoding, "UTF-16"},
		{"empty.zip.xlsx", "PK\x05\x06" + strings.Repeat("\x00", 18), ErrNotSpreadsheet, "empty zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := textFile(t, dir, tt.name, tt.content)
			e := openErr(t, path, Options{}, tt.want)
			contains(t, e.Error(), tt.say)
		})
	}
	t.Run("docx", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range []string{"[Content_Types].xml", "word/document.xml"} {
			w, _ := zw.Create(n)
			w.Write([]byte("<x/>"))
		}
		zw.Close()
		path := textFile(t, dir, "letter.docx.xlsx", buf.String())
		e := openErr(t, path, Options{}, ErrNotSpreadsheet)
		contains(t, e.Error(), "Word document")
	})
	t.Run("missing", func(t *testing.T) {
		e := openErr(t, filepath.Join(dir, "nope.xlsx"), Options{}, fs.ErrNotExist)
		contains(t, e.Error(), "cannot open: no such file")
	})
	t.Run("folder", func(t *testing.T) {
		e := openErr(t, dir, Options{}, nil)
		contains(t, e.Error(), "is a folder")
	})
	t.Run("name option", func(t *testing.T) {
		path := textFile(t, dir, "upload-123.tmp.xlsx", "%PDF-1.4")
		openErr(t, path, Options{Name: "年报.xlsx"}, ErrNotSpreadsheet)
	})
}

func TestReadXLSXHeaderProblems(t *testing.T) {
	dir := t.TempDir()
	t.Run("duplicate", func(t *testing.T) {
		path := xlsxFile(t, dir, "dup.xlsx", [][]any{{"Name", "Net sales", "Year", " net SALES "}, {"a", 1, 2, 3}})
		e := openErr(t, path, Options{}, ErrDuplicateHeader)
		if e.Row != 1 || e.Column != "D" || e.Header != "net SALES" {
			t.Errorf("error at %+v", e)
		}
		contains(t, e.Error(), `row 1, column D ("net SALES"): duplicate column name: the same as column B ("Net sales")`)
	})
	t.Run("empty sheet", func(t *testing.T) {
		path := xlsxFile(t, dir, "blank.xlsx", nil)
		e := openErr(t, path, Options{}, ErrNoHeader)
		contains(t, e.Error(), "no header row: the file holds no data")
	})
	t.Run("empty header cell", func(t *testing.T) {
		path := xlsxFile(t, dir, "gap.xlsx", [][]any{
			{"Name", "", "Value", "", ""}, // trailing empty header cells are dropped
			{"a", nil, 1},
			{"b", "oops", 2},
			{"c", nil, 3, nil, "far"},
			{"d", nil, 4},
		})
		r := mustOpen(t, path, Options{})
		if h := r.Header(); !reflect.DeepEqual(h, []string{"Name", "", "Value"}) {
			t.Fatalf("Header() = %q", h)
		}
		res := readAll(t, r)
		if len(res.errs) != 2 || !reflect.DeepEqual(res.nums, []int{2, 5}) {
			t.Fatalf("rows %v, errors %v", res.nums, res.errs)
		}
		contains(t, res.errs[0].Error(), path+`: row 3, column B: value in a column with no header (header cell B1 is empty): "oops"`)
		contains(t, res.errs[1].Error(), `row 4, column E: value in a column with no header (beyond the last column of the header): "far"`)
		for _, e := range res.errs {
			if !errors.Is(e, ErrNoHeaderColumn) {
				t.Errorf("%v is not ErrNoHeaderColumn", e)
			}
		}
	})
}
