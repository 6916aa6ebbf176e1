package workflow

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

// DefaultMaxEvidenceSize is the largest evidence file accepted unless
// WithMaxEvidenceSize says otherwise: 20 MB.
const DefaultMaxEvidenceSize int64 = 20 << 20

// WithDataDir sets the data folder the service keeps files in (evidence
// under evidence/). The default is the folder of the SQLite database; a
// service on PostgreSQL must be given one to accept evidence.
func WithDataDir(dir string) Option {
	return func(s *Service) { s.files.dataDir = dir }
}

// WithMaxEvidenceSize sets the largest evidence file accepted, in bytes
// (DefaultMaxEvidenceSize when n ≤ 0).
func WithMaxEvidenceSize(n int64) Option {
	return func(s *Service) {
		if n <= 0 {
			n = DefaultMaxEvidenceSize
		}
		s.files.maxEvidence = n
	}
}

// dataDir is the service's data folder.
func (s *Service) dataDir() (string, error) {
	if d := s.files.dataDir; d != "" {
		return d, nil
	}
	if p := s.db.Path(); p != "" {
		return filepath.Dir(p), nil
	}
	return "", internalf("the service has no data folder for evidence files: set EXEMPLAR_DATA (workflow.WithDataDir)")
}

// evidencePath is where the file with hash sum lies, relative to the data
// folder: evidence/<first two hex digits>/<hash>, so that no folder holds
// more than a 256th of the files.
func evidencePath(sum string) string { return path.Join("evidence", sum[:2], sum) }

// sizeText shows a byte count to people: "20 MB", "1.5 MB", "512 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// cleanFilename is the name a file is attached under: its last path
// element (browsers on Windows send whole paths), 1 to 255 characters,
// no control characters.
func cleanFilename(name string) (string, error) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" || name == "." || name == ".." {
		return "", invalidf("evidence file: give the file's name")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 255 {
		return "", invalidf("evidence file %q: the name must be valid text of at most 255 characters", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", invalidf("evidence file %q: the name holds a control character", name)
		}
	}
	return name, nil
}

// AttachEvidence stores the content of r as evidence of application
// applicationID, under filename, and returns it as attached.
//
// The content is streamed to a temporary file in the data folder while
// it is hashed (SHA-256), never held in memory. It is refused (invalid)
// when it is larger than the service's limit (WithMaxEvidenceSize, 20 MB
// by default; the message names the limit), when its content is not a
// PDF, PNG, JPEG or XLSX file whatever its name says (see sniffFile:
// DOCX and other ZIP files are refused, and so is a ZIP whose content
// would expand far beyond its size), and when its name's extension names
// another of those types than its content. An accepted file is renamed
// into place under evidence/<sha256[:2]>/<sha256> and synced before the
// transaction that records it commits, so a recorded file is never
// missing; content stored already is stored once. The file, its
// attachment and an audit entry are written in one transaction, which
// refuses (conflict) when the application is not a draft or returned, or
// its cycle no longer takes applications, or the same content is attached
// to it already; an application that does not exist is not found.
func (s *Service) AttachEvidence(ctx context.Context, actor Actor, applicationID int64, filename string, r io.Reader) (store.Evidence, error) {
	if err := actor.check(); err != nil {
		return store.Evidence{}, err
	}
	name, err := cleanFilename(filename)
	if err != nil {
		return store.Evidence{}, err
	}
	// Refuse early, before reading megabytes, what the transaction would
	// refuse anyway; it checks again under the application's lock.
	if err := s.read(ctx, func(tx *store.Tx) error {
		a, err := tx.Application(ctx, applicationID)
		if err != nil {
			return missing(err, "application %d", applicationID)
		}
		c, err := tx.Cycle(ctx, a.CycleID)
		if err != nil {
			return err
		}
		return s.evidenceEditable(c, a, &journal{now: s.clock()})
	}); err != nil {
		return store.Evidence{}, err
	}
	dir, err := s.dataDir()
	if err != nil {
		return store.Evidence{}, err
	}
	f, err := s.receive(dir, name, r)
	if err != nil {
		return store.Evidence{}, err
	}
	var ev store.Evidence
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, a, err := s.lockApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		if err := s.evidenceEditable(c, a, j); err != nil {
			return err
		}
		attached, err := tx.ApplicationEvidence(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, e := range attached {
			if e.SHA256 == f.SHA256 {
				return conflictf("application %d has this content attached already, as %q", a.ID, e.Filename)
			}
		}
		f.CreatedAt = j.now
		if _, err := tx.InsertEvidenceFile(ctx, f); err != nil {
			return err
		}
		ev = store.Evidence{ApplicationID: a.ID, SHA256: f.SHA256, Filename: name, Size: f.Size, ContentType: f.ContentType, AddedAt: j.now}
		if err := tx.InsertEvidence(ctx, ev); err != nil {
			return err
		}
		j.record("application.attach_evidence", "application", a.ID, nil, ev)
		return nil
	})
	return result(ev, err)
}

