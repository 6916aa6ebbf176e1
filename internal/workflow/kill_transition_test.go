package workflow_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The transition kill test is TestKilledImport for a cycle transition:
// StartEvaluation (recommendation → evaluation), which in one transaction
// marks the applications no channel acted on as not recommended, runs the
// engine over the recommended ones and stores an engine run, one result
// per application, the audit entries and the new phase. A child process
// (TestHelperEvaluateChild) runs it on a copy of a prepared SQLite
// database and is killed with SIGKILL at different moments; the parent
// then reopens the file, verifies the audit chain and requires the phase,
// the results, the engine runs, the application statuses and the audit
// log to be all as before or all as after.
const (
	envEvalKillDB    = "EXEMPLAR_EVAL_KILL_CHILD_DB"
	envEvalKillCycle = "EXEMPLAR_EVAL_KILL_CHILD_CYCLE"
	// envEvalKillApps sets the applications of the cycle (default 2,000,
	// which keeps the test near 7 s, half of it building the cycle).
	envEvalKillApps = "EXEMPLAR_EVAL_KILL_APPS"
)

// TestHelperEvaluateChild is the child of TestKilledEvaluation; on its own
// it does nothing. It prints "started" once StartEvaluation's transaction
// has begun writing, and "done" when it committed.
//
// StartEvaluation has no progress hook, so the service's clock serves as
// one: the service reads it once when the write transaction begins (the
// journal's time) and once more when the engine has run, just before the
// engine run and its results are inserted. By the second reading the
// transaction has already written the status changes (not recommended),
// and every insert follows it. The child says "started" at that second
// reading; the parent checks on an unkilled run that it comes before
// "done".
func TestHelperEvaluateChild(t *testing.T) {
	dbPath := os.Getenv(envEvalKillDB)
	if dbPath == "" {
		t.Skip("the child of TestKilledEvaluation")
	}
	cycle, _ := strconv.ParseInt(os.Getenv(envEvalKillCycle), 10, 64)
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	var reads atomic.Int32
	now := func() time.Time {
		if reads.Add(1) == 2 {
			fmt.Println("started")
		}
		return time.Now()
	}
	s := workflow.New(db, workflow.WithClock(now))
	if _, err := s.StartEvaluation(ctx, admin, cycle); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("done")
	db.Close()
	os.Exit(0)
}

// evalState is what StartEvaluation changes: the cycle's phase, the rows
// of results, engine_runs and audit_log, and the cycle's applications by
// status ("status=count …", sorted).
type evalState struct {
	phase                string
	results, runs, audit int
	statuses             string
}

