package workflow_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

func TestRecommendEnforcesQuotas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		js := []*firm{f.newFirm("jiangsu"), f.newFirm("jiangsu"), f.newFirm("jiangsu")}
		zj := f.newFirm("zhejiang")
		// Jiangsu may recommend two; Zhejiang has no quota of the cycle's
		// and gets miit-tide's default of 5.
		c := f.openCycleWith(map[string]int{"jiangsu": 2})
		for _, fm := range append(js, zj) {
			f.apply(c.ID, fm)
		}
		f.step("cycle.close_applications", func() error { _, err := f.s.CloseApplications(ctx, admin, c.ID); return err })
		jiangsu, zhejiang := f.channels["jiangsu"].ID, f.channels["zhejiang"].ID
		ids := func(fms ...*firm) []int64 {
			var out []int64
			for _, fm := range fms {
				out = append(out, fm.app.ID)
			}
			return out
		}
		// Three at once is one too many: none is recommended.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, ids(js...))
			return err
		}, fmt.Sprintf("channel jiangsu may recommend 2 applications to cycle %d; it has recommended 0 and asks for 3 more (3 > 2)", c.ID))
		if got, _ := f.s.Applications(ctx, c.ID, workflow.StatusRecommended); len(got) != 0 {
			t.Errorf("a refused recommendation left %d recommended", len(got))
		}
		var recommended []store.Application
		f.step("application.recommend", func() (err error) {
			recommended, err = f.s.Recommend(ctx, jiangsuOfficer, jiangsu, ids(js[1], js[0]))
			return err
		})
		if len(recommended) != 2 || recommended[0].ID != js[1].app.ID || recommended[0].Status != workflow.StatusRecommended {
			t.Errorf("Recommend returned %+v", recommended)
		}
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, ids(js[2]))
			return err
		}, "it has recommended 2 and asks for 1 more (3 > 2)")
		// Already recommended: not twice.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, ids(js[0]))
			return err
		}, fmt.Sprintf(`application %d is "recommended"; "recommend" needs "submitted" or "not_recommended"`, js[0].app.ID))
		// A channel handles only its own enterprises.
		f.refuse(errs.Forbidden, func() error {
			_, err := f.s.Recommend(ctx, zhejiangOfficer, zhejiang, ids(zj, js[2]))
			return err
		}, fmt.Sprintf("application %d came through channel jiangsu, not zhejiang", js[2].app.ID))
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, []int64{js[2].app.ID, js[2].app.ID})
			return err
		}, "listed twice")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, nil)
			return err
		}, "at least one application")
		// Withdrawing a recommendation frees its place.
		f.step("application.not_recommend", func() error {
			_, err := f.s.NotRecommend(ctx, jiangsuOfficer, jiangsu, ids(js[0]))
			return err
		})
		f.step("application.recommend", func() error {
			_, err := f.s.Recommend(ctx, jiangsuOfficer, jiangsu, ids(js[2]))
			return err
		})
		f.step("application.recommend", func() error {
			_, err := f.s.Recommend(ctx, zhejiangOfficer, zhejiang, ids(zj))
			return err
		})
		recs, err := f.s.Recommendations(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%d:%d#%d", r.ChannelID, r.ApplicationID, r.Rank))
		}
		want := []string{
			fmt.Sprintf("%d:%d#1", jiangsu, js[1].app.ID), fmt.Sprintf("%d:%d#2", jiangsu, js[2].app.ID),
			fmt.Sprintf("%d:%d#1", zhejiang, zj.app.ID),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("recommendations %v, want %v (the next recommendation takes the place after the last)", got, want)
		}
		f.verifyAudit()
	})
}

func TestRecommendUsesTheProgramsQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		var v store.ProgramVersion
		f.step("program.register", func() (err error) {
			v, err = f.s.RegisterProgram(ctx, admin, []byte(miniProgram))
			return err
		})
		var c store.Cycle
		f.step("cycle.create", func() (err error) {
			c, err = f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018})
			return err
		})
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, c.ID); return err })
		a, b := f.newFirm("zhejiang"), f.newFirm("zhejiang")
		for _, fm := range []*firm{a, b} {
			f.register(fm)
			f.step("application.create", func() (err error) {
				fm.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, fm.e.ID)
				return err
			})
			f.step("application.save", func() (err error) {
				fm.app, err = f.s.SaveApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, json.RawMessage(`{"sales": [100, 250], "staff": 40}`))
				return err
			})
			f.step("application.submit", func() (err error) {
				fm.app, err = f.s.SubmitApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, fmt.Sprint("k", fm.app.ID))
				return err
			})
		}
		f.step("cycle.close_applications", func() error { _, err := f.s.CloseApplications(ctx, admin, c.ID); return err })
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.Recommend(ctx, zhejiangOfficer, f.channels["zhejiang"].ID, []int64{a.app.ID, b.app.ID})
			return err
		}, "channel zhejiang may recommend 1 applications", "(2 > 1)")
		f.step("application.recommend", func() error {
			_, err := f.s.Recommend(ctx, zhejiangOfficer, f.channels["zhejiang"].ID, []int64{b.app.ID})
			return err
		})
		// The application no channel acted on is not recommended when the
		// evaluation starts.
		f.step("application.not_recommend", func() error { _, err := f.s.StartEvaluation(ctx, admin, c.ID); return err })
		if got, err := f.s.Application(ctx, a.app.ID); err != nil || got.Status != workflow.StatusNotRecommended {
			t.Errorf("the idle application is %+v (%v), want not recommended", got, err)
		}
		f.verifyAudit()
	})
}
