package workflow_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// certificateAudits counts the audit entries that issued a certificate.
func certificateAudits(t *testing.T, db *store.DB) int {
	t.Helper()
	recs, err := db.ListAudit(context.Background(), store.AuditFilter{Entity: "certificate", Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Action != "certificate.issue" {
			t.Errorf("audit entry %d on a certificate: action %q", r.Seq, r.Action)
		}
		n++
	}
	return n
}

// TestCertificatesOfTheStory issues the certificates of the demo's story
// — 150 titles granted in 2015, 146 confirmed and 4 revoked by the 2018
// review — and follows their statuses through time.
func TestCertificatesOfTheStory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := demo.NewClock()
		res, err := demo.RunStory(ctx, db, clock, demo.Seed)
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed != 146 || len(res.Revoked) != 4 || res.Recognised != 150 {
			t.Fatalf("the story passed %d, revoked %d, recognised %d; want 146, 4, 150", res.Passed, len(res.Revoked), res.Recognised)
		}
		s := workflow.New(db, workflow.WithClock(clock.Now))
		review, ident := res.Review.ID, res.Identification.ID

		// Nothing is issued outside the announced and closed phases.
		draft, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: res.Program.ID, Kind: workflow.KindReview, Year: 2021})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.IssueCertificates(ctx, admin, draft.ID, nil); errs.CodeOf(err) != errs.Conflict || !strings.Contains(err.Error(), `"issue_certificates" needs "announced" or "closed"`) {
			t.Errorf("issuing in a draft cycle: %v; want a conflict that names the phases", err)
		}
		if plan, err := s.PlanCertificates(ctx, draft.ID); err != nil || plan.Refusal == "" || plan.Due != 0 {
			t.Errorf("plan of a draft cycle = %+v, %v; want a refusal and nothing due", plan, err)
		}
		if _, err := s.IssueCertificates(ctx, admin, 999999, nil); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("issuing in a missing cycle: %v; want not found", err)
		}
		if _, err := s.IssueCertificates(ctx, workflow.Actor{}, review, nil); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("issuing without an actor: %v; want invalid", err)
		}
		if n := certificateAudits(t, db); n != 0 {
			t.Fatalf("refusals recorded %d certificate entries", n)
		}

		plan, err := s.PlanCertificates(ctx, review)
		if err != nil || plan.Refusal != "" || plan.Due != 146 || plan.Issued != 0 || plan.Missing() != 146 {
			t.Fatalf("plan of the review = %+v, %v; want 146 due, none issued", plan, err)
		}

		// The review's 146 passes, in two transactions (100 + 46).
		var calls [][2]int
		n, err := s.IssueCertificates(ctx, admin, review, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil || n != 146 {
			t.Fatalf("IssueCertificates(review) = %d, %v; want 146", n, err)
		}
		if fmt.Sprint(calls) != "[[100 146] [146 146]]" {
			t.Errorf("progress calls %v; want [[100 146] [146 146]]", calls)
		}
		if got := certificateAudits(t, db); got != 146 {
			t.Errorf("%d certificate.issue audit entries; want 146", got)
		}

		// Idempotent: a second run issues and records nothing.
		calls = nil
		if n, err := s.IssueCertificates(ctx, admin, review, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil || n != 0 {
			t.Errorf("second IssueCertificates = %d, %v; want 0", n, err)
		}
		if fmt.Sprint(calls) != "[[146 146]]" {
			t.Errorf("second run's progress %v; want [[146 146]]", calls)
		}
		if got := certificateAudits(t, db); got != 146 {
			t.Errorf("after the second run: %d certificate.issue entries; want still 146", got)
		}

		// The identification's 150, by two administrators at once: each
		// certificate is issued once, whoever issues it.
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 {
			wg.Go(func() {
				n, err := s.IssueCertificates(ctx, admin, ident, nil)
				if err != nil {
					t.Errorf("concurrent IssueCertificates: %v", err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 150 {
			t.Errorf("two concurrent runs issued %d certificates in all; want 150", total)
		}

		reviewCerts, err := s.CycleCertificates(ctx, review)
		if err != nil {
			t.Fatal(err)
		}
		identCerts, err := s.CycleCertificates(ctx, ident)
		if err != nil {
			t.Fatal(err)
		}
		if len(reviewCerts) != 146 || len(identCerts) != 150 {
			t.Fatalf("%d review and %d identification certificates; want 146 and 150", len(reviewCerts), len(identCerts))
		}
		announced := func(at time.Time) time.Time {
			d := at.In(workflow.ChinaTime)
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		}
		seen := map[string]bool{}
		for i, c := range reviewCerts {
			want := fmt.Sprintf("MIIT-TIDE-2018-R-%04d", i+1)
			if c.Number != want || c.Seq != i+1 || seen[c.Number] {
				t.Errorf("review certificate %d is %s (seq %d); want %s", i, c.Number, c.Seq, want)
			}
			seen[c.Number] = true
			if c.Award != workflow.AwardPlaque || c.TierZh != "" || c.TitleZh != "国家技术创新示范企业" || !strings.Contains(c.IssuerZh, "工业和信息化部") {
				t.Errorf("certificate %s: award %q, tier %q, title %q, issuer %q", c.Number, c.Award, c.TierZh, c.TitleZh, c.IssuerZh)
			}
			if !c.IssuedOn.Equal(announced(res.AnnouncedReview)) || !c.ValidUntil.Equal(c.IssuedOn.AddDate(3, 0, 0)) {
				t.Errorf("certificate %s: issued %v, valid until %v; want the review's announcement day and three years on", c.Number, c.IssuedOn, c.ValidUntil)
			}
			e, _, err := s.Enterprise(ctx, c.EnterpriseID)
			if err != nil {
				t.Fatal(err)
			}
			if c.USCC != e.USCC || c.EnterpriseName != e.Name || c.CycleKind != workflow.KindReview || c.CycleYear != 2018 || c.ProgramName != "miit-tide" {
				t.Errorf("certificate %s = %+v; want enterprise %s %q of the 2018 review", c.Number, c, e.USCC, e.Name)
			}
		}
		if identCerts[0].Number != "MIIT-TIDE-2015-I-0001" || !identCerts[0].IssuedOn.Equal(announced(res.AnnouncedID)) {
			t.Errorf("first identification certificate %s issued %v", identCerts[0].Number, identCerts[0].IssuedOn)
		}

		// Statuses as time passes. The revoked four, by USCC.
		revoked := map[string]bool{}
		for _, r := range res.Revoked {
			revoked[r.Code] = true
		}
		statuses := func(certs []workflow.Certificate) map[string]int {
			out := map[string]int{}
			for _, c := range certs {
				out[c.Status]++
				if c.Status == workflow.CertificateRevoked != revoked[c.USCC] {
					t.Errorf("certificate %s of %s is %s; revoked enterprise: %v", c.Number, c.USCC, c.Status, revoked[c.USCC])
				}
				if c.Status == workflow.CertificateRevoked && (c.RevokedAt == nil || c.RevokedReasonEn == "") {
					t.Errorf("revoked certificate %s lacks the revocation's time and reason", c.Number)
				}
			}
			return out
		}
		check := func(when string, cycle int64, want map[string]int) {
			t.Helper()
			certs, err := s.CycleCertificates(ctx, cycle)
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(certs); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: statuses %v; want %v", when, got, want)
			}
		}
		// Just after the review, the 2015 certificates still run (to
		// September 2018) except the revoked ones.
		check("after the review", ident, map[string]int{"revoked": 4, "valid": 146})
		check("after the review", review, map[string]int{"valid": 146})
		// Through the 2015 certificates' last day, and the day after it.
		last := identCerts[0].ValidUntil
		clock.Set(time.Date(last.Year(), last.Month(), last.Day(), 23, 59, 0, 0, workflow.ChinaTime))
		check("on the 2015 certificates' last day", ident, map[string]int{"revoked": 4, "valid": 146})
		clock.Set(clock.Now().Add(2 * time.Minute))
		check("the day after", ident, map[string]int{"expired": 146, "revoked": 4})
		check("the day after", review, map[string]int{"valid": 146})
		// Past 2021 the 2018 certificates run out, by date alone and then
		// with the titles expired.
		clock.Set(time.Date(2021, 12, 1, 9, 0, 0, 0, workflow.ChinaTime))
		check("in December 2021", review, map[string]int{"expired": 146})
		if n, err := s.ExpireRecognitions(ctx, admin, clock.Now()); err != nil || n != 146 {
			t.Fatalf("ExpireRecognitions = %d, %v; want 146", n, err)
		}
		check("after the titles expired", review, map[string]int{"expired": 146})

		// Looking one up as people type it; a number never issued.
		c, err := s.Certificate(ctx, "  "+strings.ToLower(reviewCerts[7].Number)+" ")
		if err != nil || c.Number != reviewCerts[7].Number || c.Status != workflow.CertificateExpired {
			t.Errorf("Certificate(lower case) = %+v, %v", c, err)
		}
		for _, bad := range []string{"", "MIIT-TIDE-2018-R-9999", strings.Repeat("X", 200)} {
			if _, err := s.Certificate(ctx, bad); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("Certificate(%q): %v; want not found", bad, err)
			}
		}
		if v, err := db.VerifyAudit(ctx); err != nil || !v.OK {
			t.Errorf("VerifyAudit = %+v, %v", v, err)
		}
	})
}

func TestCertificateNumber(t *testing.T) {
	for _, c := range []struct {
		name, kind string
		year, seq  int
		want       string
	}{
		{"miit-tide", workflow.KindReview, 2018, 1, "MIIT-TIDE-2018-R-0001"},
		{"hnte", workflow.KindIdentification, 2021, 12345, "HNTE-2021-I-12345"},
		{"a_very_long_program_name_indeed_x", workflow.KindReview, 2018, 7, "A-VERY-LONG-PROGRAM-NAME-2018-R-0007"},
	} {
		if got := workflow.CertificateNumber(c.name, c.year, c.kind, c.seq); got != c.want {
			t.Errorf("CertificateNumber(%q, %d, %s, %d) = %q; want %q", c.name, c.year, c.kind, c.seq, got, c.want)
		}
		if len(c.want) > 40 {
			t.Errorf("%q is longer than a certificate prints", c.want)
		}
	}
}
