package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// noticeCycle runs a small identification cycle of miit-tide on the real
// clock up to its public notice (which opens now) and returns it with its
// enterprises.
func noticeCycle(t *testing.T, svc *workflow.Service, firms int) (store.Cycle, []store.Enterprise) {
	t.Helper()
	ctx := context.Background()
	v, err := svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	story := demo.Story(42, firms)
	quotas := map[string]int{}
	for _, f := range story {
		if _, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: f.Channel, NameZh: f.Channel + "渠道", NameEn: f.Channel, Kind: "province"}); err != nil {
			t.Fatal(err)
		}
		quotas[f.Channel] = firms
	}
	c, err := svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2031,
		TitleZh: "2031年示范企业认定", TitleEn: "2031 identification", Quotas: quotas})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenCycle(ctx, system, c.ID); err != nil {
		t.Fatal(err)
	}
	var ents []store.Enterprise
	for _, f := range story {
		e, err := svc.RegisterEnterprise(ctx, system, f.Code, f.Name, f.Channel)
		if err != nil {
			t.Fatal(err)
		}
		ents = append(ents, e)
		a, err := svc.CreateApplication(ctx, system, c.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(f.Identification)
		if a, err = svc.SaveApplication(ctx, system, a.ID, a.Version, raw); err != nil {
			t.Fatal(err)
		}
		if _, err = svc.SubmitApplication(ctx, system, a.ID, a.Version, "web-test-"+f.Code); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CloseApplications(ctx, system, c.ID); err != nil {
		t.Fatal(err)
	}
	apps, err := svc.Applications(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	byChannel := map[int64][]int64{}
	for _, a := range apps {
		byChannel[a.ChannelID] = append(byChannel[a.ChannelID], a.ID)
	}
	for ch, ids := range byChannel {
		if _, err := svc.Recommend(ctx, system, ch, ids); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []func(context.Context, workflow.Actor, int64) (store.Cycle, error){svc.StartEvaluation, svc.StartDeliberation} {
		if _, err := step(ctx, system, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.PublishNotice(ctx, system, c.ID); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Cycle(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	return c, ents
}

var tableRow = regexp.MustCompile(`(?s)<tr>\s*<td class="num">`)

// TestPublicNoticeAndObjection: the notice lists the proposed decisions
// with search, sort and pages; anyone may object to a listed enterprise
// while it runs, and the objection is on record; a bad filing comes back
// with its reason and changes nothing.
func TestPublicNoticeAndObjection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		c, ents := noticeCycle(t, s.svc, 25)
		cl := s.client()
		base := fmt.Sprintf("/cycles/%d", c.ID)
		resp, body := cl.get(base + "/notice")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("notice: status %d", resp.StatusCode)
		}
		if n := len(tableRow.FindAllString(body, -1)); n != pageSize {
			t.Errorf("the notice's first page has %d rows, want %d", n, pageSize)
		}
		if !strings.Contains(body, "page=2") || !strings.Contains(body, "objection?enterprise=") {
			t.Errorf("the notice lacks its next page or its objection links")
		}
		_, body = cl.get(base + "/notice?page=2")
		if n := len(tableRow.FindAllString(body, -1)); n != 25-pageSize {
			t.Errorf("page 2 has %d rows, want %d", n, 25-pageSize)
		}
		// Search by credit code finds exactly that enterprise.
		_, body = cl.get(base + "/notice?q=" + ents[3].USCC)
		if n := len(tableRow.FindAllString(body, -1)); n != 1 || !strings.Contains(body, ents[3].Name) {
			t.Errorf("search by code: %d rows", n)
		}
		// Sorted by name, descending, the rows come in that order.
		_, body = cl.get(base + "/notice?sort=name&desc=1")
		names := regexp.MustCompile(`<td class="num">[^<]*</td>\s*<td>([^<]+)</td>`).FindAllStringSubmatch(body, -1)
		for i := 1; i < len(names); i++ {
			if names[i-1][1] < names[i][1] {
				t.Errorf("sorted by name descending, %q comes before %q", names[i-1][1], names[i][1])
			}
		}
		if resp, _ := cl.get(base + "/notice?sort=bogus"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown sort: status %d, want 422", resp.StatusCode)
		}
		// The results are not public before the announcement.
		if resp, _ := cl.get(base + "/results"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("results before the announcement: status %d, want 404", resp.StatusCode)
		}

		// Object to one listed enterprise.
		target := ents[5]
		resp, body = cl.get(fmt.Sprintf("%s/objection?enterprise=%d", base, target.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, target.Name) {
			t.Fatalf("objection form: status %d, names the enterprise: %v", resp.StatusCode, strings.Contains(body, target.Name))
		}
		resp, body = cl.postForm(base+"/objection", url.Values{"enterprise": {fmt.Sprint(target.ID)}, "name": {"张三"}, "contact": {""}, "grounds": {"数据不实"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "contact is required") || !strings.Contains(body, "数据不实") {
			t.Errorf("objection without contact: status %d; the form must come back with the reason and the text typed", resp.StatusCode)
		}
		resp, body = cl.postForm(base+"/objection", url.Values{"enterprise": {fmt.Sprint(target.ID)}, "name": {"<b>张三</b>"},
			"contact": {"13800000000"}, "grounds": {"2025年研发投入数据与审计报告不符。"}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("objection: status %d: %s", resp.StatusCode, firstLine(body))
		}
		n, err := s.svc.Notice(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		os, err := s.svc.Objections(context.Background(), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(os) != 1 || os[0].EnterpriseID != target.ID || os[0].FilerName != "<b>张三</b>" || os[0].Status != workflow.ObjectionFiled {
			t.Errorf("objections on record: %+v", os)
		}
	})
}

// TestPublicResults: the 2018 review of the demo's story, announced —
// its final list has the 150 reviewed enterprises, 4 of them failed with
// the engine's reason, filterable and paged.
func TestPublicResults(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	clock := demo.NewClock()
	res, err := demo.RunStory(context.Background(), db, clock, demo.Seed)
	if err != nil {
		t.Fatal(err)
	}
	s := attachSite(t, db, Config{})
	cl := s.client()
	base := fmt.Sprintf("/cycles/%d", res.Review.ID)
	resp, body := cl.get(base + "/results")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("results: status %d", resp.StatusCode)
	}
	if !strings.Contains(body, fmt.Sprintf("共 %d 条", res.Reviewed)) {
		t.Errorf("the results page does not count %d enterprises", res.Reviewed)
	}
	resp, body = cl.get(base + "/results?outcome=fail")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("failed ones: status %d", resp.StatusCode)
	}
	if n := len(tableRow.FindAllString(body, -1)); n != len(res.Revoked) {
		t.Errorf("%d failed rows, want %d", n, len(res.Revoked))
	}
	for _, r := range res.Revoked {
		if !strings.Contains(body, r.Name) || !strings.Contains(body, r.Code) {
			t.Errorf("the failed list lacks %s %s", r.Code, r.Name)
		}
	}
	// The notice closed long ago: no objection is taken.
	resp, body = cl.postForm(base+"/objection", url.Values{"enterprise": {"1"}, "name": {"李四"}, "contact": {"x"}, "grounds": {"y"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("objection after the notice: status %d, want 409: %s", resp.StatusCode, firstLine(body))
	}
	// A cycle without a notice is not public.
	if resp, _ := cl.get("/cycles/999/notice"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown cycle: status %d", resp.StatusCode)
	}
}
