package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// flowClock is the site's clock in the flow test: real time at the start,
// moved forward past the public notice instead of waiting weeks. The
// server's goroutines read it while the test moves it.
type flowClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *flowClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *flowClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// person opens another browser context (no cookies, no storage shared)
// in b's chromium: another person at another computer. Its page problems
// fail the test like b's.
func (b *browser) person() *browser {
	b.t.Helper()
	// chromedp's WithNewBrowserContext asks for a tab, which headless
	// chromium refuses in a browser context with no window ("no browser
	// is open"): ask for a window.
	browserExec := cdp.WithExecutor(b.ctx, chromedp.FromContext(b.ctx).Browser)
	bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(browserExec)
	if err != nil {
		b.t.Fatalf("new browser context: %v", err)
	}
	tid, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(browserExec)
	if err != nil {
		b.t.Fatalf("new window: %v", err)
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(tid))
	b.t.Cleanup(cancel)
	p := &browser{t: b.t, ctx: ctx, shots: b.shots}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			p.problem("exception: " + e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				p.problem("console error: " + strings.Join(parts, " "))
			}
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		b.t.Fatalf("open a browser context: %v", err)
	}
	return p
}

// do runs actions like run, within limit, logging how long they took; on
// a failure it tells what the page showed, and saves it (flow-failure.png
// among the screenshots), before failing the test.
func (b *browser) do(what string, actions ...chromedp.Action) {
	b.t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var loc, text string
		sctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(sctx, chromedp.Location(&loc), chromedp.Text("main", &text), b.shot("flow-failure"))
		b.t.Fatalf("%s: %v\nat %s, which shows:\n%s", what, err, loc, text)
	}
	b.run(what) // the page's problems
	b.t.Logf("%-40s %5.1fs", what, time.Since(start).Seconds())
}

// stepLimit bounds each step of the flow, so that a page that never
// shows what a step waits for fails that step, not the whole test later.
const stepLimit = 20 * time.Second

