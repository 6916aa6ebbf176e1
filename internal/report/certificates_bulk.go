package report

// Bulk generation: all the certificates of a cycle at once.

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/exemplar/exemplar/internal/errs"
)

// WriteCertificates renders certs as PDFs and writes certificate i to the
// writer that open(i) returns, closing it after. It is the bulk form of
// Certificate.WritePDF, for a whole cycle.
//
// Contract:
//   - Every certificate is checked first, and certificate numbers must be
//     unique; if any is invalid, the error (errs.Invalid) names it by
//     position and number and open is never called.
//   - Rendering runs on all CPUs, but open, the writes and Close are called
//     from the caller's goroutine only, one certificate at a time, in index
//     order; so open need not be safe for concurrent use (an archive/zip
//     writer is not).
//   - progress, when not nil, is called from the caller's goroutine with
//     (0, len(certs)) before the first certificate and with (i+1, len(certs))
//     after certificate i is closed.
//   - On an error or when ctx is cancelled it stops and returns the error:
//     certificates before the failing one are written and closed, a writer
//     that was opened is closed, and no later one is opened.
func WriteCertificates(ctx context.Context, certs []Certificate, open func(i int) (io.WriteCloser, error), progress func(done, total int)) error {
	f, pages, err := checkAll(certs)
	if err != nil {
		return err
	}
	total := len(certs)
	if progress != nil {
		progress(0, total)
	}
	if total == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		i   int
		pdf []byte
		err error
	}
	workers := min(runtime.GOMAXPROCS(0), total)
	// tokens bounds the PDFs held in memory (being rendered or waiting for
	// their turn to be written) to 2 per worker.
	tokens := make(chan struct{}, 2*workers)
	jobs := make(chan int)
	results := make(chan result, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				pdf, err := certs[i].render(f, pages[i])
				results <- result{i, pdf, err}
			}
		}()
	}
	go func() { // dispatch in index order while the writer keeps up
		defer close(jobs)
		for i := range certs {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() { // let the workers finish and drain, whatever happened
		cancel()
		go func() { wg.Wait(); close(results) }()
		for range results {
		}
	}()

	pending := make(map[int][]byte)
	for next := 0; next < total; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("certificates: stopped after %d of %d: %w", next, total, err)
		}
		if pdf, ok := pending[next]; ok {
			delete(pending, next)
			if err := writeOne(open, next, pdf); err != nil {
				return certError(certs, next, err)
			}
			<-tokens
			next++
			if progress != nil {
				progress(next, total)
			}
			continue
		}
		select {
		case r := <-results:
			if r.err != nil {
				return certError(certs, r.i, r.err)
			}
			pending[r.i] = r.pdf
		case <-ctx.Done():
			return fmt.Errorf("certificates: stopped after %d of %d: %w", next, total, ctx.Err())
		}
	}
	return nil
}

// checkAll checks and lays out every certificate, and checks that numbers
// are unique.
func checkAll(certs []Certificate) (*certFont, []*page, error) {
	f, err := loadFont()
	if err != nil {
		return nil, nil, err
	}
	pages := make([]*page, len(certs))
	seen := make(map[string]int, len(certs))
	for i := range certs {
		if pages[i], err = certs[i].layout(f); err != nil {
			return nil, nil, certError(certs, i, err)
		}
		if j, dup := seen[certs[i].Number]; dup {
			return nil, nil, errs.New(errs.Invalid, "certificates %d and %d of %d both have the number %q", j+1, i+1, len(certs), certs[i].Number)
		}
		seen[certs[i].Number] = i
	}
	return f, pages, nil
}

func certError(certs []Certificate, i int, err error) error {
	return fmt.Errorf("certificate %d of %d (number %q): %w", i+1, len(certs), certs[i].Number, err)
}

func writeOne(open func(int) (io.WriteCloser, error), i int, pdf []byte) error {
	w, err := open(i)
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// CertificateFileName is the name of a certificate's PDF in an archive or a
// download: its number with characters that file systems or archive tools
// treat specially (path separators, spaces, : * ? " < > |) replaced by "_",
// and ".pdf" added.
func CertificateFileName(number string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, number) + ".pdf"
}

// WriteCertificatesZip writes certs as a zip archive to w, one PDF per
// certificate named CertificateFileName(Number), in the order given, and
// reports progress as WriteCertificates does. Two numbers that give the same
// file name are an errs.Invalid error before anything is written. The
// archive is deterministic: each entry's time is its date of issue. On an
// error the archive is left incomplete and the caller should discard it.
func WriteCertificatesZip(ctx context.Context, w io.Writer, certs []Certificate, progress func(done, total int)) error {
	names := make(map[string]int, len(certs))
	for i := range certs {
		name := CertificateFileName(certs[i].Number)
		if j, dup := names[name]; dup {
			return errs.New(errs.Invalid, "certificates %d and %d of %d would both be named %q in the archive", j+1, i+1, len(certs), name)
		}
		names[name] = i
	}
	zw := zip.NewWriter(w)
	open := func(i int) (io.WriteCloser, error) {
		fw, err := zw.CreateHeader(&zip.FileHeader{
			Name:     CertificateFileName(certs[i].Number),
			Method:   zip.Store, // a PDF's streams are compressed already
			Modified: certs[i].IssuedOn,
		})
		if err != nil {
			return nil, err
		}
		return nopCloser{fw}, nil
	}
	if err := WriteCertificates(ctx, certs, open, progress); err != nil {
		return err
	}
	return zw.Close()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
