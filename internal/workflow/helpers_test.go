package workflow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// cst is a wall-clock time in China.
func cst(year int, month time.Month, day, hour int) time.Time {
	return time.Date(year, month, day, hour, 0, 0, 0, workflow.ChinaTime)
}

var (
	admin = workflow.Actor{Name: "admin"}
	// recommenders act for their channel.
	jiangsuOfficer  = workflow.Actor{Name: "jiangsu-officer"}
	zhejiangOfficer = workflow.Actor{Name: "zhejiang-officer"}
	enterpriseUser  = workflow.Actor{Name: "enterprise-user"}
)

// holidays2018 are the exceptions of the 2018 calendar around National
// Day: the Mid-Autumn Festival (Monday 24 September), the Golden Week
// (1–7 October) and the two weekend days worked in exchange.
var holidays2018 = []store.CalendarDay{
	{Day: time.Date(2018, 9, 24, 0, 0, 0, 0, time.UTC), Working: false, NameZh: "中秋节", NameEn: "Mid-Autumn Festival"},
	{Day: time.Date(2018, 9, 29, 0, 0, 0, 0, time.UTC), Working: true, NameZh: "国庆节调休", NameEn: "National Day swap"},
	{Day: time.Date(2018, 9, 30, 0, 0, 0, 0, time.UTC), Working: true, NameZh: "国庆节调休", NameEn: "National Day swap"},
	{Day: time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC), NameZh: "国庆节", NameEn: "National Day"},
	{Day: time.Date(2018, 10, 2, 0, 0, 0, 0, time.UTC), NameZh: "国庆节", NameEn: "National Day"},
	{Day: time.Date(2018, 10, 3, 0, 0, 0, 0, time.UTC), NameZh: "国庆节", NameEn: "National Day"},
	{Day: time.Date(2018, 10, 4, 0, 0, 0, 0, time.UTC), NameZh: "国庆节", NameEn: "National Day"},
	{Day: time.Date(2018, 10, 5, 0, 0, 0, 0, time.UTC), NameZh: "国庆节", NameEn: "National Day"},
}

// fixture is a service over a fresh database with the miit-tide program,
// two provinces as channels and the 2018 calendar, and a clock that starts
// on 2 May 2018. It checks the audit log as the test goes: every step must
// leave entries, every refusal none.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	s        *workflow.Service
	clock    *clock
	version  store.ProgramVersion
	channels map[string]store.Channel
	rng      *rand.Rand
	seq      int64 // newest audit entry seen
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: &clock{t: cst(2018, 5, 2, 9)},
		channels: map[string]store.Channel{}, rng: rand.New(rand.NewPCG(2018, 7))}
	f.s = workflow.New(db, workflow.WithClock(f.clock.Now))
	f.step("program.register", func() (err error) {
		f.version, err = f.s.RegisterBuiltinProgram(f.ctx, admin, "miit-tide")
		return err
	})
	for _, ch := range []workflow.ChannelSpec{
		{Code: "jiangsu", NameZh: "江苏省", NameEn: "Jiangsu", Kind: "province"},
		{Code: "zhejiang", NameZh: "浙江省", NameEn: "Zhejiang", Kind: "province"},
	} {
		f.step("channel.create", func() error {
			c, err := f.s.UpsertChannel(f.ctx, admin, ch)
			f.channels[ch.Code] = c
			return err
		})
	}
	f.step("calendar.set", func() error { return f.s.SetCalendarDays(f.ctx, admin, holidays2018...) })
	return f
}

