package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readFuzzed opens data saved as name and reads it to the end, checking
// that every error is an *Error naming the file and that every row fits
// the header.
func readFuzzed(t *testing.T, data []byte, name string) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(err error) {
		var e *Error
		if !errors.As(err, &e) || e.File != path {
			t.Fatalf("error %T %v is not an *Error naming the file", err, err)
		}
		_ = e.Error()
	}
	r, err := Open(path, Options{})
	if err != nil {
		check(err)
		return
	}
	defer r.Close()
	for i := 0; i < 100000; i++ {
		cells, row, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			check(err)
			if r.err != nil {
				return
			}
			continue
		}
		if len(cells) != len(r.Header()) || row <= r.HeaderRow() {
			t.Fatalf("row %d with %d cells after header row %d of %d columns", row, len(cells), r.HeaderRow(), len(r.Header()))
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"Name,Value\nA,1\n",
		"\uFEFFa;b\r\n1;2\r\n",
		"a\tb\n\"x\ny\"\t2\n",
		"a,b\n1,\"2\n",
		"a,a\n",
		"a\n1,2\n\n3\n",
		"\xbb\xaa,b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readFuzzed(t, data, "fuzz.csv")
	})
}

// smallXLSX returns the bytes of a small valid workbook (made once).
func smallXLSX(tb testing.TB) []byte {
	smallOnce.Do(func() { smallBytes, smallErr = makeSmallXLSX() })
	if smallErr != nil {
		tb.Fatal(smallErr)
	}
	return smallBytes
}

var (
	smallOnce  sync.Once
	smallBytes []byte
	smallErr   error
)

func makeSmallXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Value", "Date"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"华为", 1.5, "2023-01-01"})
	f.SetSheetRow("Sheet1", "A4", &[]any{"B", -2, nil, "x"})
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(smallXLSX(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		readFuzzed(t, data, "fuzz.xlsx")
	})
}

// FuzzReadXLSXSheet fuzzes the worksheet XML inside an otherwise valid
// workbook, which reaches excelize's row parser (mutations of the zip bytes
// mostly stop at the checksum).
func FuzzReadXLSXSheet(f *testing.F) {
	f.Add([]byte(`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>V</t></is></c></row>` +
		`<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3"><v>1.5E-07</v></c><c r="D3" t="e"><v>#N/A</v></c></row>`))
	f.Add([]byte(`<row><c><v>1</v></c></row><row r="1048577"/>`))
	f.Fuzz(func(t *testing.T, rows []byte) {
		readFuzzed(t, workbookWithSheetData(t, rows), "fuzz.xlsx")
	})
}

// workbookWithSheetData replaces the sheetData of smallXLSX's worksheet by
// rows, keeping the zip valid.
func workbookWithSheetData(t *testing.T, rows []byte) []byte {
	src := smallXLSX(t)
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, _ := zw.Create(zf.Name)
		rc, _ := zf.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == "xl/worksheets/sheet1.xml" {
			start := bytes.Index(body, []byte("<sheetData>"))
			end := bytes.Index(body, []byte("</sheetData>"))
			if start < 0 || end < 0 {
				t.Fatalf("no sheetData in %s", body)
			}
			body = append(append(append([]byte(nil), body[:start+len("<sheetData>")]...), rows...), body[end:]...)
		}
		w.Write(body)
	}
	zw.Close()
	return out.Bytes()
}
