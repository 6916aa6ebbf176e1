package report

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
)

// sampleCert is a certificate as the 2018 review issued them.
func sampleCert() Certificate {
	return Certificate{
		Number:     "GJSFQY-2018-0001",
		Enterprise: program.Text{Zh: "海尔集团公司", En: "Haier Group Corporation"},
		USCC:       "91370200163562681G",
		Program:    program.Text{Zh: "国家技术创新示范企业", En: "National Technological Innovation Demonstration Enterprise"},
		Tier:       program.Text{Zh: "复核通过", En: "Passed review"},
		IssuedOn:   time.Date(2018, 12, 20, 0, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2021, 12, 19, 0, 0, 0, 0, time.UTC),
		Issuer:     program.Text{Zh: "中华人民共和国工业和信息化部", En: "Ministry of Industry and Information Technology"},
		VerifyURL:  "https://exemplar.example.cn/verify/GJSFQY-2018-0001?k=7fQ2",
	}
}

// longZh is a made-up enterprise name of 60 characters: longer than any
// real registered name, it must wrap to two lines.
var longZh = strings.Repeat("中国长江三峡集团", 7) + "有限公司"

// certCases are certificates that must print: the text that must come
// back out of the PDF for each.
var certCases = []struct {
	name string
	edit func(*Certificate)
}{
	{"sample", func(*Certificate) {}},
	{"no optional fields", func(c *Certificate) {
		c.Enterprise.En, c.Program.En, c.Issuer.En = "", "", ""
		c.Tier = program.Text{}
		c.ValidUntil = time.Time{}
	}},
	{"english only", func(c *Certificate) {
		c.Enterprise.Zh, c.Program.Zh, c.Issuer.Zh, c.Tier.Zh = "", "", "", ""
	}},
	{"long names", func(c *Certificate) {
		c.Enterprise.Zh = longZh
		c.Enterprise.En = strings.Repeat("China Three Gorges Corporation Holdings ", 5) + "Limited"
		c.Program.Zh = strings.Repeat("技术创新示范", 8)
		c.Issuer.Zh = strings.Repeat("工业和信息化部", 4)
		c.Number = strings.Repeat("N", MaxCertNumber)
		c.VerifyURL = "https://exemplar.example.cn/verify/" + strings.Repeat("x", MaxCertURL-35)
	}},
	{"html-ish text", func(c *Certificate) {
		c.Enterprise.Zh = `<script>alert("证书")</script>有限公司`
		c.Enterprise.En = `Foo & Bar <b>Ltd</b> 'quoted' "double" \ (paren`
		c.Tier = program.Text{Zh: "金奖 <i>", En: "Gold &amp;"}
	}},
	{"fullwidth and mixed", func(c *Certificate) {
		c.Enterprise.Zh = "华为技术有限公司（深圳）ＡＢＣ１２３"
		c.Program.Zh = "制造业单项冠军示范企业——第三批"
	}},
}

// TestCertificatePDF renders each case and checks it with the independent
// tools: pdftotext must extract every name exactly (the font's ToUnicode map
// is right), and zbarimg must read the QR code of the rendered page as the
// verification URL.
func TestCertificatePDF(t *testing.T) {
	for _, tc := range certCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the tools take most of the time
			c := sampleCert()
			tc.edit(&c)
			pdf, err := c.PDF()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %.20q", pdf)
			}
			path := writeTemp(t, "cert.pdf", pdf)

			text := pdfText(t, path)
			joined := squash(text)
			for _, want := range []string{c.Number, c.Enterprise.Zh, c.Enterprise.En, c.USCC, c.Program.Zh, c.Program.En,
				c.Tier.Zh, c.Tier.En, c.Issuer.Zh, c.Issuer.En, c.VerifyURL, zhDate(c.IssuedOn), isoDate(c.IssuedOn)} {
				if !strings.Contains(joined, squash(want)) {
					t.Errorf("pdftotext lacks %q; it extracted:\n%s", want, text)
				}
			}
			if c.Enterprise.Zh != "" && len([]rune(c.Enterprise.Zh)) < 20 && !strings.Contains(text, c.Enterprise.Zh+"\n") {
				t.Errorf("a short Chinese name should be one line as given; got:\n%s", text)
			}
			if strings.Contains(text, "Valid until") != !c.ValidUntil.IsZero() {
				t.Errorf("valid-until line shown %v, valid until %v", strings.Contains(text, "Valid until"), c.ValidUntil)
			}

			got := zbarDecode(t, pdfPagePNG(t, path, 200))
			if len(got) != 1 || got[0] != c.VerifyURL {
				t.Fatalf("zbarimg read %q from the page, want %q", got, c.VerifyURL)
			}
		})
	}
}

