package workflow_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAnnualReportDueOn: the due day comes from the program's definition
// (30 April for miit-tide, 31 May for hnte); a definition without one, or
// a title whose program is not known, is due on 30 April.
func TestAnnualReportDueOn(t *testing.T) {
	load := func(name string) *program.Program {
		src, err := program.BuiltinSource(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := program.Load(src, name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := load("hnte")
	plain.Def.Procedure = program.Procedure{}
	for _, c := range []struct {
		name string
		p    *program.Program
		want string
	}{{"miit-tide", load("miit-tide"), "2019-04-30"}, {"hnte", load("hnte"), "2019-05-31"}, {"no due day", plain, "2019-04-30"}, {"unknown", nil, "2019-04-30"}} {
		if got := workflow.AnnualReportDueOn(c.p, 2018).Format(time.DateOnly); got != c.want {
			t.Errorf("AnnualReportDueOn(%s, 2018) = %s, want %s", c.name, got, c.want)
		}
	}
}

// TestAnnualReports files and lists the 2018 reports of three enterprises
// recognised in 2018, with the clock moved across the 30 April deadline.
func TestAnnualReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firms := []*firm{f.newFirm("jiangsu"), f.newFirm("zhejiang"), f.newFirm("jiangsu")}
		f.recognise(firms...)
		rec := map[*firm]store.Recognition{}
		for _, fm := range firms {
			r, err := f.s.Recognitions(ctx, fm.e.ID)
			if err != nil || len(r) != 1 {
				t.Fatalf("recognitions of %s: %+v, %v", fm.code, r, err)
			}
			rec[fm] = r[0]
		}
		r0 := rec[firms[0]].ID
		submit := func(id int64, year int, data string) func() error {
			return func() error {
				_, err := f.s.SubmitAnnualReport(ctx, enterpriseUser, id, year, json.RawMessage(data))
				return err
			}
		}
		f.clock.Set(cst(2018, 12, 1, 9))
		f.refuse(errs.Invalid, submit(r0, 2018, `{}`), "2018 is not over yet", "from 1 January 2019")

		f.clock.Set(cst(2019, 3, 1, 9))
		f.refuse(errs.Invalid, submit(r0, 2017, `{}`), "not in 2017")
		f.refuse(errs.Invalid, submit(r0, 2018, `{"rd": `), "not a JSON object")
		f.refuse(errs.Invalid, submit(r0, 2018, `[1, 2]`), "not a JSON object")
		f.refuse(errs.NotFound, submit(9999, 2018, `{}`), "recognition 9999 does not exist")
		var a store.AnnualReport
		f.step("annual_report.submit", func() (err error) {
			a, err = f.s.SubmitAnnualReport(ctx, enterpriseUser, r0, 2018, json.RawMessage(` {"rd_pct": 4.2, "新产品": 12} `))
			return err
		})
		if a.Year != 2018 || a.RecognitionID != r0 || a.DueOn.Format(time.DateOnly) != "2019-04-30" || a.SubmittedAt == nil ||
			!a.SubmittedAt.Equal(cst(2019, 3, 1, 9)) || string(a.Data) != `{"rd_pct": 4.2, "新产品": 12}` {
			t.Errorf("filed %+v (data %s)", a, a.Data)
		}
		f.refuse(errs.Conflict, submit(r0, 2018, `{}`), "already has its annual report on 2018")

		list := func(q workflow.AnnualReportQuery) map[string]workflow.AnnualReportItem {
			t.Helper()
			items, err := f.s.AnnualReports(ctx, q)
			if err != nil {
				t.Fatalf("AnnualReports(%+v): %v", q, err)
			}
			out := map[string]workflow.AnnualReportItem{}
			for _, it := range items {
				out[it.EnterpriseUSCC] = it
			}
			return out
		}
		status := func(items map[string]workflow.AnnualReportItem, want ...string) {
			t.Helper()
			n := 0
			for _, w := range want {
				if w != "" {
					n++
				}
			}
			if len(items) != n {
				t.Errorf("listed %d reports, want %d", len(items), n)
			}
			for i, fm := range firms {
				it, ok := items[fm.code]
				if i >= len(want) || want[i] == "" {
					if ok {
						t.Errorf("%s listed as %s; want it left out", fm.code, it.Status)
					}
					continue
				}
				if !ok || it.Status != want[i] || it.Year != 2018 || it.DueOn.Format(time.DateOnly) != "2019-04-30" ||
					it.ProgramName != "miit-tide" || it.EnterpriseName == "" || it.Recognition.ID != rec[fm].ID {
					t.Errorf("%s: %+v; want %s, due 2019-04-30", fm.code, it, want[i])
				}
			}
		}
		// The last day: still due.
		f.clock.Set(cst(2019, 4, 30, 23))
		all := list(workflow.AnnualReportQuery{Year: 2018})
		status(all, workflow.ReportSubmitted, workflow.ReportDue, workflow.ReportDue)
		if it := all[firms[0].code]; it.Report == nil || it.Report.ID != a.ID || it.Late {
			t.Errorf("the filed report is listed as %+v; want report %d, on time", it, a.ID)
		}
		status(list(workflow.AnnualReportQuery{Year: 2018, Status: workflow.ReportDue}), "", workflow.ReportDue, workflow.ReportDue)
		// The day after: overdue (and the default year is the last one over).
		f.clock.Set(cst(2019, 5, 1, 0).Add(30 * time.Minute))
		status(list(workflow.AnnualReportQuery{}), workflow.ReportSubmitted, workflow.ReportOverdue, workflow.ReportOverdue)
		status(list(workflow.AnnualReportQuery{Year: 2018, Status: workflow.ReportOverdue}), "", workflow.ReportOverdue, workflow.ReportOverdue)
		f.clock.Set(cst(2019, 5, 2, 10))
		f.step("annual_report.submit", submit(rec[firms[1]].ID, 2018, `{"late": true}`))
		late := list(workflow.AnnualReportQuery{Year: 2018, EnterpriseID: firms[1].e.ID})
		status(late, "", workflow.ReportSubmitted)
		if !late[firms[1].code].Late {
			t.Errorf("a report filed on 2 May is not listed as late: %+v", late[firms[1].code])
		}
		status(list(workflow.AnnualReportQuery{Year: 2018, ProgramID: f.version.ProgramID}),
			workflow.ReportSubmitted, workflow.ReportSubmitted, workflow.ReportOverdue)
		// Nobody held the title in 2017.
		status(list(workflow.AnnualReportQuery{Year: 2017}))
		if _, err := f.s.AnnualReports(ctx, workflow.AnnualReportQuery{Year: 2018, Status: "lost"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("AnnualReports with status lost = %v, want invalid", err)
		}
		f.verifyAudit()
	})
}
