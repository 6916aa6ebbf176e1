package cli

import (
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/workflow"
)

// TestConfirmation: an irreversible change asks on a terminal, is refused
// without --yes when there is no terminal to ask, and changes nothing
// unless the answer is yes.
func TestConfirmation(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	code := creditCodes(1)[0]
	l.ok("enterprise", "register", code, "--name", "企业", "--channel", "jiangsu")
	var cy, ap idOf
	l.json(&cy, "cycle", "create", "--program", "mini", "--year", "2020")
	c := strconv.FormatInt(cy.ID, 10)
	l.ok("cycle", "open", c)
	l.json(&ap, "application", "create", "--cycle", c, "--enterprise", code)
	app := strconv.FormatInt(ap.ID, 10)
	// application show --json nests the application.
	statusOf := func() string {
		t.Helper()
		var v struct{ Application idOf }
		l.json(&v, "application", "show", app)
		return v.Application.Status
	}

	// No terminal, no --yes: refused as a usage error, nothing asked.
	code2, out, errOut := l.exec("y\n", false, "application", "withdraw", app)
	if code2 != ExitUsage || !contains(errOut, "cannot be undone", "no terminal to ask", "--yes") || strings.Contains(errOut, "[y/N]") {
		t.Errorf("withdraw without a terminal: exit %d\n%s%s", code2, out, errOut)
	}
	// On a terminal: anything but yes keeps it.
	for _, answer := range []string{"n\n", "\n", "", "maybe\n"} {
		code2, out, errOut = l.exec(answer, true, "application", "withdraw", app)
		if code2 != ExitError || !contains(errOut, "Withdrawing application "+app, "Go ahead? [y/N]", "not confirmed: nothing changed") {
			t.Errorf("withdraw answered %q: exit %d\n%s%s", answer, code2, out, errOut)
		}
	}
	if s := statusOf(); s != workflow.StatusDraft {
		t.Fatalf("after refusals the application is %s", s)
	}
	code2, out, errOut = l.exec("yes\n", true, "application", "withdraw", app)
	if code2 != ExitOK || !strings.Contains(out, "withdrawn") {
		t.Errorf("withdraw answered yes: exit %d\n%s%s", code2, out, errOut)
	}
	if s := statusOf(); s != workflow.StatusWithdrawn {
		t.Errorf("after yes the application is %s", s)
	}

	// --yes does it without asking, even on a terminal.
	l.ok("cycle", "close-applications", c)
	code2, _, errOut = l.exec("", true, "cycle", "announce", c)
	if code2 != ExitError || !contains(errOut, "Announcing cycle "+c, "not confirmed") {
		t.Errorf("announce on a terminal with no answer: exit %d\n%s", code2, errOut)
	}
	l.fails(ExitUsage, []string{"cycle", "close", c}, "--yes")
	code2, _, errOut = l.exec("", true, "cycle", "announce", c, "--yes")
	if code2 != ExitError || strings.Contains(errOut, "[y/N]") || !strings.Contains(errOut, `"announce" needs "notice"`) {
		t.Errorf("announce --yes in phase recommendation: exit %d\n%s", code2, errOut)
	}

	// Disabling a user asks too.
	code2, out, errOut = l.exec("a-long-password-1\n", false, "user", "add", "carol", "--password-stdin")
	if code2 != ExitOK {
		t.Fatalf("user add: exit %d\n%s%s", code2, out, errOut)
	}
	l.fails(ExitUsage, []string{"user", "disable", "carol"}, "--yes")
	if out := l.ok("user", "disable", "carol", "--yes"); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	// A disabled user can no longer act.
	l.fails(ExitError, []string{"channel", "add", "anhui", "--name-zh", "安徽省", "--name-en", "Anhui", "--as", "carol"}, "carol is disabled")
}
