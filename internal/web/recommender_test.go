package web

import (
	"context"
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

// TestRecommenderScreensWithinQuota: the seed's recommender (channel
// jiangsu, quota 2) sees its channel's applications with their checks,
// returns one for correction through a confirmation, recommends within
// the quota and is refused beyond it with the count and the quota shown,
// withdraws a recommendation after confirming, and cannot reach another
// channel's application (404, as if it did not exist).
func TestRecommenderScreensWithinQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newSite(t, db, Config{})
		v, err := s.svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: "zhejiang", NameZh: "浙江省", NameEn: "Zhejiang", Kind: "province"}); err != nil {
			t.Fatal(err)
		}
		firms := demo.Story(11, 5)
		for i := range firms {
			firms[i].Channel = "jiangsu"
		}
		firms[4].Channel = "zhejiang"
		firms[1].Identification["employees"] = float64(50) // fails a gate
		firms[0].Identification["total_assets"] = 479950.2 // shown as 479,950.2
		c, err := s.svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2032,
			TitleZh: "2032年示范企业认定", TitleEn: "2032 identification", Quotas: map[string]int{"jiangsu": 2}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.OpenCycle(ctx, system, c.ID); err != nil {
			t.Fatal(err)
		}
		ents := applyAll(t, s.svc, c.ID, firms)
		apps := map[int64]store.Application{} // by enterprise
		all, err := s.svc.Applications(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			apps[a.EnterpriseID] = a
		}
		other := apps[ents[4].ID] // zhejiang's
		rec := s.as(workflow.RoleRecommender)
		base := fmt.Sprintf("/recommender/cycles/%d", c.ID)

		resp, body := rec.get("/recommender")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, base) || !strings.Contains(body, "已推荐 0 家，名额 2 家") {
			t.Fatalf("home: status %d; lists the open cycle with its quota: %v", resp.StatusCode, strings.Contains(body, base))
		}

		// Returning needs its confirmation page and a reason.
		ret := apps[ents[3].ID]
		rpath := fmt.Sprintf("/recommender/applications/%d/return", ret.ID)
		if resp, body := rec.get(rpath); resp.StatusCode != http.StatusOK || !strings.Contains(body, ents[3].Name) {
			t.Fatalf("return form: status %d", resp.StatusCode)
		}
		if resp, _ := rec.postForm(rpath, url.Values{"reason": {"x"}, "version": {fmt.Sprint(ret.Version)}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("return without confirmation: status %d, want 422", resp.StatusCode)
		}
		if resp, body := rec.postForm(rpath, url.Values{"confirm": {"yes"}, "reason": {""}, "version": {fmt.Sprint(ret.Version)}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("return without a reason: status %d, want 422: %s", resp.StatusCode, problemOf(body))
		}
		if resp, body := rec.postForm(rpath, url.Values{"confirm": {"yes"}, "reason": {"<b>请补充</b>审计报告"}, "version": {fmt.Sprint(ret.Version)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("return: status %d: %s", resp.StatusCode, problemOf(body))
		}
		if a, _ := s.svc.Application(ctx, ret.ID); a.Status != workflow.StatusReturned {
			t.Errorf("returned application is %s", a.Status)
		}
		for _, path := range []string{fmt.Sprintf("/recommender/applications/%d/return", other.ID), "/recommender/applications/999999/return"} {
			if resp, _ := rec.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
			}
		}
		if resp, _ := rec.postForm(fmt.Sprintf("/recommender/applications/%d/return", other.ID), url.Values{"confirm": {"yes"}, "reason": {"x"},
			"version": {fmt.Sprint(other.Version)}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("return another channel's application: status %d, want 404", resp.StatusCode)
		}

		if _, err := s.svc.CloseApplications(ctx, system, c.ID); err != nil {
			t.Fatal(err)
		}
		resp, body = rec.get(base)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("screening list: status %d: %s", resp.StatusCode, problemOf(body))
		}
		for _, e := range ents[:4] {
			if !strings.Contains(body, e.USCC) {
				t.Errorf("the list lacks %s", e.Name)
			}
		}
		if strings.Contains(body, ents[4].USCC) {
			t.Errorf("the list shows another channel's application")
		}
		// Key inputs: numbers with thousands separators, units in Chinese.
		if !strings.Contains(body, ">479,950.2<") || strings.Contains(body, "479950.2") {
			t.Errorf("the list does not show total assets 479950.2 as 479,950.2")
		}
		if strings.Contains(body, "(persons)") || !strings.Contains(body, "(人)") || !strings.Contains(body, "(万元)") {
			t.Errorf("the list's headers do not show their units in Chinese")
		}
		// The table fits a 1280 px screen: the page widens for it, its
		// headers wrap and the credit code goes under the name.
		if n := strings.Count(regexp.MustCompile(`(?s)<thead>.*?</thead>`).FindString(body), "<th"); n > 11 {
			t.Errorf("the list has %d columns, want at most 11", n)
		}
		if !strings.Contains(body, `<small class="code">`+ents[0].USCC+`</small>`) {
			t.Errorf("the credit code is not under the name")
		}
		css := regexp.MustCompile(`href="(/static/cycles[^"]*\.css)"`).FindStringSubmatch(body)
		if css == nil {
			t.Fatal("the list links no cycles.css")
		}
		_, sheet := rec.get(css[1])
		for _, want := range []string{"main:has(table.screening) { max-width:", "table.screening th { white-space: normal; }"} {
			if !strings.Contains(sheet, want) {
				t.Errorf("cycles.css lacks %q", want)
			}
		}
		if !strings.Contains(body, "项未满足") || !strings.Contains(body, "满足全部") {
			t.Errorf("the list lacks its gate checks")
		}
		if _, body := rec.get(base + "?check=fail"); strings.Count(body, `name="app"`) != 1 || !strings.Contains(body, ents[1].USCC) {
			t.Errorf("filtered to failed checks: want only %s", ents[1].Name)
		}
		if _, body := rec.get(base + "?q=" + url.QueryEscape(ents[2].USCC)); !strings.Contains(body, ents[2].USCC) || strings.Contains(body, ents[0].USCC) {
			t.Errorf("search by code finds more or less than %s", ents[2].Name)
		}

		// Within the quota, then beyond it.
		ids := func(es ...store.Enterprise) url.Values {
			v := url.Values{}
			for _, e := range es {
				v.Add("app", fmt.Sprint(apps[e.ID].ID))
			}
			return v
		}
		if resp, body := rec.postForm(base+"/recommend", ids(ents[0], ents[2])); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("recommend two: status %d: %s", resp.StatusCode, problemOf(body))
		}
		if _, body := rec.get(base); !strings.Contains(body, "已推荐 2 家，名额 2 家") {
			t.Errorf("the quota line does not say 2 of 2")
		}
		resp, body = rec.postForm(base+"/recommend", ids(ents[1]))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(problemOf(body), "(3 &gt; 2)") || !strings.Contains(body, "已推荐 2 家，名额 2 家") {
			t.Errorf("beyond the quota: status %d, problem %q; want 409 with the count and the quota", resp.StatusCode, problemOf(body))
		}
		if !regexp.MustCompile(fmt.Sprintf(`value="%d"[^>]* checked`, apps[ents[1].ID].ID)).MatchString(body) {
			t.Errorf("the refused selection is not kept")
		}
		resp, _ = rec.postForm(base+"/recommend", url.Values{"app": {fmt.Sprint(other.ID)}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("recommend another channel's application: status %d, want 404", resp.StatusCode)
		}
		if a, _ := s.svc.Application(ctx, other.ID); a.Status != workflow.StatusSubmitted {
			t.Errorf("another channel's application became %s", a.Status)
		}

		// Not recommending asks first.
		resp, body = rec.postForm(base+"/not-recommend", ids(ents[2]))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, ents[2].Name) || !strings.Contains(body, `name="confirm" value="yes"`) {
			t.Fatalf("not-recommend confirmation: status %d", resp.StatusCode)
		}
		if a, _ := s.svc.Application(ctx, apps[ents[2].ID].ID); a.Status != workflow.StatusRecommended {
			t.Errorf("before confirming, the application is %s", a.Status)
		}
		form := ids(ents[2])
		form.Set("confirm", "yes")
		if resp, body := rec.postForm(base+"/not-recommend", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("not-recommend: status %d: %s", resp.StatusCode, problemOf(body))
		}
		if a, _ := s.svc.Application(ctx, apps[ents[2].ID].ID); a.Status != workflow.StatusNotRecommended {
			t.Errorf("after confirming, the application is %s", a.Status)
		}
		if resp, body := rec.postForm(base+"/recommend", ids(ents[1])); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("recommend into the freed place: status %d: %s", resp.StatusCode, problemOf(body))
		}
		// A draft cycle is not shown; nor is a cycle that does not exist.
		for _, path := range []string{"/recommender/cycles/999999"} {
			if resp, _ := rec.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
}
