// Package uscc checks China's unified social credit code (统一社会信用代码),
// the 18-character identifier of every legal entity and other organisation
// defined by GB 32100-2015. Exemplar identifies an enterprise by it.
//
// The code's layout:
//
//	position  1     registration authority (登记管理部门代码), e.g. 9 = market regulation
//	position  2     organisation type (机构类别代码), e.g. 1 = enterprise
//	positions 3–8   administrative division of the registering authority (GB/T 2260), digits
//	positions 9–17  organisation code (主体标识码, GB 11714), its own check digit at 17
//	position  18    check character over positions 1–17 (GB/T 17710, mod 31)
//
// Every character comes from the 31-character set "0123456789ABCDEFGHJKLMNPQRTUWXY"
// (no I, O, Z, S or V, which are easily confused with 1, 0, 2, 5 and U).
//
// What Validate does not check, and why:
//
//   - The check digit of the organisation code (position 17, GB 11714) is
//     checked only by ValidateStrict. The check character at position 18
//     already detects every single wrong character and every swap of two
//     neighbouring characters, so the second check adds nothing against
//     typing mistakes; a code that passes position 18 but not position 17 is
//     one that a registration office issued that way, and refusing it would
//     lock a real enterprise out. Show ValidateStrict's error as a warning.
//   - Positions 1, 2 and 3–8 are checked against the character set (and 3–8
//     for digits) only: the lists of authorities, organisation types and
//     divisions change over time, and a stale list would reject real codes.
//
// Known exception: some codes issued in Xiamen before 2016 do not satisfy
// the position-18 check (e.g. 91350203M0001QKT19, reported as a real code in
// hutool issue #4119). Validate reports them as ErrCheckChar; accepting one
// is an administrator's decision, not this package's.
package uscc

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Charset is the ordered set of characters a code may contain; a character's
// value in the check computation is its index here.
const Charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// Length is the number of characters in a code.
const Length = 18

// weights are the position weights of GB 32100-2015 (3^i mod 31).
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the position weights of GB 11714-1997 for the first eight
// characters of the organisation code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// Sentinel errors: every error of this package wraps one of them, so callers
// can test the kind with errors.Is.
var (
	ErrLength    = errors.New("wrong length")
	ErrCharacter = errors.New("invalid character")
	ErrCheckChar = errors.New("wrong check character")
	ErrOrgCheck  = errors.New("wrong organisation code check digit")
)

// Error describes why a code is not valid. Position is 1-based and counts
// characters (not bytes); it is 0 for a length error.
type Error struct {
	Kind     error  // one of ErrLength, ErrCharacter, ErrCheckChar, ErrOrgCheck
	Code     string // the input as given
	Position int    // 1-based character position, 0 when not about one position
	Found    string // the character found at Position; for ErrLength the number of characters found
	Expected string // the expected character; for ErrLength the expected number of characters
	Hint     string // what to do about it, when there is something useful to say
}

// Error renders the problem in English for an enterprise's user, e.g.
// `unified social credit code "91110000600037341A": wrong check character at position 18: found "A", expected "L"`.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unified social credit code %q: ", shown(e.Code))
	switch e.Kind {
	case ErrLength:
		fmt.Fprintf(&b, "wrong length: %s characters, expected %s", e.Found, e.Expected)
	case ErrCharacter:
		fmt.Fprintf(&b, "invalid character %s at position %d", e.Found, e.Position)
	case ErrCheckChar, ErrOrgCheck:
		fmt.Fprintf(&b, "%v at position %d: found %q, expected %q", e.Kind, e.Position, e.Found, e.Expected)
	default:
		fmt.Fprintf(&b, "%v", e.Kind)
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Chinese renders the same problem in Chinese, for the Chinese user interface.
func (e *Error) Chinese() string {
	switch e.Kind {
	case ErrLength:
		return fmt.Sprintf("统一社会信用代码“%s”长度不对：应为%s位，实为%s位", shown(e.Code), e.Expected, e.Found)
	case ErrCharacter:
		return fmt.Sprintf("统一社会信用代码“%s”第%d位字符%s无效（只能使用数字和除I、O、Z、S、V以外的大写字母%s）",
			shown(e.Code), e.Position, e.Found, digitsOnlyZH(e.Position))
	case ErrCheckChar:
		return fmt.Sprintf("统一社会信用代码“%s”校验码不对：第18位应为“%s”，实为“%s”，请核对代码是否抄错", shown(e.Code), e.Expected, e.Found)
	case ErrOrgCheck:
		return fmt.Sprintf("统一社会信用代码“%s”第17位（组织机构代码校验码）应为“%s”，实为“%s”", shown(e.Code), e.Expected, e.Found)
	}
	return e.Error()
}

// shown shortens an absurdly long input so that a message stays readable.
func shown(code string) string {
	const max = 40
	code = strings.ToValidUTF8(code, "\uFFFD")
	if utf8.RuneCountInString(code) <= max {
		return code
	}
	r := []rune(code)
	return string(r[:max]) + "…"
}

func digitsOnlyZH(pos int) string {
	if pos >= 3 && pos <= 8 {
		return "；第3至8位只能是数字"
	}
	return ""
}

// Unwrap returns the kind, so errors.Is(err, ErrCheckChar) works.
func (e *Error) Unwrap() error { return e.Kind }

// value returns the value of c in Charset, or -1.
func value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return letterValue[c-'A']
	}
	return -1
}

// letterValue maps 'A'..'Z' to their index in Charset, -1 when excluded.
var letterValue = func() [26]int {
	var t [26]int
	for i := range t {
		t[i] = strings.IndexByte(Charset, byte('A'+i))
	}
	return t
}()

