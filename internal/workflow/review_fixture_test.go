package workflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// reviewFixture is a fixture whose cycles run the hnte program, which
// has an expert review, with a pool of experts.
type reviewFixture struct {
	*fixture
	experts []workflow.Actor
}

// newReviewFixture registers hnte (or the hnte definition changed by the
// old→new pairs of edit, under another name) and n experts.
func newReviewFixture(t *testing.T, db *store.DB, n int, edit ...string) *reviewFixture {
	t.Helper()
	f := &reviewFixture{fixture: newFixture(t, db)}
	if len(edit) == 0 {
		f.step("program.register", func() (err error) {
			f.version, err = f.s.RegisterBuiltinProgram(f.ctx, admin, "hnte")
			return err
		})
	} else {
		src, err := program.BuiltinSource("hnte")
		if err != nil {
			t.Fatal(err)
		}
		def := strings.Replace(string(src), "name: hnte", "name: hnte-trimmed", 1)
		for i := 0; i+1 < len(edit); i += 2 {
			if !strings.Contains(def, edit[i]) {
				t.Fatalf("hnte has no %q", edit[i])
			}
			def = strings.Replace(def, edit[i], edit[i+1], 1)
		}
		f.step("program.register", func() (err error) {
			f.version, err = f.s.RegisterProgram(f.ctx, admin, []byte(def))
			return err
		})
	}
	for i := range n {
		f.experts = append(f.experts, f.newExpert(fmt.Sprintf("expert%d", i+1)))
	}
	return f
}

// newExpert creates a user holding the expert role.
func (f *reviewFixture) newExpert(name string) workflow.Actor {
	f.t.Helper()
	var u store.User
	f.step("user.create", func() (err error) {
		u, err = f.s.CreateUser(f.ctx, admin, name, "Expert "+name, "correct horse battery staple")
		return err
	})
	f.step("user.grant_role", func() error {
		_, err := f.s.GrantRole(f.ctx, admin, u.ID, workflow.RoleExpert, 0)
		return err
	})
	return workflow.Actor{UserID: u.ID, Name: u.Username}
}

// hnteFirm is an hnte applicant of channel ch that meets every gate and
// declares its own points: 77 in all (IP 25, transformation 24 in band B
// 19–24, organisation 16, growth 8 in band B 7–8 plus 4 in band D 3–4).
func (f *reviewFixture) hnteFirm(ch string) *firm {
	fm := f.newFirm(ch)
	fm.inputs = map[string]any{
		"name": fm.name, "registered_years": 6, "core_ip": true, "supported_field": true,
		"staff_total": 120, "staff_tech": 30,
		"sales": []any{8000, 9000, 10000}, "rd": []any{480, 540, 600}, "rd_domestic": []any{480, 540, 600},
		"hitech_revenue": 6000, "total_revenue": 8200, "major_accident": false,
		"ip_advancement_points": 6, "ip_support_points": 6, "ip_class1": 1, "ip_class2": 4, "ip_count_points": 8,
		"ip_own_rd": true, "ip_acquisition_points": 5, "standards_points": 0,
		"transformations": []any{4, 4, 4}, "transformation_points": 24,
		"org_rules_points": 5, "org_body_points": 5, "org_transfer_points": 3, "org_talent_points": 3,
		"total_assets": []any{10000, 12000, 14000}, "liabilities": []any{4000, 4000, 4000},
		"net_asset_growth_points": 8, "sales_growth_points": 4,
	}
	return fm
}

// toEvaluation creates a 2021 identification cycle, applies with the
// firms, recommends them and starts the evaluation.
func (f *reviewFixture) toEvaluation(firms []*firm) store.Cycle {
	f.t.Helper()
	c := f.createCycle(workflow.KindIdentification, 2021, nil)
	f.step("cycle.open", func() error { _, err := f.s.OpenCycle(f.ctx, admin, c.ID); return err })
	for _, fm := range firms {
		f.apply(c.ID, fm)
	}
	f.step("cycle.close_applications", func() error { _, err := f.s.CloseApplications(f.ctx, admin, c.ID); return err })
	f.recommendAll(firms)
	f.step("cycle.start_evaluation", func() error { _, err := f.s.StartEvaluation(f.ctx, admin, c.ID); return err })
	return c
}

// sheetOf returns expert's assignment to the firm's application.
func (f *reviewFixture) sheetOf(expert workflow.Actor, fm *firm) store.ReviewAssignment {
	f.t.Helper()
	rows, _, err := f.s.ExpertAssignments(f.ctx, expert.UserID, 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rows {
		if r.Assignment.ApplicationID == fm.app.ID {
			return r.Assignment
		}
	}
	f.t.Fatalf("%s is not assigned to application %d", expert.Name, fm.app.ID)
	return store.ReviewAssignment{}
}

// submit has expert submit scores on the firm's application.
func (f *reviewFixture) submit(expert workflow.Actor, fm *firm, scores map[string]float64) store.ReviewAssignment {
	f.t.Helper()
	a := f.sheetOf(expert, fm)
	f.step("review.submit", func() (err error) {
		a, err = f.s.SubmitScoresheet(f.ctx, expert, a.ID, a.Version, scores, "")
		return err
	})
	return a
}

// sheetValues is a complete scoresheet for hnteFirm's application, with its
// band items at the given points.
func sheetValues(adv, support, count, acq, transf, rules, body, transfer, talent, nag, sg float64) map[string]float64 {
	return map[string]float64{
		"ip_advancement_points": adv, "ip_support_points": support, "ip_count_points": count, "ip_acquisition_points": acq,
		"transformation_points": transf, "org_rules_points": rules, "org_body_points": body, "org_transfer_points": transfer,
		"org_talent_points": talent, "net_asset_growth_points": nag, "sales_growth_points": sg,
	}
}
