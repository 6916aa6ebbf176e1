package sheet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// HintMarker starts a hint row: a row directly below the header (and below
// Options.SkipRows) whose first non-empty cell begins with HintMarker is
// not data, and Reader skips it. WriteTemplate and Writer.WriteHints mark
// their hint and example rows this way. "※" (reference mark, U+203B) is
// what Chinese forms use for notes, and nobody types it at the start of an
// enterprise name, a code or a number.
const HintMarker = "※"

// Options controls how Open reads a file. The zero value reads the first
// sheet with its first non-empty row as the header.
type Options struct {
	// Sheet names the XLSX sheet to read (matched case-insensitively, as
	// Excel does); "" reads the first sheet. Ignored for CSV.
	Sheet string
	// HeaderRow is the 1-based row holding the column names; 0 means the
	// first non-empty row. Rows above the header row are ignored.
	HeaderRow int
	// SkipRows is the number of rows directly below the header row that are
	// not data (e.g. a row of units), skipped whatever they hold. Hint rows
	// (see HintMarker) after them are skipped too, without counting here.
	SkipRows int
	// Name is how errors name the file, e.g. the name under which a user
	// uploaded it; "" means the path given to Open.
	Name string
}

// Reader streams the data rows of one sheet of an XLSX workbook (the first
// sheet unless Options.Sheet says otherwise) or of a CSV file. It is not
// safe for concurrent use.
type Reader struct {
	name       string
	sheet      string // named in errors when the workbook has several sheets
	src        source
	size       int64
	header     []string
	headerRow  int
	skipUntil  int  // rows numbered up to here are not data
	inPreamble bool // no data row yet: hint rows are still skipped
	csv        bool // CSV rows must have a value (maybe empty) for every column
	err        error
	closed     bool
}

// source yields the raw rows of a file: the cells of the next row in
// column order, its 1-based number as a spreadsheet shows it, and io.EOF at
// the end. An *Error is about one row, and the next call goes on after it;
// any other error is fatal.
type source interface {
	next() (cells []string, row int, err error)
	progress() float64
	close() error
}

// Open opens the file at path for reading rows, and reads up to its header
// row. It decides the format by content, not by name: a zip (PK\x03\x04)
// is read as an XLSX workbook; anything else is read as CSV only if its
// extension is .csv, .txt or .tsv and it is text.
//
// XLSX: the parts are checked (sizes against UnzipSizeLimit, checksums)
// before excelize streams the sheet with f.Rows, so a zip bomb or a damaged
// file is refused instead of read short. CSV: UTF-8 only, with or without a
// byte-order mark; the separator is ",", ";" or tab, whichever occurs most
// outside quotes in the first lines; quotes follow RFC 4180 strictly (no
// LazyQuotes); each row must have a value, maybe empty, for every column of
// the header.
//
// Every error is an *Error naming the file (and the row and column when it
// is about one), wrapping one of: ErrEmptyFile; ErrCorrupt (a truncated or
// damaged file); ErrNotSpreadsheet (e.g. a PDF or PNG renamed .xlsx, a web
// page named .xls); ErrLegacyFormat (an Excel 97-2003 .xls: save as
// .xlsx); ErrEncrypted; ErrTooLarge; ErrUnknownSheet (the message lists the
// sheets); ErrNoHeader; ErrDuplicateHeader; ErrEncoding (UTF-16, or invalid
// UTF-8: save as UTF-8); or the operating system's error (errors.Is(err,
// fs.ErrNotExist) works).
func Open(path string, opt Options) (*Reader, error) {
	name := opt.Name
	if name == "" {
		name = path
	}
	fail := func(err error) (*Reader, error) {
		var e *Error
		if errors.As(err, &e) {
			e.File = name
			return nil, e
		}
		return nil, &Error{File: name, Err: err}
	}
	if opt.HeaderRow < 0 || opt.SkipRows < 0 {
		return fail(fmt.Errorf("sheet: invalid options: HeaderRow %d, SkipRows %d", opt.HeaderRow, opt.SkipRows))
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(fmt.Errorf("cannot open: %w", unwrapPath(err)))
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = errors.New("is a folder, not a file")
	}
	if err != nil {
		f.Close()
		return fail(fmt.Errorf("cannot open: %w", unwrapPath(err)))
	}
	kind, err := sniff(f, st.Size(), path)
	if err != nil {
		f.Close()
		return fail(err)
	}
	r := &Reader{name: name, size: st.Size()}
	switch kind {
	case formatXLSX:
		r.src, r.sheet, err = openXLSX(f, st.Size(), path, opt.Sheet)
		f.Close() // excelize keeps its own handle
	case formatCSV:
		r.src, err = openCSV(f, st.Size())
		r.csv = true
	}
	if err != nil {
		if kind == formatCSV {
			f.Close()
		}
		return fail(err)
	}
	if err := r.readHeader(opt); err != nil {
		r.src.close()
		return nil, err
	}
	return r, nil
}

