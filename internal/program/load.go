package program

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a definition, located by its path in
// the document (for example `scoring.framework.children[2].weight`).
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Problems is the error Load returns for an invalid definition: every
// problem found, in document order.
type Problems struct {
	File string
	List []Problem
}

func (e *Problems) Error() string {
	var b strings.Builder
	name := e.File
	if name == "" {
		name = "definition"
	}
	fmt.Fprintf(&b, "%s: %d problem", name, len(e.List))
	if len(e.List) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.List {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems while validating.
type problems struct{ list []Problem }

func (ps *problems) add(path, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// finite adds a problem when v is NaN or infinite (YAML's .nan and .inf),
// which no comparison below would catch, and reports whether v is finite.
func (ps *problems) finite(path string, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		ps.add(path, "must be a finite number, got %v", v)
		return false
	}
	return true
}

// finitePtr is finite for optional values.
func (ps *problems) finitePtr(path string, v *float64) bool {
	return v == nil || ps.finite(path, *v)
}

// maxDefinitionBytes bounds what Load reads: a definition is a few
// kilobytes; anything this large is a mistake or an attack.
const maxDefinitionBytes = 4 << 20

// Load parses, validates and compiles a definition. file names the
// source in errors. On any problem it returns a *Problems listing all
// of them and no program.
func Load(data []byte, file string) (*Program, error) {
	if len(data) > maxDefinitionBytes {
		return nil, &Problems{File: file, List: []Problem{{Message: fmt.Sprintf("definition is %d bytes; the limit is %d", len(data), maxDefinitionBytes)}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Problems{File: file, List: []Problem{{Message: "definition is empty"}}}
	}
	var def Definition
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&def); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problems{File: file, List: []Problem{{Message: "definition is empty"}}}
		}
		return nil, &Problems{File: file, List: yamlProblems(err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Problems{File: file, List: []Problem{{Message: "definition holds more than one YAML document"}}}
	}
	return Compile(&def, file)
}

// yamlProblems turns the YAML decoder's error into problems, one per line
// it reports.
func yamlProblems(err error) []Problem {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]Problem, 0, len(te.Errors))
		for _, e := range te.Errors {
			out = append(out, Problem{Message: "yaml: " + e})
		}
		return out
	}
	return []Problem{{Message: err.Error()}}
}

// Compile validates def and compiles its expressions. It is Load without
// the parsing, for definitions built in code.
func Compile(def *Definition, file string) (*Program, error) {
	ps := &problems{}
	p := newProgram(def)
	p.validateHead(ps)
	p.layoutInputs(ps)
	p.compileIndicators(ps)
	p.compileGates(ps)
	p.compileScoring(ps)
	p.compileDecision(ps)
	p.compileCertificate(ps)
	p.compileProcedure(ps)
	p.compileReview(ps)
	if len(ps.list) > 0 {
		return nil, &Problems{File: file, List: ps.list}
	}
	return p, nil
}

func (p *Program) validateHead(ps *problems) {
	d := p.Def
	if d.Schema != SchemaVersion {
		if d.Schema == "" {
			ps.add("schema", "missing; this build reads %q", SchemaVersion)
		} else {
			ps.add("schema", "%q is not supported; this build reads %q", d.Schema, SchemaVersion)
		}
	}
	if !validID(d.Name) || strings.ToLower(d.Name) != d.Name {
		ps.add("name", "must be a short lower-case identifier (letters, digits, - and _), got %q", d.Name)
	}
	if d.Title.Zh == "" && d.Title.En == "" {
		ps.add("title", "needs a Chinese (zh) or English (en) title")
	}
	if d.Years < 1 || d.Years > 10 {
		ps.add("years", "must be between 1 and 10, got %d", d.Years)
	}
	if d.ValidityYears < 0 || d.ValidityYears > 50 {
		ps.add("validity_years", "must be between 0 and 50, got %d", d.ValidityYears)
	}
}

// validID reports whether s can name a program, input, indicator, gate
// or node: it must be usable as an expression identifier.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case r >= '0' && r <= '9', r == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// varID checks the id of an input or indicator, which expressions use as
// a name: it must be an identifier, not taken, and not a word of the
// expression language.
func (ps *problems) varID(path, id string, taken bool) bool {
	switch {
	case !validVarID(id):
		ps.add(path, "must be an identifier (letters, digits, _; not starting with a digit), got %q", id)
	case taken:
		ps.add(path, "%q is defined twice", id)
	case reservedNames[id]:
		ps.add(path, "%q is a function name or a word of the expression language; choose another", id)
	default:
		return true
	}
	return false
}

// validVarID is validID without '-', which expressions would read as minus.
func validVarID(s string) bool {
	return validID(s) && !strings.Contains(s, "-")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
