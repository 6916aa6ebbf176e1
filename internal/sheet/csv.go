package sheet

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// csvSource reads rows of CSV text.
type csvSource struct {
	f       *os.File
	cr      *csv.Reader
	size    int64
	skipped int64 // bytes before the csv.Reader's input (the BOM)
	row     int   // number of the last row returned, as a spreadsheet counts
	endLine int   // last physical line of that row
}

// openCSV prepares f for reading CSV by the rules that Open states: it drops
// a UTF-8 byte-order mark and picks the separator. Invalid UTF-8 is reported
// row by row, and rows of different lengths are checked by Reader against
// the header (FieldsPerRecord is -1).
func openCSV(f *os.File, size int64) (*csvSource, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	s := &csvSource{f: f, size: size}
	if bom, _ := br.Peek(3); string(bom) == "\xEF\xBB\xBF" {
		_, _ = br.Discard(3)
		s.skipped = 3
	}
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	s.cr = csv.NewReader(br)
	s.cr.Comma = sniffSeparator(head)
	s.cr.FieldsPerRecord = -1
	s.cr.LazyQuotes = false
	s.cr.ReuseRecord = true
	return s, nil
}

// sniffSeparator counts the candidate separators outside quotes in the
// first (up to five) non-blank lines of head and picks the most frequent;
// ties go to ",", then ";", then tab, and "," when there is none.
func sniffSeparator(head []byte) rune {
	counts := map[byte]int{}
	inQuotes, lines, blank := false, 0, true
	for _, c := range head {
		if lines >= 5 {
			break
		}
		switch {
		case c == '"':
			inQuotes = !inQuotes
			blank = false
		case inQuotes:
		case c == '\n':
			if !blank {
				lines++
			}
			blank = true
		case c == ',' || c == ';' || c == '\t':
			counts[c]++
			blank = false
		case c != ' ' && c != '\r':
			blank = false
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.cr.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, s.row, fmt.Errorf("cannot read: %w", err)
		}
		s.row += max(pe.StartLine-s.endLine, 1)
		s.endLine = pe.Line
		return nil, s.row, &Error{Row: s.row, Err: fmt.Errorf("%w at line %d, character %d: %v%s",
			ErrSyntax, pe.Line, pe.Column, pe.Err, syntaxHint(pe.Err))}
	}
	// encoding/csv skips blank lines, but a spreadsheet shows each as a row;
	// count them so that row numbers match what the user sees in Excel.
	line, _ := s.cr.FieldPos(0)
	s.row += max(line-s.endLine, 1)
	last, _ := s.cr.FieldPos(len(rec) - 1)
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	for j, v := range rec {
		if !utf8.ValidString(v) {
			return nil, s.row, &Error{Row: s.row, Column: ColumnName(j), Err: fmt.Errorf(
				`%w (perhaps GBK/GB18030): save the file as "CSV UTF-8 (Comma delimited)"`, ErrEncoding)}
		}
	}
	return rec, s.row, nil
}

// syntaxHint says how to fix a CSV quoting mistake.
func syntaxHint(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `; a value that contains " must be enclosed in quotes, with each " inside doubled ("")`
	case errors.Is(err, csv.ErrQuote):
		return `; a quoted value must end with " right before the separator or the end of the line`
	}
	return ""
}

func (s *csvSource) progress() float64 {
	if s.size == 0 {
		return 0
	}
	return float64(s.skipped+s.cr.InputOffset()) / float64(s.size)
}

func (s *csvSource) close() error { return s.f.Close() }
