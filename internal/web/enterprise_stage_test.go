package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// enterpriseLogin gives enterprise e a user account and returns a browser
// signed in with it.
func enterpriseLogin(t *testing.T, s *site, e store.Enterprise) *client {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("ent-%d", e.ID)
	u, err := s.svc.CreateUser(ctx, system, name, e.Name, password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.GrantRole(ctx, system, u.ID, workflow.RoleEnterprise, e.ID); err != nil {
		t.Fatal(err)
	}
	return signIn(t, s, name)
}

// signIn returns a browser signed in as user name.
func signIn(t *testing.T, s *site, name string) *client {
	t.Helper()
	c := s.client()
	if resp, _ := c.postForm("/login", url.Values{"username": {name}, "password": {password}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", name, resp.StatusCode)
	}
	return c
}

// checkStage checks that enterprise e's dashboard and application page
// (in Chinese, the default) state stage as its application's status.
func checkStage(t *testing.T, s *site, c *client, e store.Enterprise, id int64, stage string) {
	t.Helper()
	apps, err := s.svc.EnterpriseApplications(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var app int64
	for _, a := range apps {
		if a.CycleID == id {
			app = a.ID
		}
	}
	want := message("zh", "ent.status."+stage)
	page := fmt.Sprintf("/enterprise/applications/%d", app)
	for _, look := range []struct {
		path string
		re   *regexp.Regexp // the status as the page states it
	}{
		{"/enterprise", regexp.MustCompile(`href="` + page + `">[^<]*</a></td>\s*<td>([^<]*)</td>`)},
		{page, regexp.MustCompile(`<strong class="ent-status-[a-z_]+">([^<]*)</strong>`)},
	} {
		resp, body := c.get(look.path)
		m := look.re.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || m[1] != want {
			t.Errorf("%s of %s: status %d, says %q; want the stage %q", look.path, e.Name, resp.StatusCode, m, want)
		}
	}
}

// decisionStage is the stage an enterprise should see for decision d at
// the notice (final false) or after the announcement (final true).
func decisionStage(t *testing.T, s *site, e store.Enterprise, id int64, final bool) string {
	t.Helper()
	ds, err := s.svc.EnterpriseDecisions(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.CycleID != id {
			continue
		}
		switch {
		case final && d.Outcome == workflow.OutcomePass:
			return workflow.StagePassed
		case final:
			return workflow.StageFailed
		case d.Outcome == workflow.OutcomePass:
			return workflow.StageNoticePass
		default:
			return workflow.StageNoticeFail
		}
	}
	t.Fatalf("%s has no decision in cycle %d", e.Name, id)
	return ""
}
