package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The browser tests drive Debian's chromium, headless, through the
// DevTools protocol (chromedp): pages as a person sees them, with the
// Content-Security-Policy enforced. .ci/run installs chromium; a missing
// one fails the tests with the command that installs it.
//
// Screenshots go to a temporary folder, or to docs/screenshots when
// EXEMPLAR_SCREENSHOTS=1 (how the README's pictures are made).

// chromiumPath finds the browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium found: install it with apt-get install -y chromium (Debian's package; .ci/run does)")
	return ""
}

// browser is a headless chromium tab, with the page errors it reported.
type browser struct {
	t        *testing.T
	ctx      context.Context
	shots    string
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, width, height int64) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox cannot start
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, shots: t.TempDir()}
	if os.Getenv("EXEMPLAR_SCREENSHOTS") == "1" {
		b.shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Script errors and console errors — a CSP violation among them — are
	// problems of the page.
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.problem("exception: " + e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				b.problem("console error: " + strings.Join(parts, " "))
			}
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	b.problems = append(b.problems, s)
	b.mu.Unlock()
}

// run runs actions, failing the test on an error or on a page problem.
func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("%s: the page reported %s", what, p)
	}
	b.problems = nil
}

// shot saves a full-page screenshot as name.png.
func (b *browser) shot(name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var png []byte
		// Quality 100 makes a PNG; anything less, a JPEG.
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644)
	})
}

// TestBrowserPublicSite: on the demo's story, a visitor reads the 2018
// results announcement (time of issue, view count, a QR code that loads),
// filters the review's results to the four that failed, checks a
// certificate, and an administrator signs in through the form — with the
// strict CSP and no script error, on a desktop and on a phone.
func TestBrowserPublicSite(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	clock := demo.NewClock()
	res, err := demo.RunStory(ctx, db, clock, demo.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.PrepareSite(ctx, db, clock, res); err != nil {
		t.Fatal(err)
	}
	story := workflow.New(db, workflow.WithClock(clock.Now))
	if _, err := story.IssueCertificates(ctx, workflow.Actor{Name: "test"}, res.Review.ID, nil); err != nil {
		t.Fatal(err)
	}
	certs, err := story.CycleCertificates(ctx, res.Review.ID)
	if err != nil || len(certs) == 0 {
		t.Fatalf("certificates: %v (%d)", err, len(certs))
	}
	s := attachSite(t, db, Config{})
	base := s.http.URL
	anns, _, err := s.svc.Announcements(ctx, store.AnnouncementFilter{IssuedOnly: true, CycleID: res.Review.ID})
	if err != nil || len(anns) != 1 {
		t.Fatalf("the review's announcement: %v (%d)", err, len(anns))
	}
	ann := fmt.Sprintf("%s/announcements/%d", base, anns[0].ID)

	b := newBrowser(t, 1280, 900)
	var title, views string
	var qrWidth int
	// Chinese, through the switch in the header (headless chromium asks
	// for English).
	b.run("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible("a.lang"), chromedp.Click("a.lang"),
		chromedp.WaitVisible("ul.announcements"), b.shot("home"))
	b.run("announcement",
		chromedp.Navigate(ann),
		chromedp.WaitVisible("#views"),
		chromedp.Text("h1", &title),
		chromedp.Text("#views", &views),
		chromedp.Evaluate(`document.querySelector("figure.qr img").naturalWidth`, &qrWidth),
		b.shot("announcement"))
	if !strings.Contains(title, "结果公告") || views != "1" || qrWidth == 0 {
		t.Errorf("announcement: title %q, views %q, QR code width %d", title, views, qrWidth)
	}
	var rows int
	b.run("results filtered to failures",
		chromedp.Navigate(fmt.Sprintf("%s/cycles/%d/results", base, res.Review.ID)),
		chromedp.WaitVisible("table.decisions"),
		chromedp.SetValue("#outcome", "fail", chromedp.ByID),
		chromedp.Submit("#outcome", chromedp.ByID),
		chromedp.WaitVisible("table.decisions"),
		chromedp.Evaluate(`document.querySelectorAll("table.decisions tbody tr").length`, &rows),
		b.shot("results"))
	if rows != len(res.Revoked) {
		t.Errorf("the failed filter shows %d rows, want %d", rows, len(res.Revoked))
	}
	var table string
	b.run("results text", chromedp.Text("table.decisions", &table))
	if strings.Contains(table, "%!") {
		t.Errorf("the results table shows a formatting error: %q", table)
	}
	var verdict string
	b.run("certificate",
		chromedp.Navigate(base+"/certificates/"+certs[0].Number),
		chromedp.WaitVisible("main"),
		chromedp.Text("main", &verdict),
		b.shot("certificate"))
	if !strings.Contains(verdict, certs[0].Number) {
		t.Errorf("the certificate page does not show its number %s", certs[0].Number)
	}
	var heading string
	b.run("sign in",
		chromedp.Navigate(base+"/login?next=/admin/announcements"),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", "demo-admin-2018", chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("table"),
		chromedp.Text("h1", &heading),
		b.shot("admin-announcements"))
	if !strings.Contains(heading, "公告管理") {
		t.Errorf("after signing in: heading %q", heading)
	}

	phone := newBrowser(t, 390, 844)
	var overflow bool
	phone.run("announcement on a phone",
		chromedp.Navigate(base+"/lang/zh?back="+strings.TrimPrefix(ann, base)),
		chromedp.WaitVisible("#views"),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow),
		phone.shot("announcement-phone"))
	if overflow {
		t.Errorf("the announcement page is wider than a phone's screen")
	}
}
