// Package sheet reads and writes tabular files — XLSX workbooks and CSV
// text — row by row, and tells the person who made a bad file exactly what
// is wrong with it and where: the file, the sheet, the row and column as a
// spreadsheet shows them, and the column's header.
//
// Reading (Open, Reader) streams: memory does not grow with the number of
// rows. Writing (Create, Writer) streams too and replaces the output file
// atomically on Close, so a killed process never leaves half a file behind.
// WriteTemplate makes the XLSX input template an enterprise fills in, with
// hints, an example and data validations; Open reads it back.
//
// Every error about an input file is an *Error; its Err wraps one of the
// Err… sentinels below, so a caller can tell the kinds apart with errors.Is.
package sheet

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors wrapped by *Error.Err (test with errors.Is).
var (
	ErrEmptyFile       = errors.New("empty file")
	ErrNotSpreadsheet  = errors.New("not a spreadsheet")
	ErrLegacyFormat    = errors.New("old Excel 97-2003 (.xls) workbook")
	ErrEncrypted       = errors.New("password-protected workbook")
	ErrCorrupt         = errors.New("damaged file")
	ErrTooLarge        = errors.New("file too large")
	ErrUnknownSheet    = errors.New("no such sheet")
	ErrNoHeader        = errors.New("no header row")
	ErrDuplicateHeader = errors.New("duplicate column name")
	ErrNoHeaderColumn  = errors.New("value in a column with no header")
	ErrRaggedRow       = errors.New("wrong number of values")
	ErrEncoding        = errors.New("not UTF-8 text")
	ErrSyntax          = errors.New("CSV syntax error")
	ErrNotNumber       = errors.New("not a number")
	ErrUnsupported     = errors.New("unsupported")
	ErrClosed          = errors.New("already closed")
)

// Error locates a problem in an input (or output) file. Row is 1-based as a
// spreadsheet shows it (the header is row 1 when it is the first row);
// Column is the column's letter (A, B, …, AA) for XLSX and CSV alike, and
// Header the column's header text when known. Sheet is set for workbooks
// with more than one sheet. Fields that do not apply are zero.
//
// Error() renders e.g.
//
//	data.xlsx: row 12, column D ("Net sales"): not a number: "12,3x"
//
// omitting absent parts.
type Error struct {
	File   string
	Sheet  string
	Row    int
	Column string
	Header string
	Err    error
}

// Error renders the location, then the problem.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	var loc []string
	if e.Sheet != "" {
		loc = append(loc, fmt.Sprintf("sheet %q", e.Sheet))
	}
	if e.Row > 0 {
		loc = append(loc, fmt.Sprintf("row %d", e.Row))
	}
	if e.Column != "" {
		c := "column " + e.Column
		if e.Header != "" {
			c += fmt.Sprintf(" (%q)", e.Header)
		}
		loc = append(loc, c)
	}
	if len(loc) > 0 {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(strings.Join(loc, ", "))
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ColumnName returns the spreadsheet letter of the 0-based column index i:
// 0 → "A", 25 → "Z", 26 → "AA", 701 → "ZZ", 702 → "AAA". It returns "" for
// a negative i.
func ColumnName(i int) string {
	if i < 0 {
		return ""
	}
	var buf [16]byte
	n := len(buf)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		buf[n] = byte('A' + (i-1)%26)
	}
	return string(buf[n:])
}

// quote renders a cell value for an error message: quoted, and shortened
// when long, so that one bad cell cannot flood a report.
func quote(s string) string {
	const max = 60
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
