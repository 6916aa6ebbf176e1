package uscc

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Published codes of real enterprises, each found in several independent
// public sources, that pass both the position-18 and the GB 11714 check.
var realCodes = []struct{ code, who string }{
	{"914403001922038216", "Huawei Technologies Co., Ltd. (华为技术有限公司)"},
	{"91110108551385082Q", "Xiaomi Technology Co., Ltd. (小米科技有限责任公司)"},
	{"91440300708461136T", "Shenzhen Tencent Computer Systems Co., Ltd. (深圳市腾讯计算机系统有限公司)"},
	{"91110000600037341L", "example in python-stdnum's cn.uscc documentation"},
}

func TestValidateRealCodes(t *testing.T) {
	for _, c := range realCodes {
		if err := Validate(c.code); err != nil {
			t.Errorf("%s (%s): %v", c.code, c.who, err)
		}
		if err := ValidateStrict(c.code); err != nil {
			t.Errorf("strict %s (%s): %v", c.code, c.who, err)
		}
	}
}

func TestCheckCharComputed(t *testing.T) {
	// Codes of every registration-authority kind, their check characters
	// computed independently by hand from the GB 32100 weights.
	tests := []struct{ first17, want string }{
		{"91440300192203821", "6"},
		{"91110108551385082", "Q"},
		{"91110000600037341", "L"},
		{"11100000000013127", "D"}, // 机构编制 (authority 1), national
		{"92371000MA3MXH0E3", "W"}, // 个体工商户 (9 2)
		{"91230184MA1BUFLT4", "4"}, // letters in the organisation code
		{"12440600MB2C07549", "J"}, // public institution
		{"91350100M000100Y4", "3"}, // Fujian, M-series code
		{"00000000000000000", "0"}, // sum 0 → 31 → 0
		{"YY999999YYYYYYYYY", "2"}, // highest values everywhere
		{"N2110000MA00000X1", "2"}, // authority N (agriculture)
	}
	for _, tt := range tests {
		got, err := CheckChar(tt.first17)
		if err != nil {
			t.Fatalf("CheckChar(%q): %v", tt.first17, err)
		}
		if string(got) != tt.want {
			t.Errorf("CheckChar(%q) = %c, want %s", tt.first17, got, tt.want)
		}
		if err := Validate(tt.first17 + string(got)); err != nil {
			t.Errorf("Validate(%q+check): %v", tt.first17, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		kind    error
		pos     int
		contain []string
	}{
		{"empty", "", ErrLength, 0, []string{"wrong length: 0 characters, expected 18"}},
		{"short", "91110108551385082", ErrLength, 0, []string{"17 characters"}},
		{"long", "91110108551385082QQ", ErrLength, 0, []string{"19 characters"}},
		{"old registration number", "110108012660422", ErrLength, 0, []string{"15 characters", "registration number"}},
		{"organisation code", "55138508-2", ErrLength, 0, []string{"organisation code"}},
		{"chinese", "九1110108551385082Q", ErrCharacter, 1, []string{"'九' at position 1"}},
		{"lower case", "91110108551385082q", ErrCharacter, 18, []string{"'q' at position 18", "upper-case"}},
		{"letter O", "91110108551385O82Q", ErrCharacter, 15, []string{"'O' at position 15", "did you mean 1 or 0"}},
		{"letter I", "I1110108551385082Q", ErrCharacter, 1, []string{"position 1"}},
		{"letter S", "91110108551385S82Q", ErrCharacter, 15, []string{"never uses Z, S or V"}},
		{"letter in division", "9111A108551385082Q", ErrCharacter, 5, []string{"'A' at position 5", "must be digits"}},
		{"space inside", "91110108 551385082", ErrCharacter, 9, []string{"' ' at position 9"}},
		{"full width", "９1110108551385082Q", ErrCharacter, 1, []string{"full-width"}},
		{"invalid utf8", "9111010855138508\xff2", ErrCharacter, 17, []string{`"\xff" at position 17`, "not valid UTF-8"}},
		{"check char", "91110108551385082R", ErrCheckChar, 18, []string{`found "R", expected "Q"`}},
		{"one typo", "91110108551385083Q", ErrCheckChar, 18, []string{`expected "`}},
		{"swapped", "91110108515385082Q", ErrCheckChar, 18, []string{"wrong check character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.code)
			if err == nil {
				t.Fatalf("Validate(%q) = nil, want %v", tt.code, tt.kind)
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Validate(%q) = %v, want kind %v", tt.code, err, tt.kind)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %T", err)
			}
			if e.Position != tt.pos {
				t.Errorf("Position = %d, want %d", e.Position, tt.pos)
			}
			msg := err.Error()
			for _, c := range tt.contain {
				if !strings.Contains(msg, c) {
					t.Errorf("message %q does not contain %q", msg, c)
				}
			}
			if zh := e.Chinese(); zh == "" || !utf8.ValidString(zh) {
				t.Errorf("Chinese() = %q", zh)
			}
		})
	}
}

func TestChineseMessages(t *testing.T) {
	var e *Error
	errors.As(Validate("91110108551385082R"), &e)
	if got := e.Chinese(); !strings.Contains(got, "第18位应为“Q”") {
		t.Errorf("Chinese() = %q", got)
	}
	errors.As(Validate("9111"), &e)
	if got := e.Chinese(); !strings.Contains(got, "应为18位，实为4位") {
		t.Errorf("Chinese() = %q", got)
	}
}

func TestEverySingleTypoAndSwapIsCaught(t *testing.T) {
	// The property the package documentation relies on to make the
	// organisation-code check optional.
	for _, c := range realCodes {
		code := c.code
		for i := 0; i < Length; i++ {
			for j := 0; j < len(Charset); j++ {
				if Charset[j] == code[i] {
					continue
				}
				typo := code[:i] + Charset[j:j+1] + code[i+1:]
				if Validate(typo) == nil {
					t.Errorf("typo %q of %q passes", typo, code)
				}
			}
			if i+1 < Length && code[i] != code[i+1] {
				swap := code[:i] + code[i+1:i+2] + code[i:i+1] + code[i+2:]
				if Validate(swap) == nil {
					t.Errorf("swap %q of %q passes", swap, code)
				}
			}
		}
	}
}

func TestValidateStrict(t *testing.T) {
	// 91110108551385082Q with position 17 changed and position 18 recomputed:
	// passes Validate, fails the GB 11714 check.
	body := "9111010855138508" + "3"
	c, err := CheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	code := body + string(c)
	if err := Validate(code); err != nil {
		t.Fatalf("Validate(%q) = %v", code, err)
	}
	err = ValidateStrict(code)
	var e *Error
	if !errors.Is(err, ErrOrgCheck) || !errors.As(err, &e) {
		t.Fatalf("ValidateStrict(%q) = %v, want ErrOrgCheck", code, err)
	}
	if e.Position != 17 || e.Expected != "2" || e.Found != "3" {
		t.Errorf("got %+v", e)
	}
	// Validate's errors come first.
	if err := ValidateStrict("9111"); !errors.Is(err, ErrLength) {
		t.Errorf("ValidateStrict(short) = %v", err)
	}
}

func TestOrgCheckDigit(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"19220382", '1'},
		{"55138508", '2'},
		{"MA3MXH0E", '3'},
		{"MA1BUFLT", '4'},
		{"57462616", '8'},
		{"00000000", '0'}, // 11 - 0 = 11 → 0
		{"0000001", 0},    // too short
		{"0000000a", 0},   // lower case
	}
	for _, tt := range tests {
		if got := OrgCheckDigit(tt.body); got != tt.want {
			t.Errorf("OrgCheckDigit(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
	// A body whose check is X.
	found := false
	for i := 0; i < 1000 && !found; i++ {
		b := strings.Repeat("0", 5) + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
		found = OrgCheckDigit(b) == 'X'
	}
	if !found {
		t.Error("no body with check digit X")
	}
}

func TestCheckCharErrors(t *testing.T) {
	if _, err := CheckChar("9111"); !errors.Is(err, ErrLength) || !strings.Contains(err.Error(), "expected 17") {
		t.Errorf("CheckChar(short) = %v", err)
	}
	if _, err := CheckChar("911101085513850I2"); !errors.Is(err, ErrCharacter) {
		t.Errorf("CheckChar(I) = %v", err)
	}
	if _, err := CheckChar("9111010855138508二"); !errors.Is(err, ErrCharacter) {
		t.Errorf("CheckChar(multi-byte) = %v", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  91110108551385082q\t", "91110108551385082Q"},
		{"９１１１０１０８５５１３８５０８２Ｑ", "91110108551385082Q"},
		{"\u300091110108551385082Q\u3000", "91110108551385082Q"},
		{"9111 0108", "9111 0108"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := Validate(Normalize(" ９1110108551385082q ")); err != nil {
		t.Errorf("normalized code: %v", err)
	}
}

func TestLongInputMessageIsShort(t *testing.T) {
	err := Validate(strings.Repeat("9", 10000))
	if len(err.Error()) > 200 {
		t.Errorf("message is %d bytes long", len(err.Error()))
	}
}

func FuzzValidate(f *testing.F) {
	for _, c := range realCodes {
		f.Add(c.code)
	}
	f.Add("")
	f.Add("91110108551385082R")
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(s)
		_ = Normalize(s)
		_ = ValidateStrict(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error", err)
			}
			_ = e.Error()
			_ = e.Chinese()
			return
		}
		if len(s) != Length {
			t.Fatalf("Validate(%q) = nil with length %d", s, len(s))
		}
		c, cerr := CheckChar(s[:17])
		if cerr != nil || c != s[17] {
			t.Fatalf("Validate(%q) = nil but CheckChar = %q, %v", s, c, cerr)
		}
	})
}
