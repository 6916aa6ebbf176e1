package report

// Certificates (证书): one A4 landscape PDF page per passing enterprise.
//
// The PDF library is github.com/signintech/gopdf (MIT): maintained (v0.33.0,
// 2025), it embeds TrueType fonts as subsets with a ToUnicode map (so
// Chinese text can be searched and copied), and its FontContainer parses the
// 4.6 MB CJK font once for all certificates instead of once per document.
// github.com/go-pdf/fpdf, the other candidate, was archived in 2025.

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/uscc"
	"github.com/signintech/gopdf"
)

// Certificate is what a certificate says. Bilingual fields need at least one
// language; a language left empty is not printed.
type Certificate struct {
	// Number is the certificate number, unique in its program, e.g.
	// "GJSFQY-2018-0001". Required; at most MaxCertNumber characters.
	Number string
	// Enterprise is the enterprise's registered name.
	Enterprise program.Text
	// USCC is its unified social credit code; it must pass uscc.Validate.
	USCC string
	// Program is the title the enterprise holds, e.g.
	// {"国家技术创新示范企业", "National Technological Innovation Demonstration Enterprise"}.
	Program program.Text
	// Tier is optional: the medal tier or kind of plaque, when the program
	// has them, e.g. {"金奖", "Gold"}.
	Tier program.Text
	// IssuedOn is the date of issue (required). Only its calendar date, in
	// its own location, is printed.
	IssuedOn time.Time
	// ValidUntil is the last day of validity; zero means none is printed.
	// It must not be before IssuedOn.
	ValidUntil time.Time
	// Issuer is the issuing authority, e.g. {"中华人民共和国工业和信息化部",
	// "Ministry of Industry and Information Technology"}.
	Issuer program.Text
	// VerifyURL opens the certificate's public verification page. It must
	// pass CheckQRURL and be at most MaxCertURL bytes; the certificate
	// carries it as a QR code and as text.
	VerifyURL string
}

// Limits of what a certificate holds. Names and titles have no fixed
// length limit: they are shrunk and wrapped to their box, and a text that
// still does not fit is refused with an error that says so.
const (
	MaxCertNumber = 40
	MaxCertURL    = 300
	maxCertText   = 1000 // runes; far beyond what fits, it only bounds work
)

// field is one text field of a certificate, named for error messages.
type field struct{ name, value string }

func (c *Certificate) textFields() []field {
	return []field{
		{"number", c.Number},
		{"enterprise name (zh)", c.Enterprise.Zh}, {"enterprise name (en)", c.Enterprise.En},
		{"USCC", c.USCC},
		{"program title (zh)", c.Program.Zh}, {"program title (en)", c.Program.En},
		{"tier (zh)", c.Tier.Zh}, {"tier (en)", c.Tier.En},
		{"issuer (zh)", c.Issuer.Zh}, {"issuer (en)", c.Issuer.En},
		{"verification URL", c.VerifyURL},
	}
}

// Validate reports the first reason c cannot be printed, as an errs.Invalid
// error that names the field, or nil. It checks that every character is
// printable and in the certificate font, so a certificate never shows a
// blank where a character of a name should be, and that every text fits its
// place on the page.
func (c *Certificate) Validate() error {
	f, err := loadFont()
	if err != nil {
		return err
	}
	_, err = c.layout(f)
	return err
}

