package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// reviewPanel are the other experts of the demo's review panel: hnte
// needs 5 experts per application. They have passwords nobody is told.
var reviewPanel = []string{"panel-b", "panel-c", "panel-d", "panel-e"}

// prepareExpertReview gives the demo's expert something to do: an hnte
// identification cycle in its evaluation with three of the story's
// enterprises applying, each assigned to the expert and four more
// experts, who have submitted their scores on the first one already — so
// that once the demo's expert submits its own, it sees theirs.
func prepareExpertReview(ctx context.Context, s *workflow.Service, firms []store.Enterprise) error {
	v, err := s.RegisterBuiltinProgram(ctx, ministry, "hnte")
	if err != nil {
		return err
	}
	c, err := s.CreateCycle(ctx, ministry, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018,
		TitleZh: "2018年高新技术企业认定（专家评审演示）", TitleEn: "High and New Technology Enterprises 2018 (expert review demo)"})
	if err != nil {
		return err
	}
	if _, err := s.OpenCycle(ctx, ministry, c.ID); err != nil {
		return err
	}
	var apps []store.Application
	for k, e := range firms {
		a, err := s.CreateApplication(ctx, ministry, c.ID, e.ID)
		if err != nil {
			return err
		}
		// Transformations 3, 4 and 5 a year: bands C, B and A.
		in := fmt.Sprintf(`{"name": %q, "registered_years": %d, "core_ip": true, "supported_field": true, "staff_total": %d, "staff_tech": %d,
 "sales": [8000, 9000, 10000], "rd": [480, 540, 600], "rd_domestic": [480, 540, 600], "hitech_revenue": 6000, "total_revenue": 8200,
 "major_accident": false, "ip_advancement_points": 6, "ip_support_points": 6, "ip_class1": 1, "ip_class2": 4, "ip_count_points": 8,
 "ip_own_rd": true, "ip_acquisition_points": 5, "standards_points": 0, "transformations": [%d, %d, %d], "transformation_points": %d,
 "org_rules_points": 5, "org_body_points": 5, "org_transfer_points": 3, "org_talent_points": 3,
 "total_assets": [10000, 12000, 14000], "liabilities": [4000, 4000, 4000], "net_asset_growth_points": 8, "sales_growth_points": 4}`,
			e.Name, 6+k, 300+40*k, 60+10*k, 3+k, 3+k, 3+k, []int{18, 24, 30}[k%3])
		if a, err = s.SaveApplication(ctx, ministry, a.ID, a.Version, json.RawMessage(in)); err != nil {
			return err
		}
		if a, err = s.SubmitApplication(ctx, ministry, a.ID, a.Version, fmt.Sprintf("demo-hnte-%d", a.ID)); err != nil {
			return err
		}
		apps = append(apps, a)
	}
	if _, err := s.CloseApplications(ctx, ministry, c.ID); err != nil {
		return err
	}
	for _, a := range apps {
		if _, err := s.Recommend(ctx, ministry, a.ChannelID, []int64{a.ID}); err != nil {
			return err
		}
	}
	if _, err := s.StartEvaluation(ctx, ministry, c.ID); err != nil {
		return err
	}
	var panel []workflow.Actor
	for _, name := range reviewPanel {
		u, err := s.CreateUser(ctx, ministry, name, "Demo panel expert "+name, "demo-panel-"+name+"-not-for-signing-in")
		if err != nil {
			return err
		}
		if _, err := s.GrantRole(ctx, ministry, u.ID, workflow.RoleExpert, 0); err != nil {
			return err
		}
		panel = append(panel, workflow.Actor{UserID: u.ID, Name: u.Username})
	}
	if _, err := s.AssignReviewers(ctx, ministry, c.ID, workflow.AssignSpec{Seed: 2018}); err != nil {
		return err
	}
	// The panel scores the first application (band C, 13–18).
	for k, p := range panel {
		rows, _, err := s.ExpertAssignments(ctx, p.UserID, 0, 0)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Assignment.ApplicationID != apps[0].ID {
				continue
			}
			scores := map[string]float64{"ip_advancement_points": float64(5 + k%2), "ip_support_points": 6, "ip_count_points": 7,
				"ip_acquisition_points": 5, "transformation_points": float64(14 + k), "org_rules_points": 5, "org_body_points": 4,
				"org_transfer_points": 3, "org_talent_points": 3, "net_asset_growth_points": 7, "sales_growth_points": 3}
			comment := []string{"研发管理规范，成果转化记录完整。", "知识产权布局合理。", "Growth is steady; ledger well kept.", "转化项目证明材料充分。"}[k]
			if _, err := s.SubmitScoresheet(ctx, p, r.Assignment.ID, r.Assignment.Version, scores, comment); err != nil {
				return err
			}
		}
	}
	return nil
}
