package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// The programs pages: the registered programs and their versions, a
// version read as a person reads it, and the upload of a definition —
// checked first, its problems shown in place, and registered only after
// the administrator has seen what it says and confirmed.

// maxDefinitionUpload bounds an uploaded definition (the built-in ones
// are about 20 KB).
const maxDefinitionUpload = 1 << 20

// adminPrograms lists the programs with their versions, and the built-in
// definitions to start a new one from.
func (s *Server) adminPrograms(w http.ResponseWriter, r *request) {
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_programs", map[string]any{"Programs": progs, "Builtins": program.BuiltinNames()})
}

// programUploadForm shows the upload form, filled with a built-in
// definition when ?builtin= names one.
func (s *Server) programUploadForm(w http.ResponseWriter, r *request) {
	text := ""
	if name := r.URL.Query().Get("builtin"); name != "" {
		src, err := program.BuiltinSource(name)
		if err != nil {
			s.fail(w, r, errs.New(errs.NotFound, "built-in program %q does not exist", name))
			return
		}
		text = string(src)
	}
	s.render(w, r, http.StatusOK, "admin_programs_upload", map[string]any{"Text": text, "Limit": maxDefinitionUpload / 1024})
}

// checkProgram validates an uploaded definition (a file, or else the text
// area). An invalid one comes back in the form with each problem, its
// path and line; a valid one is shown as it reads, with a button to
// register it. Nothing is stored here.
func (s *Server) checkProgram(w http.ResponseWriter, r *request) {
	src, err := definitionUpload(r)
	if err != nil {
		s.render(w, r, statusOf(err), "admin_programs_upload", map[string]any{"Error": err.Error(), "Limit": maxDefinitionUpload / 1024})
		return
	}
	p, err := program.Load(src, "definition")
	if err != nil {
		s.renderDefinitionProblems(w, r, src, err)
		return
	}
	sum := sha256.Sum256(src)
	hash := hex.EncodeToString(sum[:])
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var same, label *store.ProgramVersion
	for _, pv := range progs {
		if pv.Name != p.Def.Name {
			continue
		}
		for i := range pv.Versions {
			v := &pv.Versions[i]
			if v.SHA256 == hash {
				same = v
			} else if v.Label == p.Def.Version && label == nil {
				label = v
			}
		}
	}
	s.render(w, r, http.StatusOK, "admin_programs_version", map[string]any{
		"P": viewProgram(p, r.lang), "Confirm": true, "Encoded": base64.StdEncoding.EncodeToString(src),
		"SHA256": hash, "Same": same, "LabelTaken": label, "Text": string(src)})
}

// registerProgram registers the definition the confirmation page carried
// and shows its version; a refused one (changed meanwhile, or its label
// taken by another text) comes back in the upload form.
func (s *Server) registerProgram(w http.ResponseWriter, r *request) {
	src, err := base64.StdEncoding.DecodeString(r.PostFormValue("encoded"))
	if err != nil || len(src) == 0 || len(src) > maxDefinitionUpload {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_programs_upload", map[string]any{"Error": r.t("setup.prog.upload.lost"), "Limit": maxDefinitionUpload / 1024})
		return
	}
	v, err := s.svc.RegisterProgram(r.Context(), r.actor(), src)
	if err != nil {
		if _, ok := definitionProblems(err, src); ok {
			s.renderDefinitionProblems(w, r, src, err)
			return
		}
		if errs.Is(err, errs.Conflict) {
			s.render(w, r, statusOf(err), "admin_programs_upload", map[string]any{"Error": err.Error(), "Text": string(src), "Limit": maxDefinitionUpload / 1024})
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.prog.registered")
	http.Redirect(w, r.Request, "/admin/programs/versions/"+strconv.FormatInt(v.ID, 10), http.StatusSeeOther)
}

// renderDefinitionProblems shows the upload form again with the text,
// each problem of err and the listing with the lines they point to.
func (s *Server) renderDefinitionProblems(w http.ResponseWriter, r *request, src []byte, err error) {
	problems, ok := definitionProblems(err, src)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "admin_programs_upload", map[string]any{
		"Text": string(src), "Problems": problems, "Listing": sourceListing(src, problems), "Limit": maxDefinitionUpload / 1024})
}

// definitionUpload reads the definition of the upload form: the file
// when one was chosen (its bytes exactly), or else the text area (whose
// line ends browsers send as CRLF: made LF again).
func definitionUpload(r *request) ([]byte, error) {
	tooBig := errs.New(errs.Invalid, "%s", strings.ReplaceAll(r.t("setup.prog.upload.too_big"), "%d", strconv.Itoa(maxDefinitionUpload/1024)))
	if r.ContentLength > 2*maxDefinitionUpload {
		return nil, tooBig
	}
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if hdr.Size > maxDefinitionUpload {
			return nil, tooBig
		}
		b, err := io.ReadAll(io.LimitReader(f, maxDefinitionUpload+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxDefinitionUpload {
			return nil, tooBig
		}
		if len(b) > 0 {
			return b, nil
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return nil, errs.New(errs.Invalid, "file: %v", err)
	}
	text := strings.ReplaceAll(r.FormValue("text"), "\r\n", "\n")
	if len(text) > maxDefinitionUpload {
		return nil, tooBig
	}
	if strings.TrimSpace(text) == "" {
		return nil, errs.New(errs.Invalid, "%s", r.t("setup.prog.upload.empty"))
	}
	return []byte(text), nil
}

// programVersionPage shows a registered version as it reads.
func (s *Server) programVersionPage(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "program version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, p, err := s.svc.ProgramVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_programs_version", map[string]any{"P": viewProgram(p, r.lang), "V": v})
}

// programVersionYAML sends a version's definition text as it was
// registered.
func (s *Server) programVersionYAML(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "program version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, _, err := s.svc.ProgramVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(v.Program+"-"+v.Label)+`.yaml"`)
	_, _ = io.WriteString(w, v.Definition)
}

// safeFileName keeps letters, digits, dots, dashes and underscores.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
