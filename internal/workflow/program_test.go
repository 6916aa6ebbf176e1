package workflow_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// miniProgram is a small program with required inputs and a quota of one
// per channel.
const miniProgram = `schema: exemplar/v1
name: mini
version: "1"
title: {zh: 小项目, en: Mini}
years: 2
validity_years: 2
id: code
channel: region
inputs:
  - {id: code, kind: text, format: uscc, required: true}
  - {id: region, kind: choice, required: true, options: [{value: jiangsu}, {value: zhejiang}]}
  - {id: staff, unit: persons, required: true, min: 0}
  - {id: sales, unit: 万元, yearly: true, required: true, min: 0}
  - {id: note, kind: text}
gates:
  - {id: staff, rule: "staff >= 10", message: {zh: "职工 {staff}", en: "{staff} staff"}}
scoring:
  model: bands
  framework:
    id: total
    children:
      - id: growth
        value: "sales[1] - sales[0]"
        bands:
          - {at_least: 100, points: [10, 10]}
          - {at_least: 0, points: [5, 5]}
decision:
  quota: {default: 1}
`

func TestRegisterProgram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		var v store.ProgramVersion
		f.step("program.register", func() (err error) {
			v, err = f.s.RegisterProgram(ctx, admin, []byte(miniProgram))
			return err
		})
		if v.Program != "mini" || v.Label != "1" || len(v.SHA256) != 64 || v.Definition != miniProgram {
			t.Errorf("registered %+v", v)
		}
		// The same text again: the same version, nothing recorded.
		again, err := f.s.RegisterProgram(ctx, admin, []byte(miniProgram))
		if err != nil || again.ID != v.ID || again.SHA256 != v.SHA256 {
			t.Errorf("registering the same text again gave %+v, %v; want version %d", again, err, v.ID)
		}
		if e := f.newEntries(); len(e) != 0 {
			t.Errorf("registering the same text again recorded %s", e[0].Action)
		}
		// A changed text under the same label is refused; under a new one,
		// it is a new version of the same program.
		changed := strings.Replace(miniProgram, "validity_years: 2", "validity_years: 3", 1)
		f.refuse(errs.Conflict, func() error {
			_, err := f.s.RegisterProgram(ctx, admin, []byte(changed))
			return err
		}, `program mini already has a version "1"`, "new version label")
		var v2 store.ProgramVersion
		f.step("program.register", func() (err error) {
			v2, err = f.s.RegisterProgram(ctx, admin, []byte(strings.Replace(changed, `version: "1"`, `version: "2"`, 1)))
			return err
		})
		if v2.ID == v.ID || v2.ProgramID != v.ProgramID || v2.Label != "2" {
			t.Errorf("second version %+v, first %+v", v2, v)
		}
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.RegisterProgram(ctx, admin, []byte(strings.Replace(miniProgram, "min: 0}", "min: 5, max: 1}", 1)))
			return err
		}, "min 5 is above max 1")
		f.refuse(errs.NotFound, func() error {
			_, err := f.s.RegisterBuiltinProgram(ctx, admin, "nope")
			return err
		}, `no built-in program "nope"`)
		// The notice length defaults to the program's: hnte 10 working days.
		var hnte store.ProgramVersion
		f.step("program.register", func() (err error) {
			hnte, err = f.s.RegisterBuiltinProgram(ctx, admin, "hnte")
			return err
		})
		var c store.Cycle
		f.step("cycle.create", func() (err error) {
			c, err = f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: hnte.ID, Kind: workflow.KindIdentification, Year: 2018})
			return err
		})
		if c.NoticeWorkingDays != 10 {
			t.Errorf("an hnte cycle's notice lasts %d working days, want 10", c.NoticeWorkingDays)
		}
		// A cycle keeps the exact version it was created with.
		var old store.Cycle
		f.step("cycle.create", func() (err error) {
			old, err = f.s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018, NoticeWorkingDays: 5})
			return err
		})
		if old.ProgramVersionID != v.ID || old.NoticeWorkingDays != 5 {
			t.Errorf("cycle of mini 1 = %+v", old)
		}
		f.verifyAudit()
	})
}

func TestSubmitNeedsRequiredInputs(t *testing.T) {
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
		a := f.newFirm("jiangsu")
		f.register(a)
		f.step("application.create", func() (err error) {
			a.app, err = f.s.CreateApplication(ctx, enterpriseUser, c.ID, a.e.ID)
			return err
		})
		f.step("application.save", func() (err error) {
			a.app, err = f.s.SaveApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, json.RawMessage(`{"sales": [100, null], "note": "草稿"}`))
			return err
		})
		// code and region are the enterprise's own; staff and a year of
		// sales are missing.
		f.refuse(errs.Invalid, func() error {
			_, err := f.s.SubmitApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, "k")
			return err
		}, fmt.Sprintf("application %d: 2 problems in the inputs: inputs.staff: required; inputs.sales[1]: required", a.app.ID))
		f.step("application.save", func() (err error) {
			a.app, err = f.s.SaveApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, json.RawMessage(`{"sales": [100, 250], "staff": 40}`))
			return err
		})
		f.step("application.submit", func() (err error) {
			a.app, err = f.s.SubmitApplication(ctx, enterpriseUser, a.app.ID, a.app.Version, "k")
			return err
		})
		f.verifyAudit()
	})
}
