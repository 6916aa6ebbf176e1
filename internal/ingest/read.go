package ingest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/uscc"
)

// Options tune Read.
type Options struct {
	Sheet string
	// IgnoreUnknown skips columns that name no input instead of refusing
	// the file.
	IgnoreUnknown bool
	// MaxErrors stops collecting after this many bad cells (default 50).
	MaxErrors int
	// Progress, when set, is called every few thousand rows with the rows
	// read and the fraction of the file they make.
	Progress func(rows int, fraction float64)
}

// Errors is every problem found in a file; Read returns it and no table.
type Errors struct {
	File  string
	List  []error
	Extra int // problems beyond MaxErrors, not listed
}

func (e *Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem", e.File, len(e.List)+e.Extra)
	if len(e.List)+e.Extra != 1 {
		b.WriteString("s")
	}
	for _, err := range e.List {
		b.WriteString("\n  ")
		b.WriteString(err.Error())
	}
	if e.Extra > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.Extra)
	}
	return b.String()
}

// Unwrap lets errors.As find the first *sheet.Error.
func (e *Errors) Unwrap() []error { return e.List }

type collector struct {
	errs *Errors
	max  int
}

func (c *collector) add(err error) {
	if len(c.errs.List) < c.max {
		c.errs.List = append(c.errs.List, err)
	} else {
		c.errs.Extra++
	}
}

// Read reads the enterprises in path into a table for p. Every value is
// checked; on any problem Read returns *Errors listing them (up to
// MaxErrors) and no table.
func Read(p *program.Program, path string, opt Options) (*scoring.Table, error) {
	r, err := sheet.Open(path, sheet.Options{Sheet: opt.Sheet})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return read(p, r, path, opt)
}

func read(p *program.Program, r *sheet.Reader, path string, opt Options) (*scoring.Table, error) {
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 50
	}
	col := &collector{errs: &Errors{File: path}, max: opt.MaxErrors}
	cellErr := func(row, c int, header string, err error) error {
		return &sheet.Error{File: path, Sheet: opt.Sheet, Row: row, Column: sheet.ColumnName(c), Header: header, Err: err}
	}
	m := newMatcher(p)
	headers := r.Header()
	cols := make([]column, len(headers))
	seen := map[string]int{}
	for c, h := range headers {
		cc, err := m.resolve(h)
		if err != nil {
			if opt.IgnoreUnknown && strings.HasPrefix(err.Error(), "unknown column") {
				continue
			}
			col.add(cellErr(1, c, h, err))
			continue
		}
		key := fmt.Sprintf("%s[%d]", cc.input.ID, cc.year)
		if prev, dup := seen[key]; dup {
			col.add(cellErr(1, c, h, fmt.Errorf("same input as column %s (%q)", sheet.ColumnName(prev), headers[prev])))
			continue
		}
		seen[key] = c
		cols[c] = cc
	}
	for _, in := range p.Inputs {
		if !in.Required && in != p.IDInput {
			continue
		}
		for y := 0; y < in.Years; y++ {
			if _, ok := seen[fmt.Sprintf("%s[%d]", in.ID, y)]; !ok {
				col.add(&sheet.Error{File: path, Row: 1, Err: fmt.Errorf("required column missing: %s (input %s)", Header(in, y), in.ID)})
			}
		}
	}
	if len(col.errs.List) > 0 {
		return nil, col.errs
	}

	t := &scoring.Table{Num: make([][]float64, p.NumCols), Text: make([][]string, p.TxtCols)}
	idRow := map[string]int{}
	rows := 0
	for {
		cells, row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			col.add(err)
			if len(col.errs.List) >= col.max {
				break
			}
			continue
		}
		n := t.N
		t.N++
		for c := range t.Num {
			t.Num[c] = append(t.Num[c], math.NaN())
		}
		for c := range t.Text {
			t.Text[c] = append(t.Text[c], "")
		}
		for c, cell := range cells {
			cc := cols[c]
			if cc.input == nil {
				continue
			}
			cell = strings.TrimSpace(cell)
			if cell == "" {
				if cc.input.Required {
					col.add(cellErr(row, c, headers[c], fmt.Errorf("%s is required", cc.input.ID)))
				}
				continue
			}
			in := cc.input
			if in.Kind == program.KindText {
				v := cell
				if in.Format == "uscc" {
					v = uscc.Normalize(cell)
					if err := uscc.Validate(v); err != nil {
						col.add(cellErr(row, c, headers[c], err))
						continue
					}
				}
				t.Text[in.TextCol][n] = v
				continue
			}
			v, err := parseValue(in, cell, cc.factor)
			if err != nil {
				col.add(cellErr(row, c, headers[c], err))
				continue
			}
			t.Num[in.Col+cc.year][n] = v
		}
		if id := p.IDInput; id != nil {
			v := t.Text[id.TextCol][n]
			if first, dup := idRow[v]; dup && v != "" {
				col.add(&sheet.Error{File: path, Row: row, Column: sheet.ColumnName(seen[id.ID+"[0]"]), Header: headers[seen[id.ID+"[0]"]],
					Err: fmt.Errorf("duplicate %s %s: already on row %d", id.ID, v, first)})
			} else {
				idRow[v] = row
			}
		}
		rows++
		if opt.Progress != nil && rows%4096 == 0 {
			opt.Progress(rows, r.Progress())
		}
	}
	if len(col.errs.List) > 0 {
		return nil, col.errs
	}
	if opt.Progress != nil {
		opt.Progress(rows, 1)
	}
	return t, nil
}

// parseValue reads a numeric, yes/no or choice cell.
func parseValue(in *program.InputInfo, cell string, factor float64) (float64, error) {
	switch in.Kind {
	case program.KindYesNo:
		switch strings.ToLower(cell) {
		case "yes", "y", "true", "1", "是", "有", "√":
			return 1, nil
		case "no", "n", "false", "0", "否", "无", "×":
			return 0, nil
		}
		return 0, fmt.Errorf("%q is not yes or no (是/否)", cell)
	case program.KindChoice:
		for i, o := range in.Options {
			if strings.EqualFold(cell, o.Value) || cell == o.Name.Zh || strings.EqualFold(cell, o.Name.En) {
				return float64(i), nil
			}
		}
		opts := make([]string, len(in.Options))
		for i, o := range in.Options {
			opts[i] = o.Value
		}
		return 0, fmt.Errorf("%q is not one of %s", cell, strings.Join(opts, ", "))
	}
	s := cell
	if in.Unit == "%" {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％"))
	}
	v, err := sheet.ParseNumber(s)
	if err != nil {
		return 0, err
	}
	v *= factor
	if in.Min != nil && v < *in.Min {
		return 0, fmt.Errorf("%s must be at least %v %s, got %v", in.ID, *in.Min, in.Unit, v)
	}
	if in.Max != nil && v > *in.Max {
		return 0, fmt.Errorf("%s must be at most %v %s, got %v", in.ID, *in.Max, in.Unit, v)
	}
	if (in.Unit == "persons" || in.Unit == "count") && v != math.Trunc(v) {
		return 0, fmt.Errorf("%s is a whole number of %s, got %v", in.ID, in.Unit, v)
	}
	return v, nil
}