// squash drops all white space, so text wrapped over lines still matches.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// TestCertificateLayout checks on the laid-out page that every line stays in
// its place: inside the inner frame, and the column above the footer.
func TestCertificateLayout(t *testing.T) {
	f, err := loadFont()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range certCases {
		c := sampleCert()
		tc.edit(&c)
		p, err := c.layout(f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, l := range p.lines {
			w := f.width(l.text, l.size)
			x0 := l.x
			if !l.left {
				x0 -= w / 2
			}
			if x0 < 40 || x0+w > pageW-40 || l.y < 40 || l.y+l.size > pageH-40 {
				t.Errorf("%s: line %q (%.1f pt) at x %.0f–%.0f, y %.0f leaves the frame", tc.name, l.text, l.size, x0, x0+w, l.y)
			}
			if l.y < bottomTop && l.y+l.size*1.3 > bottomTop {
				t.Errorf("%s: line %q runs into the footer", tc.name, l.text)
			}
			if l.y >= bottomTop-10 && !l.left && l.x == pageW/2 && x0+w > p.qrX && l.y < p.qrY+qrSide {
				t.Errorf("%s: line %q overlaps the QR code", tc.name, l.text)
			}
		}
	}
	// The long Chinese name must have been wrapped, at the minimum size.
	c := sampleCert()
	c.Enterprise.Zh = longZh
	p, _ := c.layout(f)
	var parts []string
	for _, l := range p.lines {
		if strings.HasPrefix(longZh, strings.Join(parts, "")+l.text) {
			parts = append(parts, l.text)
		}
	}
	if len(parts) != 2 || strings.Join(parts, "") != longZh {
		t.Errorf("long name laid out as %q, want two lines", parts)
	}
}

// TestCertificateInvalid checks that a certificate that cannot be printed
// right is refused with an errs.Invalid error naming the field.
func TestCertificateInvalid(t *testing.T) {
	for _, tc := range []struct {
		says string
		edit func(*Certificate)
	}{
		{"number is empty", func(c *Certificate) { c.Number = " " }},
		{"number has 41", func(c *Certificate) { c.Number = strings.Repeat("9", 41) }},
		{"enterprise name is empty", func(c *Certificate) { c.Enterprise = program.Text{} }},
		{"program title is empty", func(c *Certificate) { c.Program = program.Text{Zh: "  "} }},
		{"issuer is empty", func(c *Certificate) { c.Issuer = program.Text{} }},
		{"issued date is missing", func(c *Certificate) { c.IssuedOn = time.Time{} }},
		{"before the issued date", func(c *Certificate) { c.ValidUntil = c.IssuedOn.AddDate(0, 0, -1) }},
		{"unified social credit code", func(c *Certificate) { c.USCC = "91370200163562681A" }},
		{"wrong length", func(c *Certificate) { c.USCC = "" }},
		{"verification URL", func(c *Certificate) { c.VerifyURL = "" }},
		{"verification URL", func(c *Certificate) { c.VerifyURL = "exemplar.example.cn/verify/1" }},
		{"verification URL", func(c *Certificate) { c.VerifyURL = "https://例子.cn/verify/1" }},
		{"verification URL is 301 bytes", func(c *Certificate) {
			c.VerifyURL = "https://x.cn/" + strings.Repeat("a", MaxCertURL+1-13)
		}},
		{"enterprise name (zh) has control", func(c *Certificate) { c.Enterprise.Zh = "海尔\n集团" }},
		{"enterprise name (en) has control or format character U+202E", func(c *Certificate) { c.Enterprise.En = "Haier \u202eGroup" }},
		{"issuer (en) is not valid UTF-8", func(c *Certificate) { c.Issuer.En = "MIIT \xff" }},
		{"cannot draw", func(c *Certificate) { c.Enterprise.Zh = "海尔😀集团" }},
		{`"𠀀" (U+20000)`, func(c *Certificate) { c.Enterprise.Zh = "海尔𠀀集团" }},
		{"enterprise name (zh) is too long to print", func(c *Certificate) { c.Enterprise.Zh = strings.Repeat(longZh, 2) }},
		{"program title (en) is too long", func(c *Certificate) { c.Program.En = strings.Repeat("Innovation ", 60) }},
		{"far more than", func(c *Certificate) { c.Tier.En = strings.Repeat("x", maxCertText+1) }},
	} {
		c := sampleCert()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: Validate = %v, want an invalid error saying %q", tc.says, err, tc.says)
		}
		var buf bytes.Buffer
		if err2 := c.WritePDF(&buf); err2 == nil || buf.Len() != 0 {
			t.Errorf("%s: WritePDF wrote %d bytes, err %v", tc.says, buf.Len(), err2)
		}
	}
}

// TestCertificateDeterministic: the same certificate gives the same bytes,
// and a small file (the font is subset).
func TestCertificateDeterministic(t *testing.T) {
	c := sampleCert()
	a, err := c.PDF()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.PDF()
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one certificate differ")
	}
	if len(a) > 150_000 {
		t.Errorf("certificate is %d bytes; the font subset should keep it under 150 kB", len(a))
	}
	t.Logf("one certificate: %d bytes", len(a))
}

// TestFontMatchesDebian checks that the committed font is what
// fonts/ttc2ttf.go extracts from Debian's package, so its provenance and
// licence are the package's.
func TestFontMatchesDebian(t *testing.T) {
	const ttc = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
	if _, err := os.Stat(ttc); err != nil {
		t.Fatalf("%s is missing: %s", ttc, toolPackages)
	}
	goTool, err := exec.LookPath("go") // go test puts its own bin first in PATH
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "font.ttf")
	cmd := exec.Command(goTool, "run", "./fonts/ttc2ttf.go", "-index", "0", ttc, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ttc2ttf: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(fontTTF) {
		t.Fatal("fonts/wqy-microhei.ttf differs from the face extracted from Debian's fonts-wqy-microhei: run go generate ./internal/report")
	}
}

// FuzzCertificateText checks that any enterprise name either is refused as
// invalid or prints, and never panics.
func FuzzCertificateText(f *testing.F) {
	f.Add("海尔集团公司", "Haier Group Corporation")
	f.Add(longZh, "")
	f.Add("<script>&amp;", "\x00\u202e")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, zh, en string) {
		c := sampleCert()
		c.Enterprise = program.Text{Zh: zh, En: en}
		pdf, err := c.PDF()
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%q %q: error %v is not invalid", zh, en, err)
			}
			return
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
	})
}

// BenchmarkCertificatePDF renders one certificate per iteration and reports
// its size.
func BenchmarkCertificatePDF(b *testing.B) {
	c := sampleCert()
	if _, err := loadFont(); err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		pdf, err := c.PDF()
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/cert")
}
