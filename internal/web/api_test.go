package web

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestAPIMe: the caller's account, with its roles and how it signed in.
func TestAPIMe(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	resp, v := s.bearer("recommender1", http.MethodGet, "/api/v1/me", nil)
	if resp.StatusCode != http.StatusOK || v["username"] != "recommender1" || v["authenticated_by"] != "token" {
		t.Fatalf("GET /me: %d %v", resp.StatusCode, v)
	}
	roles, _ := v["roles"].([]any)
	if len(roles) != 1 || roles[0].(map[string]any)["role"] != "recommender" ||
		int64(roles[0].(map[string]any)["channel_id"].(float64)) != s.channelID {
		t.Errorf("roles %v, want recommender of channel %d", roles, s.channelID)
	}
	if _, ok := v["password_hash"]; ok {
		t.Error("GET /me shows the password hash")
	}
}

// TestAPIAnnouncements: the public lists and reads issued announcements
// only; an administrator also drafts, writes and issues them, and a bad
// request names its field.
func TestAPIAnnouncements(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	anon := s.client()
	_, v := anon.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/announcements"})
	if got, total := ids(t, v); total != 1 || !equalIDs(got, []int64{s.announcementID}) {
		t.Errorf("public list: %v (total %d), want only the issued announcement", got, total)
	}
	_, v = s.bearer("admin1", http.MethodGet, "/api/v1/announcements", nil)
	if got, total := ids(t, v); total != 2 || !slices.Contains(got, s.draftID) {
		t.Errorf("administrator's list: %v (total %d), want the draft too", got, total)
	}
	draft := "/api/v1/announcements/" + itoa(s.draftID)
	for _, user := range []string{"", "enterprise1"} {
		c := apiCall{method: http.MethodGet, path: draft}
		if user != "" {
			c.token = s.api().tokens[user]
		}
		resp, v := s.client().apiDo(c)
		if code, _ := errorOf(t, v); resp.StatusCode != http.StatusNotFound || code != "not_found" {
			t.Errorf("%q reading the draft: %d %v", user, resp.StatusCode, v)
		}
	}
	resp, v := anon.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/announcements/" + itoa(s.announcementID)})
	if resp.StatusCode != http.StatusOK || v["title_en"] != "Results of the 2018 review" || v["issued_at"] == nil {
		t.Errorf("public read: %d %v", resp.StatusCode, v)
	}

	// Refusals name the member at fault.
	for _, sc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"title_en": "News"}, "title_zh"},
		{map[string]any{"title_zh": "新闻", "colour": "red"}, "colour"},
		{map[string]any{"title_zh": 7}, "title_zh"},
	} {
		resp, v := s.bearer("admin1", http.MethodPost, "/api/v1/announcements", sc.body)
		code, field := errorOf(t, v)
		if resp.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != sc.field {
			t.Errorf("POST %v: %d %v, want 422 naming %q", sc.body, resp.StatusCode, v, sc.field)
		}
	}
	resp, v = s.bearer("admin1", http.MethodPost, "/api/v1/announcements", map[string]any{"title_zh": "接口新闻", "body_zh": "正文"})
	if resp.StatusCode != http.StatusCreated || v["issued_at"] != nil {
		t.Fatalf("create: %d %v", resp.StatusCode, v)
	}
	id := int64(v["id"].(float64))
	if loc := resp.Header.Get("Location"); loc != "/api/v1/announcements/"+itoa(id) {
		t.Errorf("Location %q", loc)
	}
	issue := "/api/v1/announcements/" + itoa(id) + "/issue"
	resp, v = s.bearer("enterprise1", http.MethodPost, issue, map[string]any{"version": 1})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise issuing: %d %v", resp.StatusCode, v)
	}
	resp, v = s.bearer("admin1", http.MethodPost, issue, map[string]any{})
	if _, field := errorOf(t, v); resp.StatusCode != http.StatusUnprocessableEntity || field != "version" {
		t.Errorf("issue without a version: %d %v", resp.StatusCode, v)
	}
	resp, v = s.bearer("admin1", http.MethodPost, issue, map[string]any{"version": 1})
	if resp.StatusCode != http.StatusOK || v["issued_at"] == nil {
		t.Fatalf("issue: %d %v", resp.StatusCode, v)
	}
	resp, v = s.bearer("admin1", http.MethodPost, issue, map[string]any{"version": v["version"]})
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusConflict || code != "conflict" {
		t.Errorf("issue twice: %d %v", resp.StatusCode, v)
	}
	// The public sees it now, at once (no stale cache).
	resp, v = anon.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/announcements/" + itoa(id)})
	if resp.StatusCode != http.StatusOK || v["title_zh"] != "接口新闻" {
		t.Errorf("public read of the issued one: %d %v", resp.StatusCode, v)
	}
	_, v = anon.apiDo(apiCall{method: http.MethodGet, path: "/api/v1/announcements?q=" + "接口"})
	if got, total := ids(t, v); total != 1 || !equalIDs(got, []int64{id}) {
		t.Errorf("search: %v (total %d)", got, total)
	}
}

