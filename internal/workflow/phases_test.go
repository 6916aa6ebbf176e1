package workflow_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestWrongPhasesAreRefused drives one cycle through every phase and, in
// each, tries every transition (and every phase-bound operation) that the
// phase does not allow: each is refused with a conflict that names the
// phase and what the operation needs, and changes nothing.
func TestWrongPhasesAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang")}
		spare := f.newFirm("jiangsu")
		f.register(spare)
		c := f.createCycle(workflow.KindIdentification, 2018, nil)
		var notice store.Notice
		var objection store.Objection
		var decision store.Decision

		type op struct {
			name  string   // as the message quotes it
			needs []string // the phases that allow it
			from  string   // the first phase in which its subject exists
			call  func() error
		}
		id := c.ID
		ops := []op{
			{"open", []string{"draft"}, "draft", func() error { _, err := f.s.OpenCycle(ctx, admin, id); return err }},
			{"close_applications", []string{"open"}, "draft", func() error { _, err := f.s.CloseApplications(ctx, admin, id); return err }},
			{"start_evaluation", []string{"recommendation"}, "draft", func() error { _, err := f.s.StartEvaluation(ctx, admin, id); return err }},
			{"start_deliberation", []string{"evaluation"}, "draft", func() error { _, err := f.s.StartDeliberation(ctx, admin, id); return err }},
			{"publish_notice", []string{"deliberation"}, "draft", func() error { _, err := f.s.PublishNotice(ctx, admin, id); return err }},
			{"announce", []string{"notice"}, "draft", func() error { _, err := f.s.Announce(ctx, admin, id); return err }},
			{"close", []string{"announced"}, "draft", func() error { _, err := f.s.CloseCycle(ctx, admin, id); return err }},
			{"create_application", []string{"open"}, "draft", func() error {
				_, err := f.s.CreateApplication(ctx, enterpriseUser, id, spare.e.ID)
				return err
			}},
			{"save_application", []string{"open"}, "open", func() error {
				_, err := f.s.SaveApplication(ctx, enterpriseUser, firms[0].app.ID, firms[0].app.Version, firms[0].json(t))
				return err
			}},
			{"submit_application", []string{"open"}, "open", func() error {
				_, err := f.s.SubmitApplication(ctx, enterpriseUser, firms[0].app.ID, firms[0].app.Version, "another key")
				return err
			}},
			{"withdraw_application", []string{"open"}, "open", func() error {
				_, err := f.s.WithdrawApplication(ctx, enterpriseUser, firms[0].app.ID, firms[0].app.Version)
				return err
			}},
			{"return_application", []string{"open"}, "open", func() error {
				_, err := f.s.ReturnApplication(ctx, jiangsuOfficer, f.channels["jiangsu"].ID, firms[0].app.ID, firms[0].app.Version, "补充材料")
				return err
			}},
			{"recommend", []string{"recommendation"}, "open", func() error {
				_, err := f.s.Recommend(ctx, jiangsuOfficer, f.channels["jiangsu"].ID, []int64{firms[0].app.ID})
				return err
			}},
			{"not_recommend", []string{"recommendation"}, "open", func() error {
				_, err := f.s.NotRecommend(ctx, jiangsuOfficer, f.channels["jiangsu"].ID, []int64{firms[0].app.ID})
				return err
			}},
			{"update_decision", []string{"deliberation", "notice", "announced"}, "deliberation", func() error {
				_, err := f.s.UpdateDecision(ctx, admin, decision.ID, decision.Version, "fail", "理由", "reason")
				return err
			}},
			{"finalise_decision", []string{"notice", "announced"}, "deliberation", func() error {
				_, err := f.s.FinaliseDecision(ctx, admin, decision.ID, decision.Version)
				return err
			}},
			{"file_objection", []string{"notice"}, "notice", func() error {
				_, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: notice.ID, EnterpriseID: firms[0].e.ID,
					FilerName: "李四", FilerContact: "lisi@example.com", Grounds: "专利数量不实"})
				return err
			}},
			{"handle_objection", []string{"notice"}, "notice", func() error {
				_, err := f.s.HandleObjection(ctx, admin, objection.ID, false, "不属实")
				return err
			}},
		}

		// setup does what each phase is for, before the refusals are tried.
		setup := map[string]func(){
			workflow.PhaseOpen: func() {
				for _, fm := range firms {
					f.apply(c.ID, fm)
				}
			},
			workflow.PhaseRecommendation: func() { f.recommendAll(firms) },
			workflow.PhaseDeliberation:   func() { decision = f.decisionOf(c.ID, firms[0]) },
			workflow.PhaseNotice: func() {
				notice = must[store.Notice](t)(f.s.Notice(ctx, c.ID))
				f.step("objection.file", func() (err error) {
					objection, err = f.s.FileObjection(ctx, workflow.Filing{NoticeID: notice.ID, EnterpriseID: firms[1].e.ID,
						FilerName: "王五", FilerContact: "010-12345678", Grounds: "销售收入不实"})
					return err
				})
				f.step("objection.dismiss", func() (err error) {
					objection, err = f.s.HandleObjection(ctx, admin, objection.ID, false, "经核查属实")
					return err
				})
				f.clock.Set(notice.EndsAt.AddDate(0, 0, 1))
			},
		}
		advance := map[string]string{
			workflow.PhaseDraft: "open", workflow.PhaseOpen: "close_applications", workflow.PhaseRecommendation: "start_evaluation",
			workflow.PhaseEvaluation: "start_deliberation", workflow.PhaseDeliberation: "publish_notice",
			workflow.PhaseNotice: "announce", workflow.PhaseAnnounced: "close",
		}
		tried := 0
		for i, phase := range workflow.Phases {
			if fn := setup[phase]; fn != nil {
				fn()
			}
			for _, o := range ops {
				if slices.Contains(o.needs, phase) || slices.Index(workflow.Phases, o.from) > i {
					continue
				}
				quoted := make([]string, len(o.needs))
				for k, n := range o.needs {
					quoted[k] = fmt.Sprintf("%q", n)
				}
				want := fmt.Sprintf("cycle %d is in phase %q; %q needs %s", c.ID, phase, o.name, strings.Join(quoted, " or "))
				if len(quoted) == 3 {
					want = fmt.Sprintf("cycle %d is in phase %q; %q needs %s, %s or %s", c.ID, phase, o.name, quoted[0], quoted[1], quoted[2])
				}
				t.Run(phase+"/"+o.name, func(t *testing.T) {
					f.t = t
					f.refuse(errs.Conflict, o.call, want)
				})
				f.t = t
				tried++
			}
			got := must[store.Cycle](t)(f.s.Cycle(ctx, c.ID))
			if got.Phase != phase {
				t.Fatalf("the refusals moved cycle %d from %s to %s", c.ID, phase, got.Phase)
			}
			if next, ok := advance[phase]; ok {
				for _, o := range ops {
					if o.name == next {
						f.step("cycle."+next, o.call)
					}
				}
			}
		}
		// 7 transitions × 7 wrong phases, and the operations from the
		// phase their subject exists in.
		if tried < 49+40 {
			t.Errorf("tried %d refusals, want at least %d", tried, 49+40)
		}
		f.verifyAudit()
	})
}

// must returns a function that fails t on an error and returns the value.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
