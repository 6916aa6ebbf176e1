package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits on what an XLSX workbook may unpack to. A zip "bomb" — a small file
// that inflates to gigabytes — is refused before anything is inflated into
// memory.
var (
	// UnzipSizeLimit caps the total uncompressed size of all parts of a
	// workbook; a workbook beyond it is refused with ErrTooLarge.
	UnzipSizeLimit int64 = 1 << 30 // 1 GiB
	// UnzipXMLSizeLimit caps the size of a worksheet or shared-string part
	// held in memory; a larger part is unpacked to a temporary file instead
	// (excelize's Options.UnzipXMLSizeLimit). It must not exceed
	// UnzipSizeLimit.
	UnzipXMLSizeLimit int64 = 256 << 20 // 256 MiB
)

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	f       *excelize.File
	rows    *excelize.Rows
	row     int
	lastRow int // from the sheet's dimension, for progress; 0 when unknown
}

// openXLSX checks the zip container of the workbook at path (already
// opened as f) and opens the sheet named sheet ("" = first) for streaming.
// It returns the sheet's name to show in errors, "" for a workbook with a
// single sheet.
func openXLSX(f *os.File, size int64, path, sheet string) (src *xlsxSource, label string, err error) {
	var wb *excelize.File
	defer func() {
		if err != nil && wb != nil {
			wb.Close() // removes excelize's temporary files
		}
	}()
	defer recoverCorrupt(&err) // runs first
	if err := checkZip(f, size); err != nil {
		return nil, "", err
	}
	wb, err = excelize.OpenFile(path, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    UnzipSizeLimit,
		UnzipXMLSizeLimit: min(UnzipXMLSizeLimit, UnzipSizeLimit),
	})
	if err != nil {
		return nil, "", fmt.Errorf("%w: the workbook cannot be read (%v); open it in Excel and save it again", ErrCorrupt, err)
	}
	sheets := wb.GetSheetList()
	name := ""
	switch {
	case len(sheets) == 0:
		return nil, "", fmt.Errorf("%w: the workbook has no sheets", ErrNoHeader)
	case sheet == "":
		name = sheets[0]
	default:
		for _, n := range sheets {
			if strings.EqualFold(n, sheet) {
				name = n
				break
			}
		}
		if name == "" {
			has := "the sheets " + quoteList(sheets)
			if len(sheets) == 1 {
				has = "one sheet, " + quoteList(sheets)
			}
			return nil, "", fmt.Errorf("%w %q: the workbook has %s", ErrUnknownSheet, sheet, has)
		}
	}
	s := &xlsxSource{f: wb}
	if s.rows, err = wb.Rows(name); err != nil {
		return nil, "", fmt.Errorf("%w: sheet %q cannot be read (%v); is it a chart sheet?", ErrCorrupt, name, err)
	}
	if dim, err := wb.GetSheetDimension(name); err == nil {
		if i := strings.LastIndexByte(dim, ':'); i >= 0 {
			if _, r, err := excelize.SplitCellName(dim[i+1:]); err == nil {
				s.lastRow = r
			}
		}
	}
	if len(sheets) > 1 {
		label = name
	}
	return s, label, nil
}

// checkZip refuses what excelize would read wrongly or silently: a file
// that is not a zip or is cut short; a zip that is not a workbook (a Word
// document, an OpenDocument file, a binary .xlsb); a workbook that unpacks
// beyond UnzipSizeLimit; and damaged parts, which excelize would read as
// truncated without a word (its part reader ignores checksum errors), so
// that rows would go missing.
func checkZip(f *os.File, size int64) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("%w: the XLSX file is cut short or its zip structure is broken (%v); if it was uploaded or copied, do it again", ErrCorrupt, err)
	}
	var total uint64
	has := map[string]bool{}
	for _, zf := range zr.File {
		n := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		has[n] = true
		if i := strings.IndexByte(n, '/'); i > 0 {
			has[n[:i+1]] = true
		}
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > uint64(UnzipSizeLimit) || total > uint64(UnzipSizeLimit) {
			return fmt.Errorf("%w: the workbook unpacks to more than %s (the limit); split the data into several files",
				ErrTooLarge, byteSize(UnzipSizeLimit))
		}
	}
	switch {
	case has["word/"]:
		return fmt.Errorf("%w: the file is a Word document, not a workbook", ErrNotSpreadsheet)
	case has["ppt/"]:
		return fmt.Errorf("%w: the file is a PowerPoint presentation, not a workbook", ErrNotSpreadsheet)
	case has["mimetype"] && has["content.xml"]:
		return fmt.Errorf("%w: the file is an OpenDocument file (.ods): save it as Excel Workbook (.xlsx)", ErrNotSpreadsheet)
	case has["xl/workbook.bin"]:
		return fmt.Errorf("%w: the file is an Excel binary workbook (.xlsb): save it as Excel Workbook (.xlsx)", ErrNotSpreadsheet)
	case !has["[content_types].xml"] || !has["xl/"]:
		return fmt.Errorf("%w: the file is a zip archive, not an XLSX workbook", ErrNotSpreadsheet)
	}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		if err := checkPart(zf); err != nil {
			return fmt.Errorf("%w: part %s of the workbook is damaged (%v); if it was uploaded or copied, do it again", ErrCorrupt, zf.Name, err)
		}
	}
	return nil
}

// checkPart inflates one part to verify its size and checksum.
func checkPart(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

func (s *xlsxSource) next() (cells []string, row int, err error) {
	defer recoverCorrupt(&err)
	// Rows.Next is called once per row number, empty rows included, so the
	// count of calls is the row number.
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			if errors.Is(err, excelize.ErrMaxRows) {
				return nil, s.row + 1, fmt.Errorf("%w: more rows than a worksheet can hold", ErrCorrupt)
			}
			return nil, s.row + 1, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil, 0, io.EOF
	}
	s.row++
	cells, err = s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, s.row, &Error{Row: s.row, Err: fmt.Errorf("%w: the row cannot be read (%v)", ErrCorrupt, err)}
	}
	return cells, s.row, nil
}

func (s *xlsxSource) progress() float64 {
	if s.lastRow == 0 {
		return 0
	}
	return float64(s.row) / float64(s.lastRow)
}

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// recoverCorrupt turns a panic inside excelize, on a workbook malformed in
// a way it does not expect, into ErrCorrupt: a bad upload must not bring
// the server down.
func recoverCorrupt(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%w: the workbook cannot be read (%v); open it in Excel and save it again", ErrCorrupt, p)
	}
}

// quoteList renders names as "a", "b" and "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// byteSize renders n bytes for people: "1 GiB", "256 MiB", "1500 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
