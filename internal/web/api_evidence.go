package web

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/store"
)

// Files of an application in the API, as the enterprise's application
// page handles them (enterprise_files.go): its evidence (list, upload,
// download), and the program's input template (download, fill in, upload
// to save the inputs). Only the enterprise's own applications; another's
// is not found.

// apiListEvidence lists the files attached to the caller's application
// {id}, by the time they were added, then by name.
func (s *Server) apiListEvidence(w http.ResponseWriter, r *request) {
	lq, err := parseList[store.Evidence](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.Evidence(r.Context(), a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Evidence{}
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, nil))
}

// apiAttachEvidence attaches the file of the multipart form's part "file"
// to the caller's application {id} and answers 201 with it. The checks
// are the page's: the request's size bound (maxUploadBody, in wrap), and
// the workflow's by content, size and type (workflow AttachEvidence). A
// request that is not a multipart form, or has no file, is invalid and
// names the part; an application no longer editable, or content attached
// to it already, is a conflict.
func (s *Server) apiAttachEvidence(w http.ResponseWriter, r *request) {
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.MultipartForm == nil {
		s.fail(w, r, errs.WithField("file", errs.New(errs.Invalid, "send the file as multipart/form-data, in the part \"file\"")))
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, errs.WithField("file", errs.New(errs.Invalid, "file: the form has no file in the part \"file\"")))
		return
	}
	defer file.Close()
	ev, err := s.svc.AttachEvidence(r.Context(), r.actor(), a.ID, header.Filename, file)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("file", err) // the file is what the workflow refuses
		}
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/applications/"+strconv.FormatInt(a.ID, 10)+"/evidence/"+ev.SHA256, ev)
}

// apiDownloadEvidence sends the evidence file {sha} (its SHA-256) of the
// caller's application {id}, with the content type and name it was
// attached with. A file not attached to this application is not found,
// whoever else attached it.
func (s *Server) apiDownloadEvidence(w http.ResponseWriter, r *request) {
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveEvidence(w, r, a.ID)
}

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// apiApplicationTemplate sends the XLSX input template of the program of
// the caller's application {id}, in ?lang= (zh or en; by default the
// caller's language), as the application page does.
func (s *Server) apiApplicationTemplate(w http.ResponseWriter, r *request) {
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := r.lang
	switch v := r.URL.Query().Get("lang"); v {
	case "":
	case "zh", "en":
		lang = v
	default:
		s.fail(w, r, errs.WithField("lang", errs.New(errs.Invalid, "lang: zh or en, not %q", v)))
		return
	}
	c, err := s.svc.Cycle(r.Context(), a.CycleID)
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
	if err := ingest.WriteTemplate(p, path, lang); err != nil {
		s.fail(w, r, errs.New(errs.Internal, "template of %s: %v", p.Def.Name, err))
		return
	}
	body, err := os.ReadFile(path)
	if err != nil {
		s.fail(w, r, errs.New(errs.Internal, "template: %v", err))
		return
	}
	name := fmt.Sprintf("%s-%d-application-%d.xlsx", p.Def.Name, c.Year, a.ID)
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(body)
}

// apiUploadSheet saves the inputs of a filled-in template (the part
// "file" of a multipart form) as the caller's application {id}'s, at
// ?version=, as the application page's upload does: values the file
// gives replace the saved ones. The file is checked as the page checks
// it (receiveSheet: an XLSX workbook within the size and inflation
// limits), then by the workflow, cell by cell; any problem refuses the
// whole file, naming file, and saves nothing. A stale version, or an
// application that can no longer change, is a conflict.
func (s *Server) apiUploadSheet(w http.ResponseWriter, r *request) {
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, perr := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if perr != nil {
		version = 0
	}
	if err := needVersion(version, "application"); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.MultipartForm == nil {
		s.fail(w, r, errs.WithField("file", errs.New(errs.Invalid, "send the workbook as multipart/form-data, in the part \"file\"")))
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, errs.WithField("file", errs.New(errs.Invalid, "file: the form has no file in the part \"file\"")))
		return
	}
	defer file.Close()
	path, cleanup, err := receiveSheet(file, header.Filename)
	if err != nil {
		s.fail(w, r, errs.WithField("file", err))
		return
	}
	defer cleanup()
	inputs, err := s.svc.InputsFromSheet(r.Context(), a.ID, path, header.Filename)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("file", err)
		}
		s.fail(w, r, err)
		return
	}
	saved, err := s.svc.SaveApplication(r.Context(), r.actor(), a.ID, version, inputs)
	if err != nil {
		s.fail(w, r, namedInput(err, "file"))
		return
	}
	writeJSON(w, http.StatusOK, saved)
}
