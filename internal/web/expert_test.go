package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestExpertPages: an expert sees its own assignments and scoresheets
// only (another's id is 404 on every route), the allowed band range, a
// refusal naming the item and its range, no other expert's scores until
// it has submitted (after a confirmation), and comments shown escaped.
func TestExpertPages(t *testing.T) {
	s := newReviewSite(t)
	app := s.apps[0].ID
	mine, theirs := s.sheetOf("expert1", app), s.sheetOf("expert2", app)
	e1, e2 := s.login("expert1"), s.login("expert2")

	resp, body := e1.get("/expert")
	if resp.StatusCode != http.StatusOK || strings.Count(body, "/expert/assignments/") != 2 || !strings.Contains(body, "2025年高新技术企业认定") {
		t.Fatalf("expert home: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e1.get("/expert/assignments/" + itoa(mine.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "19–24") || !strings.Contains(body, `id="blind"`) {
		t.Fatalf("scoresheet: %d\n%s", resp.StatusCode, body)
	}
	// Another expert's assignment does not exist, whatever the route.
	for _, try := range []func() (*http.Response, string){
		func() (*http.Response, string) { return e1.get("/expert/assignments/" + itoa(theirs.ID)) },
		func() (*http.Response, string) {
			return e1.postForm("/expert/assignments/"+itoa(theirs.ID), url.Values{"version": {"1"}})
		},
		func() (*http.Response, string) {
			return e1.postForm("/expert/assignments/"+itoa(theirs.ID)+"/submit", url.Values{"version": {"1"}, "confirm": {"yes"}})
		},
	} {
		if resp, body := try(); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "南京") {
			t.Errorf("another expert's sheet: %d\n%s", resp.StatusCode, body)
		}
	}
	// Other roles may not use the expert's pages.
	for _, role := range []string{"", "admin", "recommender", "enterprise"} {
		resp, _ := s.as(role).get("/expert/assignments/" + itoa(mine.ID))
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%q reads an expert's sheet: %d", role, resp.StatusCode)
		}
	}

	// A value outside the band is refused, naming the item and the range.
	form := fullSheet("12")
	form.Set("version", itoa(mine.Version))
	resp, body = e1.postForm("/expert/assignments/"+itoa(mine.ID), form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "transformation_points") || !strings.Contains(body, "12 is outside 19–24 (band B)") {
		t.Fatalf("out of band: %d\n%s", resp.StatusCode, body)
	}

	// expert2 submits with an HTML comment; expert1 still sees nothing of it.
	form = fullSheet("20")
	form.Set("version", itoa(theirs.Version))
	form.Set("comment", `<script>alert("x")</script> second opinion`)
	form.Set("confirm", "yes")
	if resp, body := e2.postForm("/expert/assignments/"+itoa(theirs.ID)+"/submit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expert2 submits: %d\n%s", resp.StatusCode, body)
	}
	if _, body := e1.get("/expert/assignments/" + itoa(mine.ID)); strings.Contains(body, "second opinion") {
		t.Fatalf("expert1 sees expert2's scores before submitting")
	}

	// expert1 saves a draft, asks to submit (a page that asks), submits.
	form = fullSheet("21")
	form.Set("version", itoa(mine.Version))
	if resp, body := e1.postForm("/expert/assignments/"+itoa(mine.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	form.Set("version", itoa(mine.Version+1))
	resp, body = e1.postForm("/expert/assignments/"+itoa(mine.ID)+"/submit", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("submit asks first: %d\n%s", resp.StatusCode, body)
	}
	if a, _ := s.svc.ReviewAssignment(t.Context(), mine.ID); a.Status != "draft" {
		t.Fatalf("asking submitted: %+v", a)
	}
	form.Set("confirm", "yes")
	if resp, body := e1.postForm("/expert/assignments/"+itoa(mine.ID)+"/submit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e1.get("/expert/assignments/" + itoa(mine.ID))
	if !strings.Contains(body, "second opinion") || !strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, "<script>alert") {
		t.Fatalf("after submitting, expert2's comment, escaped: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, `name="score.transformation_points" value="21" inputmode="decimal" size="6" aria-describedby="range-transformation_points">`) {
		t.Errorf("a submitted sheet is still editable")
	}
	// Locked: saving again is refused.
	form.Del("confirm")
	form.Set("version", itoa(mine.Version+2))
	if resp, body := e1.postForm("/expert/assignments/"+itoa(mine.ID), form); resp.StatusCode != http.StatusConflict {
		t.Errorf("saving a submitted sheet: %d\n%s", resp.StatusCode, body)
	}
}

// TestExpertConflictsPage: an expert declares a conflict with a channel;
// its unsubmitted assignments there are withdrawn.
func TestExpertConflictsPage(t *testing.T) {
	s := newReviewSite(t)
	e3 := s.login("expert3")
	resp, body := e3.postForm("/expert/conflicts", url.Values{"channel": {"zhejiang"}, "reason": {"<b>board member</b>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("declare: %d\n%s", resp.StatusCode, body)
	}
	_, body = e3.get("/expert/conflicts")
	if !strings.Contains(body, "&lt;b&gt;board member&lt;/b&gt;") || !strings.Contains(body, "Zhejiang") && !strings.Contains(body, "浙江省") {
		t.Errorf("conflicts page:\n%s", body)
	}
	_, body = e3.get("/expert")
	if strings.Count(body, "/expert/assignments/") != 1 {
		t.Errorf("the zhejiang assignment was not withdrawn:\n%s", body)
	}
	resp, _ = e3.postForm("/expert/conflicts", url.Values{"reason": {"nothing named"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a conflict naming nothing: %d", resp.StatusCode)
	}
}

// TestAdminReviewPanel: the cycle page links the panel; it shows the
// progress; removal and manual addition work; deliberation is refused
// while incomplete and goes on with an override.
func TestAdminReviewPanel(t *testing.T) {
	s := newReviewSite(t)
	adm := s.as("admin")
	c := itoa(s.cycle.ID)
	if _, body := adm.get("/admin/cycles/" + c); !strings.Contains(body, "/admin/cycles/"+c+"/experts") || !strings.Contains(body, `id="review-summary"`) {
		t.Errorf("the cycle page has no review summary linking the panel:\n%s", body)
	}
	resp, body := adm.get("/admin/cycles/" + c + "/experts")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="summary"`) || !strings.Contains(body, "expert5") {
		t.Fatalf("panel: %d\n%s", resp.StatusCode, body)
	}
	a := s.sheetOf("expert4", s.apps[0].ID)
	resp, body = adm.postForm("/admin/cycles/"+c+"/experts/remove", url.Values{"assignment": {itoa(a.ID)}, "version": {itoa(a.Version)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", resp.StatusCode, body)
	}
	resp, body = adm.postForm("/admin/cycles/"+c+"/experts/add", url.Values{"application": {itoa(s.apps[0].ID)}, "expert": {"admin1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not an enabled expert") {
		t.Errorf("adding a non-expert: %d\n%s", resp.StatusCode, body)
	}
	resp, body = adm.postForm("/admin/cycles/"+c+"/experts/add", url.Values{"application": {itoa(s.apps[0].ID)}, "expert": {"expert4"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", resp.StatusCode, body)
	}
	resp, body = adm.postForm("/admin/cycles/"+c+"/transitions/start-deliberation", url.Values{"confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "expert review is incomplete") {
		t.Fatalf("deliberation while incomplete: %d\n%s", resp.StatusCode, body)
	}
	resp, body = adm.postForm("/admin/cycles/"+c+"/experts/deliberate", url.Values{"reason": {"the panel could not meet"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("override: %d\n%s", resp.StatusCode, body)
	}
	if cy, _ := s.svc.Cycle(t.Context(), s.cycle.ID); cy.Phase != "deliberation" {
		t.Errorf("phase %s after the override", cy.Phase)
	}
}
