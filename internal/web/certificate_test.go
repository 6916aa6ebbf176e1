package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

func init() { extraSeeds = append(extraSeeds, seedCertificates) }

// seedCertificates tells the route walk how to fill in {number} and the
// admin routes' cycle {id}. It writes nothing: other tests count the
// seeded site's cycles, so the certificate tests build their own (see
// certAnnouncedCycle). A number not on record is a page for everyone (the
// 404 that warns of forgery) and a cycle not on record a 404 for
// administrators, which is what the walk needs: who gets past the rule.
func seedCertificates(s *site) {
	s.params["{number}"] = "MIIT-TIDE-2024-I-0001"
	for _, p := range []string{"GET /admin/cycles/{id}/certificates", "POST /admin/cycles/{id}/certificates",
		"GET /admin/cycles/{id}/certificates/progress", "GET /admin/cycles/{id}/certificates/archive"} {
		s.params[p+" {id}"] = "999999"
	}
}

// certAnnouncedCycle runs an identification cycle of miit-tide for year on db,
// with one enterprise of channel jiangsu per name, to its announcement
// and issues its certificates. The cycle runs on a clock that starts 90
// days ago and ends a week ago, so that its certificates are valid now.
// Every enterprise passes: a decision the engine failed is turned into a
// pass in deliberation, as an administrator may.
func certAnnouncedCycle(t *testing.T, db *store.DB, year int, names ...string) (store.Cycle, []workflow.Certificate) {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now().Add(-90 * 24 * time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	svc := workflow.New(db, workflow.WithClock(clock))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	must(err)
	ch, err := svc.UpsertChannel(ctx, system, workflow.ChannelSpec{Code: "jiangsu", NameZh: "江苏省", NameEn: "Jiangsu", Kind: "province"})
	must(err)
	c, err := svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: year,
		TitleZh: fmt.Sprintf("%d年示范企业认定", year), TitleEn: fmt.Sprintf("%d identification", year),
		Quotas: map[string]int{"jiangsu": len(names)}})
	must(err)
	_, err = svc.OpenCycle(ctx, system, c.ID)
	must(err)
	rng := rand.New(rand.NewPCG(uint64(year), 77))
	firms := demo.Story(uint64(year), len(names))
	var apps []int64
	for i, name := range names {
		e, err := svc.RegisterEnterprise(ctx, system, demo.CreditCode(rng, "320500"), name, "jiangsu")
		must(err)
		a, err := svc.CreateApplication(ctx, system, c.ID, e.ID)
		must(err)
		in := firms[i].Identification
		in["name"] = name
		raw, err := json.Marshal(in)
		must(err)
		a, err = svc.SaveApplication(ctx, system, a.ID, a.Version, raw)
		must(err)
		_, err = svc.SubmitApplication(ctx, system, a.ID, a.Version, fmt.Sprintf("cert-test-%d-%d", year, i))
		must(err)
		apps = append(apps, a.ID)
	}
	set(now.Add(24 * time.Hour))
	_, err = svc.CloseApplications(ctx, system, c.ID)
	must(err)
	_, err = svc.Recommend(ctx, system, ch.ID, apps)
	must(err)
	_, err = svc.StartEvaluation(ctx, system, c.ID)
	must(err)
	_, err = svc.StartDeliberation(ctx, system, c.ID)
	must(err)
	ds, err := svc.Decisions(ctx, c.ID)
	must(err)
	for _, d := range ds {
		if d.Outcome != workflow.OutcomePass {
			_, err := svc.UpdateDecision(ctx, system, d.ID, d.Version, workflow.OutcomePass, "经复议予以通过", "passed on reconsideration")
			must(err)
		}
	}
	set(now.Add(24 * time.Hour))
	n, err := svc.PublishNotice(ctx, system, c.ID)
	must(err)
	if n.EndsAt.After(time.Now().Add(-7 * 24 * time.Hour)) {
		t.Fatalf("the notice runs until %v: too late for a cycle announced a week ago", n.EndsAt)
	}
	set(n.EndsAt.Add(time.Hour))
	c, err = svc.Announce(ctx, system, c.ID)
	must(err)
	_, err = svc.IssueCertificates(ctx, system, c.ID, nil)
	must(err)
	certs, err := svc.CycleCertificates(ctx, c.ID)
	must(err)
	if len(certs) != len(names) {
		t.Fatalf("cycle %d issued %d certificates; want %d", c.ID, len(certs), len(names))
	}
	return c, certs
}

