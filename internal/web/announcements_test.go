package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

func announcementFilterAll() store.AnnouncementFilter { return store.AnnouncementFilter{Limit: 1000} }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

var viewsShown = regexp.MustCompile(`id="views">([0-9,]+)<`)

// TestAnnouncementPage: the public page shows the title, time of issue,
// view count and QR code; drafts are not public.
func TestAnnouncementPage(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{BaseURL: "https://exemplar.example"})
	c := s.client()
	path := "/announcements/" + itoa(s.announcementID)
	for want := 1; want <= 3; want++ {
		resp, body := c.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		m := viewsShown.FindStringSubmatch(body)
		if m == nil || m[1] != strconv.Itoa(want) {
			t.Fatalf("read %d shows views %v, want %d", want, m, want)
		}
		for _, text := range []string{"关于2018年复核评价结果的公告", "146家企业通过复核评价。", "发布时间", path + "/qr.svg"} {
			if !strings.Contains(body, text) {
				t.Errorf("the page lacks %q", text)
			}
		}
	}
	resp, svg := c.get(path + "/qr.svg")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("QR: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Errorf("QR SVG is not well-formed XML: %v", err)
	}
	// A draft is not found for the public, nor counted for anyone.
	for _, p := range []string{"/announcements/" + itoa(s.draftID), "/announcements/" + itoa(s.draftID) + "/qr.svg", "/announcements/999999", "/announcements/x"} {
		if resp, _ := c.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
	// English, by the browser's preference and by the switch.
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+path, nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	_, body := c.do(req)
	if !strings.Contains(body, "Results of the 2018 review") || !strings.Contains(body, "Issued") {
		t.Errorf("English page lacks its English title or words")
	}
	resp, _ = c.get("/lang/en?back=" + path)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Errorf("language switch: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestViewCountExact: concurrent readers on two servers sharing one
// database lose no view and count none twice.
func TestViewCountExact(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, d store.Dialect, url string) {
		const perServer, parallel = 300, 30
		var sites []*site
		var announcement int64
		for i := range 2 {
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if i == 0 {
				sites = append(sites, newSite(t, db, Config{}))
				announcement = sites[0].announcementID
			} else {
				sites = append(sites, attachSite(t, db, Config{}))
			}
		}
		var wg sync.WaitGroup
		errc := make(chan error, 2*parallel)
		for _, s := range sites {
			for range parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perServer / parallel {
						resp, err := http.Get(s.http.URL + "/announcements/" + itoa(announcement))
						if err != nil {
							errc <- err
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							errc <- fmt.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		for _, s := range sites {
			if err := s.srv.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		a, err := sites[0].svc.Announcement(context.Background(), announcement)
		if err != nil {
			t.Fatal(err)
		}
		if a.Views != 2*perServer {
			t.Errorf("%s: %d views stored, want %d", d, a.Views, 2*perServer)
		}
	})
}
