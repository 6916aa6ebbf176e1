package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Clock is the story's settable clock: the service and the store stamp
// every row and audit entry with it, so that the story happens in
// 2015–2018 and the same seed writes the same database.
type Clock struct{ t time.Time }

// Now is the clock's time.
func (c *Clock) Now() time.Time { return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.t = t }

// NewClock returns a clock at the story's start: 2 March 2015.
func NewClock() *Clock { return &Clock{t: cst(2015, 3, 2, 9)} }

// cst is a wall-clock time in China.
func cst(year int, month time.Month, day, hour int) time.Time {
	return time.Date(year, month, day, hour, 0, 0, 0, workflow.ChinaTime)
}

// ministry is the program administrator of the story; each channel's
// recommender and each enterprise act under their own names.
var ministry = workflow.Actor{Name: "miit-admin"}

func recommender(channel string) workflow.Actor {
	return workflow.Actor{Name: channel + "-recommender"}
}

func enterprise(code string) workflow.Actor { return workflow.Actor{Name: "enterprise " + code} }

// ReportYear counts the annual reports on one year, as the database has
// them when the review opens.
type ReportYear struct {
	Year                  int
	OnTime, Late, Overdue int
}

// Revoked is an enterprise whose title the review revoked.
type Revoked struct {
	Code, Name, Channel string
	ReasonEn, ReasonZh  string
}

// StoryResult is what the story left in the database, read back from it.
type StoryResult struct {
	Program  store.ProgramVersion
	Channels int

	Identification     store.Cycle
	IDApplications     int // submitted to the 2015 cycle
	IDPassed           int // the engine's passing decisions
	IDNotice           store.Notice
	Recognised         int // recognitions granted by the 2015 cycle
	Reports            []ReportYear
	Review             store.Cycle
	Cohort             int // the review's cohort, as OpenReviewCycle computed it
	ReviewNotice       store.Notice
	Reviewed           int // decisions of the review
	Passed             int // recognitions confirmed by the review
	Revoked            []Revoked
	Objection          store.Objection
	ObjectionCode      string
	ObjectionName      string
	ObjectionOutcome   string // the decision on the objected enterprise after the handling
	Audit              store.VerifyResult
	AnnouncedID        time.Time
	AnnouncedReview    time.Time
	ReviewApplications int // saved with their 2015–2017 data, submitted and recommended
}

// RunStory tells the story of the 2015 cohort on db, with the service's
// clock: registers miit-tide and its channels, recognises the 150
// generated enterprises through a 2015 identification cycle, files their
// annual reports, and runs the 2018 review with one objection. Every
// number it returns is read back from the database.
func RunStory(ctx context.Context, db *store.DB, clock *Clock, seed uint64) (*StoryResult, error) {
	s := workflow.New(db, workflow.WithClock(clock.Now))
	st := &story{ctx: ctx, s: s, clock: clock, res: &StoryResult{}, channels: map[string]store.Channel{},
		firms: Story(seed, StoryFirms), rng: rand.New(rand.NewPCG(seed, 0x0b1ec7))}
	for _, step := range []func() error{st.setUp, st.identify, st.fileReports, st.review} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	v, err := db.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	st.res.Audit = v
	return st.res, nil
}

type story struct {
	ctx      context.Context
	s        *workflow.Service
	clock    *Clock
	res      *StoryResult
	channels map[string]store.Channel
	firms    []Firm
	ents     []store.Enterprise // by firm
	recs     []store.Recognition
	rng      *rand.Rand
}

// channelKind is the kind of a miit-tide channel.
func channelKind(code string) string {
	switch code {
	case "dalian", "qingdao", "ningbo", "xiamen", "shenzhen":
		return "city"
	case "xpcc":
		return "corps"
	case "central_soe":
		return "central_soe"
	}
	return "province"
}