// newEntries returns the audit entries appended since the last look,
// oldest first.
func (f *fixture) newEntries() []store.AuditRecord {
	f.t.Helper()
	recs, err := f.db.ListAudit(f.ctx, store.AuditFilter{Limit: 100000})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.AuditRecord
	for _, r := range recs {
		if r.Seq > f.seq {
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	if len(out) > 0 {
		f.seq = out[len(out)-1].Seq
	}
	return out
}

// step runs fn, which must succeed and record an audit entry with action
// want (among any others).
func (f *fixture) step(want string, fn func() error) {
	f.t.Helper()
	if err := fn(); err != nil {
		f.t.Fatalf("%s: %v", want, err)
	}
	entries := f.newEntries()
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, want) {
		f.t.Fatalf("%s left the audit entries %v, want one %s", want, actions, want)
	}
}

// refuse runs fn, which must fail with code and a message containing
// every one of want, and record nothing.
func (f *fixture) refuse(code errs.Code, fn func() error, want ...string) {
	f.t.Helper()
	err := fn()
	if err == nil {
		f.t.Fatalf("succeeded; want a refusal (%s) saying %q", code, want)
	}
	if errs.CodeOf(err) != code {
		f.t.Errorf("got %v (code %s); want code %s", err, errs.CodeOf(err), code)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			f.t.Errorf("got %q; want it to say %q", err, w)
		}
	}
	if entries := f.newEntries(); len(entries) > 0 {
		f.t.Errorf("the refusal %q recorded %d audit entries (first %s)", err, len(entries), entries[0].Action)
	}
}

// verifyAudit checks the whole chain.
func (f *fixture) verifyAudit() {
	f.t.Helper()
	res, err := f.db.VerifyAudit(f.ctx)
	if err != nil || !res.OK {
		f.t.Fatalf("VerifyAudit = %+v, %v", res, err)
	}
}

// firm is a generated enterprise: its code, channel and inputs.
type firm struct {
	code, name, channel string
	inputs              map[string]any
	e                   store.Enterprise
	app                 store.Application
}

// newFirm generates a miit-tide applicant of channel ch that meets every
// gate, from the fixture's seeded generator; change its inputs to make it
// fail one.
func (f *fixture) newFirm(ch string) *firm {
	rng := f.rng
	div := []string{"320100", "330100", "320500", "330200"}[rng.IntN(4)]
	code := demo.CreditCode(rng, div)
	round := func(v float64) float64 { return math.Round(v*10) / 10 }
	last := round(50000 + 400000*rng.Float64())
	growth := 1.05 + 0.1*rng.Float64()
	sales := []any{round(last / growth / growth), round(last / growth), last}
	intensity := 0.035 + 0.04*rng.Float64()
	margin := 0.03 + 0.08*rng.Float64()
	var rd, profit []any
	for _, s := range sales {
		rd = append(rd, round(s.(float64)*intensity))
		profit = append(profit, round(s.(float64)*margin))
	}
	in := map[string]any{
		"name": fmt.Sprintf("示范企业%d", len(f.channels)+rng.IntN(1000)), "industry": "专用设备制造业",
		"sound_credit": true, "china_controlled": true, "innovation_effect": true,
		"tech_centre": []string{"national", "provincial"}[rng.IntN(2)],
		"employees":   float64(400 + rng.IntN(6000)),
		"sales":       sales, "rd": rd, "profit": profit,
		"total_assets":          round(last * (1 + rng.Float64())),
		"rd_staff_income_ratio": round(1 + rng.Float64()), "training_cost_pct": round(1 + 6*rng.Float64()),
		"external_experts": float64(rng.IntN(60)), "external_projects_pct": round(5 + 40*rng.Float64()),
		"rd_staff_pct": round(8 + 20*rng.Float64()), "senior_experts": float64(5 + rng.IntN(200)),
		"equipment_value": round(5000 + 40000*rng.Float64()), "certified_labs": float64(rng.IntN(8)),
		"long_projects_pct": round(10 + 40*rng.Float64()), "invention_patents": float64(20 + rng.IntN(300)),
		"top_brands": float64(rng.IntN(6)), "new_products": float64(5 + rng.IntN(80)),
		"patent_applications": float64(10 + rng.IntN(200)), "standards": float64(rng.IntN(30)),
		"new_product_sales_pct": round(20 + 50*rng.Float64()), "new_product_profit_pct": round(20 + 55*rng.Float64()),
		"export_earnings": round(1000 + 30000*rng.Float64()), "awards": float64(rng.IntN(4)),
	}
	return &firm{code: code, name: in["name"].(string), channel: ch, inputs: in}
}

