package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/report"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The independent tools that read what the site generates: pdftoppm
// (poppler-utils) renders a PDF, zbarimg (zbar-tools) decodes the QR code.
// The tests fail, not skip, without them: CI installs them.
const certToolPackages = "apt-get install -y zbar-tools poppler-utils"

func certTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed; the certificate test reads the PDF with independent tools: %s", name, certToolPackages)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(p, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// certDecodeQR renders page 1 of pdf with pdftoppm and returns what zbarimg
// reads in its QR code.
func certDecodeQR(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "certificate.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(dir, "page")
	certTool(t, "pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-singlefile", "-png", in, prefix)
	out := strings.TrimSpace(certTool(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", prefix+".png"))
	if out == "" || strings.Contains(out, "\n") {
		t.Fatalf("zbarimg read %q; want exactly one QR code", out)
	}
	return out
}

// certStorySite serves db, where the demo's story ran, on the story's
// clock with data folder dir, and returns it with a browser signed in as
// an administrator. The browser carries an API token rather than a
// session cookie: a session opened on the story's clock would expire in
// 2018, and the cookie jar drops a cookie that expired.
func certStorySite(t *testing.T, db *store.DB, clock *demo.Clock, dir string) (*site, *client) {
	t.Helper()
	ctx := context.Background()
	svc := workflow.New(db, workflow.WithClock(clock.Now), workflow.WithDataDir(dir))
	srv, err := New(svc, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, svc: svc, srv: srv, http: httptest.NewServer(srv.Handler())}
	t.Cleanup(func() {
		s.http.Close()
		srv.stopCertificateJobs(ctx)
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	u, err := svc.CreateUser(ctx, system, "certificate-admin", "Test admin", password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GrantRole(ctx, system, u.ID, workflow.RoleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateAPIToken(ctx, system, u.ID, "certificate test")
	if err != nil {
		t.Fatal(err)
	}
	admin := s.client()
	admin.c.Transport = bearer{token}
	return s, admin
}

// bearer sends every request with an API token.
type bearer struct{ token string }

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(req)
}

var certJobStage = regexp.MustCompile(`id="certificate-job" data-stage="([a-z]+)"`)

// bulkGenerate runs bulk generation for cycle id as admin, through the
// confirmation, and follows the progress page until the job ends. It
// returns the last progress page.
func bulkGenerate(t *testing.T, admin *client, id int64) string {
	t.Helper()
	resp, body := admin.get(certAdminPath(id))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm"`) {
		t.Fatalf("certificates page of cycle %d: status %d, without the confirmation", id, resp.StatusCode)
	}
	resp, _ = admin.postRaw(certAdminPath(id), url.Values{"confirm": {"yes"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != certAdminPath(id)+"/progress" {
		t.Fatalf("start: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, body := admin.get(certAdminPath(id) + "/progress")
		m := certJobStage.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("progress: status %d, no stage in %q", resp.StatusCode, body)
		}
		running := m[1] == "issue" || m[1] == "render"
		// Without JavaScript the page reloads itself while the job runs,
		// and only then.
		refreshes := resp.Header.Get("Refresh") == "2" && strings.Contains(body, `<meta http-equiv="refresh" content="2">`)
		if running != refreshes {
			t.Errorf("progress at stage %s: refreshes itself %v", m[1], refreshes)
		}
		switch {
		case m[1] == "failed":
			t.Fatalf("generation failed: %s", body)
		case !running:
			return body
		case time.Now().After(deadline):
			t.Fatalf("generation still at %s after 3 minutes", m[1])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCertificatesEndToEnd runs the demo's story (146 titles confirmed
// by the 2018 review, 4 revoked), generates the review's certificates in
// bulk through the administrators' pages, downloads the archive, renders
// a certificate's PDF, decodes its QR code with zbarimg and follows it
// to the verification page: valid. The revoked enterprises' 2015
// certificates verify as revoked, the others' as expired.
func TestCertificatesEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := demo.NewClock()
		res, err := demo.RunStory(ctx, db, clock, demo.Seed)
		if err != nil {
			t.Fatal(err)
		}
		// October 2018: the review's certificates run, the 2015 ones have
		// run out (in September).
		clock.Set(time.Date(2018, 10, 8, 10, 0, 0, 0, workflow.ChinaTime))
		dir := t.TempDir()
		s, admin := certStorySite(t, db, clock, dir)
		review := res.Review.ID

		// Without the confirmation nothing happens.
		resp, _ := admin.postRaw(certAdminPath(review), url.Values{}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != certAdminPath(review) {
			t.Errorf("unconfirmed start: status %d to %q; want back to the page that asks", resp.StatusCode, resp.Header.Get("Location"))
		}
		if plan, err := s.svc.PlanCertificates(ctx, review); err != nil || plan.Issued != 0 || plan.Due != 146 {
			t.Fatalf("after the unconfirmed start: %+v, %v; want 146 due and none issued", plan, err)
		}
		_, body := admin.get(certAdminPath(review))
		if !strings.Contains(body, `id="certificates-due">146<`) || !strings.Contains(body, `id="certificates-issued">0<`) {
			t.Errorf("the certificates page does not show 146 due, 0 issued")
		}

		done := bulkGenerate(t, admin, review)
		if !strings.Contains(done, "146") {
			t.Errorf("the finished job does not say 146: %s", done)
		}
		_, body = admin.get(certAdminPath(review))
		if !strings.Contains(body, `id="certificates-issued">146<`) || !strings.Contains(body, "MIIT-TIDE-2018-R-0001") ||
			!strings.Contains(body, "/archive") {
			t.Errorf("after generation the page lacks the issued count, the numbers or the archive")
		}

		// The archive: 146 PDFs named by number.
		resp, archive := admin.get(certAdminPath(review) + "/archive")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("archive: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(strings.NewReader(archive), int64(len(archive)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 146 || zr.File[0].Name != report.CertificateFileName("MIIT-TIDE-2018-R-0001") {
			t.Fatalf("archive holds %d files, the first %q; want 146 from MIIT-TIDE-2018-R-0001.pdf", len(zr.File), zr.File[0].Name)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		first, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantURL := s.http.URL + "/certificates/MIIT-TIDE-2018-R-0001"
		if got := certDecodeQR(t, first); got != wantURL {
			t.Errorf("the archived PDF's QR code reads %q; want %q", got, wantURL)
		}
		// Generating again issues nothing and keeps the numbers.
		if again := bulkGenerate(t, admin, review); !strings.Contains(again, `data-stage="done"`) {
			t.Errorf("second generation: %s", again)
		}
		if certs, err := s.svc.CycleCertificates(ctx, review); err != nil || len(certs) != 146 {
			t.Errorf("after a second generation the cycle has %d certificates (%v); want 146", len(certs), err)
		}

		// Scan a certificate printed from the web and follow the code.
		follow := func(number, status string, also ...string) {
			t.Helper()
			resp, pdf := s.client().get("/certificates/" + number + "/pdf")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
				t.Fatalf("PDF of %s: status %d", number, resp.StatusCode)
			}
			scanned := certDecodeQR(t, []byte(pdf))
			if scanned != s.http.URL+"/certificates/"+number {
				t.Errorf("the QR code of %s reads %q", number, scanned)
			}
			req, err := http.NewRequest(http.MethodGet, scanned, nil) // the decoded URL, as a phone opens it
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Language", "en")
			resp, page := s.client().do(req)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-status="`+status+`"`) {
				t.Errorf("%s: the page the code opens has status %d and not %s", number, resp.StatusCode, status)
			}
			for _, w := range append(also, number) {
				if !strings.Contains(page, w) {
					t.Errorf("%s: the page the code opens lacks %q", number, w)
				}
			}
		}
		certs, err := s.svc.CycleCertificates(ctx, review)
		if err != nil {
			t.Fatal(err)
		}
		follow(certs[0].Number, "valid", "Valid certificate", certs[0].USCC)

		// The 2015 certificates: revoked for the four, expired for the rest.
		if n, err := s.svc.IssueCertificates(ctx, system, res.Identification.ID, nil); err != nil || n != 150 {
			t.Fatalf("IssueCertificates(2015) = %d, %v", n, err)
		}
		old, err := s.svc.CycleCertificates(ctx, res.Identification.ID)
		if err != nil {
			t.Fatal(err)
		}
		revoked := map[string]demo.Revoked{}
		for _, r := range res.Revoked {
			revoked[r.Code] = r
		}
		var sawRevoked, sawExpired bool
		for _, c := range old {
			r, isRevoked := revoked[c.USCC]
			switch {
			case isRevoked && !sawRevoked:
				follow(c.Number, "revoked", "Revoked certificate", r.ReasonEn)
				sawRevoked = true
			case !isRevoked && !sawExpired:
				follow(c.Number, "expired", "Expired certificate")
				sawExpired = true
			}
		}
		if !sawRevoked || !sawExpired {
			t.Errorf("the 2015 certificates gave no revoked (%v) or no expired (%v) one to scan", sawRevoked, sawExpired)
		}
		if _, err := os.Stat(filepath.Join(dir, "certificates", "cycle-"+strconv.FormatInt(review, 10)+".zip")); err != nil {
			t.Errorf("the archive is not in the data folder: %v", err)
		}
	})
}
