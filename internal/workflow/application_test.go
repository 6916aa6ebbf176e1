package workflow_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// openCycleWith creates and opens an identification cycle and registers
// the firms' enterprises.
func (f *fixture) openCycleWith(quotas map[string]int, firms ...*firm) store.Cycle {
	f.t.Helper()
	c := f.createCycle(workflow.KindIdentification, 2018, quotas)
	f.step("cycle.open", func() (err error) { c, err = f.s.OpenCycle(f.ctx, admin, c.ID); return err })
	for _, fm := range firms {
		f.register(fm)
	}
	return c
}

func TestSubmitIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a, b := f.newFirm("jiangsu"), f.newFirm("jiangsu")
		c := f.openCycleWith(nil, a, b)
		for _, fm := range []*firm{a, b} {
			f.step("application.create", func() (err error) {
				fm.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, fm.e.ID)
				return err
			})
			f.step("application.save", func() (err error) {
				fm.app, err = f.s.SaveApplication(ctx, enterpriseUser, fm.app.ID, fm.app.Version, fm.json(t))
				return err
			})
		}
		draft := a.app
		var first store.Application
		f.step("application.submit", func() (err error) {
			first, err = f.s.SubmitApplication(ctx, enterpriseUser, draft.ID, draft.Version, "press-1")
			return err
		})
		// The retry: the same key and the version the caller had before.
		second, err := f.s.SubmitApplication(ctx, enterpriseUser, draft.ID, draft.Version, "press-1")
		if err != nil {
			t.Fatalf("retried submit: %v", err)
		}
		if fmt.Sprint(second) != fmt.Sprint(first) {
			t.Errorf("the retry answered\n%+v\nthe first submit\n%+v", second, first)
		}
		if entries := f.newEntries(); len(entries) != 0 {
			t.Errorf("the retry recorded %d audit entries (%s): it must make nothing twice", len(entries), entries[0].Action)
		}
		submits, err := db.ListAudit(ctx, store.AuditFilter{Entity: "application", EntityID: fmt.Sprint(draft.ID)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range submits {
			if e.Action == "application.submit" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d application.submit entries for application %d, want 1", n, draft.ID)
		}
		// Another key after the submission is a second, different submit.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, draft.ID, first.Version, "press-2")
			return err
		}, fmt.Sprintf(`application %d is "submitted"; "submit" needs "draft" or "returned"`, draft.ID))
		// A key names one submission: another application cannot reuse it.
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, b.app.ID, b.app.Version, "press-1")
			return err
		}, fmt.Sprintf("already used to submit application %d", draft.ID))
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, b.app.ID, b.app.Version, "  ")
			return err
		}, "idempotency key")

		// Returned for correction, corrected, submitted again with a new key.
		jiangsu := f.channels["jiangsu"].ID
		ret := first
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.ReturnApplication(ctx, jiangsuOfficer, jiangsu, ret.ID, ret.Version, " ")
			return err
		}, "reason")
		f.refuse(errs.Forbidden, func() error {
			_, err := f.s.ReturnApplication(ctx, zhejiangOfficer, f.channels["zhejiang"].ID, ret.ID, ret.Version, "补充材料")
			return err
		}, "came through channel jiangsu, not zhejiang")
		f.step("application.return", func() (err error) {
			ret, err = f.s.ReturnApplication(ctx, jiangsuOfficer, jiangsu, ret.ID, ret.Version, "请补充研发费用专项审计报告")
			return err
		})
		if ret.Status != workflow.StatusReturned || ret.ReturnReason != "请补充研发费用专项审计报告" {
			t.Errorf("returned application = %+v", ret)
		}
		f.step("application.save", func() (err error) {
			a.inputs["awards"] = 2.0
			ret, err = f.s.SaveApplication(ctx, enterpriseUser, ret.ID, ret.Version, a.json(t))
			return err
		})
		f.step("application.submit", func() (err error) {
			ret, err = f.s.SubmitApplication(ctx, enterpriseUser, ret.ID, ret.Version, "press-3")
			return err
		})
		if ret.Status != workflow.StatusSubmitted || ret.ReturnReason != "" {
			t.Errorf("resubmitted application = %+v", ret)
		}
		// Withdrawn: gone from the cycle.
		f.step("application.withdraw", func() (err error) {
			ret, err = f.s.WithdrawApplication(ctx, enterpriseUser, ret.ID, ret.Version)
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, ret.ID, ret.Version, "press-4")
			return err
		}, `is "withdrawn"`)
		f.verifyAudit()
	})
}

