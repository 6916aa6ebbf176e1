package workflow_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestConcurrentSubmitsAndRecommendations races retries of one submission
// and recommendations against one quota. On PostgreSQL the transactions
// overlap for real: the row locks must keep "nothing twice" and "never
// beyond the quota" true.
func TestConcurrentSubmitsAndRecommendations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("jiangsu"), f.newFirm("jiangsu"), f.newFirm("jiangsu")}
		c := f.openCycleWith(map[string]int{"jiangsu": 2}, firms...)
		for _, fm := range firms {
			f.step("application.create", func() (err error) {
				fm.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, fm.e.ID)
				return err
			})
			f.step("application.save", func() (err error) {
				fm.app, err = f.s.SaveApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, fm.json(t))
				return err
			})
		}

		// Eight retries of the same submission at once.
		const tries = 8
		var wg sync.WaitGroup
		answers := make([]store.Application, tries)
		failures := make([]error, tries)
		for i := range tries {
			wg.Go(func() {
				answers[i], failures[i] = f.s.SubmitApplication(ctx, enterpriseUser, firms[0].app.ID, firms[0].app.Version, "the-one-press")
			})
		}
		wg.Wait()
		for i := range tries {
			if failures[i] != nil || fmt.Sprint(answers[i]) != fmt.Sprint(answers[0]) {
				t.Errorf("try %d: %+v, %v; want every try to answer like the first: %+v", i, answers[i], failures[i], answers[0])
			}
		}
		entries := f.newEntries()
		if len(entries) != 1 || entries[0].Action != "application.submit" {
			t.Errorf("%d concurrent tries recorded %d entries, want one submission", tries, len(entries))
		}
		for _, fm := range firms[1:] {
			f.step("application.submit", func() (err error) {
				fm.app, err = f.s.SubmitApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, fmt.Sprint("press-", fm.app.ID))
				return err
			})
		}
		f.step("cycle.close_applications", func() error { _, err := f.s.CloseApplications(ctx, admin, c.ID); return err })

		// Four recommendations at once against a quota of two.
		var ok, refused int
		var mu sync.Mutex
		for _, fm := range firms {
			wg.Go(func() {
				_, err := f.s.Recommend(ctx, jiangsuOfficer, f.channels["jiangsu"].ID, []int64{fm.app.ID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errs.Is(err, errs.Conflict):
					refused++
				default:
					t.Errorf("recommend %d: %v", fm.app.ID, err)
				}
			})
		}
		wg.Wait()
		got, err := f.s.Applications(ctx, c.ID, workflow.StatusRecommended)
		if err != nil {
			t.Fatal(err)
		}
		if ok != 2 || refused != 2 || len(got) != 2 {
			t.Errorf("%d recommended, %d refused, %d stored as recommended; want 2, 2, 2", ok, refused, len(got))
		}
		f.newEntries()
		f.verifyAudit()
	})
}
