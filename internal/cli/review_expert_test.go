package cli

import (
	"strconv"
	"strings"
	"testing"
)

// reviewedProgram is miniProgram with a points input that experts fix
// within the growth band, and a review by 2 experts.
var reviewedProgram = strings.NewReplacer(
	"name: mini\n", "name: minireview\n",
	"  - {id: note, kind: text}\n", "  - {id: note, kind: text}\n  - {id: growth_points, unit: points, min: 0, max: 10}\n",
	"        value: \"sales[1] - sales[0]\"\n", "        value: \"sales[1] - sales[0]\"\n        fixed: growth_points\n",
	"          - {at_least: 100, points: [10, 10]}\n", "          - {label: A, at_least: 100, points: [6, 10]}\n",
	"decision:\n", "review: {items: [growth_points], min_experts: 2, source: test}\ndecision:\n",
).Replace(miniProgram)

// TestExpertReviewCommands runs the review through the command line:
// experts and a conflict, automatic assignment, draft and submitted
// scores with a value outside the band refused, progress, deliberation
// from the combined value.
func TestExpertReviewCommands(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	l.ok("programs", "register", l.writeFile("minireview.yaml", reviewedProgram), "--as", "admin")
	codes := creditCodes(2)
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	l.ok("enterprise", "register", codes[0], "--name", "好企业", "--channel", "jiangsu", "--as", "admin")
	var cy idOf
	l.json(&cy, "cycle", "create", "--program", "minireview", "--kind", "identification", "--year", "2018", "--title-en", "Reviewed 2018", "--as", "admin")
	c := id(cy.ID)
	l.ok("cycle", "open", c, "--as", "admin")
	var ap idOf
	l.json(&ap, "application", "create", "--cycle", c, "--enterprise", codes[0], "--as", "admin")
	l.ok("application", "save", id(ap.ID), "staff=50", "sales=100,300", "growth_points=10", "--as", "admin")
	l.ok("application", "submit", id(ap.ID), "--as", "admin")
	l.ok("cycle", "close-applications", c, "--as", "admin")
	l.ok("application", "recommend", "--channel", "jiangsu", id(ap.ID), "--as", "admin")
	l.ok("cycle", "start-evaluation", c, "--as", "admin")

	for _, name := range []string{"alice", "bob", "carol"} {
		if code, out, errOut := l.exec("a-long-password-1\n", false, "user", "add", name, "--password-stdin"); code != ExitOK {
			t.Fatalf("user add: %s%s", out, errOut)
		}
		l.ok("user", "grant", name, "expert")
	}
	l.ok("review", "conflicts", "--channel", "jiangsu", "--reason", "works for the province", "--as", "carol")
	if out := l.ok("review", "conflicts", "--as", "carol"); !contains(out, "channel jiangsu", "works for the province") {
		t.Errorf("conflicts:\n%s", out)
	}
	l.fails(ExitUsage, []string{"review", "conflicts", "--enterprise", codes[0], "--as", "carol"}, "--reason")
	l.fails(ExitError, []string{"review", "deliberate", c, "--as", "admin"}, "expert review is incomplete")
	if out := l.ok("review", "assign", c, "--seed", "1", "--as", "admin"); !strings.Contains(out, "2 assignments made") {
		t.Errorf("assign: %s", out)
	}
	var list struct {
		Total       int    `json:"total"`
		Assignments []idOf `json:"assignments"`
	}
	l.json(&list, "review", "list", "--as", "alice")
	if list.Total != 1 {
		t.Fatalf("alice's list: %+v", list)
	}
	sa := id(list.Assignments[0].ID)
	l.json(&list, "review", "list", "--as", "bob")
	sb := id(list.Assignments[0].ID)
	if out := l.ok("review", "list", "--as", "carol"); strings.Contains(out, "好企业") {
		t.Errorf("carol, conflicted, was assigned:\n%s", out)
	}
	l.fails(ExitError, []string{"review", "score", sa, "growth_points=5", "--as", "alice"}, "growth_points", "5 is outside 6–10 (band A)")
	l.fails(ExitError, []string{"review", "score", sa, "growth_points=7", "--as", "bob"}, "does not exist")
	if out := l.ok("review", "score", sa, "growth_points=7", "--comment", "solid", "--as", "alice"); !strings.Contains(out, "is draft") {
		t.Errorf("score: %s", out)
	}
	l.ok("review", "submit", sa, "--yes", "--as", "alice")
	l.ok("review", "submit", sb, "growth_points=8", "--yes", "--as", "bob")
	if out := l.ok("review", "progress", c); !contains(out, "1 of 1 applications complete", "2/2", "growth_points=7.5") {
		t.Errorf("progress:\n%s", out)
	}
	l.ok("review", "deliberate", c, "--as", "admin")
	if out := l.ok("cycle", "results", c); !strings.Contains(out, "7.5") {
		t.Errorf("results after the review:\n%s", out)
	}
}
