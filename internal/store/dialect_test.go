package store

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                          "SELECT 1",
		"a = ? AND b = ?":                   "a = $1 AND b = $2",
		"x = '?' AND y = ?":                 "x = '?' AND y = $1",
		`"we?rd" = ? -- what?` + "\n AND ?": `"we?rd" = $1 -- what?` + "\n AND $2",
		"/* ? */ ? 'it''s ?' ?":             "/* ? */ $1 'it''s ?' $2",
		"unterminated '?":                   "unterminated '?",
	} {
		if got := Postgres.rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
		if got := SQLite.rebind(in); got != in {
			t.Errorf("SQLite rebind changed %q to %q", in, got)
		}
	}
}

func TestEnumChecksFoundInMigrations(t *testing.T) {
	checks := enumChecks()
	for name, want := range map[string]string{
		"user_roles_role_check":     "user_roles.role must be one of 'admin', 'recommender', 'enterprise', 'expert'",
		"cycles_phase_check":        "cycles.phase must be one of 'draft', 'open',",
		"applications_status_check": "'returned', 'recommended', 'not_recommended'",
		"objections_status_check":   "objections.status must be one of 'filed', 'upheld', 'dismissed'",
	} {
		if !strings.Contains(checks[name], want) {
			t.Errorf("enumChecks()[%q] = %q, want it to contain %q", name, checks[name], want)
		}
	}
}
