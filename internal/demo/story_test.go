package demo

import (
	"reflect"
	"testing"
)

func TestStoryIsDeterministic(t *testing.T) {
	a, b := Story(Seed, StoryFirms), Story(Seed, StoryFirms)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed generates different firms")
	}
	if reflect.DeepEqual(a, Story(7, StoryFirms)) {
		t.Fatal("another seed generates the same firms")
	}
	codes := map[string]bool{}
	for _, f := range a {
		if codes[f.Code] {
			t.Errorf("credit code %s generated twice", f.Code)
		}
		codes[f.Code] = true
		// The 2015 applications are generated to meet the size, R&D and
		// profit gates with a margin; the review's may not.
		in := f.Identification
		sales, rd, profit := in["sales"].([]any), in["rd"].([]any), in["profit"].([]any)
		if in["employees"].(float64) < 300 || rd[2].(float64) < 0.03*sales[2].(float64) ||
			profit[0].(float64) <= 0 || profit[2].(float64) <= profit[0].(float64) || sales[2].(float64) <= sales[0].(float64) {
			t.Errorf("%s's 2015 data would fail a gate: %v", f.Code, in)
		}
	}
}