// setUp registers the program, its channels and the enterprises.
func (st *story) setUp() error {
	ctx, s := st.ctx, st.s
	v, err := s.RegisterBuiltinProgram(ctx, ministry, "miit-tide")
	if err != nil {
		return err
	}
	st.res.Program = v
	p, err := program.Builtin("miit-tide")
	if err != nil {
		return err
	}
	for _, o := range p.ChannelInput.Options {
		ch, err := s.UpsertChannel(ctx, ministry, workflow.ChannelSpec{Code: o.Value, NameZh: o.Name.Zh, NameEn: o.Name.En, Kind: channelKind(o.Value)})
		if err != nil {
			return err
		}
		st.channels[o.Value] = ch
	}
	st.res.Channels = len(st.channels)
	for _, f := range st.firms {
		e, err := s.RegisterEnterprise(ctx, ministry, f.Code, f.Name, f.Channel)
		if err != nil {
			return fmt.Errorf("register %s: %w", f.Code, err)
		}
		st.ents = append(st.ents, e)
	}
	return nil
}

// quotas gives every channel room for all its enterprises: the story's
// cohort is national, not a year's quota.
func (st *story) quotas() map[string]int {
	q := map[string]int{}
	for code := range st.channels {
		q[code] = StoryFirms
	}
	return q
}

// byChannel groups application ids by channel code, in code order.
func byChannel(apps []store.Application, channels map[string]store.Channel) ([]string, map[string][]int64) {
	codes := map[int64]string{}
	for code, ch := range channels {
		codes[ch.ID] = code
	}
	ids := map[string][]int64{}
	for _, a := range apps {
		ids[codes[a.ChannelID]] = append(ids[codes[a.ChannelID]], a.ID)
	}
	var order []string
	for code := range ids {
		order = append(order, code)
	}
	sort.Strings(order)
	return order, ids
}

// apply saves and submits an application with inputs.
func (st *story) apply(a store.Application, f Firm, inputs map[string]any, year int) error {
	raw, err := json.Marshal(inputs)
	if err != nil {
		return err
	}
	a, err = st.s.SaveApplication(st.ctx, enterprise(f.Code), a.ID, a.Version, raw)
	if err != nil {
		return fmt.Errorf("save the application of %s: %w", f.Code, err)
	}
	_, err = st.s.SubmitApplication(st.ctx, enterprise(f.Code), a.ID, a.Version, fmt.Sprintf("demo-%d-%s", year, f.Code))
	if err != nil {
		return fmt.Errorf("submit the application of %s: %w", f.Code, err)
	}
	return nil
}

// evaluateAndNotice takes cycle c from open to its notice: closes the
// applications, recommends every submitted one by its own channel, runs
// the engine, drafts the decisions and publishes the notice on the day
// given.
func (st *story) evaluateAndNotice(c store.Cycle, closeOn, recommendOn, evaluateOn, deliberateOn, noticeOn time.Time) (store.Notice, int, error) {
	ctx, s := st.ctx, st.s
	st.clock.Set(closeOn)
	if _, err := s.CloseApplications(ctx, ministry, c.ID); err != nil {
		return store.Notice{}, 0, err
	}
	st.clock.Set(recommendOn)
	apps, err := s.Applications(ctx, c.ID, workflow.StatusSubmitted)
	if err != nil {
		return store.Notice{}, 0, err
	}
	order, ids := byChannel(apps, st.channels)
	for _, code := range order {
		if _, err := s.Recommend(ctx, recommender(code), st.channels[code].ID, ids[code]); err != nil {
			return store.Notice{}, 0, err
		}
	}
	st.clock.Set(evaluateOn)
	if _, err := s.StartEvaluation(ctx, ministry, c.ID); err != nil {
		return store.Notice{}, 0, err
	}
	st.clock.Set(deliberateOn)
	if _, err := s.StartDeliberation(ctx, ministry, c.ID); err != nil {
		return store.Notice{}, 0, err
	}
	st.clock.Set(noticeOn)
	n, err := s.PublishNotice(ctx, ministry, c.ID)
	return n, len(apps), err
}