func TestOptimisticLocking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a := f.newFirm("jiangsu")
		c := f.openCycleWith(nil, a)
		f.step("application.create", func() (err error) {
			a.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		})
		// Two people edit the same draft from the same version: the second
		// save is refused, and the first one's data stays.
		seen := a.app
		var saved store.Application
		f.step("application.save", func() (err error) {
			saved, err = f.s.SaveApplication(ctx, enterpriseUser, seen.ID, seen.Version, a.json(t))
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SaveApplication(ctx, enterpriseUser, seen.ID, seen.Version, json.RawMessage(`{"employees": 1}`))
			return err
		}, fmt.Sprintf("application %d is at version %d, not %d", seen.ID, saved.Version, seen.Version), "reload")
		now, err := f.s.Application(ctx, seen.ID)
		if err != nil || string(now.Inputs) != string(saved.Inputs) || now.Version != saved.Version {
			t.Errorf("after the refused save the application is %+v (%v), want the first save kept", now, err)
		}
		f.step("application.submit", func() (err error) {
			a.app, err = f.s.SubmitApplication(ctx, enterpriseUser, saved.ID, saved.Version, "k1")
			return err
		})
		n := f.toNotice(c, []*firm{a})
		// Decisions: the same.
		d := f.decisionOf(c.ID, a)
		f.step("decision.reopen", func() error {
			o, err := f.s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: a.e.ID, FilerName: "赵六", FilerContact: "zhao@example.com", Grounds: "数据不实"})
			if err != nil {
				return err
			}
			_, err = f.s.HandleObjection(ctx, admin, o.ID, true, "经核查部分属实，重新审议")
			return err
		})
		stale := f.decisionOf(c.ID, a)
		if stale.Version == d.Version || stale.State != workflow.DecisionDrafted {
			t.Fatalf("after an upheld objection the decision is %+v", stale)
		}
		var edited store.Decision
		f.step("decision.update", func() (err error) {
			edited, err = f.s.UpdateDecision(ctx, admin, stale.ID, stale.Version, "fail", "研发投入数据不实", "R&D spending misreported")
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.UpdateDecision(ctx, admin, stale.ID, stale.Version, "pass", "通过", "pass")
			return err
		}, fmt.Sprintf("decision %d is at version %d, not %d", stale.ID, edited.Version, stale.Version))
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.FinaliseDecision(ctx, admin, stale.ID, stale.Version)
			return err
		}, "version")
		if got := f.decisionOf(c.ID, a); got.Outcome != "fail" || got.ReasonEn != "R&D spending misreported" {
			t.Errorf("after the refused update the decision is %+v, want the first update kept", got)
		}
		// A stale write that reaches the store is refused there too.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			d := stale
			return tx.UpdateDecision(ctx, &d)
		})
		if !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "no longer current") {
			t.Errorf("store.UpdateDecision with a stale version: %v, want a conflict", err)
		}
		f.verifyAudit()
	})
}

func TestSaveApplicationValidatesInputs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a := f.newFirm("jiangsu")
		c := f.openCycleWith(nil, a)
		f.step("application.create", func() (err error) {
			a.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		})
		scenarios := []struct {
			name   string
			inputs string
			want   []string
		}{
			{"not an object", `[1, 2]`, []string{"inputs: want a JSON object keyed by input id, got an array of 2"}},
			{"not JSON", `{"employees": }`, []string{"inputs: not valid JSON"}},
			{"unknown input", `{"staff": 10}`, []string{`inputs.staff: program miit-tide has no input "staff"`}},
			{"wrong kind", `{"employees": "many"}`, []string{`inputs.employees: want a number (persons), got "many"`}},
			{"below min", `{"total_assets": -5}`, []string{"inputs.total_assets: must be at least 0 万元, got -5"}},
			{"not whole", `{"employees": 300.5}`, []string{"inputs.employees: must be a whole number of persons, got 300.5"}},
			{"yearly as one value", `{"sales": 100}`, []string{"inputs.sales: want 3 yearly values, oldest first, as an array, got 100"}},
			{"yearly too short", `{"sales": [1, 2]}`, []string{"inputs.sales: want 3 yearly values"}},
			{"a bad year", `{"rd": [1, "x", -2]}`, []string{`inputs.rd[1]: want a number`, "inputs.rd[2]: must be at least 0"}},
			{"yes/no as text", `{"sound_credit": "yes"}`, []string{`inputs.sound_credit: want true or false, got "yes"`}},
			{"unknown option", `{"tech_centre": "municipal"}`, []string{`inputs.tech_centre: want one of none, provincial, national, got "municipal"`}},
			{"another enterprise's code", `{"uscc": "91350100M000100Y43"}`, []string{`inputs.uscc: "91350100M000100Y43" is not the enterprise's own`}},
			{"a malformed code", `{"uscc": "91350100M000100Y44"}`, []string{"inputs.uscc:", "check character"}},
			{"another channel", `{"channel": "zhejiang"}`, []string{`inputs.channel: "zhejiang" is not the enterprise's own "jiangsu"`}},
			{"too large a number", `{"employees": 1e999}`, []string{"inputs.employees: 1e999 is not a number"}},
			{"several at once", `{"staff": 1, "employees": true}`, []string{"2 problems", "inputs.staff", "inputs.employees"}},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				f.t = t
				f.refuse(errs.Invalid, func() error {
					_, err := f.s.SaveApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, json.RawMessage(sc.inputs))
					return err
				}, append([]string{fmt.Sprintf("application %d:", a.app.ID)}, sc.want...)...)
			})
		}
		f.t = t
		// Missing values are allowed in a draft, refused at submission.
		partial := `{"employees": 2600, "sales": [1000, null, 3000], "uscc": "` + a.code + `", "channel": "jiangsu", "tech_centre": null}`
		f.step("application.save", func() (err error) {
			a.app, err = f.s.SaveApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, json.RawMessage(partial))
			return err
		})
		if string(a.app.Inputs) != `{"channel":"jiangsu","employees":2600,"sales":[1000,null,3000],"tech_centre":null,"uscc":"`+a.code+`"}` {
			t.Errorf("stored inputs %s, want the canonical form", a.app.Inputs)
		}
		// miit-tide requires only its identity and channel, which the
		// workflow fills in: a thin application may be submitted, and the
		// engine will say what it lacks.
		f.step("application.submit", func() (err error) {
			a.app, err = f.s.SubmitApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, "k")
			return err
		})
		f.verifyAudit()
	})
}

func TestCreateApplicationRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a := f.newFirm("jiangsu")
		c := f.openCycleWith(nil, a)
		f.step("application.create", func() (err error) {
			a.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		})
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		}, "already exists")
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, c.ID, 999)
			return err
		}, "enterprise 999 does not exist")
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, 999, a.e.ID)
			return err
		}, "cycle 999 does not exist")
		// No channel: nobody could recommend it.
		lone := f.newFirm("")
		f.step("enterprise.create", func() (err error) {
			lone.e, err = f.s.RegisterEnterprise(ctx, admin, lone.code, lone.name, "")
			return err
		})
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, c.ID, lone.e.ID)
			return err
		}, "has no recommending channel")
		// A channel the program does not know.
		f.step("channel.create", func() error {
			_, err := f.s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: "atlantis", NameZh: "亚特兰蒂斯", NameEn: "Atlantis", Kind: "province"})
			return err
		})
		f.step("channel.update", func() error {
			ch, err := f.s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: "atlantis", NameZh: "大西洲", NameEn: "Atlantis", Kind: "city"})
			if err == nil && (ch.Version != 2 || ch.Kind != "city" || ch.NameZh != "大西洲") {
				t.Errorf("updated channel %+v", ch)
			}
			return err
		})
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: "atlantis", NameZh: "大西洲", NameEn: "Atlantis", Kind: "island"})
			return err
		}, `kind "island" is not one of "province", "city", "corps" or "central_soe"`)
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: "Atlantis!", NameZh: "x", NameEn: "x", Kind: "city"})
			return err
		}, "lower-case letters")
		f.step("enterprise.update", func() (err error) {
			lone.e, err = f.s.RegisterEnterprise(ctx, admin, lone.code, lone.name, "atlantis")
			return err
		})
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, c.ID, lone.e.ID)
			return err
		}, "channel atlantis is not a channel of program miit-tide")
		// A review cycle examines holders of the title only.
		r := f.createCycle(workflow.KindReview, 2021, nil)
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, r.ID); return err })
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.CreateApplication(ctx, enterpriseUser, r.ID, a.e.ID)
			return err
		}, "holds no standing title of program miit-tide")
		f.verifyAudit()
	})
}

func TestApplicationsDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		a := f.newFirm("jiangsu")
		f.register(a)
		var c store.Cycle
		f.step("cycle.create", func() (err error) {
			c, err = f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: workflow.KindIdentification, Year: 2018,
				ApplicationsDueAt: cst(2018, 5, 31, 17), RecommendationsDueAt: cst(2018, 6, 15, 17), NoticeWorkingDays: 5})
			return err
		})
		f.step("cycle.open", func() error { _, err := f.s.OpenCycle(ctx, admin, c.ID); return err })
		f.step("application.create", func() (err error) {
			a.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		})
		f.clock.Set(cst(2018, 5, 31, 17).Add(time.Second))
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, "late")
			return err
		}, fmt.Sprintf("applications to cycle %d were due 2018-05-31 17:00 +08:00", c.ID))
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: workflow.KindIdentification, Year: 2019,
				ApplicationsDueAt: cst(2019, 5, 31, 17), RecommendationsDueAt: cst(2019, 5, 1, 17)})
			return err
		}, "before the applications")
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: "renewal", Year: 2019})
			return err
		}, `cycle kind "renewal" is not "identification" or "review"`)
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: workflow.KindIdentification, Year: 2018})
			return err
		}, "already exists")
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: workflow.KindReview, Year: 2019,
				Quotas: map[string]int{"mars": 1}})
			return err
		}, `channel "mars" does not exist`)
		f.verifyAudit()
	})
}
