package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestAdminReports: the reports page filters and counts, and expiring
// titles goes through a confirmation bound to its day.
func TestAdminReports(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	admin := s.as("admin")
	resp, body := admin.get("/admin/reports?year=2018&status=overdue")
	setupStatus(t, "reports", resp, body, http.StatusOK)
	setupHas(t, "reports", body, "2018", `<option value="overdue" selected>`, message("zh", "setup.reports.none"))
	resp, body = admin.get("/admin/reports?year=1800")
	setupStatus(t, "year out of range", resp, body, http.StatusUnprocessableEntity)

	resp, body = admin.get("/admin/reports/expire")
	setupStatus(t, "expiry confirmation", resp, body, http.StatusOK)
	day := chinaDay(s.svc.Now())
	setupHas(t, "expiry confirmation", body, day)
	resp, body = admin.postForm("/admin/reports/expire", url.Values{"day": {"2001-01-01"}})
	setupStatus(t, "expire on another day", resp, body, http.StatusConflict)
	resp, body = admin.postForm("/admin/reports/expire", url.Values{"day": {day}})
	setupStatus(t, "expire", resp, body, http.StatusSeeOther)
	_, body = admin.get(resp.Header.Get("Location"))
	setupHas(t, "after expiry", body, sprintfZh("setup.reports.expired", 0))
}

func sprintfZh(key string, args ...any) string { return page{Lang: "zh"}.Tf(key, args...) }

// TestAdminSetupPagesInEnglish opens every set-up page in English: a
// message missing in either language shows as ??key?? and fails the
// client (and the Chinese pages are opened by the other tests). A filed
// annual report is opened in both by TestAnnualReportPages.
func TestAdminSetupPagesInEnglish(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	admin := s.as("admin")
	admin.get("/lang/en")
	for _, rt := range s.srv.adminSetupRoutes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if method != http.MethodGet || strings.HasSuffix(path, ".yaml") || strings.Contains(path, "{token}") || strings.Contains(path, "{year}") {
			continue
		}
		if v, ok := s.params[rt.pattern+" {id}"]; ok {
			path = strings.Replace(path, "{id}", v, 1)
		}
		path = strings.Replace(path, "{code}", s.params["{code}"], 1)
		resp, body := admin.get(path)
		setupStatus(t, path, resp, body, http.StatusOK)
		if !strings.Contains(body, `<html lang="en">`) {
			t.Fatalf("%s is not in English", path)
		}
	}
}