// identify runs the 2015 identification cycle.
func (st *story) identify() error {
	ctx, s := st.ctx, st.s
	c, err := s.CreateCycle(ctx, ministry, workflow.CycleSpec{ProgramVersionID: st.res.Program.ID, Kind: workflow.KindIdentification, Year: 2015,
		TitleZh: "2015年国家技术创新示范企业认定", TitleEn: "2015 identification of National Technological Innovation Demonstration Enterprises",
		Quotas: st.quotas()})
	if err != nil {
		return err
	}
	st.clock.Set(cst(2015, 4, 1, 9))
	if _, err := s.OpenCycle(ctx, ministry, c.ID); err != nil {
		return err
	}
	for i, f := range st.firms {
		st.clock.Set(cst(2015, 4, 7, 9).Add(time.Duration(i) * 17 * time.Minute))
		a, err := s.CreateApplication(ctx, enterprise(f.Code), c.ID, st.ents[i].ID)
		if err != nil {
			return err
		}
		if err := st.apply(a, f, f.Identification, 2015); err != nil {
			return err
		}
	}
	n, submitted, err := st.evaluateAndNotice(c, cst(2015, 6, 1, 9), cst(2015, 6, 15, 9), cst(2015, 7, 6, 9), cst(2015, 8, 3, 9), cst(2015, 9, 1, 9))
	if err != nil {
		return err
	}
	st.res.IDApplications, st.res.IDNotice = submitted, n
	st.clock.Set(n.EndsAt.Add(time.Hour))
	if _, err := s.Announce(ctx, ministry, c.ID); err != nil {
		return err
	}
	st.res.AnnouncedID = st.clock.Now()
	st.clock.Set(st.clock.Now().Add(24 * time.Hour))
	if c, err = s.CloseCycle(ctx, ministry, c.ID); err != nil {
		return err
	}
	st.res.Identification = c
	ds, err := s.Decisions(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Outcome == "pass" {
			st.res.IDPassed++
		}
	}
	// The recognitions the announcement granted, read back.
	st.recs = make([]store.Recognition, len(st.firms))
	for i := range st.firms {
		recs, err := s.Recognitions(ctx, st.ents[i].ID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.GrantedCycleID == c.ID {
				st.recs[i] = r
				st.res.Recognised++
			}
		}
	}
	return nil
}

// fileReports files the annual reports on 2015–2017: most before 30
// April, a few late, a few never.
func (st *story) fileReports() error {
	for y := range 3 {
		year := 2015 + y
		for _, late := range []bool{false, true} {
			for i, f := range st.firms {
				if st.recs[i].ID == 0 || f.Filing[y] == NotFiled || (f.Filing[y] == FiledLate) != late {
					continue
				}
				at := cst(year+1, 4, 6, 9).Add(time.Duration(i) * 3 * time.Hour) // 6–25 April
				if late {
					at = cst(year+1, 5, 16, 9).Add(time.Duration(i) * time.Hour)
				}
				st.clock.Set(at)
				raw, err := json.Marshal(f.Reports[y])
				if err != nil {
					return err
				}
				if _, err := st.s.SubmitAnnualReport(st.ctx, enterprise(f.Code), st.recs[i].ID, year, raw); err != nil {
					return fmt.Errorf("annual report %d of %s: %w", year, f.Code, err)
				}
			}
		}
	}
	return nil
}

