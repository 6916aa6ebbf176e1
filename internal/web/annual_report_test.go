package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// grantTitles runs an identification cycle of year with firms on the
// site's service, moving clock, through to its announcement: every
// enterprise passes (a failed decision is turned into a pass in
// deliberation, as an administrator may). It returns the enterprises.
func grantTitles(t *testing.T, s *site, clock *demo.Clock, year int, v store.ProgramVersion, firms []demo.Firm) []store.Enterprise {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	quotas := map[string]int{}
	for _, f := range firms {
		quotas[f.Channel]++
	}
	c, err := s.svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: year,
		TitleZh: fmt.Sprintf("%d年认定", year), TitleEn: fmt.Sprintf("%d identification", year), Quotas: quotas})
	must(err)
	_, err = s.svc.OpenCycle(ctx, system, c.ID)
	must(err)
	ents := applyAll(t, s.svc, c.ID, firms)
	_, err = s.svc.CloseApplications(ctx, system, c.ID)
	must(err)
	apps, err := s.svc.Applications(ctx, c.ID)
	must(err)
	byChannel := map[int64][]int64{}
	for _, a := range apps {
		byChannel[a.ChannelID] = append(byChannel[a.ChannelID], a.ID)
	}
	for ch, ids := range byChannel {
		_, err := s.svc.Recommend(ctx, system, ch, ids)
		must(err)
	}
	_, err = s.svc.StartEvaluation(ctx, system, c.ID)
	must(err)
	_, err = s.svc.StartDeliberation(ctx, system, c.ID)
	must(err)
	ds, err := s.svc.Decisions(ctx, c.ID)
	must(err)
	for _, d := range ds {
		if d.Outcome != workflow.OutcomePass {
			_, err := s.svc.UpdateDecision(ctx, system, d.ID, d.Version, workflow.OutcomePass, "经复议予以通过", "passed on reconsideration")
			must(err)
		}
	}
	n, err := s.svc.PublishNotice(ctx, system, c.ID)
	must(err)
	clock.Set(n.EndsAt.Add(time.Hour))
	_, err = s.svc.Announce(ctx, system, c.ID)
	must(err)
	return ents
}

