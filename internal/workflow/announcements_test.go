package workflow_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestDraftResultsAnnouncement: the review's results announcement counts
// what the decisions say, lists the passing enterprises in pinyin order
// and the revoked ones with their reasons; a cycle not yet announced is
// refused, and issuing happens once.
func TestDraftResultsAnnouncement(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	clock := demo.NewClock()
	res, err := demo.RunStory(ctx, db, clock, demo.Seed)
	if err != nil {
		t.Fatal(err)
	}
	s := workflow.New(db, workflow.WithClock(clock.Now))
	a, err := s.DraftResultsAnnouncement(ctx, admin, res.Review.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != workflow.AnnouncementResults || a.CycleID != res.Review.ID || a.IssuedAt != nil {
		t.Errorf("announcement %+v", a)
	}
	if !strings.Contains(a.BodyZh, "150 家企业：146 家通过复核评价，4 家未通过") {
		t.Errorf("the counts are not the decisions': %s", strings.SplitN(a.BodyZh, "\n", 2)[0])
	}
	passed, revoked, _ := strings.Cut(a.BodyZh, "未通过复核评价、撤销称号的企业：")
	names := regexp.MustCompile(`(?m)^\d+\. (\S+)（`).FindAllStringSubmatch(passed, -1)
	if len(names) != res.Passed {
		t.Fatalf("%d names listed as passed, want %d", len(names), res.Passed)
	}
	var list []string
	for _, m := range names {
		list = append(list, m[1])
	}
	col := collate.New(language.SimplifiedChinese)
	if !slices.IsSortedFunc(list, col.CompareString) {
		t.Errorf("the names are not in pinyin order: %v …", list[:5])
	}
	for _, r := range res.Revoked {
		if !strings.Contains(revoked, r.Name) || !strings.Contains(revoked, r.ReasonZh) {
			t.Errorf("the revoked list lacks %s with its reason", r.Name)
		}
	}
	if _, err := s.IssueAnnouncement(ctx, admin, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAnnouncement(ctx, admin, a.ID, a.Version+1); !errs.Is(err, errs.Conflict) {
		t.Errorf("issuing twice: %v, want a conflict", err)
	}
	c, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: res.Program.ID, Kind: workflow.KindIdentification, Year: 2030,
		TitleZh: "2030年认定", TitleEn: "2030"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DraftResultsAnnouncement(ctx, admin, c.ID); !errs.Is(err, errs.Conflict) {
		t.Errorf("a draft cycle's results: %v, want a conflict", err)
	}
}
