package scoring_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
)

// TestLoneApplicantReason: a composite index normalised over the cohort
// has no value for a cohort of one. The enterprise is not scored — and
// the reason must say why, not blame its data, which is complete. Two
// enterprises are scored, and their reasons name the channel by its name.
func TestLoneApplicantReason(t *testing.T) {
	p, err := program.Builtin("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		path := filepath.Join(t.TempDir(), "in.csv")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.WriteCSV(f, p, n, 7); err != nil {
			t.Fatal(err)
		}
		f.Close()
		tb, err := ingest.Read(p, path, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := scoring.Run(p, tb, scoring.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := r.Enterprise(0)
		switch {
		case n == 1 && (e.Outcome != scoring.NotScored || !strings.Contains(e.Reason.En, "cohort of one") || !strings.Contains(e.Reason.Zh, "仅一家企业")):
			t.Errorf("a lone eligible applicant: %v, %q", e.Outcome, e.Reason.En)
		case n == 2 && e.Outcome == scoring.NotScored:
			t.Errorf("two applicants: still not scored: %q", e.Reason.En)
		}
		if n == 2 {
			// Reasons name a channel as people know it, not by its code.
			ch, _ := p.Input(p.Def.Channel)
			var name program.Text
			for _, o := range ch.Options {
				if o.Value == e.Channel {
					name = o.Name
				}
			}
			if name.Zh == "" || !strings.Contains(e.Reason.Zh, name.Zh+"第") || !strings.Contains(e.Reason.En, "in "+name.En) {
				t.Errorf("reason %q / %q does not name channel %s as %v", e.Reason.Zh, e.Reason.En, e.Channel, name)
			}
		}
	}
}
