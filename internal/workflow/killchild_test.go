package workflow_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
)

// childRun is how a child test process of a kill test went.
type childRun struct {
	said          string        // its lines on stdout, joined
	started, done time.Duration // when it said "started" and "done", since it started; 0: not said
	killed        bool          // it ended by SIGKILL
	killedAt      time.Duration // returned by the kill function; -1 when not killed
}

// runChild runs this test binary as a child, running only the test named
// test, with env added. When kill is not nil the child is killed with
// SIGKILL as soon as kill returns; kill gets the child's start time and a
// channel that receives when the child prints "started". A child that
// fails on its own fails t.
func runChild(t *testing.T, name, test string, env []string,
	kill func(start time.Time, started <-chan time.Time) time.Duration) childRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	startedCh := make(chan time.Time, 1)
	var mu sync.Mutex
	var lines []string
	r := childRun{killedAt: -1}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			at := time.Since(start)
			mu.Lock()
			lines = append(lines, sc.Text())
			switch sc.Text() {
			case "started":
				r.started = at
				startedCh <- time.Now()
			case "done":
				r.done = at
			}
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	if kill != nil {
		r.killedAt = kill(start, startedCh)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Logf("%s: kill: %v", name, err)
		}
	}
	<-scanned
	werr := cmd.Wait()
	mu.Lock()
	r.said = strings.Join(lines, " ")
	mu.Unlock()
	if ee, ok := werr.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	}
	if !r.killed && werr != nil {
		t.Fatalf("%s: the child failed: %v (it said %q)", name, werr, r.said)
	}
	return r
}

// openAfterKill opens the SQLite database a child left, as the next
// process would, and fails t unless its audit chain verifies.
func openAfterKill(t *testing.T, name, path string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("%s: open after the kill: %v", name, err)
	}
	res, err := db.VerifyAudit(t.Context())
	if err != nil || !res.OK {
		t.Fatalf("%s: audit log after the kill: %+v %v", name, res, err)
	}
	return db
}