// TestCertificatePage: the public verification page of a valid
// certificate, in both languages; a number not on record is a 404 page
// that warns of forgery; the PDF is public.
func TestCertificatePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{BaseURL: "https://exemplar.example"})
		_, certs := certAnnouncedCycle(t, db, 2024, "苏州证书示范科技有限公司")
		cert := certs[0]
		c := s.client()
		path := "/certificates/" + cert.Number
		resp, body := c.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		for _, want := range []string{`data-status="valid"`, "有效证书", cert.Number, "苏州证书示范科技有限公司", cert.USCC,
			"国家技术创新示范企业", "工业和信息化部", formatDate("zh", cert.IssuedOn), formatDate("zh", cert.ValidUntil),
			"牌匾", "2024年认定", path + "/pdf"} {
			if !strings.Contains(body, want) {
				t.Errorf("the verification page lacks %q", want)
			}
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control %q; a status that can change any day must not be cached", cc)
		}
		req, _ := http.NewRequest(http.MethodGet, s.http.URL+path, nil)
		req.Header.Set("Accept-Language", "en")
		_, body = c.do(req)
		for _, want := range []string{"Valid certificate", "National Technological Innovation Demonstration Enterprise", "Valid until",
			formatDate("en", cert.ValidUntil), "Plaque", "2024 identification"} {
			if !strings.Contains(body, want) {
				t.Errorf("the English verification page lacks %q", want)
			}
		}
		// Typed in lower case with spaces, the number still verifies.
		if resp, body := c.get("/certificates/" + strings.ToLower(cert.Number) + "%20"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-status="valid"`) {
			t.Errorf("lower-case number: status %d", resp.StatusCode)
		}
		// The look-up form sends the browser to the number's page.
		resp, _ = c.get("/certificates?number=" + strings.ToLower(cert.Number))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
			t.Errorf("look-up: status %d to %q; want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), path)
		}
		if resp, body := c.get("/certificates"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="number"`) {
			t.Errorf("look-up form: status %d", resp.StatusCode)
		}

		// Not on record: a 404 that says so and warns of forgery, with
		// the number escaped; scripts get the JSON error.
		for _, bad := range []string{"MIIT-TIDE-2024-I-9999", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", strings.Repeat("X", 300)} {
			resp, body := c.get("/certificates/" + bad)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "没有记录") || !strings.Contains(body, "伪造") || !strings.Contains(body, `data-status="unknown"`) {
				t.Errorf("unknown %s: status %d, page %q", bad, resp.StatusCode, body)
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("unknown %s: the number is shown unescaped", bad)
			}
			if resp, _ := c.get("/certificates/" + bad + "/pdf"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("PDF of unknown %s: status %d", bad, resp.StatusCode)
			}
		}
		req, _ = http.NewRequest(http.MethodGet, s.http.URL+"/certificates/MIIT-TIDE-2024-I-9999", nil)
		req.Header.Set("Accept-Language", "en")
		if resp, body := c.do(req); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not on record") || !strings.Contains(body, "forged") {
			t.Errorf("unknown, in English: status %d, %q", resp.StatusCode, body)
		}
		req, _ = http.NewRequest(http.MethodGet, s.http.URL+"/certificates/MIIT-TIDE-2024-I-9999", nil)
		req.Header.Set("Accept", "application/json")
		if resp, body := c.do(req); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
			t.Errorf("unknown, as JSON: status %d, %s", resp.StatusCode, body)
		}

		// The PDF is everyone's.
		resp, pdf := c.get(path + "/pdf")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("PDF: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, cert.Number+".pdf") {
			t.Errorf("PDF Content-Disposition %q", cd)
		}
	})
}

// TestCertificateNameEscaped: an enterprise name with markup shows as
// text on the verification page and in the administrators' list.
func TestCertificateNameEscaped(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s := newSite(t, db, Config{})
	const name = `<script>alert("x")</script>&<b>示范</b>科技有限公司`
	c, certs := certAnnouncedCycle(t, db, 2023, name)
	escaped := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&lt;b&gt;示范&lt;/b&gt;科技有限公司`
	for _, page := range []struct {
		who, path string
	}{{"", "/certificates/" + certs[0].Number}, {workflow.RoleAdmin, certAdminPath(c.ID)}} {
		resp, body := s.as(page.who).get(page.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", page.path, resp.StatusCode)
		}
		if !strings.Contains(body, escaped) {
			t.Errorf("%s does not show the name escaped", page.path)
		}
		if strings.Contains(body, `<script>alert`) || strings.Contains(body, "<b>示范") {
			t.Errorf("%s shows the name's markup as markup", page.path)
		}
	}
	// The PDF prints it as it is.
	if resp, pdf := s.client().get("/certificates/" + certs[0].Number + "/pdf"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("PDF of the name with markup: status %d", resp.StatusCode)
	}
}

// TestAdminCertificatesPageLinksBack: an administrator's certificates page
// links back to its cycle, and its dates do not wrap mid-date.
func TestAdminCertificatesPageLinksBack(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s := newSite(t, db, Config{})
	c, certs := certAnnouncedCycle(t, db, 2022, "苏州示范科技有限公司")
	admin := s.as(workflow.RoleAdmin)
	resp, body := admin.get(certAdminPath(c.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("certificates page: status %d", resp.StatusCode)
	}
	if !strings.Contains(body, fmt.Sprintf(`<a href="/admin/cycles/%d">`, c.ID)) {
		t.Errorf("the certificates page does not link back to its cycle")
	}
	for _, d := range []time.Time{certs[0].IssuedOn, certs[0].ValidUntil} {
		if want := `<td class="date">` + formatDate("zh", d) + `</td>`; !strings.Contains(body, want) {
			t.Errorf("the certificates page lacks the date cell %s", want)
		}
	}
	css := regexp.MustCompile(`href="(/static/cycles[^"]*\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("the page links no cycles.css")
	}
	if _, sheet := admin.get(css[1]); !strings.Contains(sheet, "td.date { white-space: nowrap; }") {
		t.Errorf("cycles.css lets date cells wrap")
	}
}
