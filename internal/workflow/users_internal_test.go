package workflow

import (
	"strings"
	"testing"
)

// An unknown user's sign-in must cost what a known user's does: the dummy
// hash has the parameters, salt and key lengths of a genuine one.
func TestDummyHashCostsAsMuch(t *testing.T) {
	genuine, err := hashPassword("some long password")
	if err != nil {
		t.Fatal(err)
	}
	dummy := dummyHash()
	rp, dp := strings.Split(genuine, "$"), strings.Split(dummy, "$")
	if len(rp) != 6 || len(dp) != 6 || rp[1] != dp[1] || rp[2] != dp[2] || rp[3] != dp[3] ||
		len(rp[4]) != len(dp[4]) || len(rp[5]) != len(dp[5]) {
		t.Errorf("dummy hash %q is not shaped like a genuine one %q", dummy, genuine)
	}
	if ok, err := verifyPassword(dummy, "some long password"); ok || err != nil {
		t.Errorf("the dummy hash matched a password (%v, %v)", ok, err)
	}
	if ok, err := verifyPassword(genuine, "some long password"); !ok || err != nil {
		t.Errorf("verifyPassword(genuine) = %v, %v", ok, err)
	}
	if ok, err := verifyPassword(genuine, "some long passwore"); ok || err != nil {
		t.Errorf("a wrong password matched (%v, %v)", ok, err)
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := verifyPassword(bad, "x"); err == nil {
			t.Errorf("verifyPassword(%q) accepted an unusable hash", bad)
		}
	}
}
