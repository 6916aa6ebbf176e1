package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
)

// TestLifecycleUsageErrors: a wrong command line is exit 2 with a message
// that names the flag or argument, before anything is opened.
func TestLifecycleUsageErrors(t *testing.T) {
	l := newLifecycleDB(t)
	for _, s := range []struct {
		args []string
		want string
	}{
		{[]string{"cycle"}, "say what to do before the options: create, list"},
		{[]string{"cycle", "frobnicate"}, `unknown subcommand "frobnicate"`},
		{[]string{"cycle", "create", "--program", "mini"}, "--year"},
		{[]string{"cycle", "create", "--year", "2018", "--quota", "jiangsu"}, "want CODE=N"},
		{[]string{"cycle", "create", "--year", "2018", "--applications-due", "30 June"}, "--applications-due must be a date"},
		{[]string{"cycle", "open"}, "say which CYCLE"},
		{[]string{"cycle", "open", "abc"}, `CYCLE must be an id (a positive number), got "abc"`},
		{[]string{"cycle", "open", "1", "2"}, "say which CYCLE: one id"},
		{[]string{"cycle", "list", "--phase", "limbo"}, "--phase must be one of draft"},
		{[]string{"application", "create", "--enterprise", "1"}, "--cycle"},
		{[]string{"application", "save", "1"}, "say what to save"},
		{[]string{"application", "save", "1", "staff"}, `an input must be KEY=VALUE, got "staff"`},
		{[]string{"application", "save", "1", "staff=1", "staff=2"}, `an input "staff" is given twice`},
		{[]string{"application", "list", "--cycle", "1", "--limit", "-1"}, "--limit must be 0 (all) or more"},
		{[]string{"application", "list", "--cycle", "1", "--sort", "size"}, "--sort must be one of id, code, status, rank"},
		{[]string{"application", "recommend", "1"}, "--channel"},
		{[]string{"application", "return", "1", "--channel", "jiangsu"}, "--reason"},
		{[]string{"decision", "edit", "1", "--outcome", "maybe"}, `--outcome must be pass or fail, got "maybe"`},
		{[]string{"objection", "handle", "1", "--reason", "x"}, "say --uphold or --dismiss"},
		{[]string{"objection", "file", "--cycle", "1", "--enterprise", "1", "--name", "x", "--contact", "y"}, "--grounds is required"},
		{[]string{"calendar", "set", "2018-13-01=holiday"}, "the day must be a date"},
		{[]string{"calendar", "set", "2018-10-01=party"}, "say holiday or working"},
		{[]string{"user", "add", "bob"}, "--password-stdin"},
		{[]string{"recognition", "expire", "--as-of", "soon"}, "--as-of must be a date"},
		{[]string{"cycle", "list", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"application", "list", "--cycle", "1", "--status", "submitted,lost"}, `--status must be one of draft, submitted`},
		{[]string{"decision", "list", "--cycle", "1", "--state", "final", "--outcome", "maybe"}, `--outcome must be one of pass, fail, got "maybe"`},
		{[]string{"recognition", "list", "--status", "lapsed"}, "--status must be one of active"},
		{[]string{"user", "list", "--role", "king"}, "--role must be one of admin"},
	} {
		l.fails(ExitUsage, s.args, s.want)
	}
}

