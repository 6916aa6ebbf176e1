package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
)

var qrURLs = []string{
	"http://a.cn",
	"https://exemplar.example.cn/announcements/42",
	"https://exemplar.example.cn/verify/GJSFQY-2018-0001?lang=zh&k=Ab3_-~.",
	"https://example.org/%E8%AF%81%E4%B9%A6/a(b)!*'$,;=:@[]#frag",
	"https://exemplar.example.cn:8443/" + strings.Repeat("x", 900), // version ~30
}

// TestQRPNGDecodes checks with zbarimg that every PNG reads back as the
// exact URL, at a generous size and at the smallest (1 px per module).
func TestQRPNGDecodes(t *testing.T) {
	for _, u := range qrURLs {
		for _, px := range []int{400, 1} {
			t.Run(fmt.Sprintf("%d-%dpx", len(u), px), func(t *testing.T) {
				b, err := QRPNG(u, px)
				if err != nil {
					t.Fatal(err)
				}
				if px == 1 { // zbar needs a few pixels per module: scale up
					q, _ := EncodeQR(u)
					if b, err = q.PNG(4 * (q.Size() + 2*QuietZone)); err != nil {
						t.Fatal(err)
					}
				}
				got := zbarDecode(t, writeTemp(t, "qr.png", b))
				if len(got) != 1 || got[0] != u {
					t.Fatalf("zbarimg read %q, want %q", got, u)
				}
			})
		}
	}
}

// TestQRPNGGeometry checks the picture: square, whole pixels per module,
// white quiet zone, the requested bound kept, and 1 px per module as floor.
func TestQRPNGGeometry(t *testing.T) {
	q, err := EncodeQR(qrURLs[1])
	if err != nil {
		t.Fatal(err)
	}
	n := q.Size() + 2*QuietZone
	for _, px := range []int{1, n - 1, n, 2*n - 1, 300} {
		b, err := q.PNG(px)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		side := img.Bounds().Dx()
		want := max(px/n, 1) * n
		if side != want || img.Bounds().Dy() != side {
			t.Errorf("px %d: image %v, want %d square", px, img.Bounds(), want)
		}
		scale := side / n
		lo, hi := QuietZone*scale, (QuietZone+q.Size())*scale
		for y := 0; y < side; y++ { // the quiet zone is all white
			for x := 0; x < side; x++ {
				if x >= lo && x < hi && y >= lo && y < hi {
					continue
				}
				if r, _, _, _ := img.At(x, y).RGBA(); r != 0xffff {
					t.Fatalf("px %d: quiet zone pixel (%d,%d) is not white", px, x, y)
				}
			}
		}
		for y := 0; y < q.Size(); y++ { // each module is its square of pixels
			for x := 0; x < q.Size(); x++ {
				r, _, _, _ := img.At((x+QuietZone)*scale+scale/2, (y+QuietZone)*scale+scale/2).RGBA()
				if (r == 0) != q.Dark(x, y) {
					t.Fatalf("px %d: module (%d,%d) drawn wrong", px, x, y)
				}
			}
		}
	}
}

// TestQRSVG checks that the SVG is well-formed XML with an svg root and that
// its path paints exactly the dark modules of the code that zbar reads in
// TestQRPNGDecodes.
func TestQRSVG(t *testing.T) {
	for _, u := range append(qrURLs, "https://x.cn/?a=1&b='2'") {
		q, err := EncodeQR(u)
		if err != nil {
			t.Fatal(err)
		}
		svg := q.SVG()
		var doc struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
			Title   string `xml:"title"`
			Path    struct {
				D string `xml:"d,attr"`
			} `xml:"path"`
		}
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Fatalf("%s: not well-formed XML: %v", u, err)
		}
		if err := wellFormed(svg); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if doc.XMLName.Local != "svg" || doc.XMLName.Space != "http://www.w3.org/2000/svg" {
			t.Fatalf("root element %v", doc.XMLName)
		}
		n := q.Size() + 2*QuietZone
		if doc.ViewBox != fmt.Sprintf("0 0 %d %d", n, n) {
			t.Errorf("viewBox %q", doc.ViewBox)
		}
		if doc.Title != u {
			t.Errorf("title %q, want %q", doc.Title, u)
		}
		painted := make(map[[2]int]bool)
		re := regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
		for d := doc.Path.D; d != ""; {
			m := re.FindStringSubmatch(d)
			if m == nil || m[3] != m[4] {
				t.Fatalf("unexpected path data at %.30q", d)
			}
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			for i := range w {
				painted[[2]int{x + i - QuietZone, y - QuietZone}] = true
			}
			d = d[len(m[0]):]
		}
		for y := -QuietZone; y < q.Size()+QuietZone; y++ {
			for x := -QuietZone; x < q.Size()+QuietZone; x++ {
				if painted[[2]int{x, y}] != q.Dark(x, y) {
					t.Fatalf("%s: module (%d,%d) painted %v, dark %v", u, x, y, painted[[2]int{x, y}], q.Dark(x, y))
				}
			}
		}
	}
}

// wellFormed reads every token of an XML document.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// TestQRInvalidURL checks that what is not an absolute http(s) URL in URL
// characters is refused, with an errs.Invalid error that says why.
func TestQRInvalidURL(t *testing.T) {
	for _, tc := range []struct{ url, says string }{
		{"", "empty"},
		{"exemplar.example.cn/verify/1", "https://"},
		{"/verify/1", "https://"},
		{"ftp://example.cn/x", "https://"},
		{"javascript:alert(1)", "https://"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://例子.cn/", "non-ASCII"},
		{"https://x.cn/证书", "non-ASCII"},
		{"https://x.cn/a b", "a space"},
		{"https://x.cn/<script>", `"<"`},
		{"https://x.cn/\"q\"", `"\""`},
		{"https://x.cn/a\nb", "control character 0x0A"},
		{"https://x.cn/%zz", "invalid URL escape"},
		{"https://x.cn/" + strings.Repeat("a", MaxQRURL), "bytes long"},
	} {
		for name, f := range map[string]func(string) error{
			"svg": func(u string) error { _, err := QRSVG(u); return err },
			"png": func(u string) error { _, err := QRPNG(u, 100); return err },
		} {
			err := f(tc.url)
			if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s(%.40q) = %v, want an invalid error saying %q", name, tc.url, err, tc.says)
			}
		}
	}
}

// FuzzEncodeQR checks that any input either is refused as invalid or gives
// a well-formed code, and never panics.
func FuzzEncodeQR(f *testing.F) {
	for _, u := range qrURLs {
		f.Add(u)
	}
	f.Add("https://x.cn/<a href='x'>&amp;</a>")
	f.Add("HTTPS://X.CN/A")
	f.Fuzz(func(t *testing.T, u string) {
		q, err := EncodeQR(u)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%q: error %v is not invalid", u, err)
			}
			return
		}
		if s := q.Size(); s < 21 || s > 177 || (s-17)%4 != 0 {
			t.Fatalf("%q: size %d", u, s)
		}
		if err := wellFormed(q.SVG()); err != nil {
			t.Fatalf("%q: svg: %v", u, err)
		}
	})
}

func BenchmarkQRSVG(b *testing.B) {
	for b.Loop() {
		if _, err := QRSVG(qrURLs[2]); err != nil {
			b.Fatal(err)
		}
	}
}
