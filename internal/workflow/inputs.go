package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/uscc"
)

// An application's inputs are one JSON object keyed by the program's input
// ids. A value is a number (kind number), true or false (yesno), an
// option's value (choice) or a string (text); a yearly input is an array
// of exactly the program's number of years, oldest first; null, or an
// input left out, is missing. For example, for miit-tide:
//
//	{"employees": 2600, "sales": [310000, 335000, 350000], "tech_centre": "national", "sound_credit": true}
//
// The identifying input (uscc) and the channel input are the enterprise's
// own code and channel: the workflow fills them in, and refuses other
// values for them.

// maxInputsBytes bounds an application's inputs: a program has dozens of
// inputs; megabytes of them are a mistake or an attack.
const maxInputsBytes = 1 << 20

// parseInputs checks raw against program p and returns it in canonical
// form (keys sorted, no spaces) and, when something is wrong, every
// problem found, each naming its field ("inputs.sales[2]: …").
func parseInputs(p *program.Program, raw []byte) ([]byte, []string) {
	if len(raw) > maxInputsBytes {
		return nil, []string{fmt.Sprintf("inputs: %d bytes; the limit is %d", len(raw), maxInputsBytes)}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	m, err := decodeInputs(raw)
	if err != nil {
		return nil, []string{"inputs: " + err.Error()}
	}
	var problems []string
	for _, id := range sortedKeys(m) {
		in, ok := p.Input(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("inputs.%s: program %s has no input %q", id, p.Def.Name, id))
			continue
		}
		problems = append(problems, checkInput(in, m[id])...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, []string{"inputs: " + err.Error()}
	}
	return out, nil
}

// decodeInputs reads a JSON object, keeping numbers as written.
func decodeInputs(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a JSON object keyed by input id, got %s", describe(v))
	}
	return m, nil
}

// checkInput checks the value of one input: its shape (one value or one
// per year) and each value.
func checkInput(in *program.InputInfo, v any) []string {
	field := "inputs." + in.ID
	if v == nil {
		return nil
	}
	if !in.Yearly {
		if msg := checkValue(in, v); msg != "" {
			return []string{field + ": " + msg}
		}
		return nil
	}
	years, ok := v.([]any)
	if !ok || len(years) != in.Years {
		return []string{fmt.Sprintf("%s: want %d yearly values, oldest first, as an array, got %s", field, in.Years, describe(v))}
	}
	var problems []string
	for y, yv := range years {
		if yv == nil {
			continue
		}
		if msg := checkValue(in, yv); msg != "" {
			problems = append(problems, fmt.Sprintf("%s[%d]: %s", field, y, msg))
		}
	}
	return problems
}

// checkValue checks one value of input in; "" means it is fine.
func checkValue(in *program.InputInfo, v any) string {
	switch in.Kind {
	case program.KindNumber:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Sprintf("want a number (%s), got %s", unitName(in.Unit), describe(v))
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Sprintf("%s is not a number this program can hold", n)
		}
		switch {
		case in.Min != nil && f < *in.Min:
			return fmt.Sprintf("must be at least %v %s, got %v", *in.Min, in.Unit, f)
		case in.Max != nil && f > *in.Max:
			return fmt.Sprintf("must be at most %v %s, got %v", *in.Max, in.Unit, f)
		case (in.Unit == "persons" || in.Unit == "count") && f != math.Trunc(f):
			return fmt.Sprintf("must be a whole number of %s, got %v", in.Unit, f)
		}
	case program.KindYesNo:
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("want true or false, got %s", describe(v))
		}
	case program.KindChoice:
		s, ok := v.(string)
		if _, known := in.Code(s); !ok || !known {
			opts := make([]string, len(in.Options))
			for i, o := range in.Options {
				opts[i] = o.Value
			}
			return fmt.Sprintf("want one of %s, got %s", strings.Join(opts, ", "), describe(v))
		}
	case program.KindText:
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("want text, got %s", describe(v))
		}
		if len(s) > 4000 {
			return fmt.Sprintf("text of %d bytes; the limit is 4000", len(s))
		}
		if in.Format == "uscc" {
			if err := uscc.Validate(s); err != nil {
				return err.Error()
			}
		}
	}
	return ""
}

func unitName(unit string) string {
	if unit == "" {
		return "no unit"
	}
	return unit
}

