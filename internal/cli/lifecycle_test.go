package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/workflow"
)

// miniProgram is a small program with a gate (staff ≥ 10), two channels
// and a quota of one recommendation per channel.
const miniProgram = `schema: exemplar/v1
name: mini
version: "1"
title: {zh: 小项目, en: Mini}
years: 2
validity_years: 2
id: code
channel: region
inputs:
  - {id: code, kind: text, format: uscc, required: true}
  - {id: region, kind: choice, required: true, options: [{value: jiangsu}, {value: zhejiang}]}
  - {id: staff, unit: persons, required: true, min: 0}
  - {id: sales, unit: 万元, yearly: true, required: true, min: 0}
  - {id: note, kind: text}
gates:
  - {id: staff, rule: "staff >= 10", message: {zh: "职工 {staff}", en: "{staff} staff"}}
scoring:
  model: bands
  framework:
    id: total
    children:
      - id: growth
        value: "sales[1] - sales[0]"
        bands:
          - {at_least: 100, points: [10, 10]}
          - {at_least: 0, points: [5, 5]}
decision:
  quota: {default: 1}
`

// testClock is a settable clock for the commands.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// lifecycleDB is a migrated SQLite database in a temporary folder that
// the commands run on, with the clock they decide by.
type lifecycleDB struct {
	t     *testing.T
	dir   string
	path  string
	clock *testClock
}

func newLifecycleDB(t *testing.T) *lifecycleDB {
	t.Helper()
	dir := t.TempDir()
	l := &lifecycleDB{t: t, dir: dir, path: filepath.Join(dir, "exemplar.db"),
		clock: &testClock{t: time.Date(2018, 5, 2, 9, 0, 0, 0, workflow.ChinaTime)}}
	t.Setenv(envActor, "")
	l.ok("migrate")
	return l
}

// exec runs a command on the database with stdin, as typed on a terminal
// when terminal.
func (l *lifecycleDB) exec(stdin string, terminal bool, args ...string) (code int, stdout, stderr string) {
	l.t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), StdinTerminal: terminal, Now: l.clock.Now}
	args = append(args, "--database", l.path)
	code = RunEnv(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// run runs a command with nothing on stdin (not a terminal).
func (l *lifecycleDB) run(args ...string) (code int, stdout, stderr string) {
	l.t.Helper()
	return l.exec("", false, args...)
}

// ok runs a command that must succeed and returns its output.
func (l *lifecycleDB) ok(args ...string) string {
	l.t.Helper()
	code, out, errOut := l.run(args...)
	if code != ExitOK {
		l.t.Fatalf("exemplar %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// json runs a command with --json that must succeed and decodes its
// output into v.
func (l *lifecycleDB) json(v any, args ...string) {
	l.t.Helper()
	out := l.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		l.t.Fatalf("exemplar %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// fails runs a command that must fail with exit code and say every one
// of want on stderr.
func (l *lifecycleDB) fails(code int, args []string, want ...string) {
	l.t.Helper()
	got, out, errOut := l.run(args...)
	if got != code {
		l.t.Errorf("exemplar %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			l.t.Errorf("exemplar %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, errOut)
		}
	}
}

// writeFile writes a file into the test's folder and returns its path.
func (l *lifecycleDB) writeFile(name, text string) string {
	l.t.Helper()
	p := filepath.Join(l.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// setUp registers the mini program and the two channels, as admin.
func (l *lifecycleDB) setUp() {
	l.t.Helper()
	l.ok("programs", "register", l.writeFile("mini.yaml", miniProgram), "--as", "admin")
	l.ok("channel", "add", "jiangsu", "--name-zh", "江苏省", "--name-en", "Jiangsu", "--as", "admin")
	l.ok("channel", "add", "zhejiang", "--name-zh", "浙江省", "--name-en", "Zhejiang", "--as", "admin")
}

// creditCodes makes n valid unified social credit codes.
func creditCodes(n int) []string {
	rng := rand.New(rand.NewPCG(2018, 5))
	codes := make([]string, n)
	for i := range codes {
		codes[i] = demo.CreditCode(rng, "320100")
	}
	return codes
}

// idOf is the id field of a JSON record.
type idOf struct {
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
	Phase   string `json:"phase"`
	Status  string `json:"status"`
	State   string `json:"state"`
}

// contains reports whether s contains every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
