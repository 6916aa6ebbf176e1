package web

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// reviewSite is a seeded site with an hnte cycle in evaluation: two
// eligible applications (the seeded enterprise's, channel jiangsu, and a
// second one of zhejiang), five experts (expert1 of the seed and
// expert2…expert5) and each application assigned to all five.
type reviewSite struct {
	*site
	cycle   store.Cycle
	apps    []store.Application
	experts map[string]int64 // user ids by username
	tokens  map[string]string
}

// hnteInputs meet every gate of hnte; the enterprise declares its own
// points (transformation 24, in band B 19–24).
const hnteInputs = `{"name": "示范", "registered_years": 6, "core_ip": true, "supported_field": true, "staff_total": 120, "staff_tech": 30,
 "sales": [8000, 9000, 10000], "rd": [480, 540, 600], "rd_domestic": [480, 540, 600], "hitech_revenue": 6000, "total_revenue": 8200,
 "major_accident": false, "ip_advancement_points": 6, "ip_support_points": 6, "ip_class1": 1, "ip_class2": 4, "ip_count_points": 8,
 "ip_own_rd": true, "ip_acquisition_points": 5, "standards_points": 0, "transformations": [4, 4, 4], "transformation_points": 24,
 "org_rules_points": 5, "org_body_points": 5, "org_transfer_points": 3, "org_talent_points": 3,
 "total_assets": [10000, 12000, 14000], "liabilities": [4000, 4000, 4000], "net_asset_growth_points": 8, "sales_growth_points": 4}`

func newReviewSite(t *testing.T) *reviewSite {
	t.Helper()
	s := &reviewSite{site: newSite(t, storetest.Open(t, store.SQLite), Config{}), experts: map[string]int64{}, tokens: map[string]string{}}
	ctx, svc := context.Background(), s.svc
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pv, err := svc.RegisterBuiltinProgram(ctx, system, "hnte")
	must(err)
	c, err := svc.CreateCycle(ctx, system, workflow.CycleSpec{ProgramVersionID: pv.ID, Kind: workflow.KindIdentification, Year: 2025,
		TitleZh: "2025年高新技术企业认定", TitleEn: "HNTE 2025"})
	must(err)
	_, err = svc.OpenCycle(ctx, system, c.ID)
	must(err)
	other, err := svc.RegisterEnterprise(ctx, system, demo.CreditCode(rand.New(rand.NewPCG(9, 9)), "330100"), "宁波评审科技有限公司", "zhejiang")
	must(err)
	for _, e := range []int64{s.enterpriseID, other.ID} {
		a, err := svc.CreateApplication(ctx, system, c.ID, e)
		must(err)
		a, err = svc.SaveApplication(ctx, system, a.ID, a.Version, json.RawMessage(hnteInputs))
		must(err)
		a, err = svc.SubmitApplication(ctx, system, a.ID, a.Version, "review-"+itoa(a.ID))
		must(err)
		s.apps = append(s.apps, a)
	}
	_, err = svc.CloseApplications(ctx, system, c.ID)
	must(err)
	for _, a := range s.apps {
		_, err = svc.Recommend(ctx, system, a.ChannelID, []int64{a.ID})
		must(err)
	}
	s.cycle, err = svc.StartEvaluation(ctx, system, c.ID)
	must(err)
	users, err := svc.Users(ctx)
	must(err)
	for _, u := range users {
		if u.Username == "expert1" {
			s.experts["expert1"] = u.ID
		}
	}
	for _, name := range []string{"expert2", "expert3", "expert4", "expert5"} {
		u, err := svc.CreateUser(ctx, system, name, "Test "+name, password)
		must(err)
		_, err = svc.GrantRole(ctx, system, u.ID, workflow.RoleExpert, 0)
		must(err)
		s.experts[name] = u.ID
	}
	for name, id := range s.experts {
		token, _, err := svc.CreateAPIToken(ctx, system, id, "review tests")
		must(err)
		s.tokens[name] = token
	}
	_, err = svc.AssignReviewers(ctx, system, c.ID, workflow.AssignSpec{Seed: 1})
	must(err)
	return s
}

// login returns a browser signed in as username.
func (s *reviewSite) login(username string) *client {
	s.t.Helper()
	c := s.client()
	resp, _ := c.postForm("/login", url.Values{"username": {username}, "password": {password}})
	if resp.StatusCode != 303 {
		s.t.Fatalf("sign in as %s: status %d", username, resp.StatusCode)
	}
	return c
}

// sheetOf returns username's assignment to application app.
func (s *reviewSite) sheetOf(username string, app int64) store.ReviewAssignment {
	s.t.Helper()
	rows, _, err := s.svc.ExpertAssignments(context.Background(), s.experts[username], 0, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range rows {
		if r.Assignment.ApplicationID == app {
			return r.Assignment
		}
	}
	s.t.Fatalf("%s is not assigned to application %d", username, app)
	return store.ReviewAssignment{}
}

// fullSheet is a complete scoresheet form of hnteInputs' application.
func fullSheet(transformation string) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"ip_advancement_points": "5", "ip_support_points": "5", "ip_count_points": "7",
		"ip_acquisition_points": "4", "transformation_points": transformation, "org_rules_points": "4", "org_body_points": "4",
		"org_transfer_points": "2", "org_talent_points": "2", "net_asset_growth_points": "7", "sales_growth_points": "3"} {
		v.Set("score."+k, x)
	}
	return v
}

// actorOf is the workflow actor of user username with id.
func actorOf(username string, id int64) workflow.Actor {
	return workflow.Actor{UserID: id, Name: username}
}
