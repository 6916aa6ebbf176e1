package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserExpertReview: an expert signs in, opens a scoresheet, sees
// the band's range, fills in every item, submits after the page that
// asks, and then sees the other expert's scores — with the strict CSP
// and no script error.
func TestBrowserExpertReview(t *testing.T) {
	s := newReviewSite(t)
	app := s.apps[0].ID
	other := s.sheetOf("expert2", app)
	if _, err := s.svc.SubmitScoresheet(t.Context(), actorOf("expert2", s.experts["expert2"]), other.ID, other.Version,
		map[string]float64{"ip_advancement_points": 5, "ip_support_points": 5, "ip_count_points": 7, "ip_acquisition_points": 4,
			"transformation_points": 22, "org_rules_points": 4, "org_body_points": 4, "org_transfer_points": 2,
			"org_talent_points": 2, "net_asset_growth_points": 7, "sales_growth_points": 3}, "solid ledger"); err != nil {
		t.Fatal(err)
	}
	mine := s.sheetOf("expert1", app)
	base := s.http.URL
	b := newBrowser(t, 1280, 900)
	var rng, status, others string
	b.run("sign in",
		chromedp.Navigate(base+"/login?next=/expert"),
		chromedp.SendKeys("#username", "expert1", chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("table.expert-assignments"),
		b.shot("expert-home"))
	fill := []chromedp.Action{chromedp.Navigate(base + "/expert/assignments/" + itoa(mine.ID)), chromedp.WaitVisible("table.expert-sheet"),
		chromedp.Text("#range-transformation_points", &rng)}
	for id, v := range map[string]string{"ip_advancement_points": "6", "ip_support_points": "5", "ip_count_points": "8",
		"ip_acquisition_points": "5", "transformation_points": "20", "org_rules_points": "5", "org_body_points": "4",
		"org_transfer_points": "3", "org_talent_points": "3", "net_asset_growth_points": "8", "sales_growth_points": "4"} {
		fill = append(fill, chromedp.SendKeys("#score-"+id, v, chromedp.ByID))
	}
	fill = append(fill, chromedp.SendKeys("#comment", "<b>not bold</b>", chromedp.ByID), b.shot("expert-scoresheet"))
	b.run("fill in", fill...)
	if !strings.Contains(rng, "19–24") {
		t.Errorf("the transformation range shows %q", rng)
	}
	b.run("submit, confirm",
		chromedp.Click(`button[formaction$="/submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#confirm-submit`, chromedp.ByQuery),
		b.shot("expert-confirm"),
		chromedp.Click(`#confirm-submit`, chromedp.ByQuery),
		chromedp.WaitVisible("table.expert-others"),
		chromedp.Text("#status", &status),
		chromedp.Text("table.expert-others", &others),
		b.shot("expert-submitted"))
	if !strings.Contains(others, "solid ledger") || !strings.Contains(others, "22") {
		t.Errorf("after submitting, the others' scores: %q (status %q)", others, status)
	}
}
