package web

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
)

// An audit entry keeps the record before and after a change as JSON. The
// audit page shows them as a diff of fields: each field (nested ones as
// "a.b" and "list[2]") with its value before and after, changed fields
// marked, so a person sees what a change changed without reading JSON.

// fieldChange is one field of an entry's diff.
type fieldChange struct {
	Field, Before, After string
	Changed              bool
	// Added or Removed: the field exists only after, or only before.
	Added, Removed bool
}

// auditDiff compares before and after (either may be nil: a creation or
// a deletion). Fields come in name order; when both sides exist, fields
// that did not change are left out and counted in same.
func auditDiff(before, after json.RawMessage) (changes []fieldChange, same int) {
	b, a := flattenJSON(before), flattenJSON(after)
	names := make([]string, 0, len(b)+len(a))
	for k := range b {
		names = append(names, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	both := before != nil && after != nil
	for _, k := range names {
		bv, inB := b[k]
		av, inA := a[k]
		c := fieldChange{Field: k, Before: bv, After: av, Changed: bv != av || inA != inB, Added: inA && !inB, Removed: inB && !inA}
		if both && !c.Changed {
			same++
			continue
		}
		changes = append(changes, c)
	}
	return changes, same
}

// flattenJSON maps each scalar of a JSON document to its path: strings as
// they are, other values as JSON. A document that is not JSON is one
// field "" holding its text.
func flattenJSON(doc json.RawMessage) map[string]string {
	out := map[string]string{}
	if doc == nil {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		out[""] = string(doc)
		return out
	}
	flattenValue(out, "", v)
	return out
}

func flattenValue(out map[string]string, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
		}
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flattenValue(out, p, e)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "[]"
		}
		for i, e := range x {
			flattenValue(out, path+"["+strconv.Itoa(i)+"]", e)
		}
	case string:
		out[path] = x
	case nil:
		out[path] = "null"
	case json.Number:
		out[path] = x.String()
	case bool:
		out[path] = strconv.FormatBool(x)
	}
}