// Normalize returns s the way a user most likely meant it: surrounding
// white space (including the ideographic space U+3000) removed, full-width
// ASCII characters (as typed with a Chinese input method, e.g. "９１１１")
// turned into their half-width forms, and letters upper-cased. It does not
// remove spaces or hyphens inside the code and never makes an invalid code
// valid by guessing; Validate still decides.
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII block
			return r - 0xFF01 + '!'
		case r == 0x3000: // ideographic space
			return ' '
		}
		return r
	}, s)
	return strings.ToUpper(strings.TrimSpace(s))
}

// CheckChar computes the check character (position 18) for the first 17
// characters of a code. first17 must be exactly 17 characters from Charset,
// with digits at positions 3–8; otherwise it returns an *Error (ErrLength or
// ErrCharacter) and 0.
func CheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != Length-1 {
		return 0, &Error{Kind: ErrLength, Code: first17, Found: fmt.Sprint(n), Expected: fmt.Sprint(Length - 1),
			Hint: "the check character is computed over the first 17 characters"}
	}
	if err := checkChars(first17); err != nil {
		return 0, err
	}
	return checkChar(first17), nil
}

// checkChar computes the check character of s[:17], which must be valid.
func checkChar(s string) byte {
	sum := 0
	for i, w := range weights {
		sum += value(s[i]) * w
	}
	return Charset[(31-sum%31)%31]
}

// checkChars reports the first character of s that is not allowed at its
// position: outside Charset anywhere, or not a digit at positions 3–8.
func checkChars(code string) error {
	pos := 0
	for i, r := range code {
		pos++
		if r < utf8.RuneSelf && value(byte(r)) >= 0 && (pos < 3 || pos > 8 || (r >= '0' && r <= '9')) {
			continue
		}
		found := fmt.Sprintf("%q", r)
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(code[i:]); size == 1 {
				return &Error{Kind: ErrCharacter, Code: code, Position: pos, Found: fmt.Sprintf("%q", code[i:i+1]),
					Hint: "the text is not valid UTF-8"}
			}
		}
		return &Error{Kind: ErrCharacter, Code: code, Position: pos, Found: found, Hint: charHint(r, pos)}
	}
	return nil
}

// charHint says what is wrong with r at pos in words a user can act on.
func charHint(r rune, pos int) string {
	switch {
	case pos >= 3 && pos <= 8:
		return "positions 3–8 are the administrative division code and must be digits"
	case r >= 'a' && r <= 'z':
		return "use upper-case letters"
	case r >= 0xFF01 && r <= 0xFF5E:
		return "a full-width character: switch the input method to half-width"
	case r == 'I' || r == 'O':
		return "the code never uses I or O: did you mean 1 or 0?"
	case r == 'Z' || r == 'S' || r == 'V':
		return "the code never uses Z, S or V"
	case unicode.IsSpace(r) || r == '-':
		return "remove spaces and hyphens"
	}
	return "only digits and the upper-case letters other than I, O, Z, S and V are used"
}

// Validate reports whether code is a well-formed unified social credit code
// with a correct check character (position 18). It checks code exactly as
// given: call Normalize first to accept lower case, full-width characters
// and surrounding spaces. The error, when not nil, is an *Error saying the
// length found, or the invalid character and its position, or the expected
// check character. It does not check the organisation code's own check
// digit (see ValidateStrict and the package documentation for why).
func Validate(code string) error {
	if n := utf8.RuneCountInString(code); n != Length {
		hint := ""
		if n == 15 {
			hint = "a 15-digit number is an old business registration number (注册号), not a unified social credit code"
		} else if n == 9 || n == 10 {
			hint = "this looks like an organisation code (组织机构代码); the unified social credit code has 18 characters"
		}
		return &Error{Kind: ErrLength, Code: code, Found: fmt.Sprint(n), Expected: fmt.Sprint(Length), Hint: hint}
	}
	if err := checkChars(code); err != nil {
		return err
	}
	if want := checkChar(code); code[17] != want {
		return &Error{Kind: ErrCheckChar, Code: code, Position: 18, Found: code[17:], Expected: string(want),
			Hint: "check the code for a mistyped character"}
	}
	return nil
}

// ValidateStrict is Validate plus the GB 11714 check digit of the
// organisation code at position 17 (weights 3,7,9,10,5,8,4,2 over positions
// 9–16, letters valued A=10 … Z=35; check = 11 − sum mod 11, 10 → X, 11 → 0).
// A code that fails only this check gets an *Error of kind ErrOrgCheck:
// treat it as a warning (see the package documentation).
func ValidateStrict(code string) error {
	if err := Validate(code); err != nil {
		return err
	}
	if want := OrgCheckDigit(code[8:16]); code[16] != want {
		return &Error{Kind: ErrOrgCheck, Code: code, Position: 17, Found: code[16:17], Expected: string(want),
			Hint: "positions 9–17 are the organisation code; compare it with the business licence"}
	}
	return nil
}

// OrgCheckDigit computes the GB 11714 check digit ('0'–'9' or 'X') of the
// 8-character body of an organisation code (digits and upper-case letters).
// It returns 0 when body is not 8 such characters.
func OrgCheckDigit(body string) byte {
	if len(body) != len(orgWeights) {
		return 0
	}
	sum := 0
	for i, w := range orgWeights {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0
		}
		sum += v * w
	}
	switch d := 11 - sum%11; d {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + d)
	}
}
