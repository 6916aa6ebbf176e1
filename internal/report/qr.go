package report

// QR codes for announcements and certificates.
//
// The encoder is github.com/skip2/go-qrcode (MIT), the most used Go QR
// encoder: it implements every version and error-correction level of
// ISO/IEC 18004, picks the mask with the lowest penalty score, and has no
// dependencies. It has had no release since 2020; it is finished rather than
// abandoned, and small enough (about 2,000 lines) to vendor if it ever must
// change. github.com/yeqown/go-qrcode/v2 (v2.3.0), the maintained
// alternative, was tried first and dropped: it scores the eight masks in
// eight goroutines and breaks ties by which finishes first, so the same URL
// can give different codes, and it logs through the standard logger. The
// pictures are drawn here from the module matrix: an SVG path for pages, a
// 1-bit PNG for downloads, and vector rectangles in the certificate PDF (see
// certificate.go), so the code is sharp at any zoom and any print size.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the light margin, in modules, drawn around every code: the
// four modules that ISO/IEC 18004 requires for a reader to find the code.
const QuietZone = 4

// MaxQRURL is the longest URL, in bytes, that EncodeQR accepts. A version 40
// code at level M holds 2,331 bytes, but a code that dense is hard to scan
// from paper or a screen; the URLs Exemplar prints are well under 200 bytes.
const MaxQRURL = 1024

// QR is an encoded QR code at error-correction level M (15% of the code can
// be damaged and still read). Its matrix excludes the quiet zone; the
// renderings (SVG, PNG, the PDF) add it.
type QR struct {
	size int    // modules per side, quiet zone excluded
	dark []bool // row-major, size*size
	url  string
}

// EncodeQR encodes rawURL, which must be an absolute http or https URL of
// at most MaxQRURL bytes written with URL characters only (RFC 3986: ASCII,
// anything else percent-encoded, as url.URL.String produces). Any other
// input is an errs.Invalid error that says what is wrong, so a page never
// shows a code that opens something else than the caller meant.
func EncodeQR(rawURL string) (*QR, error) {
	if err := CheckQRURL(rawURL); err != nil {
		return nil, err
	}
	code, err := qrcode.New(rawURL, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code of %q: %w", rawURL, err)
	}
	code.DisableBorder = true // the renderings add the quiet zone
	bits := code.Bitmap()     // call once: it completes the encoding in place
	n := len(bits)
	q := &QR{size: n, dark: make([]bool, n*n), url: rawURL}
	for y, row := range bits {
		if len(row) != n {
			return nil, fmt.Errorf("qr code of %q: matrix is not square", rawURL)
		}
		copy(q.dark[y*n:], row)
	}
	return q, nil
}

// CheckQRURL reports why rawURL cannot be encoded by EncodeQR, or nil.
func CheckQRURL(rawURL string) error {
	if rawURL == "" {
		return errs.New(errs.Invalid, "qr code: the URL is empty")
	}
	if len(rawURL) > MaxQRURL {
		return errs.New(errs.Invalid, "qr code: the URL is %d bytes long; at most %d fit a code that scans reliably", len(rawURL), MaxQRURL)
	}
	for i := 0; i < len(rawURL); i++ {
		if c := rawURL[i]; !isURLByte(c) {
			return errs.New(errs.Invalid, "qr code: URL %q has %s at byte %d; percent-encode it (url.URL.String does)", shorten(rawURL, 80), describeByte(c), i+1)
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return errs.New(errs.Invalid, "qr code: URL %q: %v", shorten(rawURL, 80), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errs.New(errs.Invalid, "qr code: URL %q must start with https:// or http://", shorten(rawURL, 80))
	}
	if u.Host == "" || u.Opaque != "" {
		return errs.New(errs.Invalid, "qr code: URL %q has no host", shorten(rawURL, 80))
	}
	return nil
}

// isURLByte reports whether c may appear in a URL as RFC 3986 writes it:
// unreserved, reserved, or the % of a percent-encoding.
func isURLByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

func describeByte(c byte) string {
	switch {
	case c >= 0x80:
		return "a non-ASCII character"
	case c < 0x20 || c == 0x7f:
		return fmt.Sprintf("control character 0x%02X", c)
	case c == ' ':
		return "a space"
	}
	return strconv.Quote(string(c))
}

// shorten cuts s to at most n bytes for an error message.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// Size is the number of modules per side, quiet zone excluded
// (21 for version 1, 4 more per version).
func (q *QR) Size() int { return q.size }

// Dark reports whether the module at column x, row y (0-based, quiet zone
// excluded) is dark. Outside the matrix it is light.
func (q *QR) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= q.size || y >= q.size {
		return false
	}
	return q.dark[y*q.size+x]
}

// URL is the text the code holds.
func (q *QR) URL() string { return q.url }

// run is a horizontal run of dark modules: row y, columns x to x+n-1.
type run struct{ x, y, n int }

// runs returns the dark modules merged into horizontal runs, row by row;
// drawing runs instead of single modules makes the SVG and PDF about three
// times smaller and leaves no hairline gaps between neighbouring modules.
func (q *QR) runs() []run {
	var rs []run
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; {
			if !q.Dark(x, y) {
				x++
				continue
			}
			start := x
			for x < q.size && q.Dark(x, y) {
				x++
			}
			rs = append(rs, run{start, y, x - start})
		}
	}
	return rs
}

// SVG renders the code as a standalone SVG document: one unit per module,
// quiet zone included, a white background and one black path, with the URL
// as its accessible title. It declares a width and height of 4 CSS pixels
// per module, which a page may override in CSS; the viewBox keeps it sharp.
func (q *QR) SVG() []byte {
	n := q.size + 2*QuietZone
	var b bytes.Buffer
	b.Grow(64 + 16*q.size*q.size/2)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img">`, n, n, 4*n, 4*n)
	b.WriteString("<title>")
	_ = xml.EscapeText(&b, []byte(q.url)) // a bytes.Buffer never fails
	b.WriteString("</title>")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for _, r := range q.runs() {
		fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", r.x+QuietZone, r.y+QuietZone, r.n, r.n)
	}
	b.WriteString(`"/></svg>`)
	b.WriteByte('\n')
	return b.Bytes()
}

// PNG renders the code as a black-on-white 1-bit PNG with the quiet zone.
// The side is the largest whole number of pixels per module that fits in
// px, so every module is the same square of pixels; when px is too small to
// give each module one pixel, the image is drawn at one pixel per module
// (and is then larger than px) rather than made unreadable.
func (q *QR) PNG(px int) ([]byte, error) {
	n := q.size + 2*QuietZone
	scale := max(px/n, 1)
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale),
		color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}})
	for _, r := range q.runs() {
		for dy := range scale {
			row := img.Pix[((r.y+QuietZone)*scale+dy)*img.Stride:]
			for x := (r.x + QuietZone) * scale; x < (r.x+QuietZone+r.n)*scale; x++ {
				row[x] = 1
			}
		}
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qr code png: %w", err)
	}
	return b.Bytes(), nil
}

// QRSVG encodes rawURL (see EncodeQR) and renders it as SVG (see QR.SVG).
func QRSVG(rawURL string) ([]byte, error) {
	q, err := EncodeQR(rawURL)
	if err != nil {
		return nil, err
	}
	return q.SVG(), nil
}

// QRPNG encodes rawURL (see EncodeQR) and renders it as a PNG of at most px
// pixels a side (see QR.PNG).
func QRPNG(rawURL string, px int) ([]byte, error) {
	q, err := EncodeQR(rawURL)
	if err != nil {
		return nil, err
	}
	return q.PNG(px)
}
