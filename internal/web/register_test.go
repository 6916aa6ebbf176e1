package web

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

func TestRegisterEnterprise(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		code := demo.CreditCode(rand.New(rand.NewPCG(7, 7)), "330100")
		form := func(code, user string) url.Values {
			return url.Values{"uscc": {code}, "name": {"杭州创新科技有限公司"}, "channel": {"jiangsu"}, "display_name": {"王五"},
				"username": {user}, "password": {"a long enough passphrase"}, "password2": {"a long enough passphrase"}}
		}
		count := func() (users, ents int) {
			accs, err := s.svc.Users(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			err = db.Read(t.Context(), func(tx *store.Tx) error {
				return tx.QueryRow(t.Context(), "SELECT COUNT(*) FROM enterprises").Scan(&ents)
			})
			if err != nil {
				t.Fatal(err)
			}
			return len(accs), ents
		}
		users0, ents0 := count()

		// Refusals change nothing and come back with the reason and what
		// was typed.
		bad := code[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", code[17])+1)%31])
		mismatch := form(code, "wangwu")
		mismatch.Set("password2", "something else entirely")
		for name, sc := range map[string]struct {
			form url.Values
			want string
		}{
			"wrong check character": {form(bad, "wangwu"), "check character"},
			"passwords differ":      {mismatch, "密码不一致"},
			"short password": {func() url.Values {
				f := form(code, "wangwu")
				f.Set("password", "short")
				f.Set("password2", "short")
				return f
			}(), "password"},
			"bad username": {form(code, "1bad name"), "username"},
		} {
			resp, body := s.client().postForm("/register", sc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, sc.want) || !strings.Contains(body, "杭州创新科技有限公司") {
				t.Errorf("%s: status %d; want 422 saying %q with the form filled in", name, resp.StatusCode, sc.want)
			}
		}
		if u, e := count(); u != users0 || e != ents0 {
			t.Fatalf("refused sign-ups created %d users and %d enterprises", u-users0, e-ents0)
		}

		// A good one signs the new user in as the enterprise.
		c := s.client()
		resp, _ := c.postForm("/register", form(code, "wangwu"))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("register: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := c.get("/account")
		if !strings.Contains(body, "wangwu") || !strings.Contains(body, "企业") {
			t.Errorf("the new user's account page does not show the enterprise role")
		}
		accs, err := s.svc.Users(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, a := range accs {
			if a.Username == "wangwu" {
				found = len(a.Roles) == 1 && a.Roles[0].Role == workflow.RoleEnterprise && a.Roles[0].EnterpriseID != 0
			}
		}
		if !found {
			t.Errorf("wangwu does not hold exactly the enterprise role")
		}

		// A second account for the same enterprise is refused: anyone can
		// type a credit code.
		resp, body = s.client().postForm("/register", form(code, "intruder"))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already has an account") {
			t.Errorf("second account: status %d", resp.StatusCode)
		}
	})
}
