package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The route walk opens the page of the program the API's seed registered.
func init() {
	extraSeeds = append(extraSeeds, func(s *site) { s.params["GET /programs/{name} {name}"] = "miit-tide" })
}

// TestPublicProgramPages: anyone reads the list of programs and each
// program's page — its conditions, how it is evaluated, its decision
// rule, its deadlines and what it confers, in both languages — and finds
// its cycles there once they are out of draft, with links to a notice or
// result list only when published; an unknown program is a 404.
func TestPublicProgramPages(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	ctx := context.Background()
	v, err := s.svc.RegisterBuiltinProgram(ctx, system, "hnte")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2030,
		TitleZh: "草稿批次", TitleEn: "A draft cycle"})
	if err != nil {
		t.Fatal(err)
	}
	open, err := s.svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2031,
		TitleZh: "2031年高新技术企业认定", TitleEn: "HNTE 2031"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.OpenCycle(ctx, system, open.ID); err != nil {
		t.Fatal(err)
	}
	visitor := s.client()
	resp, body := visitor.get("/programs")
	setupStatus(t, "programs", resp, body, http.StatusOK)
	setupHas(t, "programs", body, `href="/programs/hnte"`, "高新技术企业", `href="/programs"`)

	resp, body = visitor.get("/programs/hnte")
	setupStatus(t, "hnte", resp, body, http.StatusOK)
	setupHas(t, "hnte", body,
		"2031年高新技术企业认定", // the open cycle
		"注册成立一年以上",      // a condition (gate name)
		"知识产权",          // a framework node
		"公示期 10 个工作日",   // the procedure
		"次年5月31日",       // the annual report
		"高新技术企业认定管理机构",  // the issuer
		"至少 5 位专家")      // the expert review
	if strings.Contains(body, "%!") {
		t.Errorf("a message's format is broken: %s", body[strings.Index(body, "%!"):][:60])
	}
	if strings.Contains(body, "草稿批次") || strings.Contains(body, "/cycles/"+itoa(open.ID)+"/notice") {
		t.Error("the page shows a draft cycle, or a notice not published")
	}
	visitor.get("/lang/en")
	_, body = visitor.get("/programs/hnte")
	setupHas(t, "hnte in English", body, "HNTE 2031", "31 May of the following year", "A public notice of 10 working days")
	if resp, _ := visitor.get("/programs/atlantis"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown program: %d, want 404", resp.StatusCode)
	}
}
