package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestAdminChannels: a channel is added with its name escaped, edited,
// not overwritten by a second "new" one with its code; calendar days are
// set as a run and listed.
func TestAdminChannels(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	admin := s.as("admin")
	resp, body := admin.postForm("/admin/channels", url.Values{"code": {"Bad Code"}, "name_zh": {"x"}, "kind": {"province"}})
	setupStatus(t, "bad code", resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.postForm("/admin/channels", url.Values{"code": {"hubei"}, "name_zh": {`<script>x</script>湖北省`}, "name_en": {"Hubei"}, "kind": {"province"}})
	setupStatus(t, "add", resp, body, http.StatusSeeOther)
	_, body = admin.get("/admin/channels")
	setupHas(t, "list", body, "&lt;script&gt;x&lt;/script&gt;湖北省", `href="/admin/channels/hubei/edit"`)
	if strings.Contains(body, "<script>x") {
		t.Error("the channel's name reached the page unescaped")
	}
	resp, body = admin.postForm("/admin/channels", url.Values{"code": {"hubei"}, "name_zh": {"另一个"}, "kind": {"province"}})
	setupStatus(t, "add a taken code", resp, body, http.StatusConflict)
	resp, body = admin.get("/admin/channels/hubei/edit")
	setupStatus(t, "edit form", resp, body, http.StatusOK)
	setupHas(t, "edit form", body, `name="editing" value="1"`, "readonly")
	resp, body = admin.postForm("/admin/channels", url.Values{"code": {"hubei"}, "editing": {"1"}, "name_zh": {"湖北省"}, "name_en": {"Hubei"}, "kind": {"province"}})
	setupStatus(t, "edit", resp, body, http.StatusSeeOther)
	ch, err := s.srv.channelByCode(&request{Request: httpRequest(t)}, "hubei")
	if err != nil || ch.NameZh != "湖北省" {
		t.Fatalf("after editing: %+v, %v", ch, err)
	}

	resp, body = admin.postForm("/admin/calendar", url.Values{"from": {"2018-10-01"}, "to": {"2018-10-07"}, "kind": {"holiday"}, "name_zh": {"国庆节"}, "name_en": {"National Day"}})
	setupStatus(t, "set holidays", resp, body, http.StatusSeeOther)
	resp, body = admin.postForm("/admin/calendar", url.Values{"from": {"2018-09-29"}, "kind": {"working"}, "name_zh": {"国庆调休"}})
	setupStatus(t, "set a working day", resp, body, http.StatusSeeOther)
	resp, body = admin.postForm("/admin/calendar", url.Values{"from": {"2018-10-07"}, "to": {"2018-10-01"}, "kind": {"holiday"}})
	setupStatus(t, "backwards run", resp, body, http.StatusUnprocessableEntity)
	cal, err := s.svc.Calendar(context.Background(), time.Date(2018, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 10, 31, 0, 0, 0, 0, time.UTC))
	if err != nil || len(cal) != 8 || !cal["2018-09-29"] || cal["2018-10-03"] {
		t.Fatalf("calendar: %v, %v", cal, err)
	}
	_, body = admin.get("/admin/calendar?year=2018")
	setupHas(t, "calendar", body, "国庆节", "国庆调休", "星期六")
}

// httpRequest is a request for calling handler helpers directly.
func httpRequest(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