// TestAPIPagination: lists page with limit and offset, report their
// total, sort by the keys they offer, and refuse bad parameters by name.
func TestAPIPagination(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	for i := range 7 {
		if _, _, err := s.svc.CreateAPIToken(t.Context(), system, s.api().userIDs["expert1"], fmt.Sprintf("token %c", 'g'-i)); err != nil {
			t.Fatal(err)
		}
	}
	list := func(query string) (int, map[string]any) {
		t.Helper()
		resp, v := s.bearer("expert1", http.MethodGet, "/api/v1/me/tokens"+query, nil)
		return resp.StatusCode, v
	}
	_, v := list("")
	all, total := ids(t, v)
	if total != 8 || len(all) != 8 || !slices.IsSortedFunc(all, func(a, b int64) int { return int(b - a) }) {
		t.Fatalf("all tokens: %v (total %d), want 8, newest first", all, total)
	}
	var paged []int64
	for offset := 0; offset < 8; offset += 3 {
		_, v := list(fmt.Sprintf("?limit=3&offset=%d", offset))
		got, total := ids(t, v)
		if total != 8 || v["limit"] != 3.0 || v["offset"] != float64(offset) || v["sort"] != "-created_at" {
			t.Errorf("page at %d: %v", offset, v)
		}
		paged = append(paged, got...)
	}
	if !equalIDs(paged, all) {
		t.Errorf("the pages %v do not make up the list %v", paged, all)
	}
	_, v = list("?sort=name&limit=2")
	items := v["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["name"] != "tests" || items[1].(map[string]any)["name"] != "token a" {
		t.Errorf("sorted by name: %v", items)
	}
	_, v = list("?offset=100")
	if got, total := ids(t, v); len(got) != 0 || total != 8 {
		t.Errorf("past the end: %v", v)
	}
	for query, field := range map[string]string{"?limit=0": "limit", "?limit=501": "limit", "?limit=x": "limit",
		"?offset=-1": "offset", "?sort=password": "sort"} {
		st, v := list(query)
		if code, f := errorOf(t, v); st != http.StatusUnprocessableEntity || code != "invalid" || f != field {
			t.Errorf("%s: %d %v, want 422 naming %q", query, st, v, field)
		}
	}
	// A list in one order refuses ?sort=; filters check their values.
	for path, field := range map[string]string{"/api/v1/announcements?sort=id": "sort", "/api/v1/announcements?kind=gossip": "kind",
		"/api/v1/cycles?phase=party": "phase", "/api/v1/cycles/" + itoa(s.api().cycleID) + "/applications?status=lost": "status",
		"/api/v1/cycles/" + itoa(s.api().cycleID) + "/results?pass=maybe": "pass"} {
		resp, v := s.bearer("admin1", http.MethodGet, path, nil)
		if _, f := errorOf(t, v); resp.StatusCode != http.StatusUnprocessableEntity || f != field {
			t.Errorf("%s: %d %v, want 422 naming %q", path, resp.StatusCode, v, field)
		}
	}
}

// TestAPICycles: the administrator's cycles, a cycle's applications
// sorted and filtered, and results and decisions before there are any.
func TestAPICycles(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	f := s.api()
	resp, v := s.bearer("admin1", http.MethodGet, "/api/v1/cycles", nil)
	if got, total := ids(t, v); resp.StatusCode != http.StatusOK || total < 1 || !slices.Contains(got, f.cycleID) {
		t.Fatalf("cycles: %d %v, want the seeded cycle %d among them", resp.StatusCode, v, f.cycleID)
	}
	resp, v = s.bearer("admin1", http.MethodGet, "/api/v1/cycles?phase=closed", nil)
	if got, total := ids(t, v); resp.StatusCode != http.StatusOK || total != 0 || len(got) != 0 {
		t.Errorf("closed cycles: %v", v)
	}
	cycle := "/api/v1/cycles/" + itoa(f.cycleID)
	resp, v = s.bearer("admin1", http.MethodGet, cycle, nil)
	if resp.StatusCode != http.StatusOK || v["phase"] != "open" || v["year"] != 2026.0 {
		t.Errorf("cycle: %d %v", resp.StatusCode, v)
	}
	resp, v = s.bearer("admin1", http.MethodGet, "/api/v1/cycles/999999", nil)
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusNotFound || code != "not_found" {
		t.Errorf("a cycle that does not exist: %d %v", resp.StatusCode, v)
	}
	_, v = s.bearer("admin1", http.MethodGet, cycle+"/applications?sort=-id", nil)
	if got, _ := ids(t, v); !equalIDs(got, []int64{f.otherApp, f.app}) {
		t.Errorf("applications by -id: %v", got)
	}
	_, v = s.bearer("admin1", http.MethodGet, cycle+"/applications?status=submitted", nil)
	if got, total := ids(t, v); len(got) != 0 || total != 0 {
		t.Errorf("submitted applications: %v", got)
	}
	resp, v = s.bearer("admin1", http.MethodGet, cycle+"/results", nil)
	if code, _ := errorOf(t, v); resp.StatusCode != http.StatusNotFound || code != "not_found" {
		t.Errorf("results before the evaluation: %d %v", resp.StatusCode, v)
	}
	// An empty list is [], not null (ids fails on anything but an array).
	resp, v = s.bearer("admin1", http.MethodGet, cycle+"/decisions", nil)
	if got, total := ids(t, v); resp.StatusCode != http.StatusOK || len(got) != 0 || total != 0 {
		t.Errorf("decisions before deliberation: %d %v", resp.StatusCode, v)
	}
}