// check checks the fields one by one, without layout.
func (c *Certificate) check(f *certFont) error {
	for _, fl := range c.textFields() {
		if err := checkText(f, fl); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(c.Number) == "":
		return invalidField("number", "is empty")
	case utf8.RuneCountInString(c.Number) > MaxCertNumber:
		return invalidField("number", fmt.Sprintf("has %d characters; at most %d fit", utf8.RuneCountInString(c.Number), MaxCertNumber))
	case blank(c.Enterprise):
		return invalidField("enterprise name", "is empty in both languages")
	case blank(c.Program):
		return invalidField("program title", "is empty in both languages")
	case blank(c.Issuer):
		return invalidField("issuer", "is empty in both languages")
	case c.IssuedOn.IsZero():
		return invalidField("issued date", "is missing")
	case !c.ValidUntil.IsZero() && dateOf(c.ValidUntil) < dateOf(c.IssuedOn):
		return invalidField("valid until", fmt.Sprintf("%s is before the issued date %s", isoDate(c.ValidUntil), isoDate(c.IssuedOn)))
	case len(c.VerifyURL) > MaxCertURL:
		return invalidField("verification URL", fmt.Sprintf("is %d bytes long; a certificate prints at most %d", len(c.VerifyURL), MaxCertURL))
	}
	if err := uscc.Validate(c.USCC); err != nil {
		return errs.New(errs.Invalid, "certificate: USCC: %w", err)
	}
	if err := CheckQRURL(c.VerifyURL); err != nil {
		return errs.New(errs.Invalid, "certificate: verification URL: %w", err)
	}
	return nil
}

func blank(t program.Text) bool {
	return strings.TrimSpace(t.Zh) == "" && strings.TrimSpace(t.En) == ""
}

func invalidField(name, problem string) error {
	return errs.New(errs.Invalid, "certificate: %s %s", name, problem)
}

