package report

// The CJK font of the certificates, and text measurement and line breaking
// in it.

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"
)

// The font is WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0, or GPL-3+ with
// the font exception; see fonts/LICENSE), taken unaltered from Debian's
// fonts-wqy-microhei. Debian ships it as a TrueType collection, which PDF
// libraries do not read, so fonts/ttc2ttf.go copies its first face out into
// a plain .ttf; `go generate` redoes it and TestFontMatchesDebian checks
// the committed file against the installed package. It covers GB 18030's
// common set (about 21,000 CJK ideographs), Latin, Greek and Cyrillic.
// Certificates embed only the glyphs they use.
//
//go:generate go run ./fonts/ttc2ttf.go -index 0 /usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts/wqy-microhei.ttf
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

// fontFamily is the font's name in the PDF. The six capitals and "+" are the
// tag that PDF 32000-1 §9.6.4 requires in the name of a subset font.
const fontFamily = "EXMPLR+WenQuanYiMicroHei"

// certFont is the parsed font, shared read-only by every certificate.
type certFont struct {
	fonts  gopdf.FontContainer // parsed once; each PDF copies its own subset state
	glyph  map[int]uint        // rune → glyph index
	widths []uint              // glyph index → advance width in font units
	upem   float64             // font units per em
}

var (
	fontOnce   sync.Once
	fontLoaded *certFont
	fontErr    error
)

// loadFont parses the embedded font on first use (about 100 ms).
func loadFont() (*certFont, error) {
	fontOnce.Do(func() {
		var p core.TTFParser
		if err := p.ParseFontData(fontTTF); err != nil {
			fontErr = fmt.Errorf("certificate font: %w", err)
			return
		}
		f := &certFont{glyph: p.Chars(), widths: p.Widths(), upem: float64(p.UnitsPerEm())}
		if f.upem == 0 || len(f.glyph) == 0 {
			fontErr = fmt.Errorf("certificate font: no units per em or no character map")
			return
		}
		if err := f.fonts.AddTTFFontData(fontFamily, fontTTF); err != nil {
			fontErr = fmt.Errorf("certificate font: %w", err)
			return
		}
		fontLoaded = f
	})
	return fontLoaded, fontErr
}

// has reports whether the font draws r.
func (f *certFont) has(r rune) bool {
	g, ok := f.glyph[int(r)]
	return ok && g != 0
}

// missing returns the first rune of s that the font cannot draw, if any.
// Spaces count as drawable: the PDF leaves room for them.
func (f *certFont) missing(s string) (rune, bool) {
	for _, r := range s {
		if r != ' ' && !f.has(r) {
			return r, true
		}
	}
	return 0, false
}

// width is the advance width of s, in points, at size points. The font has
// no kerning in use, so widths add up.
func (f *certFont) width(s string, size float64) float64 {
	var units uint
	for _, r := range s {
		g := f.glyph[int(r)]
		if int(g) < len(f.widths) {
			units += f.widths[g]
		}
	}
	return float64(units) * size / f.upem
}

// fitted is text laid out in a box: its size and lines.
type fitted struct {
	size  float64
	lines []string
}

// fit lays s out in a box maxWidth points wide. It prefers one line at the
// largest size from maxSize down to minSize (in half points); when even
// minSize is too wide it breaks s into at most maxLines lines at minSize.
// ok is false when that is still not enough.
func (f *certFont) fit(s string, maxWidth, maxSize, minSize float64, maxLines int) (fitted, bool) {
	for size := maxSize; size >= minSize; size -= 0.5 {
		if f.width(s, size) <= maxWidth {
			return fitted{size, []string{s}}, true
		}
	}
	lines := f.wrap(s, maxWidth, minSize)
	return fitted{minSize, lines}, len(lines) <= maxLines
}

// wrap breaks s into lines no wider than maxWidth at size: between words
// where there are spaces, between any two ideographs, and inside a word
// (such as a URL) only when the word alone is wider than a line.
// A closing punctuation mark never starts a line.
func (f *certFont) wrap(s string, maxWidth, size float64) []string {
	var lines []string
	var line strings.Builder
	lineW := 0.0
	flush := func() {
		if t := strings.TrimSpace(line.String()); t != "" {
			lines = append(lines, t)
		}
		line.Reset()
		lineW = 0
	}
	for _, unit := range breakUnits(s) {
		w := f.width(unit, size)
		switch {
		case lineW+w <= maxWidth || noLineStart(unit) && lineW > 0 && lineW+w <= maxWidth*1.05:
			// fits; a closing mark may overhang by a little rather than start a line
		case unit == " ":
			flush()
			continue
		case w <= maxWidth:
			flush()
		default: // a word wider than a line: break it between characters
			for _, r := range unit {
				rw := f.width(string(r), size)
				if lineW+rw > maxWidth && lineW > 0 {
					flush()
				}
				line.WriteRune(r)
				lineW += rw
			}
			continue
		}
		line.WriteString(unit)
		lineW += w
	}
	flush()
	return lines
}

// breakUnits splits s into the pieces a line may break between: single
// spaces, single ideographs (and other characters of scripts written
// without spaces), and runs of anything else (words).
func breakUnits(s string) []string {
	var units []string
	start := -1
	for i, r := range s {
		if r == ' ' || breaksAnywhere(r) {
			if start >= 0 {
				units = append(units, s[start:i])
				start = -1
			}
			units = append(units, s[i:i+utf8.RuneLen(r)])
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		units = append(units, s[start:])
	}
	return units
}

// breaksAnywhere reports whether a line may break before or after r: CJK
// ideographs, kana, hangul, and fullwidth punctuation.
func breaksAnywhere(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// noLineStart reports whether unit is a closing mark that should stay at the
// end of the previous line (a light form of the kinsoku rule).
func noLineStart(unit string) bool {
	r, _ := utf8.DecodeRuneInString(unit)
	return strings.ContainsRune("）)】」』》〉，。、；：！？,.;:!?", r)
}