func (fm *firm) json(t *testing.T) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(fm.inputs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// register registers the firm's enterprise.
func (f *fixture) register(fm *firm) {
	f.t.Helper()
	f.step("enterprise.create", func() (err error) {
		fm.e, err = f.s.RegisterEnterprise(f.ctx, admin, fm.code, fm.name, fm.channel)
		return err
	})
}

// apply creates, saves and submits the firm's application to cycle.
func (f *fixture) apply(cycle int64, fm *firm) {
	f.t.Helper()
	if fm.e.ID == 0 {
		f.register(fm)
	}
	f.step("application.create", func() (err error) {
		fm.app, err = f.s.CreateApplication(f.ctx, enterpriseUser, cycle, fm.e.ID)
		return err
	})
	f.step("application.save", func() (err error) {
		fm.app, err = f.s.SaveApplication(f.ctx, enterpriseUser, fm.app.ID, fm.app.Version, fm.json(f.t))
		return err
	})
	f.step("application.submit", func() (err error) {
		fm.app, err = f.s.SubmitApplication(f.ctx, enterpriseUser, fm.app.ID, fm.app.Version, fmt.Sprintf("submit-%d-1", fm.app.ID))
		return err
	})
}

// createCycle creates a cycle of the fixture's program.
func (f *fixture) createCycle(kind string, year int, quotas map[string]int) store.Cycle {
	f.t.Helper()
	var c store.Cycle
	f.step("cycle.create", func() (err error) {
		c, err = f.s.CreateCycle(f.ctx, admin, workflow.CycleSpec{ProgramVersionID: f.version.ID, Kind: kind, Year: year,
			TitleZh: fmt.Sprintf("%d年国家技术创新示范企业", year), TitleEn: fmt.Sprintf("TIDE %d", year), Quotas: quotas})
		return err
	})
	return c
}

// recommendAll recommends the firms, each by its own channel.
func (f *fixture) recommendAll(firms []*firm) {
	f.t.Helper()
	for _, fm := range firms {
		f.step("application.recommend", func() error {
			apps, err := f.s.Recommend(f.ctx, admin, f.channels[fm.channel].ID, []int64{fm.app.ID})
			if err == nil {
				fm.app = apps[0]
			}
			return err
		})
	}
}

// toNotice takes a cycle with submitted applications from phase open to
// the notice, recommending every firm.
func (f *fixture) toNotice(c store.Cycle, firms []*firm) store.Notice {
	f.t.Helper()
	f.step("cycle.close_applications", func() error { _, err := f.s.CloseApplications(f.ctx, admin, c.ID); return err })
	f.recommendAll(firms)
	f.step("cycle.start_evaluation", func() error { _, err := f.s.StartEvaluation(f.ctx, admin, c.ID); return err })
	f.step("cycle.start_deliberation", func() error { _, err := f.s.StartDeliberation(f.ctx, admin, c.ID); return err })
	var n store.Notice
	f.step("cycle.publish_notice", func() (err error) {
		n, err = f.s.PublishNotice(f.ctx, admin, c.ID)
		return err
	})
	return n
}

// decisionOf returns the cycle's decision on the firm.
func (f *fixture) decisionOf(cycle int64, fm *firm) store.Decision {
	f.t.Helper()
	ds, err := f.s.Decisions(f.ctx, cycle)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, d := range ds {
		if d.EnterpriseID == fm.e.ID {
			return d
		}
	}
	f.t.Fatalf("cycle %d has no decision on %s", cycle, fm.code)
	return store.Decision{}
}