// unwrapPath drops the *fs.PathError layer, whose text repeats the path
// that *Error already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readHeader finds the header row and checks it.
func (r *Reader) readHeader(opt Options) error {
	for {
		cells, row, err := r.src.next()
		if err == io.EOF {
			if opt.HeaderRow > 0 {
				return r.locate(&Error{Row: opt.HeaderRow, Err: fmt.Errorf("%w: the file ends before row %d", ErrNoHeader, opt.HeaderRow)})
			}
			return r.locate(&Error{Err: fmt.Errorf("%w: the file holds no data", ErrNoHeader)})
		}
		if err != nil {
			return r.locate(asError(err, row))
		}
		if opt.HeaderRow > 0 && row < opt.HeaderRow {
			continue
		}
		if opt.HeaderRow > 0 && (row > opt.HeaderRow || isEmpty(cells)) {
			return r.locate(&Error{Row: opt.HeaderRow, Err: fmt.Errorf("%w: row %d is empty", ErrNoHeader, opt.HeaderRow)})
		}
		if isEmpty(cells) {
			continue
		}
		r.headerRow = row
		r.skipUntil = row + opt.SkipRows
		r.inPreamble = true
		return r.setHeader(cells, row)
	}
}

// setHeader trims the header cells, drops trailing empty ones and rejects
// duplicate names (compared case-insensitively).
func (r *Reader) setHeader(cells []string, row int) error {
	h := make([]string, len(cells))
	last := -1
	for j, c := range cells {
		h[j] = strings.TrimSpace(c)
		if h[j] != "" {
			last = j
		}
	}
	h = h[:last+1]
	seen := make(map[string]int, len(h))
	for j, name := range h {
		if name == "" {
			continue
		}
		key := strings.ToLower(name)
		if i, dup := seen[key]; dup {
			r.header = h // so that locate names the column
			return r.locate(&Error{Row: row, Column: ColumnName(j), Err: fmt.Errorf(
				"%w: the same as column %s (%q); give each column its own name", ErrDuplicateHeader, ColumnName(i), h[i])})
		}
		seen[key] = j
	}
	r.header = h
	return nil
}

// Header returns the trimmed header cells, one per column up to the last
// non-empty one. A column with an empty header cell in the middle is kept
// (as "") so that indexes match spreadsheet columns; its data cells are
// always empty, since a value there is an error.
func (r *Reader) Header() []string {
	return append([]string(nil), r.header...)
}

// HeaderRow returns the 1-based row number of the header.
func (r *Reader) HeaderRow() int { return r.headerRow }

