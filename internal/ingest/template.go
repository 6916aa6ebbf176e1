package ingest

import (
	"fmt"
	"math"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/sheet"
)

// Columns lists the template's columns for p: each input, and each year
// of a yearly input, in definition order.
func Columns(p *program.Program) []Col {
	var cols []Col
	for _, in := range p.Inputs {
		for y := 0; y < in.Years; y++ {
			cols = append(cols, Col{Input: in, Year: y, Header: Header(in, y)})
		}
	}
	return cols
}

// Col is one template column.
type Col struct {
	Input  *program.InputInfo
	Year   int
	Header string
}

// Hint says in words what a column wants: unit, range, options, format.
func Hint(in *program.InputInfo, lang string) string {
	var parts []string
	zh := lang == "zh"
	switch in.Kind {
	case program.KindNumber:
		if in.Unit != "" {
			parts = append(parts, in.Unit)
		}
		switch {
		case in.Min != nil && in.Max != nil:
			parts = append(parts, fmt.Sprintf("%v–%v", *in.Min, *in.Max))
		case in.Min != nil:
			parts = append(parts, fmt.Sprintf("≥ %v", *in.Min))
		case in.Max != nil:
			parts = append(parts, fmt.Sprintf("≤ %v", *in.Max))
		}
	case program.KindYesNo:
		parts = append(parts, "yes / no（是/否）")
	case program.KindChoice:
		var opts []string
		for _, o := range in.Options {
			opts = append(opts, o.Value)
		}
		if len(opts) > 8 {
			opts = append(opts[:8], "…")
		}
		parts = append(parts, strings.Join(opts, " | "))
	case program.KindText:
		if in.Format == "uscc" {
			if zh {
				parts = append(parts, "18位统一社会信用代码")
			} else {
				parts = append(parts, "18-character unified social credit code")
			}
		}
	}
	if in.Required {
		if zh {
			parts = append(parts, "必填")
		} else {
			parts = append(parts, "required")
		}
	}
	if h := in.Hint.In(lang); h != "" {
		parts = append(parts, h)
	}
	return strings.Join(parts, "; ")
}

// WriteTemplate writes the input template of p to path (.xlsx): headers,
// a hint row, an example row, and data validations on the data rows.
func WriteTemplate(p *program.Program, path, lang string) error {
	cols := Columns(p)
	headers := make([]string, len(cols))
	hints := make([]string, len(cols))
	example := make([]any, len(cols))
	var vals []sheet.Validation
	for c, col := range cols {
		in := col.Input
		headers[c] = col.Header
		hints[c] = Hint(in, lang)
		example[c] = in.Example
		v := sheet.Validation{Column: c, Prompt: hints[c]}
		switch in.Kind {
		case program.KindNumber:
			v.Kind = "decimal"
			if in.Unit == "persons" || in.Unit == "count" {
				v.Kind = "whole"
			}
			v.Min, v.Max = math.Inf(-1), math.Inf(1)
			if in.Min != nil {
				v.Min = *in.Min
			}
			if in.Max != nil {
				v.Max = *in.Max
			}
		case program.KindYesNo:
			v.Kind = "list"
			v.Choices = []string{"yes", "no", "是", "否"}
		case program.KindChoice:
			v.Kind = "list"
			for _, o := range in.Options {
				v.Choices = append(v.Choices, o.Value)
			}
		default:
			continue
		}
		vals = append(vals, v)
	}
	return sheet.WriteTemplate(path, headers, hints, example, vals)
}
