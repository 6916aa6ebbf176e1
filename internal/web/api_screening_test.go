package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAPIScreening: a recommender reads the screening list of a cycle
// through the API — its own channel's submitted applications only, each
// with the gates its saved inputs fail — sorted with the failing first;
// another channel's recommender sees its own; other roles are refused and
// a draft cycle is not found.
func TestAPIScreening(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	ctx := context.Background()
	f := s.api()
	v, err := s.svc.RegisterBuiltinProgram(ctx, system, "miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2031,
		TitleZh: "2031年认定", TitleEn: "Identification 2031"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/cycles/" + itoa(c.ID) + "/screening"
	if resp, _ := s.bearer("recommender1", http.MethodGet, path, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("screening of a draft cycle: %d, want 404", resp.StatusCode)
	}
	if _, err := s.svc.OpenCycle(ctx, system, c.ID); err != nil {
		t.Fatal(err)
	}
	firms := demo.Story(31, 3)
	firms[0].Channel, firms[1].Channel, firms[2].Channel = "jiangsu", "jiangsu", "zhejiang"
	firms[1].Identification["employees"] = float64(120) // fails the employees gate
	ents := applyAll(t, s.svc, c.ID, firms)

	resp, v1 := s.bearer("recommender1", http.MethodGet, path+"?sort=check", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("screening as the Jiangsu recommender: %d %v", resp.StatusCode, v1)
	}
	items, _ := v1["items"].([]any)
	if len(items) != 2 || v1["total"] != float64(2) || v1["gates"].(float64) < 1 || len(v1["inputs"].([]any)) == 0 {
		t.Fatalf("Jiangsu's screening: %d items, total %v, gates %v: %v", len(items), v1["total"], v1["gates"], v1)
	}
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	if first["enterprise_id"] != float64(ents[1].ID) || second["enterprise_id"] != float64(ents[0].ID) {
		t.Errorf("sorted by check: enterprises %v, %v; want the failing %d first, then %d", first["enterprise_id"], second["enterprise_id"], ents[1].ID, ents[0].ID)
	}
	failed, _ := first["failed"].([]any)
	if first["checked"] != true || len(failed) != 1 || failed[0].(map[string]any)["gate"] != "employees" {
		t.Errorf("the failing application's check: checked %v, failed %v; want the employees gate", first["checked"], first["failed"])
	}
	if second["checked"] != true || second["failed"] != nil {
		t.Errorf("the eligible application's check: checked %v, failed %v", second["checked"], second["failed"])
	}

	resp, v2 := s.bearer(f.otherRecommenderLogin, http.MethodGet, path, nil)
	items, _ = v2["items"].([]any)
	if resp.StatusCode != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["enterprise_id"] != float64(ents[2].ID) {
		t.Errorf("Zhejiang's screening: %d, %v", resp.StatusCode, v2)
	}
	for _, user := range []string{"enterprise1", "expert1", "admin1"} {
		if resp, _ := s.bearer(user, http.MethodGet, path, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("screening as %s: %d, want 403", user, resp.StatusCode)
		}
	}
}
