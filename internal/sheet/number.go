package sheet

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// NumberError is the error of ParseNumber. It wraps ErrNotNumber.
type NumberError struct {
	Input  string // the text as given
	Reason string // why it is not a number, in words a user can act on; may be empty
}

// Error renders e.g. `not a number: "12,3x" (contains letters)`.
func (e *NumberError) Error() string {
	s := "not a number: " + quote(e.Input)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Unwrap returns ErrNotNumber.
func (e *NumberError) Unwrap() error { return ErrNotNumber }

// ParseNumber reads a number as people type it into a spreadsheet or as a
// spreadsheet stores it. It accepts, and nothing else:
//
//   - surrounding white space (including no-break and ideographic spaces);
//   - full-width characters typed with a Chinese input method ("１２３．５");
//   - an optional sign, "+" or "-" (also the Unicode minus "−");
//   - digits with "." as the decimal point: "1234.5", ".5", "5.";
//   - "," as thousands separator, only between groups of exactly three
//     digits after a first group of one to three: "1,234,567.5";
//   - an exponent as XLSX stores very large or small values: "1.5E-07";
//   - accounting negatives as Excel displays (and CSV exports) them: "(1,234.5)".
//
// It rejects, each with a *NumberError that says why: empty text, NaN and
// infinities, Excel's error values ("#DIV/0!", "#N/A", …), hexadecimal, letters or any other text (units such as "万元"
// included), a "%" sign (the caller decides what a percentage means for its
// column), "," used as a decimal comma ("1,5"), spaces inside the number
// ("1 234"), several decimal points, and values beyond ±1.8e308. A negative
// zero is returned as 0.
func ParseNumber(s string) (float64, error) {
	t := normalizeNumber(s)
	fail := func(reason string) (float64, error) {
		return 0, &NumberError{Input: s, Reason: reason}
	}
	if t == "" {
		return fail("empty")
	}
	neg := false
	if len(t) >= 2 && t[0] == '(' && t[len(t)-1] == ')' {
		t, neg = t[1:len(t)-1], true
		if t != "" && (t[0] == '-' || t[0] == '+') {
			return fail("a sign inside parentheses")
		}
	}
	if reason := numberSyntax(t); reason != "" {
		return fail(reason)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", ""), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fail("out of range")
		}
		return fail("")
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no negative zero
	}
	return v, nil
}

// normalizeNumber trims white space and maps full-width ASCII and the
// Unicode minus to ASCII.
func normalizeNumber(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x2212: // minus sign
			return '-'
		case r == 0x3000 || r == 0x00A0 || r == 0x202F || r == 0x2007 || r == 0x2009:
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// numberSyntax checks t against the accepted grammar and returns "" when it
// matches, or the reason it does not:
//
//	[+-]? ( digits | d{1,3} (,ddd)+ )? ( . digits? )? ( [eE] [+-]? digits )?
//
// with at least one digit before the exponent.
func numberSyntax(t string) string {
	if r := reject(t); r != "" {
		return r
	}
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	intStart := i
	for i < len(t) && (isDigit(t[i]) || t[i] == ',') {
		i++
	}
	intPart := t[intStart:i]
	if strings.Contains(intPart, ",") && !grouped(intPart) {
		if strings.Count(intPart, ",") == 1 && i == len(t) {
			return `"," is read as a thousands separator; use "." for decimals`
		}
		return `"," must separate groups of three digits, as in 1,234,567`
	}
	digits := len(intPart) - strings.Count(intPart, ",")
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && isDigit(t[i]) {
			i++
			digits++
		}
		if i < len(t) && (t[i] == '.' || t[i] == ',') {
			if t[i] == '.' {
				return "more than one decimal point"
			}
			return `"," after the decimal point`
		}
	}
	if digits == 0 {
		if i < len(t) {
			return "unexpected " + quote(t[i:i+1])
		}
		return "no digits"
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		expStart := i
		for i < len(t) && isDigit(t[i]) {
			i++
		}
		if i == expStart {
			return "contains letters"
		}
	}
	if i != len(t) {
		return "unexpected " + quote(t[i:i+1])
	}
	return ""
}

// reject recognises the common kinds of non-numbers to name them.
func reject(t string) string {
	lower := strings.ToLower(strings.TrimLeft(t, "+-"))
	switch {
	case excelErrors[strings.ToUpper(t)]:
		return "an Excel error value: correct the formula, or leave the cell empty"
	case lower == "nan" || strings.HasPrefix(lower, "inf") || lower == "∞":
		return "not a finite number"
	case strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0b") || strings.HasPrefix(lower, "0o"):
		return "hexadecimal, binary and octal numbers are not accepted"
	case strings.HasSuffix(t, "%"):
		return `has a "%" sign; enter the number alone`
	case strings.ContainsAny(t, " \t\r\n"):
		return "contains a space"
	case strings.Contains(t, "_"):
		return `contains "_"`
	}
	for _, r := range t {
		if unicode.IsLetter(r) && r != 'e' && r != 'E' {
			return "contains letters"
		}
	}
	return ""
}

// excelErrors are the error values a formula cell can hold (and that a
// workbook stores as its value).
var excelErrors = map[string]bool{
	"#NULL!": true, "#DIV/0!": true, "#VALUE!": true, "#REF!": true, "#NAME?": true,
	"#NUM!": true, "#N/A": true, "#GETTING_DATA": true, "#SPILL!": true, "#CALC!": true,
}

// grouped reports whether s (digits and commas, at least one comma) is a
// correctly grouped thousands number: 1–3 digits, then ",ddd" groups.
func grouped(s string) bool {
	groups := strings.Split(s, ",")
	if n := len(groups[0]); n < 1 || n > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// formatNumber writes v the way a spreadsheet user expects to read it:
// plain decimals for ordinary magnitudes, an exponent for extreme ones, and
// always the shortest form that reads back as the same float64.
func formatNumber(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-7 || a >= 1e21) {
		return strconv.FormatFloat(v, 'E', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
