package workflow_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// evidenceFixture is a fixture whose service keeps files in a temporary
// data folder, with a 1 MB limit, and an open cycle with two draft
// applications.
func evidenceFixture(t *testing.T, db *store.DB) (*fixture, string, *firm, *firm) {
	t.Helper()
	f := newFixture(t, db)
	data := t.TempDir()
	f.s = workflow.New(db, workflow.WithClock(f.clock.Now), workflow.WithDataDir(data), workflow.WithMaxEvidenceSize(1<<20))
	a, b := f.newFirm("jiangsu"), f.newFirm("zhejiang")
	c := f.openCycleWith(nil, a, b)
	for _, fm := range []*firm{a, b} {
		f.step("application.create", func() (err error) {
			fm.app, err = f.s.CreateApplication(f.ctx, enterpriseUser, c.ID, fm.e.ID)
			return err
		})
	}
	return f, data, a, b
}

// writeFile writes content to name in a fresh temporary folder and returns
// its path: the tests upload real files.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func imageFile(t *testing.T, encode func(io.Writer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func xlsxFile(t *testing.T) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, row := range [][]any{{"year", "sales", "rd"}, {2015, 1200.5, 60.1}, {2016, 1350.0, 71.2}, {2017, 1500.2, 80.9}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipFile is a ZIP archive of the entries (name, content), compressed.
func zipFile(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipBomb looks like a workbook and holds an entry of size zeros.
func zipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range [][2]string{
		{"[Content_Types].xml", `<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`},
		{"xl/workbook.xml", "<workbook/>"},
	} {
		w, _ := zw.Create(e[0])
		_, _ = io.WriteString(w, e[1])
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for written := 0; written < size; written += len(zeros) {
		if _, err := w.Write(zeros[:min(len(zeros), size-written)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// attach uploads the file at path to application app under its own name.
func (f *fixture) attach(app int64, path string) (store.Evidence, error) {
	r, err := os.Open(path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer r.Close()
	return f.s.AttachEvidence(f.ctx, enterpriseUser, app, filepath.Base(path), r)
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestAttachEvidenceAcceptsByContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, data, a, b := evidenceFixture(t, db)
		pdf := pdfFile()
		for _, c := range []struct {
			name    string
			content []byte
			mime    string
		}{
			{"营业执照.pdf", pdf, "application/pdf"},
			{"plaque.png", imageFile(t, png.Encode), "image/png"},
			{"site.JPG", imageFile(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }), "image/jpeg"},
			{"financials.xlsx", xlsxFile(t), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			{"scan", pdf[:len(pdf)-1], "application/pdf"}, // no extension: the content decides
		} {
			var ev store.Evidence
			f.step("application.attach_evidence", func() (err error) {
				ev, err = f.attach(a.app.ID, writeFile(t, c.name, c.content))
				return err
			})
			if ev.Filename != c.name || ev.ContentType != c.mime || ev.Size != int64(len(c.content)) || ev.SHA256 != sum(c.content) {
				t.Errorf("%s attached as %+v", c.name, ev)
			}
			stored, err := os.ReadFile(filepath.Join(data, "evidence", ev.SHA256[:2], ev.SHA256))
			if err != nil || !bytes.Equal(stored, c.content) {
				t.Errorf("%s: stored file %v (%d bytes)", c.name, err, len(stored))
			}
		}
		list, err := f.s.Evidence(f.ctx, a.app.ID)
		if err != nil || len(list) != 5 || list[0].Filename != "financials.xlsx" || list[4].Filename != "营业执照.pdf" { // same time: by name
			t.Fatalf("Evidence = %+v, %v", list, err)
		}

		// The same content: refused twice on one application, stored once
		// for two.
		f.refuse(errs.Conflict, func() error { _, err := f.attach(a.app.ID, writeFile(t, "again.pdf", pdf)); return err },
			`attached already, as "营业执照.pdf"`)
		f.step("application.attach_evidence", func() error { _, err := f.attach(b.app.ID, writeFile(t, "licence.pdf", pdf)); return err })
		var rows int
		if err := db.Read(f.ctx, func(tx *store.Tx) error {
			return tx.QueryRow(f.ctx, "SELECT count(*) FROM evidence_files WHERE sha256 = ?", sum(pdf)).Scan(&rows)
		}); err != nil || rows != 1 {
			t.Errorf("the PDF is in evidence_files %d times (%v)", rows, err)
		}
		files, _ := filepath.Glob(filepath.Join(data, "evidence", "*", "*"))
		var stored []string
		for _, p := range files {
			if filepath.Base(filepath.Dir(p)) != "tmp" {
				stored = append(stored, p)
			}
		}
		if len(stored) != 5 {
			t.Errorf("%d files stored, want 5 (the same PDF once): %v", len(stored), stored)
		}
		if tmp, _ := os.ReadDir(filepath.Join(data, "evidence", "tmp")); len(tmp) != 0 {
			t.Errorf("temporary files left behind: %d", len(tmp))
		}
		f.verifyAudit()
	})
}

func TestAttachEvidenceRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, data, a, _ := evidenceFixture(t, db)
		words := bytes.Repeat([]byte("declared revenue 2017: 1500.2 million yuan\n"), 50)
		xlsx := xlsxFile(t)
		for _, c := range []struct {
			name    string
			content []byte
			want    []string
		}{
			{"report.pdf", words, []string{`"report.pdf" is plain text`, "PDF, PNG, JPEG or XLSX"}},
			{"report.xlsx", append([]byte{0, 1, 2, 3}, words...), []string{"unknown format"}},
			{"letter.docx", zipFile(t, [2]string{"[Content_Types].xml", `<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`}, [2]string{"word/document.xml", "<w/>"}),
				[]string{"Word document (DOCX)", "not accepted"}},
			{"archive.xlsx", zipFile(t, [2]string{"a.txt", "hello"}), []string{"a ZIP archive, which is not accepted"}},
			{"photo.png", pdfFile(), []string{"named as a PNG image but its content is a PDF document"}},
			{"big.pdf", append(pdfFile(), make([]byte, 1<<20)...), []string{"larger than the limit of 1 MB (1048576 bytes)"}},
			{"bomb.xlsx", zipBomb(t, 300<<20), []string{"possible zip bomb", "256 MB"}},
			{"ratio.xlsx", zipBomb(t, 20<<20), []string{"possible zip bomb", `"xl/worksheets/sheet1.xml"`, "100:1"}},
			{"broken.xlsx", xlsx[:len(xlsx)/2], []string{"cannot be read"}},
			{"empty.pdf", nil, []string{"is empty"}},
		} {
			f.refuse(errs.Invalid, func() error { _, err := f.attach(a.app.ID, writeFile(t, c.name, c.content)); return err }, c.want...)
		}
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.AttachEvidence(f.ctx, enterpriseUser, a.app.ID, "  ", bytes.NewReader(pdfFile()))
			return err
		}, "give the file's name")
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.AttachEvidence(f.ctx, enterpriseUser, 9999, "a.pdf", bytes.NewReader(pdfFile()))
			return err
		}, "application 9999 does not exist")
		// A file exactly at the limit is accepted.
		exact := append(pdfFile(), make([]byte, 1<<20-len(pdfFile()))...)
		f.step("application.attach_evidence", func() error { _, err := f.attach(a.app.ID, writeFile(t, "exact.pdf", exact)); return err })

		// A submitted application is locked.
		f.step("application.save", func() (err error) {
			a.app, err = f.s.SaveApplication(f.ctx, enterpriseUser, a.app.ID, a.app.Version, a.json(t))
			return err
		})
		f.step("application.submit", func() (err error) {
			a.app, err = f.s.SubmitApplication(f.ctx, enterpriseUser, a.app.ID, a.app.Version, "k1")
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.attach(a.app.ID, writeFile(t, "late.png", imageFile(t, png.Encode)))
			return err
		},
			fmt.Sprintf(`application %d is "submitted"; "attach_evidence" needs "draft" or "returned"`, a.app.ID))
		if tmp, _ := os.ReadDir(filepath.Join(data, "evidence", "tmp")); len(tmp) != 0 {
			t.Errorf("refused uploads left %d temporary files", len(tmp))
		}
	})
}

func TestDefaultEvidenceLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	f.s = workflow.New(db, workflow.WithClock(f.clock.Now)) // the data folder: the database's
	a := f.newFirm("jiangsu")
	c := f.openCycleWith(nil, a)
	f.step("application.create", func() (err error) {
		a.app, err = f.s.CreateApplication(f.ctx, enterpriseUser, c.ID, a.e.ID)
		return err
	})
	big := io.MultiReader(bytes.NewReader(pdfFile()), io.LimitReader(zeros{}, workflow.DefaultMaxEvidenceSize))
	f.refuse(errs.Invalid, func() error {
		_, err := f.s.AttachEvidence(f.ctx, enterpriseUser, a.app.ID, "big.pdf", big)
		return err
	},
		"larger than the limit of 20 MB (20971520 bytes)")
	f.step("application.attach_evidence", func() error {
		_, err := f.s.AttachEvidence(f.ctx, enterpriseUser, a.app.ID, `C:\Users\me\licence.pdf`, bytes.NewReader(pdfFile()))
		return err
	})
	if _, err := os.Stat(filepath.Join(filepath.Dir(db.Path()), "evidence", sum(pdfFile())[:2], sum(pdfFile()))); err != nil {
		t.Errorf("not stored beside the database: %v", err)
	}
	list, err := f.s.Evidence(f.ctx, a.app.ID)
	if err != nil || len(list) != 1 || list[0].Filename != "licence.pdf" {
		t.Errorf("Evidence = %+v, %v", list, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestOpenEvidenceChecksTheHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, data, a, _ := evidenceFixture(t, db)
		content := imageFile(t, png.Encode)
		var ev store.Evidence
		f.step("application.attach_evidence", func() (err error) {
			ev, err = f.attach(a.app.ID, writeFile(t, "plaque.png", content))
			return err
		})
		r, ef, err := f.s.OpenEvidence(f.ctx, strings.ToUpper(ev.SHA256))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, content) || ef.ContentType != "image/png" || ef.Size != int64(len(content)) {
			t.Errorf("OpenEvidence read %d bytes, %+v", len(got), ef)
		}
		if _, _, err := f.s.OpenEvidence(f.ctx, "abc"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("a malformed hash: %v", err)
		}
		if _, _, err := f.s.OpenEvidence(f.ctx, sum([]byte("never stored"))); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("an unknown hash: %v", err)
		}
		// Tamper with the stored file: one byte changed, same size.
		p := filepath.Join(data, "evidence", ev.SHA256[:2], ev.SHA256)
		tampered := bytes.Clone(content)
		tampered[len(tampered)-1] ^= 0xff
		if err := os.WriteFile(p, tampered, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.s.OpenEvidence(f.ctx, ev.SHA256)
		if !errors.Is(err, workflow.ErrEvidenceDamaged) || errs.CodeOf(err) != errs.Internal || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("a tampered file opened: %v", err)
		}
		// Uploading the genuine content again repairs it.
		f.step("application.attach_evidence", func() error {
			_, err := f.s.AttachEvidence(f.ctx, enterpriseUser, f.newApp(t), "plaque.png", bytes.NewReader(content))
			return err
		})
		if r, _, err := f.s.OpenEvidence(f.ctx, ev.SHA256); err != nil {
			t.Errorf("after a fresh upload: %v", err)
		} else {
			r.Close()
		}
	})
}