// evidenceEditable refuses to change application a's evidence unless it
// is a draft or returned and its cycle c takes applications.
func (s *Service) evidenceEditable(c store.Cycle, a store.Application, j *journal) error {
	if err := needStatus("application", a.ID, a.Status, "attach_evidence", StatusDraft, StatusReturned); err != nil {
		return err
	}
	return s.needOpen(c, "attach_evidence", j)
}

// receive streams r into a temporary file under dir while hashing it,
// checks its size and type, and renames it into place. It returns the
// file's record, without its creation time.
func (s *Service) receive(dir, name string, r io.Reader) (store.EvidenceFile, error) {
	limit := s.files.maxEvidence
	tmpDir := filepath.Join(dir, "evidence", "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return store.EvidenceFile{}, internalf("evidence file %q: cannot create the data folder: %v", name, err)
	}
	tmp, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return store.EvidenceFile{}, internalf("evidence file %q: cannot create a temporary file: %v", name, err)
	}
	placed := false
	defer func() {
		tmp.Close()
		if !placed {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	// One byte past the limit tells "exactly the limit" from "more".
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return store.EvidenceFile{}, errs.New(errs.Invalid, "evidence file %q: reading it failed: %w", name, err)
	}
	if n > limit {
		return store.EvidenceFile{}, invalidf("evidence file %q is larger than the limit of %s (%d bytes)", name, sizeText(limit), limit)
	}
	if n == 0 {
		return store.EvidenceFile{}, invalidf("evidence file %q is empty", name)
	}
	kind, err := sniffFile(tmp, n)
	if err != nil {
		return store.EvidenceFile{}, invalidf("evidence file %q: %v", name, err)
	}
	if !kind.accepted {
		return store.EvidenceFile{}, invalidf("evidence file %q is %s, which is not accepted: give a PDF, PNG, JPEG or XLSX file", name, kind.name)
	}
	if named, ok := typeOfExtension(name); ok && named.mime != kind.mime {
		return store.EvidenceFile{}, invalidf("evidence file %q is named as %s but its content is %s: rename it or give the right file", name, named.name, kind.name)
	}
	if err := tmp.Sync(); err != nil {
		return store.EvidenceFile{}, internalf("evidence file %q: cannot write it to disk: %v", name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	rel := evidencePath(sum)
	final := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return store.EvidenceFile{}, internalf("evidence file %q: cannot create its folder: %v", name, err)
	}
	// Renaming over a file of the same name is atomic and harmless: its
	// name is its content's hash, so it held the same bytes, or bytes
	// damaged since, which this repairs.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return store.EvidenceFile{}, internalf("evidence file %q: cannot move it into place: %v", name, err)
	}
	placed = true
	syncDir(filepath.Dir(final))
	return store.EvidenceFile{SHA256: sum, Size: n, ContentType: kind.mime, StoredPath: rel}, nil
}

// syncDir makes a rename into dir durable, where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Evidence lists the files attached to application applicationID, by the time they
// were added, then by name. An application that does not exist is not
// found.
func (s *Service) Evidence(ctx context.Context, applicationID int64) ([]store.Evidence, error) {
	var out []store.Evidence
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Application(ctx, applicationID); err != nil {
			return missing(err, "application %d", applicationID)
		}
		var err error
		out, err = tx.ApplicationEvidence(ctx, applicationID)
		return err
	})
	return result(out, err)
}