// leave clicks sel, which sends the browser to another page, and waits
// until that page has loaded: what the next actions read is the new page,
// never the one the click left.
func leave(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var ok bool
		if err := chromedp.Evaluate(`window.flowLeaving = true`, &ok).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.Click(sel).Do(ctx); err != nil {
			return err
		}
		// Poll gives up when the page goes; ask again instead, through
		// the navigation, until the new page says it has loaded.
		for {
			ok = false
			err := chromedp.Evaluate(`window.flowLeaving === undefined && document.readyState === "complete"`, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the page did not leave for another: %w", ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// signIn signs username in through the login form, which sends the
// browser on to next; wait is what next shows once loaded.
func (b *browser) signIn(base, username, next, wait string) {
	b.t.Helper()
	b.do("sign in as "+username,
		chromedp.Navigate(base+"/login?next="+url.QueryEscape(next)),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", username, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		leave(`main form button[type="submit"]`),
		chromedp.WaitVisible(wait))
}

// text reads the text of the first element sel matches.
func (b *browser) text(what, sel string) string {
	b.t.Helper()
	var s string
	b.do(what, chromedp.Text(sel, &s))
	return strings.TrimSpace(s)
}

// TestBrowserFlow: one identification cycle from the enterprise's sign-up
// to the public's verification of its certificate, in headless chromium
// through the pages, on a site whose clock the test moves past the public
// notice. Five other enterprises apply through the workflow, each in a
// channel of its own (the program's index scores an enterprise against
// the others). An enterprise registers, applies, downloads the XLSX
// template, fills it with a demo firm's data and uploads it, ticks the
// declarations, checks its eligibility and submits; the administrator
// closes applications; the channel's recommender recommends it within
// the quota; the administrator evaluates, deliberates, publishes the
// notice and, once it is over, announces, issues the results
// announcement and generates the certificates. A visitor without an
// account reads the announcement (time of issue, view count, QR code),
// finds the enterprise passed in the results and its certificate valid.
func TestBrowserFlow(t *testing.T) {
	started := time.Now()
	ctx := context.Background()
	clock := &flowClock{t: time.Now().Truncate(time.Second)}
	db := storetest.Open(t, store.SQLite, store.WithClock(clock.Now))
	svc := workflow.New(db, workflow.WithClock(clock.Now))
	srv, err := New(svc, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(context.Background()); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	base := hs.URL

	// 1. Setup, through the workflow: the program, channels, an
	// administrator, the recommender of the firm's channel, a cycle open
	// for applications with a quota of 3 for that channel, and five
	// other enterprises' applications in other channels (the index
	// scores an enterprise against the others: alone, it has no score).
	story := demo.Story(2031, 6)
	firm, others := story[0], story[1:]
	const quota = 3
	v, err := svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][2]string{"jiangsu": {"江苏省", "Jiangsu"}, "zhejiang": {"浙江省", "Zhejiang"}, "guangdong": {"广东省", "Guangdong"},
		"shandong": {"山东省", "Shandong"}, "beijing": {"北京市", "Beijing"}, "shanghai": {"上海市", "Shanghai"}}
	channelIDs := map[string]int64{}
	for _, f := range story {
		n, ok := names[f.Channel]
		if !ok {
			n = [2]string{f.Channel, f.Channel}
		}
		ch, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: f.Channel, NameZh: n[0], NameEn: n[1], Kind: "province"})
		if err != nil {
			t.Fatal(err)
		}
		channelIDs[f.Channel] = ch.ID
	}
	for _, u := range []struct {
		name, role string
		scope      int64
	}{{"admin1", workflow.RoleAdmin, 0}, {"recommender1", workflow.RoleRecommender, channelIDs[firm.Channel]}} {
		user, err := svc.CreateUser(ctx, system, u.name, "Test "+u.role, password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GrantRole(ctx, system, user.ID, u.role, u.scope); err != nil {
			t.Fatal(err)
		}
	}
	year := clock.Now().In(workflow.ChinaTime).Year()
	cyc, err := svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: year,
		TitleZh: fmt.Sprintf("%d年国家技术创新示范企业认定", year), TitleEn: fmt.Sprintf("%d identification of demonstration enterprises", year),
		Quotas: map[string]int{firm.Channel: quota}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenCycle(ctx, system, cyc.ID); err != nil {
		t.Fatal(err)
	}
	otherApps := map[int64][]int64{} // channel → applications
	for _, f := range others {
		e, err := svc.RegisterEnterprise(ctx, system, f.Code, f.Name, f.Channel)
		if err != nil {
			t.Fatal(err)
		}
		a, err := svc.CreateApplication(ctx, system, cyc.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(f.Identification)
		if a, err = svc.SaveApplication(ctx, system, a.ID, a.Version, raw); err != nil {
			t.Fatal(err)
		}
		if _, err = svc.SubmitApplication(ctx, system, a.ID, a.Version, "flow-"+f.Code); err != nil {
			t.Fatal(err)
		}
		otherApps[e.ChannelID] = append(otherApps[e.ChannelID], a.ID)
	}
	cycPath := fmt.Sprintf("/admin/cycles/%d", cyc.ID)

	// 2. The enterprise registers, applies, fills its application from
	// the template and submits it.
	ent := newBrowser(t, 1280, 900)
	downloads := t.TempDir()
	done := make(chan string, 1)
	chromedp.ListenTarget(ent.ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	})
	code := demo.CreditCode(rand.New(rand.NewPCG(2031, 11)), "320500")
	var flash string
	ent.do("register",
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads).WithEventsEnabled(true),
		chromedp.Navigate(base+"/lang/zh?back=/register"),
		chromedp.WaitVisible("#uscc", chromedp.ByID),
		chromedp.SendKeys("#uscc", code, chromedp.ByID),
		chromedp.SendKeys("#name", firm.Name, chromedp.ByID),
		chromedp.SetValue("#channel", firm.Channel, chromedp.ByID),
		chromedp.SendKeys("#display_name", "王经理", chromedp.ByID),
		chromedp.SendKeys("#username", "firm1", chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.SendKeys("#password2", password, chromedp.ByID),
		ent.shot("register"),
		leave(`main form button[type="submit"]`),
		chromedp.WaitVisible("p.flash"),
		chromedp.Text("p.flash", &flash))
	if want := message("zh", "register.done"); flash != want {
		t.Fatalf("after registering: %q, want %q", flash, want)
	}
	var location string
	ent.do("apply",
		chromedp.Navigate(base+"/enterprise"),
		chromedp.WaitVisible(fmt.Sprintf(`form[action="/enterprise/cycles/%d/apply"] button`, cyc.ID)),
		leave(fmt.Sprintf(`form[action="/enterprise/cycles/%d/apply"] button`, cyc.ID)),
		chromedp.WaitVisible(`a[href$="/template.xlsx"]`),
		chromedp.Location(&location))
	appPath := strings.TrimPrefix(location, base)
	appID, err := strconv.ParseInt(strings.TrimPrefix(appPath, "/enterprise/applications/"), 10, 64)
	if err != nil {
		t.Fatalf("applying led to %s", location)
	}

	// The template, downloaded as a person does: a click on its link.
	ent.do("download the template", chromedp.Click(`a[href$="/template.xlsx"]`))
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the template's download did not complete")
	}
	got, _ := filepath.Glob(filepath.Join(downloads, "*.xlsx"))
	if len(got) != 1 {
		t.Fatalf("downloads: %v, want one workbook", got)
	}
	filled := fillTemplate(t, svc, cyc.ID, got[0], code, firm)
	ent.do("upload the filled template",
		chromedp.SetUploadFiles("#sheet", []string{filled}, chromedp.ByID),
		leave(`form[action$="/upload"] button[type="submit"]`),
		chromedp.WaitVisible("p.flash"),
		chromedp.Text("p.flash", &flash))
	if want := message("zh", "ent.upload.done"); flash != want {
		t.Fatalf("after the upload: %q, want %q", flash, want)
	}
	var decls []*cdp.Node
	ent.do("declarations", chromedp.Nodes(`input[type="checkbox"][name^="decl."]`, &decls))
	for _, n := range decls {
		ent.do("tick "+n.AttributeValue("name"), chromedp.MouseClickNode(n))
	}
	var sales string
	ent.do("save the declarations",
		leave(fmt.Sprintf(`form[action="%s"] button[type="submit"]`, appPath)),
		chromedp.WaitVisible("p.flash"),
		chromedp.Text("p.flash", &flash),
		chromedp.Value(`input[name="in.sales.2"]`, &sales),
		ent.shot("enterprise-application"))
	if want := message("zh", "ent.saved"); flash != want || len(decls) == 0 {
		t.Errorf("after saving %d declarations: %q, want %q", len(decls), flash, want)
	}
	if want := fmt.Sprint(firm.Identification["sales"].([]any)[2]); sales != want {
		t.Errorf("the form shows last year's sales %q, want %q from the template", sales, want)
	}
	var fails int
	ent.do("self-check",
		leave(`a.button[href$="/check"]`),
		chromedp.WaitVisible("table.ent-gates"),
		chromedp.Evaluate(`document.querySelectorAll("tr.gate-fail").length`, &fails),
		chromedp.Text("main p[role=status]", &flash),
		ent.shot("enterprise-check"))
	if want := message("zh", "ent.check.eligible"); fails != 0 || flash != want {
		t.Errorf("self-check: %d gates failed, says %q", fails, flash)
	}
	var status string
	ent.do("submit",
		chromedp.Navigate(base+appPath),
		chromedp.WaitVisible(`form[action$="/submit"] button`),
		leave(`form[action$="/submit"] button`),
		chromedp.WaitVisible("strong.ent-status-submitted"),
		chromedp.Text("strong.ent-status-submitted", &status))
	if want := message("zh", "ent.status.submitted"); status != want {
		t.Errorf("after submitting, the status reads %q", status)
	}

	// 3. The administrator closes applications, on the confirmation page.
	adm := ent.person()
	adm.do("language", chromedp.Navigate(base+"/lang/zh?back=/"), chromedp.WaitVisible("main"))
	adm.signIn(base, "admin1", cycPath, "ol.phases")
	step := func(action string, shot string) {
		t.Helper()
		var tick []*cdp.Node
		actions := []chromedp.Action{
			chromedp.Navigate(base + cycPath),
			chromedp.WaitVisible(fmt.Sprintf(`section.next a[href$="/transitions/%s"]`, action)),
			leave(fmt.Sprintf(`section.next a[href$="/transitions/%s"]`, action)),
			chromedp.WaitVisible(`main form button[type="submit"]`),
			chromedp.Nodes(`main form input[type="checkbox"][name="confirm"]`, &tick, chromedp.AtLeast(0)),
		}
		if shot != "" {
			actions = append(actions, adm.shot(shot))
		}
		adm.do(action+": confirmation page", actions...)
		for _, n := range tick {
			adm.do(action+": tick", chromedp.MouseClickNode(n))
		}
		var flash string
		adm.do(action,
			leave(`main form button[type="submit"]`),
			chromedp.WaitVisible("p.flash"),
			chromedp.Text("p.flash", &flash))
		if want := message("zh", "cyc.tr_done."+action); flash != want {
			t.Fatalf("%s: the cycle page says %q, want %q", action, flash, want)
		}
	}
	step("close-applications", "")
	for ch, ids := range otherApps { // the other channels' recommenders
		if _, err := svc.Recommend(ctx, system, ch, ids); err != nil {
			t.Fatal(err)
		}
	}

	// 4. The recommender recommends it, within the quota shown.
	rec := ent.person()
	rec.do("language", chromedp.Navigate(base+"/lang/zh?back=/"), chromedp.WaitVisible("main"))
	rec.signIn(base, "recommender1", fmt.Sprintf("/recommender/cycles/%d", cyc.ID), "table.screening")
	if got, want := rec.text("quota before", "#quota"), fmt.Sprintf(message("zh", "rec.quota_used"), 0, quota); got != want {
		t.Errorf("the quota reads %q, want %q", got, want)
	}
	rec.do("recommend",
		chromedp.Click(fmt.Sprintf(`input[name="app"][value="%d"]`, appID)),
		leave(`form[action$="/recommend"] button[type="submit"]:not(.secondary)`),
		chromedp.WaitVisible("p.flash"),
		chromedp.Text("p.flash", &flash),
		rec.shot("recommender-cycle"))
	if want := message("zh", "rec.recommended"); flash != want {
		t.Errorf("after recommending: %q, want %q", flash, want)
	}
	if got, want := rec.text("quota after", "#quota"), fmt.Sprintf(message("zh", "rec.quota_used"), 1, quota); got != want {
		t.Errorf("the quota reads %q, want %q", got, want)
	}

	// 5. Evaluation, deliberation, the notice; past its end, the
	// announcement, the results announcement and the certificates.
	step("start-evaluation", "")
	step("start-deliberation", "")
	step("publish-notice", "admin-transition")
	adm.do("cycle page in notice", chromedp.Navigate(base+cycPath), chromedp.WaitVisible("ol.phases"), adm.shot("admin-cycle"))
	o, err := svc.CycleOverview(ctx, cyc.ID)
	if err != nil || o.Notice == nil {
		t.Fatalf("the cycle's notice: %v", err)
	}
	clock.Set(o.Notice.EndsAt.Add(time.Hour))
	// Weeks later, the sessions of the morning have expired.
	adm.signIn(base, "admin1", cycPath, "ol.phases")
	step("announce", "")
	var rows int
	adm.do("results",
		chromedp.Navigate(base+cycPath+"/results"),
		chromedp.WaitVisible("main table"),
		chromedp.Evaluate(`document.querySelectorAll("main table tbody tr").length`, &rows),
		adm.shot("admin-results"))
	if rows == 0 {
		t.Errorf("the administrator's results page lists nothing")
	}
	var annURL, annViews string
	adm.do("draft and issue the results announcement",
		chromedp.Navigate(base+cycPath),
		chromedp.WaitVisible(`form[action$="/announcement"] button`),
		leave(`form[action$="/announcement"] button`),
		chromedp.WaitVisible(`form[action$="/issue"] button`),
		leave(`form[action$="/issue"] button`),
		chromedp.WaitVisible("#views", chromedp.ByID),
		chromedp.Location(&annURL),
		chromedp.Text("#views", &annViews, chromedp.ByID))
	var progress string
	var certNumbers []string
	var tickCert []*cdp.Node
	adm.do("certificates page",
		chromedp.Navigate(base+cycPath+"/certificates"),
		chromedp.WaitVisible("#certificates-due", chromedp.ByID),
		chromedp.Nodes(`input[type="checkbox"][name="confirm"]`, &tickCert))
	adm.do("generate the certificates",
		chromedp.MouseClickNode(tickCert[0]),
		leave(`main form button[type="submit"]`),
		chromedp.WaitVisible(`#certificate-job[data-stage="done"]`),
		chromedp.Text("#certificate-job", &progress, chromedp.ByID),
		chromedp.Navigate(base+cycPath+"/certificates"),
		chromedp.WaitVisible("td.code a"),
		chromedp.Evaluate(`[...document.querySelectorAll("td.code a")].map(a => a.textContent)`, &certNumbers),
		adm.shot("admin-certificates"))
	if want := fmt.Sprintf(message("zh", "cert.progress.done"), len(story), len(story)); progress != want {
		t.Errorf("certificate job: %q, want %q", progress, want)
	}

	// The enterprise, signed in again, finds its title and certificate on
	// its dashboard.
	ent.signIn(base, "firm1", "/enterprise", "main h1")
	var entCert string
	ent.do("dashboard with the certificate",
		chromedp.WaitVisible(`main a[href^="/certificates/"]`),
		chromedp.Text(`main a[href^="/certificates/"]`, &entCert),
		ent.shot("enterprise-home"))
	if !slices.Contains(certNumbers, entCert) || len(certNumbers) != len(story) {
		t.Errorf("the dashboard's certificate %q; the administrator's page lists %v", entCert, certNumbers)
	}

	// 6. The public: the announcement, the results, the certificate.
	pub := ent.person()
	var title, issued, views, body string
	var qrWidth int
	annPath := strings.TrimPrefix(annURL, base)
	pub.do("announcement",
		chromedp.Navigate(base+"/lang/zh?back="+url.QueryEscape(annPath)),
		chromedp.WaitVisible("#views", chromedp.ByID),
		chromedp.Text("h1", &title),
		chromedp.Text("p.meta time", &issued),
		chromedp.Text("#views", &views, chromedp.ByID),
		chromedp.Text("div.body", &body),
		chromedp.Poll(`document.querySelector("figure.qr img").complete && document.querySelector("figure.qr img").naturalWidth`, &qrWidth),
		pub.shot("results-announcement"))
	if want := cyc.TitleZh + "结果公告"; title != want {
		t.Errorf("announcement title %q, want %q", title, want)
	}
	if want := formatTime("zh", clock.Now()); issued != want {
		t.Errorf("announcement issued %q, want %q", issued, want)
	}
	if n, _ := strconv.Atoi(annViews); views != strconv.Itoa(n+1) {
		t.Errorf("views: the administrator saw %s, the public then %s", annViews, views)
	}
	if qrWidth == 0 || !strings.Contains(body, firm.Name) || !strings.Contains(body, code) {
		t.Errorf("announcement: QR code width %d; the body names the enterprise: %v", qrWidth, strings.Contains(body, firm.Name))
	}
	var row string
	pub.do("results",
		chromedp.Navigate(fmt.Sprintf("%s/cycles/%d/results", base, cyc.ID)),
		chromedp.WaitVisible("table.decisions"),
		chromedp.Evaluate(`document.querySelectorAll("table.decisions tbody tr").length`, &rows),
		pub.shot("cycle-results"),
		chromedp.SendKeys("#q", code, chromedp.ByID),
		leave(`form.search button[type="submit"]`),
		chromedp.WaitVisible("table.decisions"),
		chromedp.Text("table.decisions tbody tr", &row))
	if rows != len(story) || !strings.Contains(row, firm.Name) || !strings.Contains(row, message("zh", "outcome.pass")) {
		t.Errorf("results: %d rows, want %d; searched by its code, %q: want %s passed", rows, len(story), row, firm.Name)
	}
	var certStatus, certName string
	pub.do("verify the certificate",
		chromedp.Navigate(base+"/certificates/"+url.PathEscape(entCert)),
		chromedp.WaitVisible("#certificate-status", chromedp.ByID),
		chromedp.AttributeValue("#certificate-status", "data-status", &certStatus, nil, chromedp.ByID),
		chromedp.Text("#certificate-status", &flash, chromedp.ByID),
		chromedp.Text("#certificate-enterprise", &certName, chromedp.ByID),
		pub.shot("certificate-verified"))
	if certStatus != "valid" || !strings.Contains(flash, message("zh", "cert.status.valid")) || certName != firm.Name {
		t.Errorf("certificate %s: status %q (%q), enterprise %q", entCert, certStatus, flash, certName)
	}
	t.Logf("the flow took %s", time.Since(started).Round(100*time.Millisecond))
}

// fillTemplate fills the downloaded template at path with firm's
// identification data on the first row below the example, under credit
// code code, as an enterprise does in Excel, and returns the filled
// workbook's path.
func fillTemplate(t *testing.T, svc *workflow.Service, cycleID int64, path, code string, firm demo.Firm) string {
	t.Helper()
	p, err := svc.CycleProgram(context.Background(), cycleID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the downloaded template: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	header, err := f.GetRows(sheet)
	if err != nil || len(header) < 3 {
		t.Fatalf("the template has %d rows: %v", len(header), err)
	}
	cols := ingest.Columns(p)
	if len(header[0]) != len(cols) {
		t.Fatalf("the template has %d columns, the program %d", len(header[0]), len(cols))
	}
	for j, col := range cols {
		if header[0][j] != col.Header {
			t.Fatalf("column %d of the template is %q, want %q", j, header[0][j], col.Header)
		}
		v := firm.Identification[col.Input.ID]
		switch col.Input {
		case p.IDInput:
			v = code
		case p.ChannelInput:
			v = firm.Channel
		}
		if col.Input.Yearly {
			v = v.([]any)[col.Year]
		}
		if b, ok := v.(bool); ok {
			v = map[bool]string{true: "是", false: "否"}[b]
		}
		if v == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(j+1, 4)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "申报表.xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	return out
}
