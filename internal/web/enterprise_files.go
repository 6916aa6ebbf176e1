package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/ingest"
)

// Files an enterprise exchanges with its application: the program's
// input template (download, fill in, upload to fill the form) and its
// evidence (PDF, images, workbooks).

// Limits of a filled-in template upload. A template of one enterprise is
// a few dozen kilobytes; these leave room for formatting and pictures and
// refuse a zip "bomb" (a small file that inflates to gigabytes) before
// anything is inflated.
const (
	maxSheetUpload   int64 = 5 << 20  // the uploaded file
	maxSheetExpanded int64 = 64 << 20 // all its parts, inflated
	maxSheetRatio          = 200      // inflated ÷ compressed, per part
)

// applicationTemplate sends the XLSX input template of the application's
// program (what `exemplar template` writes), in the page's language.
func (s *Server) applicationTemplate(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.CycleProgram(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dir, err := os.MkdirTemp("", "exemplar-template-*")
	if err != nil {
		s.fail(w, r, errs.New(errs.Internal, "template: %v", err))
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.xlsx")
	if err := ingest.WriteTemplate(p, path, r.lang); err != nil {
		s.fail(w, r, errs.New(errs.Internal, "template of %s: %v", p.Def.Name, err))
		return
	}
	body, err := os.ReadFile(path)
	if err != nil {
		s.fail(w, r, errs.New(errs.Internal, "template: %v", err))
		return
	}
	name := fmt.Sprintf("%s-%d-application-%d.xlsx", p.Def.Name, c.Year, a.ID)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(body)
}

// uploadApplicationSheet fills the form from an uploaded template and
// saves it as the draft: values the file gives replace the saved ones,
// empty cells keep them. A file that is not an XLSX workbook, too large,
// or with bad cells is refused with each problem by row and column, and
// nothing is saved; values the workflow refuses come back beside their
// fields, unsaved.
func (s *Server) uploadApplicationSheet(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version := postedVersion(r)
	if !s.editable(a, c) {
		s.refuseApplicationChange(w, r, a, c, nil, version, errs.New(errs.Conflict, "%s", r.t("ent.not_editable")))
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.renderApplication(w, r, http.StatusUnprocessableEntity, a, c, nil, r.t("ent.upload.none"), false)
		return
	}
	defer file.Close()
	path, cleanup, err := receiveSheet(file, header.Filename)
	if err != nil {
		s.renderApplication(w, r, statusOf(err), a, c, nil, err.Error(), false)
		return
	}
	defer cleanup()
	inputs, err := s.svc.InputsFromSheet(r.Context(), a.ID, path, header.Filename)
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			s.renderApplication(w, r, statusOf(err), a, c, nil, err.Error(), false)
			return
		}
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.CycleProgram(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.svc.SaveApplication(r.Context(), r.actor(), a.ID, version, inputs)
	if err != nil {
		form := newAppForm(p, c.Year, inputs, a.Declarations)
		s.refuseApplicationChange(w, r, a, c, &form, version, err)
		return
	}
	flash(w, "ent.upload.done")
	http.Redirect(w, r.Request, applicationPath(saved.ID), http.StatusSeeOther)
}

// receiveSheet copies an uploaded workbook to a temporary file after
// checking that it is an XLSX workbook within the limits: at most
// maxSheetUpload bytes, a zip whose parts inflate to at most
// maxSheetExpanded bytes in all and maxSheetRatio times their compressed
// size each. cleanup removes the file.
func receiveSheet(file io.Reader, name string) (path string, cleanup func(), err error) {
	body, err := io.ReadAll(io.LimitReader(file, maxSheetUpload+1))
	if err != nil {
		return "", nil, errs.New(errs.Invalid, "%s: the upload did not complete: %v", name, err)
	}
	if err := checkXLSX(body, name); err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "exemplar-upload-*")
	if err != nil {
		return "", nil, errs.New(errs.Internal, "upload: %v", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "upload.xlsx")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		cleanup()
		return "", nil, errs.New(errs.Internal, "upload: %v", err)
	}
	return path, cleanup, nil
}

// checkXLSX refuses (invalid) content that is not a well-formed XLSX
// workbook within the upload limits, saying what it is instead where it
// can tell.
func checkXLSX(body []byte, name string) error {
	switch {
	case int64(len(body)) > maxSheetUpload:
		return errs.New(errs.Invalid, "%s is larger than the limit of %s for a filled-in template", name, bytesText(maxSheetUpload))
	case len(body) == 0:
		return errs.New(errs.Invalid, "%s is empty", name)
	case bytes.HasPrefix(body, []byte("%PDF-")):
		return errs.New(errs.Invalid, "%s is a PDF document, not an XLSX workbook: upload the template, filled in", name)
	case bytes.HasPrefix(body, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return errs.New(errs.Invalid, "%s is an old Excel 97-2003 (.xls) workbook: save it as .xlsx and upload that", name)
	case !bytes.HasPrefix(body, []byte("PK\x03\x04")):
		return errs.New(errs.Invalid, "%s is not an XLSX workbook: upload the template, filled in and saved as .xlsx", name)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return errs.New(errs.Invalid, "%s is a damaged file, not a readable XLSX workbook: %v", name, err)
	}
	var total uint64
	workbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(maxSheetExpanded) {
			return errs.New(errs.Invalid, "%s would inflate to more than %s: refused as a possible zip bomb", name, bytesText(maxSheetExpanded))
		}
		if f.UncompressedSize64 > uint64(maxSheetRatio)*max(f.CompressedSize64, 1) && f.UncompressedSize64 > 1<<20 {
			return errs.New(errs.Invalid, "%s: part %q would inflate more than %d times: refused as a possible zip bomb", name, f.Name, maxSheetRatio)
		}
		if f.Name == "xl/workbook.xml" {
			workbook = true
		}
	}
	if !workbook {
		return errs.New(errs.Invalid, "%s is a ZIP archive but not an XLSX workbook (a Word document, perhaps): upload the template", name)
	}
	return nil
}

// bytesText shows a byte count to people: "5 MB", "512 KB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// attachEvidence attaches an uploaded file to the application. The
// workflow checks it by content (a PDF must be a PDF), size and type; a
// refusal comes back on the page with the reason.
func (s *Server) attachEvidence(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.renderApplication(w, r, http.StatusUnprocessableEntity, a, c, nil, r.t("ent.upload.none"), false)
		return
	}
	defer file.Close()
	if _, err := s.svc.AttachEvidence(r.Context(), r.actor(), a.ID, header.Filename, file); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderApplication(w, r, statusOf(err), a, c, nil, err.Error(), false)
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "ent.evidence.done")
	http.Redirect(w, r.Request, applicationPath(a.ID)+"#evidence", http.StatusSeeOther)
}

// downloadEvidence sends one of the application's evidence files, under
// the name it was attached with. A file not attached to this application
// is not found, whoever else attached it.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *request) {
	a, _, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveEvidence(w, r, a.ID)
}

// serveEvidence sends the evidence file {sha} (its SHA-256) of
// application id, with the content type and the name it was attached
// with. A file not attached to this application is not found, whoever
// else attached it.
func (s *Server) serveEvidence(w http.ResponseWriter, r *request, id int64) {
	sum := strings.ToLower(r.PathValue("sha"))
	list, err := s.svc.Evidence(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, ev := range list {
		if ev.SHA256 != sum {
			continue
		}
		f, _, err := s.svc.OpenEvidence(r.Context(), sum)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", ev.ContentType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Filename}))
		w.Header().Set("Cache-Control", "private, no-cache")
		http.ServeContent(w, r.Request, "", ev.AddedAt, f)
		return
	}
	s.fail(w, r, errs.New(errs.NotFound, "application %d has no evidence file %q", id, sum))
}
