package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/report"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Bulk generation of a cycle's certificates. An administrator confirms on
// the cycle's certificates page; the POST starts a job in the background
// that issues the certificates the cycle is due (workflow) and writes the
// PDFs of all of them into one zip archive in the data folder
// (<data>/certificates/cycle-<id>.zip, replaced atomically, so a
// download never gets half an archive and a killed server leaves the old
// one). The progress page refreshes itself (a Refresh header and a meta
// refresh: no script, which the Content-Security-Policy would refuse
// inline anyway) until the job ends.
//
// Jobs live in the memory of the server process that started them: the
// progress of a job is seen from that process (behind a load balancer,
// give the admin pages session affinity), while the archive is seen by
// every process that shares the data folder.

// certJob is one run of bulk generation for a cycle.
type certJob struct {
	mu    sync.Mutex
	stage string // "issue", "render", "done" or "failed"
	done  int
	total int
	// issued is how many certificates the job issued; archived how many
	// PDFs the archive holds.
	issued, archived int
	err              error
}

// certJobView is a copy of a job's state, for a page.
type certJobView struct {
	Stage                 string
	Done, Total           int
	Issued, Archived      int
	Failure               error
	Running, Over, Failed bool
}

func (j *certJob) set(stage string, done, total int) {
	j.mu.Lock()
	j.stage, j.done, j.total = stage, done, total
	j.mu.Unlock()
}

func (j *certJob) view() certJobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	return certJobView{Stage: j.stage, Done: j.done, Total: j.total, Issued: j.issued, Archived: j.archived, Failure: j.err,
		Running: j.stage == "issue" || j.stage == "render", Over: j.stage == "done", Failed: j.stage == "failed"}
}

// certJobs are a server's jobs, the latest per cycle.
type certJobs struct {
	mu      sync.Mutex
	byCycle map[int64]*certJob
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// certJobsOf holds each server's jobs. (A field of Server would do; the
// map keeps this part of the site in its own files.)
var certJobsOf sync.Map // *Server → *certJobs

func (s *Server) certJobs() *certJobs {
	if js, ok := certJobsOf.Load(s); ok {
		return js.(*certJobs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	js, _ := certJobsOf.LoadOrStore(s, &certJobs{byCycle: map[int64]*certJob{}, ctx: ctx, cancel: cancel})
	return js.(*certJobs)
}

// get returns the cycle's latest job, or nil.
func (js *certJobs) get(cycleID int64) *certJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byCycle[cycleID]
}

// start runs run as the cycle's job, unless one is running already: a
// second click or a second administrator joins the running job instead
// of racing it.
func (js *certJobs) start(cycleID int64, first certJobView, run func(ctx context.Context, j *certJob)) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if j := js.byCycle[cycleID]; j != nil && j.view().Running {
		return
	}
	j := &certJob{stage: first.Stage, done: first.Done, total: first.Total}
	js.byCycle[cycleID] = j
	js.wg.Add(1)
	go func() {
		defer js.wg.Done()
		run(js.ctx, j)
	}()
}

// stopCertificateJobs cancels the server's running certificate jobs and
// waits for them to stop (or for ctx to end). A cancelled job keeps the
// certificates it issued (IssueCertificates commits in batches and is
// idempotent) and leaves the previous archive in place.
func (s *Server) stopCertificateJobs(ctx context.Context) {
	v, ok := certJobsOf.LoadAndDelete(s)
	if !ok {
		return
	}
	js := v.(*certJobs)
	js.cancel()
	stopped := make(chan struct{})
	go func() { js.wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
	}
}

// certCycleID reads the {id} of an admin certificates path.
func certCycleID(r *request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "cycle %q does not exist", r.PathValue("id"))
	}
	return id, nil
}

func certAdminPath(id int64) string {
	return "/admin/cycles/" + strconv.FormatInt(id, 10) + "/certificates"
}

// archivePath is where the archive of cycle id's PDFs is kept.
func (s *Server) archivePath(id int64) (string, error) {
	dir, err := s.svc.CertificatesDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, fmt.Sprintf("cycle-%d.zip", id)), nil
}

// archiveInfo describes an existing archive for a page.
type archiveInfo struct {
	Made *time.Time
	Size string
}

