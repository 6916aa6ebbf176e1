package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Change is an audit state that records only what a change changed: Entry
// Before and After values made by Changes. It encodes as a JSON object.
type Change json.RawMessage

// MarshalJSON returns the object as it is.
func (c Change) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	return c, nil
}

// Changes returns what an update of a record changed, as the Before and
// After of its audit entry: the fields (by their JSON names) whose values
// differ between before and after, each with its old and its new value,
// plus, in both, the record's ids — the fields named "id" or ending in
// "_id" — so that an entry still says which record, and which cycle,
// channel or enterprise it belongs to. A field only after has (after may
// extend the record, e.g. with its rank) is a change; a changed field
// whose new value is empty is written out, not omitted. Unchanged fields
// (an application's inputs when only its status moved) are left out: an
// entry of a status change stays a few hundred bytes, however large the
// record.
//
// before and after are structs, or pointers to them, of the same record;
// anonymous struct fields are flattened as encoding/json does. Changes
// panics on other values: it is called with the store's record types.
func Changes(before, after any) (Change, Change) {
	bf, af := fieldsOf(before), fieldsOf(after)
	var b, a bytes.Buffer
	b.WriteByte('{')
	a.WriteByte('{')
	for _, f := range af.list {
		i, inBefore := bf.index[f.name]
		var old reflect.Value
		if inBefore {
			old = bf.list[i].v
		}
		isID := f.name == "id" || strings.HasSuffix(f.name, "_id")
		switch {
		case inBefore && sameValue(old, f.v):
			if isID {
				appendField(&b, f.name, old)
				appendField(&a, f.name, f.v)
			}
		case inBefore:
			appendField(&b, f.name, old)
			appendField(&a, f.name, f.v)
		default:
			appendField(&a, f.name, f.v)
		}
	}
	for _, f := range bf.list {
		if _, ok := af.index[f.name]; !ok {
			appendField(&b, f.name, f.v)
		}
	}
	b.WriteByte('}')
	a.WriteByte('}')
	return Change(b.Bytes()), Change(a.Bytes())
}

// appendField appends "name":value, after a comma unless it is the
// object's first.
func appendField(buf *bytes.Buffer, name string, v reflect.Value) {
	if buf.Len() > 1 {
		buf.WriteByte(',')
	}
	buf.WriteByte('"')
	buf.WriteString(name) // JSON names of the store's fields need no escaping
	buf.WriteString(`":`)
	enc, err := json.Marshal(v.Interface())
	if err != nil {
		// The store's record types all encode; keep the entry valid JSON
		// and say what failed rather than drop the field.
		enc, _ = json.Marshal(fmt.Sprintf("(cannot encode: %v)", err))
	}
	buf.Write(enc)
}

// sameValue says whether two field values are equal as the audit sees
// them: times by instant, JSON by its bytes.
func sameValue(x, y reflect.Value) bool {
	if x.Type() != y.Type() {
		return false
	}
	switch v := x.Interface().(type) {
	case time.Time:
		return v.Equal(y.Interface().(time.Time))
	case *time.Time:
		w := y.Interface().(*time.Time)
		return v == w || (v != nil && w != nil && v.Equal(*w))
	case json.RawMessage:
		return bytes.Equal(v, y.Interface().(json.RawMessage))
	}
	if x.Type().Comparable() {
		return x.Equal(y)
	}
	return reflect.DeepEqual(x.Interface(), y.Interface())
}

// field is one JSON field of a record value.
type field struct {
	name string
	v    reflect.Value
}

type fields struct {
	list  []field
	index map[string]int
}

// fieldsOf lists v's fields by JSON name, in declaration order.
func fieldsOf(v any) fields {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	layout := layoutOf(rv.Type())
	out := fields{list: make([]field, len(layout)), index: make(map[string]int, len(layout))}
	for i, l := range layout {
		out.list[i] = field{name: l.name, v: rv.FieldByIndex(l.index)}
		out.index[l.name] = i
	}
	return out
}

// fieldLayout is where a JSON field sits in a struct type.
type fieldLayout struct {
	name  string
	index []int
}

var layouts sync.Map // reflect.Type → []fieldLayout

// layoutOf returns the JSON fields of struct type t: exported fields by
// their json tag's name (or Go name), skipping "-", with the fields of
// untagged anonymous structs promoted; an outer field hides an inner one
// of the same name.
func layoutOf(t reflect.Type) []fieldLayout {
	if l, ok := layouts.Load(t); ok {
		return l.([]fieldLayout)
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("store: Changes of a %s, not a struct", t))
	}
	var out []fieldLayout
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix []int, depth int)
	var inner []fieldLayout // promoted fields, added after the outer ones
	walk = func(t reflect.Type, prefix []int, depth int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" && tag == "-" {
				continue
			}
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx, depth+1)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			l := fieldLayout{name: name, index: idx}
			if depth == 0 {
				out = append(out, l)
			} else {
				inner = append(inner, l)
			}
		}
	}
	walk(t, nil, 0)
	for _, l := range out {
		seen[l.name] = true
	}
	// Keep declaration order: promoted fields where encoding/json puts
	// them (in the order of the struct's fields), outer ones winning.
	var all []fieldLayout
	for _, l := range sortByIndex(append(append([]fieldLayout(nil), out...), inner...)) {
		if len(l.index) > 1 && seen[l.name] {
			continue
		}
		all = append(all, l)
	}
	layouts.Store(t, all)
	return all
}

// sortByIndex orders fields as they are declared, depth first.
func sortByIndex(ls []fieldLayout) []fieldLayout {
	less := func(a, b []int) bool {
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	}
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && less(ls[j].index, ls[j-1].index); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
	return ls
}