// TestLifecycleRefusals: what the workflow refuses is exit 1 with its
// message, naming the phase, field or rule, and records nothing.
func TestLifecycleRefusals(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	codes := creditCodes(3)
	for i, code := range codes {
		l.ok("enterprise", "register", code, "--name", "企业"+strconv.Itoa(i), "--channel", "jiangsu")
	}
	var cy idOf
	l.json(&cy, "cycle", "create", "--program", "mini@1", "--kind", "identification", "--year", "2019")
	c := strconv.FormatInt(cy.ID, 10)
	entries := auditCount(t, l)

	// Transitions from the wrong phase name the phase and what they need.
	l.fails(ExitError, []string{"cycle", "announce", c, "--yes"}, `cycle `+c+` is in phase "draft"; "announce" needs "notice"`)
	l.fails(ExitError, []string{"cycle", "start-evaluation", c}, `is in phase "draft"`, `"start_evaluation" needs "recommendation"`)
	l.fails(ExitError, []string{"cycle", "close", c, "--yes"}, `"close" needs "announced"`)
	l.fails(ExitError, []string{"cycle", "open-review", c}, "identification")
	l.fails(ExitError, []string{"application", "create", "--cycle", c, "--enterprise", codes[0]}, "open")
	// Unknown things are named.
	l.fails(ExitError, []string{"cycle", "show", "99"}, "99")
	l.fails(ExitUsage, []string{"cycle", "create", "--program", "nope", "--year", "2018"}, "--program nope: the database holds no such program version")
	l.fails(ExitError, []string{"enterprise", "show", "91110108MA01C1AB2B"}, "no enterprise has the credit code 91110108MA01C1AB2B")
	l.fails(ExitError, []string{"enterprise", "register", "91110108MA01C1AB2C", "--name", "x"}, "check character")
	l.fails(ExitError, []string{"channel", "add", "Bad-Code", "--name-zh", "坏", "--name-en", "Bad"}, "Bad-Code")
	if got := auditCount(t, l); got != entries {
		t.Errorf("refusals recorded %d audit entries", got-entries)
	}

	// Inputs are checked field by field, the program's and the workflow's
	// rules alike.
	l.ok("cycle", "open", c)
	var apps [3]idOf
	for i, code := range codes {
		l.json(&apps[i], "application", "create", "--cycle", c, "--enterprise", code)
	}
	app := strconv.FormatInt(apps[0].ID, 10)
	entries = auditCount(t, l)
	l.fails(ExitError, []string{"application", "save", app, "staff=many", "bogus=1"}, `staff: want a number, got "many"`,
		`bogus: program mini has no input "bogus" (its inputs: code, region, staff, sales[2], note)`)
	l.fails(ExitError, []string{"application", "save", app, "staff=-3"}, "inputs.staff", "at least 0")
	l.fails(ExitError, []string{"application", "submit", app}, "sales")
	l.fails(ExitError, []string{"application", "recommend", "--channel", "nowhere", app}, `no channel has the code "nowhere"`)
	if got := auditCount(t, l); got != entries {
		t.Errorf("refused saves recorded %d audit entries", got-entries)
	}
	// A change based on an old version is refused, never applied over
	// the newer one.
	l.ok("application", "save", app, "staff=20", "sales=1,2")
	l.fails(ExitError, []string{"application", "save", app, "staff=30", "--version", "1"}, "version")

	// The quota: one recommendation per channel.
	for _, a := range apps[1:] {
		id := strconv.FormatInt(a.ID, 10)
		l.ok("application", "save", id, "staff=20", "sales=1,2")
		l.ok("application", "submit", id)
	}
	l.ok("application", "submit", app)
	l.ok("cycle", "close-applications", c)
	l.fails(ExitError, []string{"application", "recommend", "--channel", "zhejiang", app}, "jiangsu", "zhejiang")
	l.fails(ExitError, []string{"application", "recommend", "--channel", "jiangsu", app, strconv.FormatInt(apps[1].ID, 10)}, "channel jiangsu may recommend 1 applications", "(2 > 1)")
	l.ok("application", "recommend", "--channel", "jiangsu", app)
	l.ok("application", "not-recommend", "--channel", "jiangsu", strconv.FormatInt(apps[2].ID, 10))
}

func auditCount(t *testing.T, l *lifecycleDB) int {
	t.Helper()
	db, err := store.Open(context.Background(), l.path, store.WithoutMigrate())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, err := db.ListAudit(context.Background(), store.AuditFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// TestLifecycleNeedsAMigratedDatabase: the commands do not create a
// database by mistake.
func TestLifecycleNeedsAMigratedDatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	code, _, errOut := run(t, "cycle", "list", "--database", missing)
	if code != ExitError || !contains(errOut, "no database at "+missing, "exemplar migrate") {
		t.Errorf("cycle list on a missing database: exit %d\n%s", code, errOut)
	}
}