// review runs the 2018 review of the 2015 cohort.
func (st *story) review() error {
	ctx, s := st.ctx, st.s
	st.clock.Set(cst(2018, 6, 1, 9))
	for y := 2015; y <= 2017; y++ {
		items, err := s.AnnualReports(ctx, workflow.AnnualReportQuery{Year: y, ProgramID: st.res.Program.ProgramID})
		if err != nil {
			return err
		}
		ry := ReportYear{Year: y}
		for _, it := range items {
			switch {
			case it.Status == workflow.ReportOverdue:
				ry.Overdue++
			case it.Status == workflow.ReportSubmitted && it.Late:
				ry.Late++
			case it.Status == workflow.ReportSubmitted:
				ry.OnTime++
			}
		}
		st.res.Reports = append(st.res.Reports, ry)
	}
	c, err := s.CreateCycle(ctx, ministry, workflow.CycleSpec{ProgramVersionID: st.res.Program.ID, Kind: workflow.KindReview, Year: 2018,
		TitleZh: "2018年国家技术创新示范企业复核评价", TitleEn: "2018 review of National Technological Innovation Demonstration Enterprises",
		Quotas: st.quotas()})
	if err != nil {
		return err
	}
	st.clock.Set(cst(2018, 6, 4, 9))
	c, apps, err := s.OpenReviewCycle(ctx, ministry, c.ID)
	if err != nil {
		return err
	}
	st.res.Cohort = len(apps)
	firmOf := map[int64]int{}
	for i, e := range st.ents {
		firmOf[e.ID] = i
	}
	for k, a := range apps {
		i, ok := firmOf[a.EnterpriseID]
		if !ok {
			return fmt.Errorf("the cohort holds enterprise %d, which the story did not register", a.EnterpriseID)
		}
		st.clock.Set(cst(2018, 6, 11, 9).Add(time.Duration(k) * 11 * time.Minute))
		if err := st.apply(a, st.firms[i], st.firms[i].Review, 2018); err != nil {
			return err
		}
	}
	n, submitted, err := st.evaluateAndNotice(c, cst(2018, 6, 29, 9), cst(2018, 7, 5, 9), cst(2018, 7, 12, 9), cst(2018, 7, 19, 9), cst(2018, 7, 26, 9))
	if err != nil {
		return err
	}
	st.res.ReviewApplications, st.res.ReviewNotice = submitted, n

	// One objection, against an enterprise the engine passed: dismissed.
	ds, err := s.Decisions(ctx, c.ID)
	if err != nil {
		return err
	}
	var passing []store.Decision
	for _, d := range ds {
		if d.Outcome == "pass" {
			passing = append(passing, d)
		}
	}
	if len(passing) > 0 {
		d := passing[st.rng.IntN(len(passing))]
		f := st.firms[firmOf[d.EnterpriseID]]
		st.clock.Set(cst(2018, 8, 1, 15))
		o, err := s.FileObjection(ctx, workflow.Filing{NoticeID: n.ID, EnterpriseID: d.EnterpriseID, FilerName: "王先生",
			FilerContact: "138 0000 0000",
			Grounds:      "该企业2017年研发投入被夸大 — the enterprise overstated its 2017 R&D spending"})
		if err != nil {
			return err
		}
		st.clock.Set(cst(2018, 8, 8, 10))
		if o, err = s.HandleObjection(ctx, ministry, o.ID, false,
			"经核查2017年度审计报告，研发投入属实，维持原结论 — the audited 2017 accounts confirm the R&D spending; the decision stands"); err != nil {
			return err
		}
		st.res.Objection, st.res.ObjectionCode, st.res.ObjectionName = o, f.Code, f.Name
	}

	st.clock.Set(n.EndsAt.Add(time.Hour))
	if _, err := s.Announce(ctx, ministry, c.ID); err != nil {
		return err
	}
	st.res.AnnouncedReview = st.clock.Now()
	st.clock.Set(st.clock.Now().Add(24 * time.Hour))
	if c, err = s.CloseCycle(ctx, ministry, c.ID); err != nil {
		return err
	}
	st.res.Review = c

	// What the engine decided, read back from the database.
	if ds, err = s.Decisions(ctx, c.ID); err != nil {
		return err
	}
	st.res.Reviewed = len(ds)
	for _, d := range ds {
		if d.EnterpriseID == st.res.Objection.EnterpriseID {
			st.res.ObjectionOutcome = d.Outcome
		}
		recs, err := s.Recognitions(ctx, d.EnterpriseID)
		if err != nil {
			return err
		}
		f := st.firms[firmOf[d.EnterpriseID]]
		for _, r := range recs {
			switch {
			case r.ConfirmedCycleID == c.ID && r.Status == workflow.RecognitionPassedReview:
				st.res.Passed++
			case r.RevokedCycleID == c.ID && r.Status == workflow.RecognitionRevoked:
				st.res.Revoked = append(st.res.Revoked, Revoked{Code: f.Code, Name: f.Name, Channel: f.Channel,
					ReasonEn: r.RevokedReasonEn, ReasonZh: r.RevokedReasonZh})
			}
		}
	}
	return nil
}