// describe names a JSON value for a message: `"many"`, `true`, `an array`.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return strconv.Quote(v)
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return fmt.Sprintf("an array of %d", len(v))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

// missingInputs lists the required inputs (other than the identity and
// channel, which the workflow fills in) that inputs lacks, or lacks a
// year of.
func missingInputs(p *program.Program, inputs []byte) []string {
	m, err := decodeInputs(inputs)
	if err != nil {
		return []string{"inputs: " + err.Error()}
	}
	var out []string
	for _, in := range p.Inputs {
		if !in.Required || in == p.IDInput || in == p.ChannelInput {
			continue
		}
		v := m[in.ID]
		if v == nil {
			out = append(out, fmt.Sprintf("inputs.%s: required", in.ID))
			continue
		}
		if years, ok := v.([]any); ok {
			for y, yv := range years {
				if yv == nil {
					out = append(out, fmt.Sprintf("inputs.%s[%d]: required", in.ID, y))
				}
			}
		}
	}
	return out
}

// checkOwnInputs refuses inputs that give the identifying or channel input
// a value other than the enterprise's own code and channel.
func checkOwnInputs(p *program.Program, inputs []byte, code, channel string) []string {
	m, err := decodeInputs(inputs)
	if err != nil {
		return []string{"inputs: " + err.Error()}
	}
	var out []string
	for _, own := range []struct {
		in   *program.InputInfo
		want string
	}{{p.IDInput, code}, {p.ChannelInput, channel}} {
		if own.in == nil {
			continue
		}
		if v, ok := m[own.in.ID]; ok && v != nil && v != own.want {
			out = append(out, fmt.Sprintf("inputs.%s: %s is not the enterprise's own %q", own.in.ID, describe(v), own.want))
		}
	}
	return out
}

// row is what an application brings to the engine's table.
type row = EngineRow

// EngineRow is one application as the engine sees it: the enterprise's
// credit code, its channel's code, and its stored inputs JSON.
type EngineRow struct {
	Code, Channel string
	Inputs        []byte // as stored by SaveApplication
}

// EngineTable lays rows out as the engine's table for program p, as
// StartEvaluation does (benchmarks time the engine alone on it).
func EngineTable(p *program.Program, rows []EngineRow) (*scoring.Table, error) {
	return buildTable(p, rows)
}

// buildTable lays rows out as the engine's table for program p.
func buildTable(p *program.Program, rows []row) (*scoring.Table, error) {
	t := scoring.NewTable(p, len(rows))
	for i, r := range rows {
		put := func(id string, v any) {
			in, ok := p.Input(id)
			if !ok || v == nil {
				return
			}
			if in.Kind == program.KindText {
				if s, ok := v.(string); ok {
					t.Text[in.TextCol][i] = s
				}
				return
			}
			vals := []any{v}
			if in.Yearly {
				vals, _ = v.([]any)
			}
			for y, yv := range vals {
				if y < in.Years {
					t.Num[in.Col+y][i] = cell(in, yv)
				}
			}
		}
		// The stored form is read by a scanner of its own; anything else
		// the general way, from a clean row.
		if scanInputs(r.Inputs, put) != nil {
			clearRow(t, i)
			m, err := decodeInputs(r.Inputs)
			if err != nil {
				return nil, err
			}
			for id, v := range m {
				put(id, v)
			}
		}
		if in := p.IDInput; in != nil {
			t.Text[in.TextCol][i] = r.Code
		}
		if in := p.ChannelInput; in != nil {
			if in.Kind == program.KindText {
				t.Text[in.TextCol][i] = r.Channel
			} else if c, ok := in.Code(r.Channel); ok {
				t.Num[in.Col][i] = c
			}
		}
	}
	return t, nil
}

// clearRow sets row i of t back to missing.
func clearRow(t *scoring.Table, i int) {
	for _, col := range t.Num {
		col[i] = math.NaN()
	}
	for _, col := range t.Text {
		col[i] = ""
	}
}

// cell is the engine's value of one checked input value: the number, 1
// or 0 for yes or no, the option's index for a choice; NaN when missing.
func cell(in *program.InputInfo, v any) float64 {
	switch v := v.(type) {
	case json.Number:
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			return f
		}
	case bool:
		if v {
			return 1
		}
		return 0
	case string:
		if c, ok := in.Code(v); ok {
			return c
		}
	}
	return math.NaN()
}