func evalStateOf(t *testing.T, db *store.DB, cycle int64) evalState {
	t.Helper()
	ctx := t.Context()
	var s evalState
	if err := db.QueryRow(ctx, "SELECT phase FROM cycles WHERE id = ?", cycle).Scan(&s.phase); err != nil {
		t.Fatalf("read the cycle's phase: %v", err)
	}
	for _, q := range []struct {
		table string
		n     *int
	}{{"results", &s.results}, {"engine_runs", &s.runs}, {"audit_log", &s.audit}} {
		if err := db.QueryRow(ctx, "SELECT count(*) FROM "+q.table).Scan(q.n); err != nil {
			t.Fatalf("count %s: %v", q.table, err)
		}
	}
	var parts []string
	for _, st := range []string{workflow.StatusSubmitted, workflow.StatusRecommended, workflow.StatusNotRecommended} {
		var n int
		if err := db.QueryRow(ctx, "SELECT count(*) FROM applications WHERE cycle_id = ? AND status = ?", cycle, st).Scan(&n); err != nil {
			t.Fatalf("count %s applications: %v", st, err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", st, n))
	}
	var all int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM applications WHERE cycle_id = ?", cycle).Scan(&all); err != nil {
		t.Fatalf("count applications: %v", err)
	}
	parts = append(parts, fmt.Sprintf("all=%d", all))
	slices.Sort(parts)
	s.statuses = strings.Join(parts, " ")
	return s
}

func TestKilledEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	nApps := 2000
	if n, err := strconv.Atoi(os.Getenv(envEvalKillApps)); err == nil && n > 0 {
		nApps = n
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	db, err := store.Open(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	// Build the cycle once, through the import and the service: nApps
	// submitted applications, of which the channels recommend all but every tenth,
	// so that the transition also changes statuses.
	f := newFixture(t, db)
	c := f.openCycleWith(map[string]int{"jiangsu": nApps, "zhejiang": nApps})
	p := tide(t)
	seen := map[string]bool{}
	firms := make([]*firm, 0, nApps)
	for len(firms) < nApps {
		fm := f.newFirm([]string{"jiangsu", "zhejiang"}[len(firms)%2])
		if !seen[fm.code] {
			seen[fm.code] = true
			firms = append(firms, fm)
		}
	}
	file := filepath.Join(dir, "import.csv")
	writeImport(t, p, file, firms, nil)
	imp, err := f.s.ImportApplications(f.ctx, admin, c.ID, file, workflow.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The import leaves drafts: the enterprises submit them.
	for _, id := range imp.ApplicationIDs {
		a, err := f.s.Application(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SubmitApplication(f.ctx, enterpriseUser, id, a.Version, fmt.Sprintf("submit-%d", id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.CloseApplications(f.ctx, admin, c.ID); err != nil {
		t.Fatal(err)
	}
	byChannel := map[string][]int64{}
	idle := 0
	for i, id := range imp.ApplicationIDs {
		if i%10 == 9 {
			idle++
			continue
		}
		byChannel[firms[i].channel] = append(byChannel[firms[i].channel], id)
	}
	for ch, ids := range byChannel {
		if _, err := f.s.Recommend(f.ctx, admin, f.channels[ch].ID, ids); err != nil {
			t.Fatal(err)
		}
	}
	recommended := nApps - idle
	before := evalStateOf(t, db, c.ID)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The transition adds one entry per status change, one for the engine
	// run and one for the transition itself.
	after := evalState{phase: workflow.PhaseEvaluation, results: before.results + recommended, runs: before.runs + 1,
		audit: before.audit + idle + 2,
		statuses: fmt.Sprintf("all=%d %s=%d %s=%d %s=0", nApps, workflow.StatusNotRecommended, idle,
			workflow.StatusRecommended, recommended, workflow.StatusSubmitted)}
	wantBefore := evalState{phase: workflow.PhaseRecommendation, results: 0, runs: 0, audit: before.audit,
		statuses: fmt.Sprintf("all=%d %s=0 %s=%d %s=%d", nApps, workflow.StatusNotRecommended,
			workflow.StatusRecommended, recommended, workflow.StatusSubmitted, idle)}
	if before != wantBefore {
		t.Fatalf("the prepared database is %+v; want %+v", before, wantBefore)
	}

	// run starts a child on a fresh copy of the base database. kill, when
	// set, is called with the child's "started" channel and returns once
	// it is time to kill the child; nil lets it finish.
	type outcome struct {
		killed        bool
		said          string
		started, done time.Duration // since the child was started; 0: not said
		killedAt      time.Duration // since "started"; <0: before it
		state         string
		got           evalState
	}
	trialN := 0
	run := func(name string, kill func(start time.Time, started <-chan time.Time) time.Duration) outcome {
		t.Helper()
		path := filepath.Join(dir, fmt.Sprintf("trial%d.db", trialN))
		trialN++
		copyFile(t, base, path)
		env := []string{envEvalKillDB + "=" + path, envEvalKillCycle + "=" + strconv.FormatInt(c.ID, 10)}
		r := runChild(t, name, "TestHelperEvaluateChild", env, kill)
		o := outcome{killed: r.killed, said: r.said, started: r.started, done: r.done, killedAt: r.killedAt}
		db := openAfterKill(t, name, path)
		o.got = evalStateOf(t, db, c.ID)
		db.Close()
		o.state = "between"
		switch o.got {
		case before:
			o.state = "before"
		case after:
			o.state = "after"
		}
		return o
	}

	// First an unkilled run, which measures when the writing starts and
	// how long it lasts.
	full := run("unkilled", nil)
	t.Logf("trial %-12s killed=%-5v child said %-14q started at %v, done at %v → database %s %+v",
		"unkilled", full.killed, full.said, full.started.Round(time.Millisecond), full.done.Round(time.Millisecond), full.state, full.got)
	if full.state != "after" || full.started == 0 || full.done == 0 || full.done < full.started {
		t.Fatalf("the unkilled run said %q and left the database %s %+v; want started, done and %+v", full.said, full.state, full.got, after)
	}
	write := full.done - full.started

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	// waitStarted returns a kill that waits for "started" and then for
	// delay.
	waitStarted := func(delay time.Duration) func(time.Time, <-chan time.Time) time.Duration {
		return func(_ time.Time, started <-chan time.Time) time.Duration {
			select {
			case at := <-started:
				time.Sleep(delay)
				return time.Since(at)
			case <-time.After(30 * time.Second):
				t.Fatal("the child never started writing")
				return 0
			}
		}
	}
	type trial struct {
		name string
		kill func(time.Time, <-chan time.Time) time.Duration
	}
	// One kill at a random moment before the writing (opening the
	// database, reading, running the engine), one as the writing starts,
	// and four spread over the measured writing, each at a random point
	// of its quarter.
	early := time.Duration(rng.Int64N(int64(full.started) + 1))
	trials := []trial{
		{"early", func(start time.Time, _ <-chan time.Time) time.Duration {
			time.Sleep(time.Until(start.Add(early)))
			return -1
		}},
		{"writing", waitStarted(0)},
	}
	for q := range 4 {
		d := time.Duration((float64(q) + rng.Float64()) / 4 * float64(write))
		trials = append(trials, trial{fmt.Sprintf("writing-%d/4", q+1), waitStarted(d)})
	}

	killedWriting := 0
	for _, tr := range trials {
		o := run(tr.name, tr.kill)
		when := "before it started writing"
		if o.killedAt >= 0 {
			when = fmt.Sprintf("%v after it started writing (the unkilled run wrote for %v)", o.killedAt.Round(time.Millisecond), write.Round(time.Millisecond))
		}
		t.Logf("trial %-12s killed=%-5v child said %-14q kill sent %s → database %s %+v",
			tr.name, o.killed, o.said, when, o.state, o.got)
		switch {
		case o.state == "between":
			t.Errorf("%s: the database is between before %+v and after %+v: %+v", tr.name, before, after, o.got)
		case strings.Contains(o.said, "done") && o.state != "after":
			t.Errorf("%s: the transition committed but the database is %s", tr.name, o.state)
		case !o.killed && o.state != "after":
			t.Errorf("%s: the child finished but the database is %s", tr.name, o.state)
		case o.killed && strings.Contains(o.said, "started") && !strings.Contains(o.said, "done") &&
			o.killedAt >= 0 && o.killedAt < write && o.state == "before":
			// Killed after the transaction had written and, as the unkilled
			// run measured, before it would have committed: nothing of it
			// is left.
			killedWriting++
		}
	}
	t.Logf("%d of %d trials were killed while the transition was writing and left the database as before", killedWriting, len(trials))
	if killedWriting == 0 {
		t.Error("no trial killed the child while the transition was writing")
	}
}
