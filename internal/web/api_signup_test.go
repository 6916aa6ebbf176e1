package web

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestAPISignUp: an enterprise opens its account through the API with
// the visitor's anti-forgery token, gets a token that acts for it, and
// the register page's refusals come back naming the member: a bad check
// character, an unknown channel, a short password; a second account for
// the same enterprise and a taken username are conflicts; without the
// anti-forgery token nothing is created.
func TestAPISignUp(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	code := demo.CreditCode(rand.New(rand.NewPCG(77, 1)), "320100")
	body := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"uscc": code, "name": "苏州新创科技有限公司", "channel": "jiangsu", "username": "xinchuang",
			"password": "correct horse battery staple", "display_name": "王经理"}
		if change != nil {
			change(m)
		}
		return m
	}
	visitor := s.client()
	call := func(m map[string]any, csrf bool) (*http.Response, map[string]any) {
		c := apiCall{method: http.MethodPost, path: "/api/v1/enterprises/sign-up", body: m}
		if csrf {
			c.header = http.Header{"X-CSRF-Token": {visitorCSRF(visitor)}}
		}
		return visitor.apiDo(c)
	}
	if resp, _ := call(body(nil), false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-up without the anti-forgery token: %d, want 403", resp.StatusCode)
	}
	bad := []byte(code)
	bad[17] = map[bool]byte{true: '1', false: '0'}[bad[17] == '0']
	for _, tc := range []struct {
		name   string
		change func(m map[string]any)
		status int
		field  string
	}{
		{"a wrong check character", func(m map[string]any) { m["uscc"] = string(bad) }, http.StatusUnprocessableEntity, "uscc"},
		{"an unknown channel", func(m map[string]any) { m["channel"] = "atlantis" }, http.StatusNotFound, "channel"},
		{"a short password", func(m map[string]any) { m["password"] = "short" }, http.StatusUnprocessableEntity, "password"},
		{"no name", func(m map[string]any) { m["name"] = " " }, http.StatusUnprocessableEntity, "name"},
	} {
		resp, v := call(body(tc.change), true)
		if code, field := errorOf(t, v); resp.StatusCode != tc.status || field != tc.field {
			t.Errorf("%s: %d %s field %q, want %d naming %q", tc.name, resp.StatusCode, code, field, tc.status, tc.field)
		}
	}
	if users, _, err := s.svc.SearchUsers(t.Context(), store.UserQuery{Search: "xinchuang"}); err != nil || len(users) != 0 {
		t.Fatalf("a refused sign-up made %d users (%v)", len(users), err)
	}

	resp, v := call(body(nil), true)
	if resp.StatusCode != http.StatusCreated || v["token"] == "" || v["enterprise"].(map[string]any)["uscc"] != code {
		t.Fatalf("sign-up: %d %v", resp.StatusCode, v)
	}
	token := v["token"].(string)
	resp, me := s.client().apiDo(apiCall{method: http.MethodGet, path: "/api/v1/me/enterprises", token: token})
	items, _ := me["items"].([]any)
	if resp.StatusCode != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["uscc"] != code {
		t.Errorf("the new token's enterprises: %d %v", resp.StatusCode, me)
	}
	for name, change := range map[string]func(m map[string]any){
		"a second account of the enterprise": func(m map[string]any) { m["username"] = "other" },
		"a taken username":                   func(m map[string]any) { m["uscc"] = demo.CreditCode(rand.New(rand.NewPCG(78, 1)), "320100") },
	} {
		if resp, _ := call(body(change), true); resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: %d, want 409", name, resp.StatusCode)
		}
	}
}