// Next returns the next data row: its cells, trimmed of surrounding white
// space and padded with "" (or cut, when only empty cells are beyond the
// header) to exactly len(Header()), and its 1-based row number. Fully empty
// rows, Options.SkipRows and hint rows (see HintMarker) are skipped. At the
// end it returns io.EOF.
//
// An *Error about one row — a value in a column with no header
// (ErrNoHeaderColumn), a CSV row with fewer values than the header
// (ErrRaggedRow), invalid UTF-8 (ErrEncoding), a CSV quoting mistake
// (ErrSyntax), a damaged cell — leaves the reader usable: call Next again
// to go on with the following row, e.g. to report every bad row at once.
// Any other error ends the reading and is returned again by later calls.
// XLSX cells come back as stored, not as displayed: numbers as "1234.5" or
// "1.5E-07" whatever the number format, dates as Excel serial numbers,
// booleans as "1"/"0", formulas as their cached result.
func (r *Reader) Next() (cells []string, row int, err error) {
	if r.closed {
		return nil, 0, &Error{File: r.name, Err: ErrClosed}
	}
	if r.err != nil {
		return nil, 0, r.err
	}
	for {
		cells, row, err := r.src.next()
		if err == io.EOF {
			r.err = io.EOF
			return nil, 0, io.EOF
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, row, r.locate(e)
			}
			r.err = r.locate(&Error{Row: row, Err: err})
			return nil, row, r.err
		}
		if row <= r.skipUntil || isEmpty(cells) {
			continue
		}
		if r.inPreamble {
			if isHintRow(cells) {
				continue
			}
			r.inPreamble = false
		}
		return r.fit(cells, row)
	}
}

// fit shapes a raw row to the header.
func (r *Reader) fit(cells []string, row int) ([]string, int, error) {
	out := make([]string, len(r.header))
	for j, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if j >= len(r.header) || r.header[j] == "" {
			why := "beyond the last column of the header"
			if j < len(r.header) {
				why = fmt.Sprintf("header cell %s%d is empty", ColumnName(j), r.headerRow)
			}
			return nil, row, r.locate(&Error{Row: row, Column: ColumnName(j), Err: fmt.Errorf(
				"%w (%s): %s; give the column a name or delete the value", ErrNoHeaderColumn, why, quote(c))})
		}
		out[j] = c
	}
	if r.csv && len(cells) < len(r.header) {
		return nil, row, r.locate(&Error{Row: row, Err: fmt.Errorf(
			"%w: %d values, but the header has %d columns (a missing separator, or a quote that is never closed?)",
			ErrRaggedRow, len(cells), len(r.header))})
	}
	return out, row, nil
}

// locate completes e with the file, the sheet and the column's header.
func (r *Reader) locate(e *Error) *Error {
	e.File, e.Sheet = r.name, r.sheet
	if e.Header == "" && e.Column != "" {
		if j := columnIndex(e.Column); j >= 0 && j < len(r.header) {
			e.Header = r.header[j]
		}
	}
	return e
}

// asError turns a source's error into an *Error about row.
func asError(err error, row int) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Row: row, Err: err}
}

// Close releases the file (and any temporary files of a large workbook).
// It is safe to call more than once.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.src.close()
}

// SizeHint returns the size of the file in bytes, for a progress bar.
func (r *Reader) SizeHint() int64 { return r.size }

// Progress estimates the part of the file read so far, from 0 to 1: by
// bytes for CSV, by rows against the sheet's recorded dimension for XLSX
// (0 when the workbook does not record one).
func (r *Reader) Progress() float64 {
	if r.err == io.EOF {
		return 1
	}
	return min(max(r.src.progress(), 0), 1)
}

// isEmpty reports whether every cell is empty or white space.
func isEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// isHintRow reports whether the first non-empty cell starts with HintMarker.
func isHintRow(cells []string) bool {
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			return strings.HasPrefix(c, HintMarker)
		}
	}
	return false
}

// columnIndex is the inverse of ColumnName; -1 when s is not a column name.
func columnIndex(s string) int {
	if s == "" || len(s) > 7 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'A' || c > 'Z' {
			return -1
		}
		n = n*26 + int(c-'A'+1)
	}
	return n - 1
}
