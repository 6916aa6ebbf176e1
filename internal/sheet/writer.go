package sheet

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// outputSheet is the name of the one sheet Writer and WriteTemplate write.
const outputSheet = "Sheet1"

// Writer writes one table to a new XLSX or CSV file, row by row. Nothing
// appears at the path until Close succeeds; then the complete file replaces
// whatever was there in one step. It is not safe for concurrent use.
type Writer struct {
	path   string
	tmp    *os.File
	bw     *bufio.Writer
	cw     *csv.Writer // CSV only
	xf     *excelize.File
	sw     *excelize.StreamWriter // XLSX only
	styles xlsxStyles
	header []string
	row    int // rows written so far
	err    error
	closed bool
}

type xlsxStyles struct{ header, hint, date, dateTime int }

// Create starts writing the file at path, whose extension chooses the
// format: ".xlsx" (written with excelize's StreamWriter) or ".csv" (UTF-8
// with a byte-order mark, so that Excel shows Chinese correctly, and CRLF
// line ends). The rows go to a temporary file in the same folder; Close
// moves it into place. Errors are *Error naming the file.
func Create(path string) (*Writer, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && ext != ".csv" {
		return nil, &Error{File: path, Err: fmt.Errorf("%w output type %q: name the file .xlsx or .csv", ErrUnsupported, ext)}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, &Error{File: path, Err: fmt.Errorf("cannot create: %w", unwrapPath(err))}
	}
	w := &Writer{path: path, tmp: tmp, bw: bufio.NewWriterSize(tmp, 64<<10)}
	if ext == ".csv" {
		_, _ = w.bw.WriteString("\uFEFF")
		w.cw = csv.NewWriter(w.bw)
		w.cw.UseCRLF = true
		return w, nil
	}
	w.xf = excelize.NewFile()
	if w.sw, err = w.xf.NewStreamWriter(outputSheet); err == nil {
		w.styles, err = newStyles(w.xf)
	}
	if err != nil {
		w.Abort()
		return nil, &Error{File: path, Err: fmt.Errorf("cannot create: %w", err)}
	}
	return w, nil
}

// newStyles registers the few cell styles that Writer and WriteTemplate use.
func newStyles(f *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	var err error
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.hint, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "7F7F7F"},
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.date, &excelize.Style{CustomNumFmt: &dateFmt}},
		{&s.dateTime, &excelize.Style{CustomNumFmt: &dateTimeFmt}},
	} {
		if *st.id, err = f.NewStyle(st.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

// WriteHeader writes the header row; it must come before any other row.
// notes, optional and possibly shorter than cells, are per-column
// explanations: in XLSX each non-empty note becomes a comment on its header
// cell; CSV has no place for them and ignores them (use WriteHints). In
// XLSX the header is bold, its row frozen, and columns sized to their names.
func (w *Writer) WriteHeader(cells []string, notes []string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.row != 0 {
		return w.errorf(0, "%w: the header must be the first row", ErrUnsupported)
	}
	if len(notes) > len(cells) {
		return w.errorf(0, "%w: %d notes for %d columns", ErrUnsupported, len(notes), len(cells))
	}
	w.header = append([]string(nil), cells...)
	if w.cw != nil {
		return w.writeCSV(cells)
	}
	for j, c := range cells {
		if err := w.sw.SetColWidth(j+1, j+1, columnWidth(c)); err != nil {
			return w.fail(err)
		}
	}
	if err := w.sw.SetPanes(frozenRows(1)); err != nil {
		return w.fail(err)
	}
	for j, n := range notes {
		if n == "" {
			continue
		}
		if err := w.xf.AddComment(outputSheet, excelize.Comment{Cell: ColumnName(j) + "1", Author: "Exemplar", Text: n}); err != nil {
			return w.fail(err)
		}
	}
	row := make([]any, len(cells))
	for j, c := range cells {
		row[j] = excelize.Cell{StyleID: w.styles.header, Value: c}
	}
	return w.writeXLSX(row)
}

// WriteHints writes a hint row (e.g. units and valid ranges) right below
// the header: each non-empty hint is prefixed with HintMarker, and the
// first cell always carries it, so that Reader skips the row when the file
// is read back. It must directly follow WriteHeader.
func (w *Writer) WriteHints(hints []string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.row != 1 || w.header == nil {
		return w.errorf(0, "%w: hints must directly follow the header", ErrUnsupported)
	}
	if len(hints) > len(w.header) {
		return w.errorf(0, "%w: %d hints for %d columns", ErrUnsupported, len(hints), len(w.header))
	}
	cells := hintCells(hints)
	if w.cw != nil {
		return w.writeCSV(cells)
	}
	row := make([]any, len(cells))
	for j, c := range cells {
		row[j] = excelize.Cell{StyleID: w.styles.hint, Value: c}
	}
	return w.writeXLSX(row)
}

// hintCells prefixes hints with HintMarker.
func hintCells(hints []string) []string {
	cells := make([]string, max(len(hints), 1))
	for j, h := range hints {
		if h != "" {
			cells[j] = HintMarker + " " + h
		}
	}
	if !strings.HasPrefix(cells[0], HintMarker) {
		cells[0] = HintMarker + cells[0]
	}
	return cells
}

// WriteRow writes one data row. A cell may be nil (empty), a string, any
// integer or float type (or a named type of one), a bool or a time.Time.
// In XLSX numbers stay numbers (rounded to Excel's 15 significant digits),
// times become dates formatted yyyy-mm-dd (with hh:mm:ss unless midnight).
// In CSV numbers are written in full precision with "." as decimal point,
// and a text cell starting with =, +, -, @, tab or CR gets a leading "'" so
// that Excel does not run it as a formula (CSV injection): pass numbers as
// numbers, not text. A row longer than the header, NaN, ±Inf, an
// unsupported type or (XLSX) text beyond 32,767 characters is refused with
// an *Error naming the row and column; nothing of that row is written and
// the Writer stays usable.
func (w *Writer) WriteRow(cells []any) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.header != nil && len(cells) > len(w.header) {
		return w.errorf(0, "%w: %d values for %d columns", ErrUnsupported, len(cells), len(w.header))
	}
	vals := make([]any, len(cells))
	for j, c := range cells {
		v, err := plainValue(c)
		if err == nil && w.cw == nil {
			v, err = xlsxValue(v, w.styles)
		}
		if err != nil {
			e := &Error{File: w.path, Row: w.row + 1, Column: ColumnName(j), Err: err}
			if j < len(w.header) {
				e.Header = w.header[j]
			}
			return e
		}
		vals[j] = v
	}
	if w.cw == nil {
		return w.writeXLSX(vals)
	}
	// Pad to the header: a CSV row with fewer values than its header reads
	// as damaged (see Reader.Next).
	rec := make([]string, max(len(vals), len(w.header)))
	for j, v := range vals {
		rec[j] = csvText(v)
	}
	return w.writeCSV(rec)
}

// plainValue reduces v to nil, string, float64, int64, uint64, bool or
// time.Time.
func plainValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, uint64, bool, time.Time:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w value %v: a cell holds finite numbers only", ErrUnsupported, x)
		}
		if x == 0 {
			return 0.0, nil // not "-0"
		}
		return x, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return plainValue(rv.Float())
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return plainValue(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("%w value of type %T", ErrUnsupported, v)
}

