package workflow

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
)

// TestScannedInputsLayOutAsDecoded checks that the table laid out from
// stored inputs by scanInputs equals the one decodeInputs gives (forced
// by an indented copy of the same inputs, which the scanner leaves to
// it), and that unusual inputs still go the general way.
func TestScannedInputsLayOutAsDecoded(t *testing.T) {
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{
		`{"awards":1,"certified_labs":2,"china_controlled":true,"employees":4861,"equipment_value":36525.4,"industry":"专用设备制造业","innovation_effect":false,"profit":[9627,11001.9,-12573.2],"rd":[10862.8,null,1.4e4],"sales":[199136.4,227576.5,260078.3],"tech_centre":"national","total_assets":388642}`,
		`{}`,
		`{"sales":[],"rd":[1,2,3,4],"employees":null,"tech_centre":"none"}`,
		`{"industry":"a \"quoted\" name","employees":300}`, // an escape: the general way
		`{"employees":300,"employees":400}`,                // the last one wins, as in a map
		`{"employees":1E3,"sales":[0.5,-0,2e-3]}`,
	}
	for i, d := range docs {
		if got := scanInputs([]byte(d), func(string, any) {}); (got == nil) != (i != 3) {
			t.Errorf("scanInputs(%s) = %v", d, got)
		}
	}
	var scanned, decoded []row
	for _, d := range docs {
		var ind bytes.Buffer
		if err := json.Indent(&ind, []byte(d), "", "  "); err != nil {
			t.Fatal(err)
		}
		if d != "{}" && scanInputs(ind.Bytes(), func(string, any) {}) == nil {
			t.Fatalf("the scanner read indented inputs %s", ind.Bytes())
		}
		scanned = append(scanned, row{Code: "91320100WGQ0WEAJGK", Channel: "jiangsu", Inputs: []byte(d)})
		decoded = append(decoded, row{Code: "91320100WGQ0WEAJGK", Channel: "jiangsu", Inputs: ind.Bytes()})
	}
	a, err := buildTable(p, scanned)
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildTable(p, decoded)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTable(a, b) {
		t.Errorf("scanned table %+v\ndecoded table %+v", a, b)
	}
	if _, err := buildTable(p, []row{{Inputs: []byte(`{"sales":[1,2`)}}); err == nil {
		t.Error("broken inputs laid out without an error")
	}
}

func sameTable(a, b *scoring.Table) bool {
	if a.N != b.N || len(a.Num) != len(b.Num) || len(a.Text) != len(b.Text) {
		return false
	}
	for c := range a.Num {
		for i := range a.Num[c] {
			x, y := a.Num[c][i], b.Num[c][i]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				return false
			}
		}
	}
	for c := range a.Text {
		for i := range a.Text[c] {
			if a.Text[c][i] != b.Text[c][i] {
				return false
			}
		}
	}
	return true
}
