package workflow_test

import (
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestCertificateMedalTiers: a program whose definition awards medals in
// tiers issues each passing enterprise the tier its decision score earns,
// worked out here from the engine's stored scores and the bounds of the
// definition; the issuer printed is the definition's. The built-in
// programs award plaques without tiers (TestCertificatesOfTheStory).
func TestCertificateMedalTiers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		src, err := program.BuiltinSource("miit-tide")
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		cut := strings.Index(text, "\ncertificate:")
		if cut < 0 || !strings.Contains(text, "name: miit-tide\n") {
			t.Fatal("the built-in miit-tide has no certificate section to replace")
		}
		text = strings.Replace(text[:cut+1], "name: miit-tide\n", "name: tide-medal\n", 1) + `certificate:
  issuer: {zh: 示范奖章评定委员会, en: Medal committee}
  award: medal
  tiers:
    - {name: {zh: 金奖, en: Gold}, at_least: 60}
    - {name: {zh: 银奖, en: Silver}, at_least: 50}
    - {name: {zh: 铜奖, en: Bronze}, at_least: 45}
`
		f.step("program.register", func() (err error) {
			f.version, err = f.s.RegisterProgram(f.ctx, admin, []byte(text))
			return err
		})
		var firms []*firm
		for i := 0; i < 8; i++ {
			firms = append(firms, f.newFirm([]string{"jiangsu", "zhejiang"}[i%2]))
		}
		c := f.recognise(firms...)
		f.step("certificate.issue", func() error { _, err := f.s.IssueCertificates(f.ctx, admin, c.ID, nil); return err })

		_, results, err := f.s.Results(f.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		scores := map[int64]float64{}
		for _, r := range results {
			if r.Score != nil {
				scores[r.EnterpriseID] = *r.Score
			}
		}
		certs, err := f.s.CycleCertificates(f.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(certs) != len(firms) {
			t.Fatalf("%d certificates for %d passing enterprises", len(certs), len(firms))
		}
		seen := map[string]int{}
		for _, cert := range certs {
			score, ok := scores[cert.EnterpriseID]
			want := ""
			switch {
			case !ok:
			case score >= 60:
				want = "Gold"
			case score >= 50:
				want = "Silver"
			case score >= 45:
				want = "Bronze"
			}
			seen[want]++
			if cert.Award != workflow.AwardMedal || cert.TierEn != want || cert.IssuerEn != "Medal committee" || cert.IssuerZh != "示范奖章评定委员会" {
				t.Errorf("certificate %s (score %.3f): award %s, tier %q/%q, issuer %q; want a medal, tier %q, the committee",
					cert.Number, score, cert.Award, cert.TierZh, cert.TierEn, cert.IssuerEn, want)
			}
		}
		// The bounds split this cohort (index 41–66) into every tier and
		// none; a cohort in one tier would tell nothing.
		if len(seen) < 4 {
			t.Errorf("every certificate got tier %v: choose bounds that split the cohort (scores %v)", seen, scores)
		}
	})
}
