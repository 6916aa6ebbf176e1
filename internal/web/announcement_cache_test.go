package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAnnouncementPageKept: an anonymous reader's announcement page is
// rendered once and kept with its view count cut out. What each reader
// gets must be the page a fresh render gives (but for the count), user
// text escaped; a signed-in reader never gets the kept page; an edit
// shows once the cache entry is read again.
func TestAnnouncementPageKept(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{ViewFlushInterval: 50 * time.Millisecond})
	ctx := context.Background()
	a, err := s.svc.CreateAnnouncement(ctx, system, workflow.AnnouncementSpec{TitleZh: `<script>alert("t")</script>标题`, BodyZh: "正文 <b>粗</b>"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = s.svc.IssueAnnouncement(ctx, system, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	path := "/announcements/" + itoa(a.ID)
	count := regexp.MustCompile(`id="views">[0-9,]+<`)
	anon := s.client()
	anon.get("/") // the visitor's cookie, so every read below is alike
	var first string
	for i := 1; i <= 3; i++ {
		resp, body := anon.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("read %d: status %d", i, resp.StatusCode)
		}
		if m := viewsShown.FindStringSubmatch(body); m == nil || m[1] != itoa(int64(i)) {
			t.Errorf("read %d shows views %v", i, m)
		}
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, "<b>粗") {
			t.Errorf("read %d: user text not escaped", i)
		}
		if got := resp.Header.Get("Content-Length"); got != itoa(int64(len(body))) {
			t.Errorf("read %d: Content-Length %s for %d bytes", i, got, len(body))
		}
		body = count.ReplaceAllString(body, "")
		if i == 1 {
			first = body
		} else if body != first {
			t.Errorf("read %d differs from read 1 beyond the count", i)
		}
	}
	// The kept page is the page a fresh render gives: the same reader with
	// a query string (never kept) gets it rendered anew.
	_, fresh := anon.get(path + "?utm=x")
	fresh = count.ReplaceAllString(strings.ReplaceAll(fresh, "?utm=x", ""), "")
	fresh = strings.ReplaceAll(fresh, "%3futm%3dx", "")
	if fresh != first {
		t.Errorf("the kept page differs from a fresh render:\nkept  %q\nfresh %q", diffAround(first, fresh), diffAround(fresh, first))
	}
	// A signed-in reader gets a page of its own.
	_, body := s.as("admin").get(path)
	if !strings.Contains(body, "admin1") || !strings.Contains(body, `name="csrf"`) {
		t.Errorf("a signed-in reader got the anonymous page")
	}
	// An edit shows once the cached announcement is read again.
	cur, err := s.svc.Announcement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.UpdateAnnouncement(ctx, system, a.ID, cur.Version, workflow.AnnouncementSpec{TitleZh: "更正后的标题"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	if _, body := anon.get(path); !strings.Contains(body, "更正后的标题") {
		t.Errorf("the corrected title does not show after the cache's lifetime")
	}
}

// diffAround shows where a first differs from b.
func diffAround(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-60):min(len(a), i+60)]
}
