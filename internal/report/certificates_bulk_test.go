package report

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
)

// cohort returns n valid certificates with distinct numbers and names.
func cohort(n int) []Certificate {
	certs := make([]Certificate, n)
	for i := range certs {
		c := sampleCert()
		c.Number = fmt.Sprintf("GJSFQY-2018-%04d", i+1)
		c.Enterprise.Zh = fmt.Sprintf("%s第%d分公司", c.Enterprise.Zh, i+1)
		c.VerifyURL = fmt.Sprintf("https://exemplar.example.cn/verify/%s", c.Number)
		certs[i] = c
	}
	return certs
}

// memFiles collects what WriteCertificates writes, and checks its contract:
// open is never called concurrently and in index order.
type memFiles struct {
	t      *testing.T
	mu     sync.Mutex
	busy   bool
	opened []int
	files  map[int]*bytes.Buffer
	closed map[int]bool
	failAt int // open(failAt) fails; -1 for never
}

func newMemFiles(t *testing.T) *memFiles {
	return &memFiles{t: t, files: map[int]*bytes.Buffer{}, closed: map[int]bool{}, failAt: -1}
}

func (m *memFiles) open(i int) (io.WriteCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy {
		m.t.Errorf("open(%d) while another file is open", i)
	}
	if i == m.failAt {
		return nil, errors.New("disk full")
	}
	m.busy = true
	m.opened = append(m.opened, i)
	m.files[i] = &bytes.Buffer{}
	return &memFile{m, i}, nil
}

type memFile struct {
	m *memFiles
	i int
}

func (f *memFile) Write(p []byte) (int, error) { return f.m.files[f.i].Write(p) }
func (f *memFile) Close() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	f.m.busy = false
	f.m.closed[f.i] = true
	return nil
}

func TestWriteCertificates(t *testing.T) {
	certs := cohort(23)
	m := newMemFiles(t)
	var calls [][2]int
	err := WriteCertificates(context.Background(), certs, m.open, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range certs {
		if m.opened[i] != i || !m.closed[i] {
			t.Fatalf("opened %v, want each index in order and closed", m.opened)
		}
		want, _ := certs[i].PDF()
		if !bytes.Equal(m.files[i].Bytes(), want) {
			t.Errorf("file %d is not certificate %d's PDF", i, i)
		}
	}
	if len(calls) != len(certs)+1 {
		t.Fatalf("progress called %d times, want %d", len(calls), len(certs)+1)
	}
	for i, c := range calls {
		if c != [2]int{i, len(certs)} {
			t.Fatalf("progress call %d was %v", i, c)
		}
	}
}

func TestWriteCertificatesRefusesBeforeWriting(t *testing.T) {
	for _, tc := range []struct {
		says string
		edit func([]Certificate)
	}{
		{"certificate 5 of 8", func(cs []Certificate) { cs[4].USCC = "x" }},
		{"certificates 2 and 7 of 8 both have the number", func(cs []Certificate) { cs[6].Number = cs[1].Number }},
	} {
		certs := cohort(8)
		tc.edit(certs)
		m := newMemFiles(t)
		err := WriteCertificates(context.Background(), certs, m.open, nil)
		if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("err %v, want invalid saying %q", err, tc.says)
		}
		if len(m.opened) != 0 {
			t.Errorf("%s: opened %v before refusing", tc.says, m.opened)
		}
	}
}

func TestWriteCertificatesStops(t *testing.T) {
	certs := cohort(30)

	m := newMemFiles(t)
	m.failAt = 11
	err := WriteCertificates(context.Background(), certs, m.open, nil)
	if err == nil || !strings.Contains(err.Error(), "certificate 12 of 30") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("open failure: err %v", err)
	}
	if len(m.opened) != 11 {
		t.Errorf("opened %d files before the failing one, want 11", len(m.opened))
	}

	ctx, cancel := context.WithCancel(context.Background())
	m = newMemFiles(t)
	err = WriteCertificates(ctx, certs, m.open, func(done, total int) {
		if done == 5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v", err)
	}
	if n := len(m.opened); n != 5 {
		t.Errorf("cancelled after 5: opened %d", n)
	}
	for _, i := range m.opened {
		if !m.closed[i] {
			t.Errorf("file %d left open", i)
		}
	}

	if err := WriteCertificates(context.Background(), nil, m.open, nil); err != nil {
		t.Errorf("no certificates: %v", err)
	}
}

func TestWriteCertificatesZip(t *testing.T) {
	certs := cohort(5)
	certs[2].Number = `A/B\C: D*?"<>|`
	var buf bytes.Buffer
	if err := WriteCertificatesZip(context.Background(), &buf, certs, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(certs) {
		t.Fatalf("%d entries", len(zr.File))
	}
	for i, f := range zr.File {
		if want := CertificateFileName(certs[i].Number); f.Name != want {
			t.Errorf("entry %d named %q, want %q", i, f.Name, want)
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		want, _ := certs[i].PDF()
		if !bytes.Equal(b, want) {
			t.Errorf("entry %d is not certificate %d", i, i)
		}
	}
	if got := CertificateFileName(certs[2].Number); got != "A_B_C__D______.pdf" {
		t.Errorf("file name %q", got)
	}

	var again bytes.Buffer
	_ = WriteCertificatesZip(context.Background(), &again, certs, nil)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the archive is not deterministic")
	}

	certs[3].Number = "A/B"
	certs[4].Number = "A:B"
	err = WriteCertificatesZip(context.Background(), io.Discard, certs, nil)
	if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "would both be named") {
		t.Errorf("clashing names: %v", err)
	}
}

// BenchmarkWriteCertificates renders a cohort of 146 certificates (the
// enterprises that passed the 2018 review) into a zip archive per
// iteration, on all CPUs, and reports certificates per second.
func BenchmarkWriteCertificates(b *testing.B) {
	certs := cohort(146)
	if _, err := loadFont(); err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteCertificatesZip(context.Background(), &buf, certs, nil); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(len(certs)*b.N)/b.Elapsed().Seconds(), "certs/s")
	b.ReportMetric(float64(size)/float64(len(certs)), "zip-bytes/cert")
}