// maxCellChars is Excel's limit on the length of a cell, in UTF-16 units.
const maxCellChars = 32767

// xlsxValue prepares a plain value for the stream writer.
func xlsxValue(v any, st xlsxStyles) (any, error) {
	switch x := v.(type) {
	case string:
		if n := len(utf16.Encode([]rune(x))); n > maxCellChars {
			return nil, fmt.Errorf("%w: text of %d characters; an Excel cell holds at most %d", ErrUnsupported, n, maxCellChars)
		}
	case float64:
		// Round (excelize would truncate) to the 15 digits Excel keeps.
		r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
		return r, nil
	case time.Time:
		style := st.dateTime
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			style = st.date
		}
		return excelize.Cell{StyleID: style, Value: x}, nil
	}
	return v, nil
}

// csvText renders a plain value as CSV text.
func csvText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	case float64:
		return formatNumber(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

func (w *Writer) writeCSV(rec []string) error {
	if err := w.cw.Write(rec); err != nil {
		return w.fail(err)
	}
	w.row++
	return nil
}

func (w *Writer) writeXLSX(vals []any) error {
	if err := w.sw.SetRow("A"+strconv.Itoa(w.row+1), vals); err != nil {
		return w.fail(err)
	}
	w.row++
	return nil
}

// usable reports a Writer that can no longer write.
func (w *Writer) usable() error {
	if w.closed {
		return &Error{File: w.path, Err: ErrClosed}
	}
	return w.err
}

// fail records an error that makes the output unusable.
func (w *Writer) fail(err error) error {
	w.err = &Error{File: w.path, Row: w.row + 1, Err: fmt.Errorf("cannot write: %w", err)}
	return w.err
}

func (w *Writer) errorf(row int, format string, a ...any) error {
	return &Error{File: w.path, Row: row, Err: fmt.Errorf(format, a...)}
}

// Close finishes the file: it writes the temporary file out, flushes it to
// disk (fsync), renames it over path and syncs the folder. If anything
// fails, or a write failed before, the temporary file is removed, path is
// left as it was, and the error is returned. Calling Close again returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	w.closed = true
	err := w.finish()
	if err == nil {
		err = commit(w.tmp, w.path)
	} else {
		w.tmp.Close()
	}
	if err != nil {
		os.Remove(w.tmp.Name())
		return &Error{File: w.path, Err: fmt.Errorf("cannot save: %w", unwrapPath(err))}
	}
	return nil
}

// finish writes everything still buffered to the temporary file.
func (w *Writer) finish() error {
	if w.cw != nil {
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return err
		}
		return w.bw.Flush()
	}
	defer w.xf.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	// excelize builds the whole zip in memory unless given a ZipWriter:
	// stream it straight into the temporary file instead.
	w.xf.ZipWriter = func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w.bw) }
	if err := w.xf.Write(io.Discard); err != nil {
		return err
	}
	return w.bw.Flush()
}

// commit makes tmp durable and moves it to path.
func commit(tmp *os.File, path string) error {
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; not every file system can sync a
	// directory, and the data is safe either way.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Abort discards everything written: the temporary file is removed and
// path is left untouched. It is safe after Close (then it does nothing).
func (w *Writer) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	if w.xf != nil {
		w.xf.Close()
	}
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}

// columnWidth sizes a column to show text, counting wide (CJK) characters
// twice, between 8 and 50 characters.
func columnWidth(text string) float64 {
	n := 0.0
	for _, line := range strings.Split(text, "\n") {
		w := 0.0
		for _, r := range line {
			if r >= 0x1100 {
				w += 2
			} else {
				w++
			}
		}
		n = max(n, w)
	}
	return min(max(n+2, 8), 50)
}

// frozenRows freezes the top n rows.
func frozenRows(n int) *excelize.Panes {
	cell := "A" + strconv.Itoa(n+1)
	return &excelize.Panes{Freeze: true, YSplit: n, TopLeftCell: cell, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: cell, ActiveCell: cell, Pane: "bottomLeft"}}}
}
