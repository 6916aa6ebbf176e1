package workflow

import (
	"encoding/json"
	"errors"
)

// errUnusual is scanInputs' answer to anything outside the form
// SaveApplication stores; the caller then decodes the inputs the general
// way (decodeInputs), which also words the error if there is one.
var errUnusual = errors.New("inputs: not in the stored form")

// scanInputs reads stored inputs (one JSON object, as SaveApplication
// writes it: json.Marshal of the checked values) and calls fn with each
// key and its value as decodeInputs would give it (json.Number, bool,
// string, nil, or []any of those). It does no more than that form needs —
// no escapes in strings, no nested objects, no spaces — and returns
// errUnusual, having perhaps called fn for some keys already, on anything
// else. Laying out the engine's table from 10,000 applications takes a
// fraction of what encoding/json's reflection takes.
func scanInputs(raw []byte, fn func(key string, v any)) error {
	s := inputScanner{b: raw}
	if !s.eat('{') {
		return errUnusual
	}
	if s.eat('}') {
		return s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return errUnusual
		}
		var v any
		if s.eat('[') {
			vals := []any{}
			if !s.eat(']') {
				for {
					x, ok := s.scalar()
					if !ok {
						return errUnusual
					}
					vals = append(vals, x)
					if s.eat(']') {
						break
					}
					if !s.eat(',') {
						return errUnusual
					}
				}
			}
			v = vals
		} else if v, ok = s.scalar(); !ok {
			return errUnusual
		}
		fn(key, v)
		if s.eat('}') {
			return s.end()
		}
		if !s.eat(',') {
			return errUnusual
		}
	}
}

type inputScanner struct {
	b []byte
	i int
}

func (s *inputScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *inputScanner) end() error {
	if s.i != len(s.b) {
		return errUnusual
	}
	return nil
}

// str reads a string without escapes.
func (s *inputScanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			out := string(s.b[start:s.i])
			s.i++
			return out, true
		case c == '\\' || c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// scalar reads a number, string, true, false or null.
func (s *inputScanner) scalar() (any, bool) {
	if s.i >= len(s.b) {
		return nil, false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == 't':
		return true, s.word("true")
	case c == 'f':
		return false, s.word("false")
	case c == 'n':
		return nil, s.word("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
				break
			}
			s.i++
		}
		n := json.Number(s.b[start:s.i])
		// What json.Marshal wrote parses; anything else goes the long way.
		if _, err := n.Float64(); err != nil {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

func (s *inputScanner) word(w string) bool {
	if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
		s.i += len(w)
		return true
	}
	return false
}