// archiveOf returns cycle id's archive, or nil when it has none (or the
// server has no data folder).
func (s *Server) archiveOf(id int64) *archiveInfo {
	p, err := s.archivePath(id)
	if err != nil {
		return nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	made := st.ModTime()
	return &archiveInfo{Made: &made, Size: fmt.Sprintf("%.1f MB", float64(st.Size())/(1<<20))}
}

// adminCertificates is a cycle's certificates page: what is due and
// issued, the issued certificates with their statuses, the archive, and
// the form that issues and generates, with the warning that numbers are
// permanent.
func (s *Server) adminCertificates(w http.ResponseWriter, r *request) {
	id, err := certCycleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan, err := s.svc.PlanCertificates(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	certs, err := s.svc.CycleCertificates(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := pageOf(r)
	pg := newPager(r, page, len(certs))
	from := min((page-1)*pageSize, len(certs))
	data := map[string]any{"Plan": plan, "Certs": certs[from:min(from+pageSize, len(certs))], "Pager": pg,
		"Archive": s.archiveOf(id), "Path": certAdminPath(id)}
	if j := s.certJobs().get(id); j != nil {
		data["Job"] = j.view()
	}
	s.render(w, r, http.StatusOK, "certificate_admin", data)
}

// startCertificates starts bulk generation for a cycle once the
// administrator has ticked the confirmation; without it nothing happens
// and the browser goes back to the page that asks.
func (s *Server) startCertificates(w http.ResponseWriter, r *request) {
	id, err := certCycleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r.Request, certAdminPath(id), http.StatusSeeOther)
		return
	}
	plan, err := s.svc.PlanCertificates(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if plan.Refusal != "" {
		s.fail(w, r, errs.New(errs.Conflict, "%s", plan.Refusal))
		return
	}
	if _, err := s.archivePath(id); err != nil {
		s.fail(w, r, err) // no data folder: say so now, not on the progress page
		return
	}
	actor, base := r.actor(), s.publicURL(r, "")
	s.certJobs().start(id, certJobView{Stage: "issue", Done: plan.Issued, Total: plan.Due}, func(ctx context.Context, j *certJob) {
		s.generateCertificates(ctx, j, actor, id, base)
	})
	http.Redirect(w, r.Request, certAdminPath(id)+"/progress", http.StatusSeeOther)
}

// generateCertificates is the job: issue what is missing, then write the
// archive of every certificate of the cycle, reporting progress in j.
func (s *Server) generateCertificates(ctx context.Context, j *certJob, actor workflow.Actor, id int64, base string) {
	issued, archived, err := s.writeCertificates(ctx, j, actor, id, base)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.issued, j.archived = issued, archived
	if err != nil {
		s.log.Error("web: certificate generation failed", "cycle", id, "err", err)
		j.stage, j.err = "failed", err
		return
	}
	j.stage = "done"
}

func (s *Server) writeCertificates(ctx context.Context, j *certJob, actor workflow.Actor, id int64, base string) (issued, archived int, err error) {
	issued, err = s.svc.IssueCertificates(ctx, actor, id, func(done, total int) { j.set("issue", done, total) })
	if err != nil {
		return issued, 0, err
	}
	certs, err := s.svc.CycleCertificates(ctx, id)
	if err != nil {
		return issued, 0, err
	}
	prints := make([]report.Certificate, len(certs))
	for i, c := range certs {
		prints[i] = printable(c, base+certificatePath(c.Number))
	}
	path, err := s.archivePath(id)
	if err != nil {
		return issued, 0, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return issued, 0, err
	}
	// Written beside its final name and renamed when complete: readers
	// see the old archive or the new one, never a part.
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.part")
	if err != nil {
		return issued, 0, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	err = report.WriteCertificatesZip(ctx, tmp, prints, func(done, total int) { j.set("render", done, total) })
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return issued, 0, err
	}
	return issued, len(prints), nil
}

// certificateProgress shows a cycle's job: a progress bar while it runs,
// refreshed every 2 seconds, then its result.
func (s *Server) certificateProgress(w http.ResponseWriter, r *request) {
	id, err := certCycleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Path": certAdminPath(id)}
	if j := s.certJobs().get(id); j != nil {
		v := j.view()
		data["Job"] = v
		if v.Running {
			w.Header().Set("Refresh", "2")
		}
		if v.Failed {
			msg := v.Failure.Error()
			if statusOf(v.Failure) == http.StatusInternalServerError {
				msg = r.t("error.internal") // logged in full; it may name files
			}
			data["Failure"] = msg
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "certificate_progress", data)
}

// certificateArchive downloads the archive of a cycle's certificate PDFs.
func (s *Server) certificateArchive(w http.ResponseWriter, r *request) {
	id, err := certCycleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path, err := s.archivePath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.fail(w, r, errs.New(errs.NotFound, "cycle %d has no archive of certificates yet: generate it on its certificates page", id))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("certificates-cycle-%d.zip", id)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r.Request, name, st.ModTime(), f)
}