// ErrEvidenceDamaged is the cause of the error of OpenEvidence when a
// stored file no longer matches its hash or size.
var ErrEvidenceDamaged = errors.New("evidence file damaged")

// OpenEvidence opens the stored evidence file with content hash sum (64
// hex digits) for reading, after reading it once to check that its
// content still has that hash and size: a file changed on disk is
// refused (internal, with ErrEvidenceDamaged as the cause), never served
// as evidence. The caller closes the file.
func (s *Service) OpenEvidence(ctx context.Context, sum string) (io.ReadSeekCloser, store.EvidenceFile, error) {
	sum = strings.ToLower(strings.TrimSpace(sum))
	if _, err := hex.DecodeString(sum); err != nil || len(sum) != 2*sha256.Size {
		return nil, store.EvidenceFile{}, invalidf("evidence file %q: give its SHA-256 as 64 hexadecimal digits", sum)
	}
	var ef store.EvidenceFile
	if err := s.read(ctx, func(tx *store.Tx) (err error) {
		ef, err = tx.EvidenceFile(ctx, sum)
		return missing(err, "evidence file %s", sum)
	}); err != nil {
		return nil, ef, err
	}
	dir, err := s.dataDir()
	if err != nil {
		return nil, ef, err
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(ef.StoredPath)))
	if err != nil {
		return nil, ef, errs.New(errs.Internal, "evidence file %s is recorded but cannot be opened: %w", sum, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, ef, internalf("evidence file %s: reading it failed: %v", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum || n != ef.Size {
		f.Close()
		return nil, ef, &errs.Error{Code: errs.Internal, Err: ErrEvidenceDamaged, Msg: fmt.Sprintf(
			"evidence file %s is damaged: its content (%d bytes, SHA-256 %s) no longer matches what was stored (%d bytes); restore it from a backup",
			sum, n, got, ef.Size)}
	}
	return f, ef, nil
}

// fileType is a kind of file the sniffer tells apart.
type fileType struct {
	name     string // for people: "a PDF document"
	mime     string
	accepted bool // as evidence
}

var (
	typePDF     = fileType{"a PDF document", "application/pdf", true}
	typePNG     = fileType{"a PNG image", "image/png", true}
	typeJPEG    = fileType{"a JPEG image", "image/jpeg", true}
	typeXLSX    = fileType{"an Excel workbook (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true}
	typeDOCX    = fileType{"a Word document (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false}
	typePPTX    = fileType{"a PowerPoint presentation (PPTX)", "application/vnd.openxmlformats-officedocument.presentationml.presentation", false}
	typeZIP     = fileType{"a ZIP archive", "application/zip", false}
	typeText    = fileType{"plain text", "text/plain", false}
	typeUnknown = fileType{"of an unknown format", "application/octet-stream", false}
)

// typeOfExtension is the accepted type a file's name claims, if any.
func typeOfExtension(name string) (fileType, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return typePDF, true
	case ".png":
		return typePNG, true
	case ".jpg", ".jpeg":
		return typeJPEG, true
	case ".xlsx":
		return typeXLSX, true
	}
	return fileType{}, false
}

// The limits of a ZIP-based file (XLSX): what it may expand to. Real
// workbooks compress their XML about 10:1; a zip bomb compresses zeros
// 1000:1 and more. Small entries may compress well (a blank sheet), so
// the ratio counts only from maxZipSmall on.
const (
	maxZipEntries   = 10000
	maxZipExpanded  = 256 << 20 // bytes, all entries together
	maxZipRatio     = 100       // expanded ÷ compressed, per entry
	maxZipSmall     = 1 << 20   // entries up to this size may compress better
	maxContentTypes = 1 << 20   // [Content_Types].xml
)

// sniffFile tells the type of the size bytes of f by their content, never
// by a name: the magic numbers of PDF (%PDF-), PNG and JPEG, and for a ZIP
// archive (PK\x03\x04) the content types its [Content_Types].xml declares
// (XLSX, DOCX, PPTX), after checking that it is not a zip bomb. The error
// says why a file looks broken or dangerous.
func sniffFile(f *os.File, size int64) (fileType, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return typeUnknown, fmt.Errorf("reading it failed: %v", err)
	}
	head = head[:n]
	switch {
	case strings.HasPrefix(string(head), "%PDF-"):
		return typePDF, nil
	case strings.HasPrefix(string(head), "\x89PNG\r\n\x1a\n"):
		return typePNG, nil
	case strings.HasPrefix(string(head), "\xff\xd8\xff"):
		return typeJPEG, nil
	case strings.HasPrefix(string(head), "PK\x03\x04"):
		return sniffZip(f, size)
	case utf8.Valid(head) && !strings.ContainsRune(string(head), 0):
		return typeText, nil
	}
	return typeUnknown, nil
}

// sniffZip tells an Office Open XML file from another ZIP archive, and
// refuses an archive that expands beyond the limits: first by the sizes
// its directory declares, then by expanding every entry, because a
// directory can lie (archive/zip refuses an entry whose content differs
// from its declared size, and the expansion stops one byte past it).
func sniffZip(f *os.File, size int64) (fileType, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return typeZIP, fmt.Errorf("it begins like a ZIP archive (XLSX) but cannot be read as one: %v", err)
	}
	if len(zr.File) > maxZipEntries {
		return typeZIP, fmt.Errorf("it is a ZIP archive of %d entries, more than the %d allowed", len(zr.File), maxZipEntries)
	}
	var total uint64
	var types *zip.File
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > maxZipExpanded {
			return typeZIP, fmt.Errorf("it is a ZIP archive that would expand to more than %s: refused as a possible zip bomb", sizeText(maxZipExpanded))
		}
		if e.UncompressedSize64 > maxZipSmall && e.UncompressedSize64 > maxZipRatio*e.CompressedSize64 {
			return typeZIP, fmt.Errorf("it is a ZIP archive whose entry %q would expand from %s to %s (more than %d:1): refused as a possible zip bomb",
				e.Name, sizeText(int64(e.CompressedSize64)), sizeText(int64(e.UncompressedSize64)), maxZipRatio)
		}
		if e.Name == "[Content_Types].xml" {
			types = e
		}
	}
	for _, e := range zr.File {
		if err := expandEntry(e); err != nil {
			return typeZIP, err
		}
	}
	if types == nil || types.UncompressedSize64 > maxContentTypes {
		return typeZIP, nil
	}
	rc, err := types.Open()
	if err != nil {
		return typeZIP, fmt.Errorf("its [Content_Types].xml cannot be read: %v", err)
	}
	defer rc.Close()
	declared, err := io.ReadAll(io.LimitReader(rc, maxContentTypes))
	if err != nil {
		return typeZIP, fmt.Errorf("its [Content_Types].xml cannot be read: %v", err)
	}
	switch ct := string(declared); {
	case strings.Contains(ct, "spreadsheetml.sheet.main+xml"), strings.Contains(ct, "spreadsheetml.template.main+xml"):
		return typeXLSX, nil
	case strings.Contains(ct, "wordprocessingml.document.main+xml"):
		return typeDOCX, nil
	case strings.Contains(ct, "presentationml.presentation.main+xml"):
		return typePPTX, nil
	}
	return typeZIP, nil
}

// expandEntry reads entry e to its end, to at most one byte past its
// declared size, and fails if it is damaged or larger than declared.
func expandEntry(e *zip.File) error {
	rc, err := e.Open()
	if err != nil {
		return fmt.Errorf("its entry %q cannot be read: %v", e.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(e.UncompressedSize64)+1))
	if err != nil {
		return fmt.Errorf("its entry %q is damaged: %v", e.Name, err)
	}
	if uint64(n) > e.UncompressedSize64 {
		return fmt.Errorf("its entry %q expands beyond the size it declares: refused as a possible zip bomb", e.Name)
	}
	return nil
}
