package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
)

// TestDemo runs the demo's story and checks that what it prints is what
// the database holds, that the same seed tells the same story, and that
// the audit chain it leaves verifies.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "--keep", dir, "--serve=false")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, errs, out)
	}
	for _, w := range []string{"hnte", "miit-tide", "400 enterprises", "150 enterprises", "2015 identification", "2018 review",
		"Titles revoked, with the engine's reason:", "not eligible:", "objection 1", "dismissed", "Audit chain verified"} {
		if !strings.Contains(out, w) {
			t.Errorf("demo output lacks %q:\n%s", w, out)
		}
	}
	printed := func(label string) int {
		t.Helper()
		m := regexp.MustCompile(`(?m)` + regexp.QuoteMeta(label) + `\s+(\d+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("demo output has no %q count:\n%s", label, out)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}

	// The printed numbers are the database's.
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, demoDatabase))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	var idc, rc int64
	if err := db.QueryRow(ctx, "SELECT id FROM cycles WHERE kind = 'identification' AND year = 2015 AND phase = 'closed'").Scan(&idc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT id FROM cycles WHERE kind = 'review' AND year = 2018 AND phase = 'closed'").Scan(&rc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		label string
		n     int
	}{
		{"recognised", count("SELECT count(*) FROM recognitions WHERE granted_cycle_id = ? AND granted_year = 2015", idc)},
		{"passed by the engine", count("SELECT count(*) FROM decisions WHERE cycle_id = ? AND outcome = 'pass' AND state = 'final'", idc)},
		{"cohort (recognised in 2015)", count("SELECT count(*) FROM applications WHERE cycle_id = ?", rc)},
		{"reviewed", count("SELECT count(*) FROM decisions WHERE cycle_id = ? AND state = 'final'", rc)},
		{"passed", count("SELECT count(*) FROM recognitions WHERE confirmed_cycle_id = ? AND status = 'passed_review'", rc)},
		{"revoked", count("SELECT count(*) FROM recognitions WHERE revoked_cycle_id = ? AND status = 'revoked'", rc)},
	} {
		if got := printed(c.label); got != c.n {
			t.Errorf("the demo prints %s %d; the database holds %d", c.label, got, c.n)
		}
	}
	if fails := count("SELECT count(*) FROM decisions WHERE cycle_id = ? AND outcome = 'fail'", rc); fails != printed("revoked") {
		t.Errorf("the review decided %d fails but revoked %d titles", fails, printed("revoked"))
	}
	if n := printed("revoked"); n == 0 || n > 15 || printed("reviewed") != 150 {
		t.Errorf("the story should review 150 and revoke a few; it revoked %d of %d", n, printed("reviewed"))
	}
	if n := count("SELECT count(*) FROM objections WHERE status = 'dismissed' AND handling_reason <> ''"); n != 1 {
		t.Errorf("%d dismissed objections; want the story's one", n)
	}
	if n := count("SELECT count(*) FROM annual_reports"); n < 400 || n >= 450 {
		t.Errorf("%d annual reports filed; want most of the 450, a few missing", n)
	}
	v, err := db.VerifyAudit(ctx)
	if err != nil || !v.OK {
		t.Fatalf("VerifyAudit = %+v, %v", v, err)
	}
	if !strings.Contains(out, "Audit chain verified: "+strconv.FormatInt(v.Entries, 10)+" entries") || !strings.Contains(out, v.HeadHash) {
		t.Errorf("the demo's audit line does not name %d entries and head hash %s", v.Entries, v.HeadHash)
	}

	// The same seed tells the same story, to the audit chain's hash.
	other := t.TempDir()
	db2 := filepath.Join(other, "story.db")
	code, again, errs := run(t, "demo", "--database", db2, "--serve=false")
	if code != 0 {
		t.Fatalf("second demo: exit %d\n%s", code, errs)
	}
	body := func(s string) string {
		s, _, _ = strings.Cut(s, "\nKept: ")
		return s
	}
	if body(out) != body(again) {
		t.Errorf("two demo runs with the same seed differ:\n%s\n----\n%s", out, again)
	}
	// A kept database is not overwritten.
	if code, _, errs := run(t, "demo", "--database", db2, "--serve=false"); code != ExitUsage || !strings.Contains(errs, "exists") {
		t.Errorf("demo over an existing database: exit %d, %s", code, errs)
	}
}

// TestDemoSite: the demo readies its database for the web and serves it;
// --check fetches the main pages once (home, announcements, the review's
// results announcement with its QR code, sign-in, health) and stops.
func TestDemoSite(t *testing.T) {
	code, out, errs := run(t, "demo", "--check")
	if code != 0 {
		t.Fatalf("demo --check: exit %d\n%s\n%s", code, errs, out)
	}
	for _, w := range []string{"3. The web site", "admin", "demo-admin-2018", "recommender", "enterprise", "expert",
		"GET /announcements/", "/qr.svg", "GET /healthz"} {
		if !strings.Contains(out, w) {
			t.Errorf("demo --check output lacks %q:\n%s", w, out)
		}
	}
	if strings.Count(out, " 200 ") < 6 {
		t.Errorf("demo --check: fewer than six pages answered 200:\n%s", out)
	}
}
