package sheet

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// format is what a file's content says it is.
type format int

const (
	formatXLSX format = iota + 1
	formatCSV
)

// csvExtensions are the extensions under which text is read as CSV.
var csvExtensions = map[string]bool{".csv": true, ".txt": true, ".tsv": true}

var (
	magicZip      = []byte("PK\x03\x04")
	magicEmptyZip = []byte("PK\x05\x06")
	magicOLE      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// otherFormats name the files people most often upload by mistake.
var otherFormats = []struct {
	magic string
	what  string
}{
	{"%PDF-", "a PDF document"},
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xFF\xD8\xFF", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"{\\rtf", "an RTF document"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
	{"\x1f\x8b", "a gzip archive"},
	{"II*\x00", "a TIFF image"},
	{"MM\x00*", "a TIFF image"},
}

// sniff decides from the content of f (and, for text, the extension of
// path) whether it is an XLSX workbook or CSV text, or says what else it
// is. It leaves f's offset undefined.
func sniff(f *os.File, size int64, path string) (format, error) {
	if size == 0 {
		return 0, fmt.Errorf("%w (0 bytes): the upload or copy did not complete", ErrEmptyFile)
	}
	head := make([]byte, 4096)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return 0, fmt.Errorf("cannot read: %w", err)
	}
	head = head[:n]
	ext := strings.ToLower(filepath.Ext(path))

	switch {
	case bytes.HasPrefix(head, magicZip):
		return formatXLSX, nil
	case bytes.HasPrefix(head, magicEmptyZip):
		return 0, fmt.Errorf("%w: the file is an empty zip archive", ErrNotSpreadsheet)
	case bytes.HasPrefix(head, magicOLE):
		return 0, classifyOLE(f, size)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return 0, fmt.Errorf(`%w: the file is UTF-16 text (Excel's "Unicode Text"): save it as "CSV UTF-8 (Comma delimited)"`, ErrEncoding)
	}
	for _, o := range otherFormats {
		if bytes.HasPrefix(head, []byte(o.magic)) {
			return 0, fmt.Errorf("%w: the file is %s, not an XLSX workbook or CSV text", ErrNotSpreadsheet, o.what)
		}
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	lower := bytes.ToLower(text[:min(len(text), 1024)])
	switch {
	case bytes.HasPrefix(lower, []byte("<?xml")) && bytes.Contains(lower, []byte("urn:schemas-microsoft-com:office:spreadsheet")),
		bytes.HasPrefix(lower, []byte("<?mso-application")):
		return 0, fmt.Errorf("%w: the file is an Excel 2003 XML spreadsheet: open it in Excel and save it as Excel Workbook (.xlsx)", ErrLegacyFormat)
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")),
		bytes.HasPrefix(lower, []byte("<table")), bytes.HasPrefix(lower, []byte("<meta")):
		return 0, fmt.Errorf("%w: the file is a web page (HTML), as some systems export under an .xls name: open it in Excel and save it as Excel Workbook (.xlsx)", ErrNotSpreadsheet)
	case bytes.IndexByte(head, 0) >= 0:
		return 0, fmt.Errorf("%w: the file holds binary data, not an XLSX workbook or CSV text", ErrNotSpreadsheet)
	}
	if csvExtensions[ext] {
		return formatCSV, nil
	}
	switch ext {
	case ".xlsx", ".xlsm", ".xls", ".xltx", ".et":
		return 0, fmt.Errorf("%w: the file is text, not an XLSX workbook; if it is CSV, name it .csv", ErrNotSpreadsheet)
	case "":
		return 0, fmt.Errorf("%w: the file has no extension; name an XLSX workbook .xlsx and CSV text .csv", ErrNotSpreadsheet)
	}
	return 0, fmt.Errorf("%w: unknown file type %q: use an XLSX workbook (.xlsx) or CSV text (.csv)", ErrNotSpreadsheet, ext)
}

// classifyOLE says what an OLE compound document (the container of old
// Office files and of password-protected new ones) most likely holds, by
// looking for its well-known stream names, stored in UTF-16LE in the
// directory sectors, in the first 16 MiB of the file.
func classifyOLE(f *os.File, size int64) error {
	buf := make([]byte, min(size, 16<<20))
	n, _ := f.ReadAt(buf, 0)
	buf = buf[:n]
	has := func(name string) bool {
		u := utf16.Encode([]rune(name))
		b := make([]byte, 0, 2*len(u)+2)
		for _, c := range u {
			b = append(b, byte(c), byte(c>>8))
		}
		return bytes.Contains(buf, append(b, 0, 0)) // names are NUL-terminated
	}
	switch {
	case has("EncryptionInfo"):
		return fmt.Errorf("%w: open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password) and save it again", ErrEncrypted)
	case has("Workbook"), has("Book"):
		return fmt.Errorf("%w: open it in Excel or WPS and save it as Excel Workbook (.xlsx)", ErrLegacyFormat)
	case has("WordDocument"):
		return fmt.Errorf("%w: the file is a Word 97-2003 document (.doc), not a workbook", ErrNotSpreadsheet)
	case has("PowerPoint Document"):
		return fmt.Errorf("%w: the file is a PowerPoint 97-2003 presentation (.ppt), not a workbook", ErrNotSpreadsheet)
	}
	return fmt.Errorf("%w (an OLE compound file): if it is a workbook, open it in Excel and save it as Excel Workbook (.xlsx)", ErrLegacyFormat)
}