// checkText refuses invalid UTF-8, control and format characters (a line
// break, a bidi override) and characters the font lacks.
func checkText(f *certFont, fl field) error {
	if !utf8.ValidString(fl.value) {
		return invalidField(fl.name, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(fl.value); n > maxCertText {
		return invalidField(fl.name, fmt.Sprintf("has %d characters, far more than a certificate holds", n))
	}
	for i, r := range []rune(fl.value) {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return invalidField(fl.name, fmt.Sprintf("has control or format character U+%04X at character %d", r, i+1))
		}
	}
	if r, ok := f.missing(fl.value); ok {
		return invalidField(fl.name, fmt.Sprintf("has the character %q (U+%04X), which the certificate font cannot draw", string(r), r))
	}
	return nil
}

// dateOf is a time's calendar date in its own location, as yyyymmdd.
func dateOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func isoDate(t time.Time) string { return t.Format("2006-01-02") }

func zhDate(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%d年%d月%d日", y, int(m), d)
}

// The page, in points: A4 landscape (297 × 210 mm).
const (
	pageW, pageH = 841.89, 595.28
	textW        = 640.0 // width of the centred text column
	qrSide       = 104.0 // side of the QR code, quiet zone included
)

// Colours.
var (
	colRed   = [3]uint8{0x9b, 0x1b, 0x1b}
	colGold  = [3]uint8{0xb8, 0x86, 0x0b}
	colInk   = [3]uint8{0x1f, 0x1f, 0x1f}
	colMuted = [3]uint8{0x55, 0x55, 0x55}
)

// line is one line of text on the page, centred on x (or left-aligned at
// x when left is set), with its top at y.
type line struct {
	text  string
	size  float64
	color [3]uint8
	x, y  float64
	left  bool
}

// page is a laid-out certificate: its text lines and its QR code.
type page struct {
	lines []line
	qr    *QR
	qrX   float64
	qrY   float64
}

// block is one element of the centred column: a text fitted to the column.
type block struct {
	name             string
	text             string
	maxSize, minSize float64
	maxLines         int
	color            [3]uint8
	gapBefore        float64
}

// layout checks c and places everything on the page. Layout errors name
// the field that does not fit.
func (c *Certificate) layout(f *certFont) (*page, error) {
	if err := c.check(f); err != nil {
		return nil, err
	}
	qr, err := EncodeQR(c.VerifyURL)
	if err != nil {
		return nil, err
	}
	p := &page{qr: qr}
	add := func(text string, size float64, col [3]uint8, x, y float64, left bool) {
		p.lines = append(p.lines, line{text, size, col, x, y, left})
	}

	// Heading.
	add("证  书", 40, colRed, pageW/2, 62, false)
	add("CERTIFICATE", 13, colGold, pageW/2, 112, false)

	// The centred column: who, what, which tier.
	col := []block{
		{"enterprise name (zh)", c.Enterprise.Zh, 28, 14, 2, colInk, 24},
		{"enterprise name (en)", c.Enterprise.En, 15, 9, 2, colInk, 4},
		{"USCC", withLabel("统一社会信用代码 USCC: ", c.USCC), 10.5, 10.5, 1, colMuted, 10},
		{"", statement, 12, 12, 1, colMuted, 20},
		{"program title (zh)", c.Program.Zh, 22, 12, 2, colRed, 12},
		{"program title (en)", c.Program.En, 13, 8, 2, colRed, 4},
		{"tier", tierLine(c.Tier), 15, 9, 1, colRed, 16},
	}
	y := 128.0
	for _, b := range col {
		if strings.TrimSpace(b.text) == "" {
			continue
		}
		ft, ok := f.fit(b.text, textW, b.maxSize, b.minSize, b.maxLines)
		if !ok {
			return nil, invalidField(b.name, fmt.Sprintf("is too long to print: it needs %d lines at %.0f pt where %d fit", len(ft.lines), ft.size, b.maxLines))
		}
		y += b.gapBefore
		for _, l := range ft.lines {
			add(l, ft.size, b.color, pageW/2, y, false)
			y += ft.size * 1.3
		}
	}
	if y > bottomTop {
		// The limits above make this impossible; keep the check so that a
		// change of sizes cannot silently print text over the footer.
		return nil, fmt.Errorf("certificate layout: the text column ends at %.0f pt, below the footer at %.0f pt", y, bottomTop)
	}

	// Footer, left: number and dates.
	x, fy := 78.0, bottomTop+12
	for _, l := range []string{
		"证书编号 No.: " + c.Number,
		"发证日期 Issued: " + zhDate(c.IssuedOn) + " (" + isoDate(c.IssuedOn) + ")",
		validLine(c.ValidUntil),
	} {
		if l == "" {
			continue
		}
		ft, ok := f.fit(l, 270, 10, 7, 1)
		if !ok { // only the number can make a line this long
			return nil, invalidField("number", "is too wide to print")
		}
		add(l, ft.size, colInk, x, fy, true)
		fy += 16
	}

	// Footer, centre: the issuer, like a signature over the date.
	iy := bottomTop + 10
	for _, b := range []block{
		{"issuer (zh)", c.Issuer.Zh, 14, 9, 2, colInk, 0},
		{"issuer (en)", c.Issuer.En, 10, 7, 2, colMuted, 0},
	} {
		if strings.TrimSpace(b.text) == "" {
			continue
		}
		ft, ok := f.fit(b.text, 240, b.maxSize, b.minSize, b.maxLines)
		if !ok {
			return nil, invalidField(b.name, "is too long to print")
		}
		for _, l := range ft.lines {
			add(l, ft.size, b.color, issuerX, iy, false)
			iy += ft.size * 1.3
		}
	}

	// Footer, right: the QR code, and the URL in text under everything.
	p.qrX, p.qrY = pageW-78-qrSide, bottomTop-6
	add("扫码验证 Scan to verify", 8, colMuted, p.qrX+qrSide/2, p.qrY+qrSide, false)
	urlLines := f.wrap(c.VerifyURL, textW, 8)
	if len(urlLines) > 2 {
		return nil, invalidField("verification URL", "is too long to print")
	}
	uy := pageH - 44 - 10*float64(len(urlLines))
	for _, l := range urlLines {
		add(l, 8, colMuted, pageW/2, uy, false)
		uy += 10
	}
	return p, nil
}

// bottomTop is the top of the footer; issuerX the centre of the issuer.
const (
	bottomTop = 418.0
	issuerX   = 495.0
)

func withLabel(label, value string) string {
	if value == "" {
		return ""
	}
	return label + value
}

// statement is the sentence between the enterprise and its title.
const statement = "经评审，被认定为 · has been recognised as"

func tierLine(t program.Text) string {
	switch {
	case t.Zh != "" && t.En != "":
		return t.Zh + " · " + t.En
	default:
		return t.Zh + t.En
	}
}

func validLine(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "有效期至 Valid until: " + zhDate(t) + " (" + isoDate(t) + ")"
}

// WritePDF checks c (see Validate) and writes it to w as a one-page PDF.
// Nothing is written when c is invalid. The output is deterministic: the
// same certificate gives the same bytes (the PDF's date is IssuedOn).
func (c *Certificate) WritePDF(w io.Writer) error {
	b, err := c.PDF()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// PDF checks c and returns it as a one-page PDF.
func (c *Certificate) PDF() ([]byte, error) {
	f, err := loadFont()
	if err != nil {
		return nil, err
	}
	p, err := c.layout(f)
	if err != nil {
		return nil, err
	}
	return c.render(f, p)
}

// render draws the laid-out page p of c.
func (c *Certificate) render(f *certFont, p *page) ([]byte, error) {
	var pdf gopdf.GoPdf
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	pdf.SetCompressLevel(6)
	pdf.SetInfo(gopdf.PdfInfo{
		Title:        "证书 Certificate " + c.Number,
		Subject:      firstNonEmpty(c.Enterprise.Zh, c.Enterprise.En) + " — " + firstNonEmpty(c.Program.Zh, c.Program.En),
		Author:       firstNonEmpty(c.Issuer.Zh, c.Issuer.En),
		Creator:      "Exemplar",
		CreationDate: c.IssuedOn,
	})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, &f.fonts); err != nil {
		return nil, fmt.Errorf("certificate %s: font: %w", c.Number, err)
	}
	pdf.AddPage()
	drawFrame(&pdf)
	for _, l := range p.lines {
		if err := drawLine(&pdf, f, l); err != nil {
			return nil, fmt.Errorf("certificate %s: %w", c.Number, err)
		}
	}
	drawQR(&pdf, p.qr, p.qrX, p.qrY, qrSide)
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, err)
	}
	return buf.Bytes(), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// drawFrame draws the double border.