// newApp registers a new firm and creates its draft application in the
// fixture's open cycle (the newest cycle), returning its id.
func (f *fixture) newApp(t *testing.T) int64 {
	t.Helper()
	fm := f.newFirm("jiangsu")
	f.register(fm)
	var cycle int64
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(f.ctx, "SELECT max(id) FROM cycles").Scan(&cycle)
	}); err != nil {
		t.Fatal(err)
	}
	app, err := f.s.CreateApplication(f.ctx, enterpriseUser, cycle, fm.e.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.newEntries()
	return app.ID
}

func TestSaveDeclarations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, _, a, _ := evidenceFixture(t, db)
		decl := map[string]bool{"sound_credit": true, "independent_legal_person": true, "innovation_effect": false}
		f.step("application.save_declarations", func() (err error) {
			a.app, err = f.s.SaveDeclarations(f.ctx, enterpriseUser, a.app.ID, a.app.Version, decl)
			return err
		})
		want := `{"independent_legal_person":true,"innovation_effect":false,"sound_credit":true}`
		if string(a.app.Declarations) != want || a.app.Version != 2 {
			t.Errorf("saved %s at version %d", a.app.Declarations, a.app.Version)
		}
		var stored store.Application
		if err := db.Read(f.ctx, func(tx *store.Tx) (err error) { stored, err = tx.Application(f.ctx, a.app.ID); return err }); err != nil {
			t.Fatal(err)
		}
		var got map[string]bool
		if err := json.Unmarshal(stored.Declarations, &got); err != nil || len(got) != 3 || !got["sound_credit"] || got["innovation_effect"] {
			t.Errorf("stored %s (%v)", stored.Declarations, err)
		}
		f.refuse(errs.Conflict, func() error { _, err := f.s.SaveDeclarations(f.ctx, enterpriseUser, a.app.ID, 1, decl); return err },
			"version 2, not 1")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SaveDeclarations(f.ctx, enterpriseUser, a.app.ID, a.app.Version, map[string]bool{"Bad Key": true, "": true, "ok": true})
			return err
		}, `2 keys are not`, `"", "Bad Key"`)
		f.step("application.save", func() (err error) {
			a.app, err = f.s.SaveApplication(f.ctx, enterpriseUser, a.app.ID, a.app.Version, a.json(t))
			return err
		})
		f.step("application.submit", func() (err error) {
			a.app, err = f.s.SubmitApplication(f.ctx, enterpriseUser, a.app.ID, a.app.Version, "k-decl")
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SaveDeclarations(f.ctx, enterpriseUser, a.app.ID, a.app.Version, decl)
			return err
		}, `"submitted"; "save_declarations" needs "draft" or "returned"`)
	})
}