// TestAnnualReportPages: an enterprise that holds a title sees the report
// it owes, files it through the form (bad figures and a missing summary
// come back beside their fields, changing nothing), then reads it as
// filed; filing twice is refused; another enterprise cannot open it; the
// administrator finds it in the list and reads it, in both languages;
// text is shown escaped; an unfiled report is overdue after its day.
func TestAnnualReportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := demo.NewClock()
		clock.Set(time.Date(2031, 3, 3, 9, 0, 0, 0, workflow.ChinaTime))
		s := clockSite(t, db, clock)
		v, firms := cycleFirms(t, s.svc, 2)
		ents := grantTitles(t, s, clock, 2031, v, firms)
		clock.Set(time.Date(2032, 2, 2, 10, 0, 0, 0, workflow.ChinaTime)) // the report on 2031 is due by 30 April
		owner, other := enterpriseLogin(t, s, ents[0]), enterpriseLogin(t, s, ents[1])
		recs, err := s.svc.Recognitions(ctx, ents[0].ID)
		if err != nil || len(recs) != 1 {
			t.Fatalf("the first enterprise holds %d titles (%v)", len(recs), err)
		}
		form := fmt.Sprintf("/enterprise/reports/%d/2031", recs[0].ID)

		resp, body := owner.get("/enterprise/reports")
		setupStatus(t, "reports", resp, body, http.StatusOK)
		setupHas(t, "reports", body, `href="`+form+`"`, message("zh", "ent.report.due"), message("zh", "ent.report.file"))
		for _, try := range []func() (*http.Response, string){
			func() (*http.Response, string) { return other.get(form) },
			func() (*http.Response, string) { return other.postForm(form, url.Values{"summary": {"冒名"}}) },
		} {
			if resp, _ := try(); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another enterprise reaches the title's report: status %d", resp.StatusCode)
			}
		}

		resp, body = owner.get(form)
		setupStatus(t, "form", resp, body, http.StatusOK)
		m := regexp.MustCompile(`name="r\.([a-z0-9_]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the report form asks for no figure")
		}
		figure := m[1]
		resp, body = owner.postForm(form, url.Values{"r." + figure: {"many"}, "summary": {"总结"}})
		setupStatus(t, "a figure that is no number", resp, body, http.StatusUnprocessableEntity)
		setupHas(t, "a figure that is no number", body, `id="r-`+figure+`" name="r.`+figure+`" inputmode="decimal" value="many" aria-invalid="true"`)
		resp, body = owner.postForm(form, url.Values{"r." + figure: {"12345"}})
		setupStatus(t, "no summary", resp, body, http.StatusUnprocessableEntity)
		setupHas(t, "no summary", body, message("zh", "ent.report.need_summary"))
		if _, err := s.svc.AnnualReport(ctx, recs[0].ID, 2031); !strings.Contains(fmt.Sprint(err), "does not exist") {
			t.Fatalf("a refused form filed a report: %v", err)
		}

		summary := "<script>alert(1)</script>研发投入持续增长\n新建两个实验室"
		resp, body = owner.postForm(form, url.Values{"r." + figure: {"12345"}, "summary": {summary}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/enterprise/reports" {
			t.Fatalf("file the report: status %d, sent to %q: %s", resp.StatusCode, resp.Header.Get("Location"), problemOf(body))
		}
		_, body = owner.get("/enterprise/reports")
		setupHas(t, "reports after filing", body, message("zh", "ent.report.submitted"), message("zh", "ent.report.view"))
		resp, body = owner.get(form)
		setupStatus(t, "the filed report", resp, body, http.StatusOK)
		setupHas(t, "the filed report", body, "12,345", "&lt;script&gt;alert(1)&lt;/script&gt;研发投入持续增长<br>新建两个实验室", ents[0].USCC)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, `name="summary"`) {
			t.Error("the filed report shows its summary unescaped, or as a form again")
		}
		resp, body = owner.postForm(form, url.Values{"r." + figure: {"1"}, "summary": {"再报一次"}})
		setupStatus(t, "file twice", resp, body, http.StatusConflict)
		setupHas(t, "file twice", body, "already has its annual report")

		admin := s.as(workflow.RoleAdmin)
		resp, body = admin.get("/admin/reports?year=2031")
		setupStatus(t, "admin reports", resp, body, http.StatusOK)
		setupHas(t, "admin reports", body, fmt.Sprintf(`href="/admin/reports/%d/2031"`, recs[0].ID))
		page := fmt.Sprintf("/admin/reports/%d/2031", recs[0].ID)
		resp, body = admin.get(page)
		setupStatus(t, "admin reads the report", resp, body, http.StatusOK)
		setupHas(t, "admin reads the report", body, ents[0].Name, "12,345", "&lt;script&gt;alert(1)", `href="/admin/reports?year=2031"`)
		admin.get("/lang/en")
		resp, body = admin.get(page)
		setupStatus(t, "the report in English", resp, body, http.StatusOK)
		setupHas(t, "the report in English", body, "Annual report on 2031", "Figures of 2031")
		if resp, _ := admin.get(fmt.Sprintf("/admin/reports/%d/2030", recs[0].ID)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a report never filed: status %d, want 404", resp.StatusCode)
		}

		// The other enterprise did not file by 30 April.
		clock.Set(time.Date(2032, 5, 2, 10, 0, 0, 0, workflow.ChinaTime))
		other = signIn(t, s, fmt.Sprintf("ent-%d", ents[1].ID))
		_, body = other.get("/enterprise/reports")
		setupHas(t, "overdue", body, message("zh", "ent.report.overdue"))
	})
}
