package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
)

// inputValue turns the VALUE of a KEY=VALUE argument into the JSON value
// of program input in (see workflow's inputs format): a number for a
// number, true or false for yes/no, the text for a choice or text; a
// yearly input takes its years' values separated by commas, oldest first.
// An empty VALUE or "null" means missing (nil). Ranges and option values
// are left for the workflow to check, which names the field.
func inputValue(in *program.InputInfo, v string) (any, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "null" {
		return nil, nil
	}
	if !in.Yearly {
		return scalarValue(in, v)
	}
	parts := strings.Split(v, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || p == "null" {
			continue
		}
		x, err := scalarValue(in, p)
		if err != nil {
			return nil, fmt.Errorf("year %d: %w", i+1, err)
		}
		out[i] = x
	}
	return out, nil
}

func scalarValue(in *program.InputInfo, v string) (any, error) {
	switch in.Kind {
	case program.KindYesNo:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "是":
			return true, nil
		case "no", "n", "false", "0", "否":
			return false, nil
		}
		return nil, fmt.Errorf("want yes or no, got %q", v)
	case program.KindChoice, program.KindText:
		return v, nil
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return nil, fmt.Errorf("want a number, got %q", v)
	}
	return json.Number(v), nil
}

// mergeInputs lays KEY=VALUE pairs over base (a JSON object of inputs)
// under program p and returns the new object. A pair with an empty value
// removes its input. Every bad pair is named in one invalid error.
func mergeInputs(p *program.Program, base []byte, kvs [][2]string) ([]byte, error) {
	m := map[string]any{}
	if len(strings.TrimSpace(string(base))) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(base)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, errs.New(errs.Invalid, "inputs: want a JSON object keyed by input id: %v", err)
		}
		if m == nil {
			m = map[string]any{}
		}
	}
	var problems []string
	for _, kv := range kvs {
		in, ok := p.Input(kv[0])
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: program %s has no input %q (its inputs: %s)", kv[0], p.Def.Name, kv[0], inputIDs(p)))
			continue
		}
		v, err := inputValue(in, kv[1])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", kv[0], err))
			continue
		}
		if v == nil {
			delete(m, kv[0])
		} else {
			m[kv[0]] = v
		}
	}
	if len(problems) > 0 {
		return nil, errs.New(errs.Invalid, "%s", strings.Join(problems, "\n"))
	}
	return json.Marshal(m)
}

// inputIDs lists p's input ids, with [years] after the yearly ones.
func inputIDs(p *program.Program) string {
	ids := make([]string, 0, len(p.Inputs))
	for _, in := range p.Inputs {
		id := in.ID
		if in.Yearly {
			id += fmt.Sprintf("[%d]", in.Years)
		}
		ids = append(ids, id)
	}
	return strings.Join(ids, ", ")
}

// mergeDeclarations lays KEY=yes|no pairs over base (a JSON object of
// booleans; empty when replace).
func mergeDeclarations(base []byte, kvs [][2]string) (map[string]bool, error) {
	m := map[string]bool{}
	if len(strings.TrimSpace(string(base))) > 0 && string(base) != "null" {
		if err := json.Unmarshal(base, &m); err != nil {
			return nil, fmt.Errorf("the stored declarations are not an object of yes/no: %w", err)
		}
	}
	var problems []string
	for _, kv := range kvs {
		switch strings.ToLower(strings.TrimSpace(kv[1])) {
		case "yes", "y", "true", "1", "是":
			m[kv[0]] = true
		case "no", "n", "false", "0", "否":
			m[kv[0]] = false
		case "":
			delete(m, kv[0])
		default:
			problems = append(problems, fmt.Sprintf("%s: want yes or no, got %q", kv[0], kv[1]))
		}
	}
	if len(problems) > 0 {
		return nil, errs.New(errs.Invalid, "%s", strings.Join(problems, "\n"))
	}
	return m, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
