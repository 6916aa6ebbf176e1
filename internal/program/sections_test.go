package program_test

import (
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
)

// medalTiers is a certificate section with three medal tiers, appended to
// baseYAML's decision section.
const medalTiers = `certificate:
  issuer: {zh: 示范项目办公室, en: Demonstration office}
  award: medal
  tiers:
    - {name: {zh: 金奖, en: Gold}, at_least: 90}
    - {name: {zh: 银奖, en: Silver}, at_least: 75.5}
    - {name: {zh: 铜奖, en: Bronze}, at_least: 60}
  source: "configurable default"
`

// TestCertificateTiers: a definition's certificate section loads, and each
// decision score earns the tier a person would read off the table — at
// each bound exactly, between bounds, below every tier and with no score.
func TestCertificateTiers(t *testing.T) {
	p, err := program.Load([]byte(edited(t, "    - {by: staff, order: asc}\n", "    - {by: staff, order: asc}\n"+medalTiers)), "tiers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Def.Certificate
	if c.AwardOf() != program.AwardMedal || c.Issuer.Zh != "示范项目办公室" {
		t.Fatalf("certificate = %+v", c)
	}
	score := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		score *float64
		want  string // the tier's English name; "" for none
	}{
		{score(100), "Gold"}, {score(90), "Gold"}, {score(89.999), "Silver"}, {score(75.5), "Silver"},
		{score(75.4), "Bronze"}, {score(60), "Bronze"}, {score(59.9), ""}, {score(-1), ""}, {nil, ""},
	} {
		tier, ok := c.TierOf(tc.score)
		if got := tier.Name.En; got != tc.want || ok != (tc.want != "") {
			t.Errorf("score %v: tier %q (%v), want %q", tc.score, got, ok, tc.want)
		}
	}

	// Without a section: a plaque, no tier, no issuer (the workflow names
	// the program office).
	base, err := program.Load([]byte(baseYAML), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := base.Def.Certificate.AwardOf(); got != program.AwardPlaque {
		t.Errorf("default award %q, want plaque", got)
	}
	if _, ok := base.Def.Certificate.TierOf(score(99)); ok {
		t.Error("a program without tiers awarded one")
	}
}

// TestCertificateProblems: each mistake in the certificate section is
// reported at its path.
func TestCertificateProblems(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, path, msg string
	}{
		{"unknown award", "award: medal", "award: trophy", "certificate.award", `must be "plaque" or "medal", got "trophy"`},
		{"tiers of a plaque", "award: medal", "award: plaque", "certificate.tiers", "set award: medal"},
		{"tier without name", "{name: {zh: 银奖, en: Silver}, at_least: 75.5}", "{at_least: 75.5}", "certificate.tiers[1].name", "needs a Chinese"},
		{"tier without score", "{name: {zh: 铜奖, en: Bronze}, at_least: 60}", "{name: {zh: 铜奖, en: Bronze}}", "certificate.tiers[2].at_least", "missing"},
		{"tiers out of order", "at_least: 60}", "at_least: 80}", "certificate.tiers[2].at_least", "must be below the tier above it (75.5), got 80"},
		{"equal tiers", "at_least: 60}", "at_least: 75.5}", "certificate.tiers[2].at_least", "must be below"},
		{"infinite score", "at_least: 90}", "at_least: .inf}", "certificate.tiers[0].at_least", "finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := edited(t, "    - {by: staff, order: asc}\n", "    - {by: staff, order: asc}\n"+medalTiers)
			src = replaceOnce(t, src, tc.old, tc.new)
			_, err := program.Load([]byte(src), "bad.yaml")
			if list := problemsOf(t, err); !hasProblem(list, tc.path, tc.msg) {
				t.Errorf("want a problem at %q containing %q; got%s", tc.path, tc.msg, listString(list))
			}
		})
	}
}

// replaceOnce replaces old in s by new; old must occur exactly once.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%q occurs %d times", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// TestProcedure: the notice length and the annual report's due day come
// from the definition, with their defaults, and mistakes are reported at
// their paths.
func TestProcedure(t *testing.T) {
	base, err := program.Load([]byte(baseYAML), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := base.Def.Procedure.NoticeDays(); got != program.DefaultNoticeWorkingDays {
		t.Errorf("default notice %d days", got)
	}
	if got := base.Def.Procedure.ReportDueOn(2020).Format("2006-01-02"); got != "2021-04-30" {
		t.Errorf("default due day %s", got)
	}
	withProc := func(block string) string {
		return edited(t, "    - {by: staff, order: asc}\n", "    - {by: staff, order: asc}\nprocedure:\n"+block)
	}
	p, err := program.Load([]byte(withProc("  notice_working_days: 15\n  annual_report_due: {month: 5, day: 31}\n")), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n, due := p.Def.Procedure.NoticeDays(), p.Def.Procedure.ReportDueOn(2020).Format("2006-01-02"); n != 15 || due != "2021-05-31" {
		t.Errorf("notice %d days, due %s; want 15 and 2021-05-31", n, due)
	}
	for _, tc := range []struct{ block, path, msg string }{
		{"  notice_working_days: 61\n", "procedure.notice_working_days", "between 1 and 60, got 61"},
		{"  notice_working_days: -1\n", "procedure.notice_working_days", "got -1"},
		{"  annual_report_due: {month: 2, day: 29}\n", "procedure.annual_report_due", "month 2, day 29 is not a day that every year has"},
		{"  annual_report_due: {month: 13, day: 1}\n", "procedure.annual_report_due", "not a day"},
		{"  annual_report_due: {month: 4, day: 0}\n", "procedure.annual_report_due", "not a day"},
	} {
		_, err := program.Load([]byte(withProc(tc.block)), "bad.yaml")
		if list := problemsOf(t, err); !hasProblem(list, tc.path, tc.msg) {
			t.Errorf("%q: want a problem at %q containing %q; got%s", tc.block, tc.path, tc.msg, listString(list))
		}
	}
}
