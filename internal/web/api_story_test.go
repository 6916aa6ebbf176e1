package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// storySite is a seeded site over the demo's story: the 2015
// identification and the 2018 review of 150 enterprises, evaluated,
// decided and announced.
func storySite(t *testing.T) (*site, *demo.StoryResult) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	res, err := demo.RunStory(context.Background(), db, demo.NewClock(), demo.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return newSite(t, db, Config{}), res
}

// TestAPIStory: results and decisions of a real cycle, sorted, filtered
// and paged as asked.
func TestAPIStory(t *testing.T) {
	s, res := storySite(t)
	base := "/api/v1/cycles/" + itoa(res.Review.ID)
	resp, v := s.bearer("admin1", http.MethodGet, base+"/results?sort=-score&limit=500", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("results: %d %v", resp.StatusCode, v)
	}
	items := v["items"].([]any)
	if int(v["total"].(float64)) != res.Reviewed || len(items) != res.Reviewed || v["run"].(map[string]any)["cycle_id"] != float64(res.Review.ID) {
		t.Fatalf("results: total %v, %d items, run %v; want %d", v["total"], len(items), v["run"], res.Reviewed)
	}
	prev := 1e300
	for _, it := range items {
		score, ok := it.(map[string]any)["score"].(float64)
		if !ok {
			score = -1e300 // unscored come last in descending order
		}
		if score > prev {
			t.Fatalf("-score is not descending: %v after %v", score, prev)
		}
		prev = score
	}
	_, v = s.bearer("admin1", http.MethodGet, base+"/results?sort=rank&limit=3&offset=1", nil)
	ranks := []float64{}
	for _, it := range v["items"].([]any) {
		ranks = append(ranks, it.(map[string]any)["rank"].(float64))
	}
	if len(ranks) != 3 || ranks[0] != 2 || ranks[1] != 3 || ranks[2] != 4 {
		t.Errorf("ranks 2–4: %v", ranks)
	}
	_, v = s.bearer("admin1", http.MethodGet, base+"/decisions?outcome=fail", nil)
	if got, total := ids(t, v); total != len(res.Revoked) || len(got) != total {
		t.Errorf("failed decisions: %d, want %d (the revoked)", total, len(res.Revoked))
	}
	_, v = s.bearer("admin1", http.MethodGet, base+"/decisions?state=final&limit=1", nil)
	if _, total := ids(t, v); total != res.Reviewed {
		t.Errorf("final decisions: %d, want %d", total, res.Reviewed)
	}
	// The story's cycles are listed with the seed's, newest year first.
	_, v = s.bearer("admin1", http.MethodGet, "/api/v1/cycles", nil)
	years := []float64{}
	for _, it := range v["items"].([]any) {
		years = append(years, it.(map[string]any)["year"].(float64))
	}
	if !slices.IsSortedFunc(years, func(a, b float64) int { return cmp.Compare(b, a) }) ||
		!slices.Contains(years, 2026) || !slices.Contains(years, 2018) || !slices.Contains(years, 2015) {
		t.Errorf("cycle years %v, want 2026, 2018 and 2015, newest first", years)
	}
	_, v = s.bearer("admin1", http.MethodGet, "/api/v1/cycles?kind=review", nil)
	if got, _ := ids(t, v); !equalIDs(got, []int64{res.Review.ID}) {
		t.Errorf("review cycles: %v", got)
	}
}
