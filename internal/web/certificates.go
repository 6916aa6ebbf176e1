package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/report"
	"github.com/exemplar/exemplar/internal/workflow"
)

// certificateRoutes are the routes of certificates: the public
// verification page and the PDFs, and the administrators' bulk
// generation of a cycle's certificates (certificate_bulk.go).
//
// The PDF is for everyone, like the verification page: a certificate
// holds nothing that is not public already — the enterprise's name and
// unified social credit code (both on the national credit register) and a
// title announced in a public notice — and a certificate's worth does not
// rest on the secrecy of its file but on its verification page, which
// reads the database: a copied, altered or forged PDF cannot make that
// page say valid. Letting anyone download it also lets the enterprise
// print it again, and lets a journalist or a customer check it.
func (s *Server) certificateRoutes() []route {
	return []route{
		{"GET /certificates", everyone, s.certificateLookup},
		{"GET /certificates/{number}", everyone, s.certificatePage},
		{"GET /certificates/{number}/pdf", everyone, s.certificatePDF},
		{"GET /admin/cycles/{id}/certificates", admins, s.adminCertificates},
		{"POST /admin/cycles/{id}/certificates", admins, s.startCertificates},
		{"GET /admin/cycles/{id}/certificates/progress", admins, s.certificateProgress},
		{"GET /admin/cycles/{id}/certificates/archive", admins, s.certificateArchive},
	}
}

// certificatePath is the address of a certificate's verification page,
// relative to the site: what its QR code opens.
func certificatePath(number string) string { return "/certificates/" + url.PathEscape(number) }

// certificateLookup is the form where one types a certificate's number;
// with ?number= it sends the browser to that certificate's page.
func (s *Server) certificateLookup(w http.ResponseWriter, r *request) {
	if n := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("number"))); n != "" {
		http.Redirect(w, r.Request, certificatePath(n), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "certificate_lookup", nil)
}

// certificate reads the certificate {number} of the path. A number that
// is not on record is answered here, with a page that warns of forgery
// (or the JSON error for scripts), and ok is false.
func (s *Server) certificate(w http.ResponseWriter, r *request) (c workflow.Certificate, ok bool) {
	number := r.PathValue("number")
	c, err := s.svc.Certificate(r.Context(), number)
	switch {
	case errs.Is(err, errs.NotFound) && !wantsJSON(r.Request):
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, http.StatusNotFound, "certificate_unknown", map[string]any{"Number": number})
		return c, false
	case err != nil:
		s.fail(w, r, err)
		return c, false
	}
	return c, true
}

// certificatePage is the public verification page: whether the
// certificate is valid, expired or revoked, and what it says. It is read
// afresh every time (no caching), since a title can be revoked any day.
func (s *Server) certificatePage(w http.ResponseWriter, r *request) {
	c, ok := s.certificate(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.render(w, r, http.StatusOK, "certificate", map[string]any{"C": c, "PDF": certificatePath(c.Number) + "/pdf"})
}

// certificatePDF is the certificate as a PDF, whose QR code opens its
// verification page on this site (Config.BaseURL, or the host the request
// came to).
func (s *Server) certificatePDF(w http.ResponseWriter, r *request) {
	c, ok := s.certificate(w, r)
	if !ok {
		return
	}
	rc := printable(c, s.publicURL(r, certificatePath(c.Number)))
	pdf, err := rc.PDF()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+report.CertificateFileName(c.Number)+`"`)
	// The file never changes (its status lives on the page), but its QR
	// code names the host it was asked from: let no shared cache keep it.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(pdf)
}

// printable is what report prints for certificate c, whose verification
// page is at verifyURL. Enterprise names are registered in Chinese, so
// the name has no English line.
func printable(c workflow.Certificate, verifyURL string) report.Certificate {
	return report.Certificate{
		Number:     c.Number,
		Enterprise: program.Text{Zh: c.EnterpriseName},
		USCC:       c.USCC,
		Program:    program.Text{Zh: c.TitleZh, En: c.TitleEn},
		Tier:       program.Text{Zh: c.TierZh, En: c.TierEn},
		IssuedOn:   c.IssuedOn,
		ValidUntil: c.ValidUntil,
		Issuer:     program.Text{Zh: c.IssuerZh, En: c.IssuerEn},
		VerifyURL:  verifyURL,
	}
}
