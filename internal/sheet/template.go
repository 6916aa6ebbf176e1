package sheet

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Validation restricts what Excel lets a user type into one data column of
// a template (rows 3 to TemplateRows).
type Validation struct {
	// Column is the 0-based index of the column (0 = column A).
	Column int
	// Kind is "decimal" (any number), "whole" (integers) or "list" (one
	// of Choices, from a drop-down).
	Kind string
	// Min and Max are inclusive bounds for "decimal" and "whole"; use
	// math.Inf(-1) or math.Inf(1) for a side without bound. For "whole"
	// they must be integers.
	Min, Max float64
	// Choices are the allowed values of a "list".
	Choices []string
	// Prompt, if not empty, is shown when a cell of the column is
	// selected (at most 255 characters, Excel's limit).
	Prompt string
}

// TemplateRows is the last row that WriteTemplate's validations cover.
const TemplateRows = 10000

// listSheet is the hidden sheet that holds long drop-down lists.
const listSheet = "Lists"

// WriteTemplate writes the XLSX input template an enterprise fills in, at
// path, atomically (as Writer.Close does). The layout:
//
//	row 1  headers: bold, shaded; rows 1–2 frozen so that names and hints stay in view
//	row 2  hints (e.g. unit and valid range), each prefixed with HintMarker
//	row 3  the example: example's values, the first prefixed "※ 示例 e.g. "
//	rows 3…TemplateRows  the validations, with an error message in Chinese and English
//
// Rows 2 and 3 start with HintMarker, so Open skips them when the template
// is read back, and data starts with the first row the enterprise fills in
// (row 3, if it types over the example, or row 4). hints and example may be
// shorter than headers. Header names must be non-empty and distinct (case
// does not count), as Open requires. A list whose choices are too long for
// Excel's 255-character inline limit, or contain a comma, is kept on a
// hidden sheet named "Lists". Errors are *Error naming the file.
func WriteTemplate(path string, headers []string, hints []string, example []any, validations []Validation) error {
	fail := func(col int, format string, a ...any) error {
		e := &Error{File: path, Err: fmt.Errorf(format, a...)}
		if col >= 0 && col < len(headers) {
			e.Column, e.Header = ColumnName(col), headers[col]
		}
		return e
	}
	if len(headers) == 0 {
		return fail(-1, "%w: a template needs at least one column", ErrNoHeader)
	}
	if len(hints) > len(headers) || len(example) > len(headers) {
		return fail(-1, "%w: %d hints and %d example values for %d columns", ErrUnsupported, len(hints), len(example), len(headers))
	}
	seen := map[string]int{}
	for j, h := range headers {
		key := strings.ToLower(strings.TrimSpace(h))
		if key == "" {
			return fail(j, "%w: empty column name", ErrNoHeader)
		}
		if i, dup := seen[key]; dup {
			return fail(j, "%w: the same as column %s", ErrDuplicateHeader, ColumnName(i))
		}
		seen[key] = j
	}

	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fail(-1, "cannot create: %w", err)
	}
	if err := templateRows(f, st, headers, hints, example); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = path
			return e
		}
		return fail(-1, "cannot write: %w", err)
	}
	lists := 0
	for _, v := range validations {
		if v.Column < 0 || v.Column >= len(headers) {
			return fail(-1, "%w: validation for column %d, but there are %d columns", ErrUnsupported, v.Column, len(headers))
		}
		dv, err := dataValidation(f, v, headers[v.Column], &lists)
		if err != nil {
			return fail(v.Column, "%w", err)
		}
		if err := f.AddDataValidation(outputSheet, dv); err != nil {
			return fail(v.Column, "%w: %v", ErrUnsupported, err)
		}
	}
	return saveFile(f, path)
}

// templateRows writes the header, hint and example rows.
func templateRows(f *excelize.File, st xlsxStyles, headers, hints []string, example []any) error {
	widths := make([]float64, len(headers))
	for j, h := range headers {
		widths[j] = columnWidth(h)
		if err := f.SetCellValue(outputSheet, ColumnName(j)+"1", h); err != nil {
			return err
		}
	}
	for j, h := range hintCells(hints) {
		widths[j] = max(widths[j], min(columnWidth(h), 30))
		if err := f.SetCellValue(outputSheet, ColumnName(j)+"2", h); err != nil {
			return err
		}
	}
	for j, x := range example {
		v, err := plainValue(x)
		if err == nil && j == 0 {
			v = HintMarker + " 示例 e.g. " + strings.TrimPrefix(csvText(v), "'")
		}
		if err == nil {
			v, err = xlsxValue(v, st)
		}
		if err != nil {
			return &Error{Row: 3, Column: ColumnName(j), Header: headers[j], Err: err}
		}
		if c, ok := v.(excelize.Cell); ok {
			v = c.Value
		}
		if err := f.SetCellValue(outputSheet, ColumnName(j)+"3", v); err != nil {
			return err
		}
		widths[j] = max(widths[j], min(columnWidth(fmt.Sprint(v)), 30))
	}
	if len(example) == 0 {
		if err := f.SetCellValue(outputSheet, "A3", HintMarker+" 示例 e.g."); err != nil {
			return err
		}
	}
	last := ColumnName(len(headers) - 1)
	for _, s := range []struct {
		from  string
		style int
	}{{"A1", st.header}, {"A2", st.hint}, {"A3", st.hint}} {
		row := s.from[1:]
		if err := f.SetCellStyle(outputSheet, s.from, last+row, s.style); err != nil {
			return err
		}
	}
	for j, w := range widths {
		if err := f.SetColWidth(outputSheet, ColumnName(j), ColumnName(j), w); err != nil {
			return err
		}
	}
	return f.SetPanes(outputSheet, frozenRows(2))
}