func drawFrame(pdf *gopdf.GoPdf) {
	pdf.SetStrokeColor(colRed[0], colRed[1], colRed[2])
	pdf.SetLineWidth(3)
	pdf.RectFromUpperLeftWithStyle(22, 22, pageW-44, pageH-44, "D")
	pdf.SetStrokeColor(colGold[0], colGold[1], colGold[2])
	pdf.SetLineWidth(0.8)
	pdf.RectFromUpperLeftWithStyle(31, 31, pageW-62, pageH-62, "D")
	pdf.SetLineWidth(0.6)
	pdf.Line(pageW/2-120, 134, pageW/2+120, 134)
}

// drawLine draws one line of text with its top at l.y.
func drawLine(pdf *gopdf.GoPdf, f *certFont, l line) error {
	if err := pdf.SetFont(fontFamily, "", l.size); err != nil {
		return err
	}
	pdf.SetTextColor(l.color[0], l.color[1], l.color[2])
	x := l.x
	if !l.left {
		x -= f.width(l.text, l.size) / 2
	}
	pdf.SetXY(x, l.y)
	return pdf.Cell(nil, l.text)
}

// drawQR draws q as filled vector rectangles, quiet zone included, in a
// side × side square with its upper-left corner at x, y.
func drawQR(pdf *gopdf.GoPdf, q *QR, x, y, side float64) {
	n := float64(q.Size() + 2*QuietZone)
	m := side / n
	pdf.SetFillColor(0xff, 0xff, 0xff)
	pdf.RectFromUpperLeftWithStyle(x, y, side, side, "F")
	pdf.SetFillColor(0, 0, 0)
	for _, r := range q.runs() {
		pdf.RectFromUpperLeftWithStyle(x+float64(r.x+QuietZone)*m, y+float64(r.y+QuietZone)*m, float64(r.n)*m, m, "F")
	}
}
