package sheet

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseNumberAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"-0", 0},
		{"1234.5", 1234.5},
		{"  1234.5\t", 1234.5},
		{"+12", 12},
		{"-12.25", -12.25},
		{".5", 0.5},
		{"5.", 5},
		{"007", 7},
		{"1,234", 1234},
		{"1,234,567.89", 1234567.89},
		{"-1,000", -1000},
		{"(1,234.5)", -1234.5},
		{"(7)", -7},
		{"1.5E-07", 1.5e-7},
		{"2e10", 2e10},
		{"-3.2E+5", -3.2e5},
		{"37033.580499999996", 37033.580499999996},
		{"１２３．５", 123.5},
		{"\u3000４２\u3000", 42},
		{"\u00a01,000\u00a0", 1000},
		{"−5", -5},
		{"1.7976931348623157e308", math.MaxFloat64},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want || math.Signbit(got) != math.Signbit(tt.want) {
			t.Errorf("ParseNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseNumberRejects(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"NaN", "not a finite number"},
		{"nan", "not a finite number"},
		{"Inf", "not a finite number"},
		{"-Infinity", "not a finite number"},
		{"∞", "not a finite number"},
		{"#NUM!", "an Excel error value"},
		{"#DIV/0!", "an Excel error value"},
		{"#n/a", "an Excel error value"},
		{"0x1F", "hexadecimal"},
		{"0x1p-2", "hexadecimal"},
		{"12,3x", "contains letters"},
		{"abc", "contains letters"},
		{"12万元", "contains letters"},
		{"12%", `"%" sign`},
		{"1,5", `use "." for decimals`},
		{"1,23,456", "groups of three"},
		{"1,2345", `use "." for decimals`},
		{"1,2345.5", "groups of three"},
		{"1 234", "contains a space"},
		{"1.2.3", "more than one decimal point"},
		{"1.234,5", `"," after the decimal point`},
		{"1_000", `"_"`},
		{"--1", "unexpected"},
		{"1-2", "unexpected"},
		{"+", "no digits"},
		{".", "no digits"},
		{"1e", "contains letters"},
		{"1e999", "out of range"},
		{"(-5)", "sign inside parentheses"},
		{"$5", "unexpected"},
		{"1e5e5", "unexpected"},
	}
	for _, tt := range tests {
		v, err := ParseNumber(tt.in)
		if err == nil {
			t.Errorf("ParseNumber(%q) = %v, want an error", tt.in, v)
			continue
		}
		if !errors.Is(err, ErrNotNumber) {
			t.Errorf("ParseNumber(%q): %v does not wrap ErrNotNumber", tt.in, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "not a number: "+strconv.Quote(tt.in)) || !strings.Contains(msg, tt.reason) {
			t.Errorf("ParseNumber(%q) error %q, want the input and %q", tt.in, msg, tt.reason)
		}
	}
}

func TestParseNumberMessageInError(t *testing.T) {
	// The rendering promised in the package documentation.
	_, err := ParseNumber("12,3x")
	e := &Error{File: "data.xlsx", Row: 12, Column: "D", Header: "Net sales", Err: err}
	want := `data.xlsx: row 12, column D ("Net sales"): not a number: "12,3x" (contains letters)`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
}

func TestFormatNumberRoundTrips(t *testing.T) {
	for _, v := range []float64{0, 1, -1.5, 0.1 + 0.2, 37033.580499999996, 1e-9, 1e21, 123456789012345678, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		s := formatNumber(v)
		got, err := ParseNumber(s)
		if err != nil || got != v {
			t.Errorf("formatNumber(%v) = %q, parses back as %v, %v", v, s, got, err)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1234.5", "1,234.5", "(1,234)", "1.5E-07", "１２３", "NaN", "0x10", "12%", "1,5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseNumber(s)
		if err != nil {
			if !errors.Is(err, ErrNotNumber) {
				t.Fatalf("ParseNumber(%q): %v does not wrap ErrNotNumber", s, err)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
		// What we accept, we can write and read back unchanged.
		if back, err := ParseNumber(formatNumber(v)); err != nil || back != v {
			t.Fatalf("ParseNumber(%q) = %v; formatted %q reads back as %v, %v", s, v, formatNumber(v), back, err)
		}
	})
}