// dataValidation builds Excel's validation for v on a column named header.
// Lists that cannot be inline go to the hidden sheet; lists counts them.
func dataValidation(f *excelize.File, v Validation, header string, lists *int) (*excelize.DataValidation, error) {
	col := ColumnName(v.Column)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("%s3:%s%d", col, col, TemplateRows))
	if v.Prompt != "" {
		if n := len(utf16.Encode([]rune(v.Prompt))); n > 255 {
			return nil, fmt.Errorf("%w: a prompt of %d characters; Excel shows at most 255", ErrUnsupported, n)
		}
		dv.SetInput(clip(header, 32), v.Prompt)
	}
	switch v.Kind {
	case "decimal", "whole":
		if math.IsNaN(v.Min) || math.IsNaN(v.Max) || v.Min > v.Max || math.IsInf(v.Min, 1) || math.IsInf(v.Max, -1) {
			return nil, fmt.Errorf("%w: bounds %v to %v", ErrUnsupported, v.Min, v.Max)
		}
		typ, what, whatZH := excelize.DataValidationTypeDecimal, "a number", "数字"
		if v.Kind == "whole" {
			if !integral(v.Min) || !integral(v.Max) {
				return nil, fmt.Errorf("%w: whole-number bounds %v to %v are not integers", ErrUnsupported, v.Min, v.Max)
			}
			typ, what, whatZH = excelize.DataValidationTypeWhole, "a whole number", "整数"
		}
		lo, hi := bound(v.Min), bound(v.Max)
		var err error
		var en, zh string
		switch {
		case math.IsInf(v.Min, -1) && math.IsInf(v.Max, 1):
			err = dv.SetRange("-9.99E+307", "9.99E+307", typ, excelize.DataValidationOperatorBetween)
			en, zh = "Enter "+what, "请输入"+whatZH
		case math.IsInf(v.Min, -1):
			err = dv.SetRange(hi, "", typ, excelize.DataValidationOperatorLessThanOrEqual)
			en, zh = fmt.Sprintf("Enter %s not above %s", what, hi), fmt.Sprintf("请输入不大于 %s 的%s", hi, whatZH)
		case math.IsInf(v.Max, 1):
			err = dv.SetRange(lo, "", typ, excelize.DataValidationOperatorGreaterThanOrEqual)
			en, zh = fmt.Sprintf("Enter %s not below %s", what, lo), fmt.Sprintf("请输入不小于 %s 的%s", lo, whatZH)
		default:
			err = dv.SetRange(lo, hi, typ, excelize.DataValidationOperatorBetween)
			en, zh = fmt.Sprintf("Enter %s from %s to %s", what, lo, hi), fmt.Sprintf("请输入 %s 到 %s 之间的%s", lo, hi, whatZH)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, clip(header, 32), zh+"。"+en+".")
	case "list":
		if len(v.Choices) == 0 {
			return nil, fmt.Errorf("%w: a list without choices", ErrUnsupported)
		}
		inline := true
		for _, c := range v.Choices {
			inline = inline && !strings.ContainsAny(c, `,"`)
		}
		if !inline || dv.SetDropList(v.Choices) != nil {
			if err := listOnSheet(f, dv, v.Choices, lists); err != nil {
				return nil, err
			}
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, clip(header, 32), "请从下拉列表中选择。Choose a value from the list.")
	default:
		return nil, fmt.Errorf(`%w validation kind %q: use "decimal", "whole" or "list"`, ErrUnsupported, v.Kind)
	}
	return dv, nil
}

// listOnSheet puts choices in the next column of the hidden list sheet and
// points dv at them.
func listOnSheet(f *excelize.File, dv *excelize.DataValidation, choices []string, lists *int) error {
	if *lists == 0 {
		if _, err := f.NewSheet(listSheet); err != nil {
			return err
		}
		if err := f.SetSheetVisible(listSheet, false); err != nil {
			return err
		}
	}
	col := ColumnName(*lists)
	*lists++
	for i, c := range choices {
		if err := f.SetCellStr(listSheet, col+strconv.Itoa(i+1), c); err != nil {
			return err
		}
	}
	dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$1:$%s$%d", listSheet, col, col, len(choices)))
	return nil
}

// bound renders a validation bound for an Excel formula.
func bound(v float64) string { return formatNumber(v) }

func integral(v float64) bool { return math.IsInf(v, 0) || v == math.Trunc(v) }

// clip shortens s to n UTF-16 units (Excel's limit on titles).
func clip(s string, n int) string {
	u := utf16.Encode([]rune(s))
	if len(u) <= n {
		return s
	}
	return string(utf16.Decode(u[:n]))
}

// saveFile writes f to path through a temporary file, as Writer.Close does.
func saveFile(f *excelize.File, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return &Error{File: path, Err: fmt.Errorf("cannot create: %w", unwrapPath(err))}
	}
	bw := bufio.NewWriter(tmp)
	err = f.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = commit(tmp, path)
	} else {
		tmp.Close()
	}
	if err != nil {
		os.Remove(tmp.Name())
		return &Error{File: path, Err: fmt.Errorf("cannot save: %w", unwrapPath(err))}
	}
	return nil
}
