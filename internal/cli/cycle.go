package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runCycle(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "cycle", []subcommand{
		{"create", "create a cycle of a registered program version, in phase draft", cycleCreate},
		{"list", "list the cycles", cycleList},
		{"show", "show a cycle: its phase, applications, quotas, notice, decisions, next step", cycleShow},
		{"open", "draft → open: enterprises apply", cycleStep("open")},
		{"open-review", "draft → open for a review cycle, with a draft application per cohort member", cycleStep("open-review")},
		{"close-applications", "open → recommendation: channels screen and recommend", cycleStep("close-applications")},
		{"start-evaluation", "recommendation → evaluation: the engine scores the recommended applications", cycleStep("start-evaluation")},
		{"start-deliberation", "evaluation → deliberation: decisions are drafted from the engine's outcome", cycleStep("start-deliberation")},
		{"publish-notice", "deliberation → notice: publish the proposed decisions for objections", cycleStep("publish-notice")},
		{"announce", "notice → announced: decisions become final and take effect (asks first)", cycleStep("announce")},
		{"close", "announced → closed: nothing changes afterwards (asks first)", cycleStep("close")},
		{"results", "list the engine's results of the cycle's latest run", cycleResults},
		{"cohort", "list the enterprises a review cycle re-examines", cycleCohort},
	}, args)
}

// cycleCreate creates a cycle (workflow.CreateCycle).
func cycleCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "cycle create", "cycle create --program NAME[@LABEL]|VERSION_ID --kind identification|review --year YEAR [--title-zh T] [--title-en T]\n"+
		"       [--applications-due DATE] [--recommendations-due DATE] [--notice-days N] [--quota CODE=N ...] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	prog := fs.String("program", "", "the registered program version: NAME (its newest), NAME@LABEL or a version id")
	kind := fs.String("kind", workflow.KindIdentification, "identification (认定) or review (复核评价)")
	year := fs.Int("year", 0, "the cycle's year")
	titleZh := fs.String("title-zh", "", "the Chinese title (default: YEAR年 and the kind)")
	titleEn := fs.String("title-en", "", "the English title (default: the program, kind and year)")
	appsDue := fs.String("applications-due", "", "last day applications are taken (a date: until the end of that day, China time; or an RFC 3339 time)")
	recsDue := fs.String("recommendations-due", "", "last day channels recommend (like --applications-due)")
	noticeDays := fs.Int("notice-days", 0, "working days the public notice runs (default: the program's)")
	var quotas quotaFlag
	fs.Var(&quotas, "quota", "CODE=N: channel CODE recommends at most N (repeatable; default the program's quota)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *year == 0 {
		return usagef("say the cycle's year with --year")
	}
	ad, err := parseDeadline("--applications-due", *appsDue)
	if err != nil {
		return err
	}
	rd, err := parseDeadline("--recommendations-due", *recsDue)
	if err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.programVersionRef(ctx, *prog)
	if err != nil {
		return err
	}
	spec := workflow.CycleSpec{ProgramVersionID: v.ID, Kind: *kind, Year: *year, TitleZh: *titleZh, TitleEn: *titleEn,
		ApplicationsDueAt: ad, RecommendationsDueAt: rd, NoticeWorkingDays: *noticeDays, Quotas: quotas.m}
	if spec.TitleZh == "" {
		spec.TitleZh = fmt.Sprintf("%d年%s", *year, map[string]string{workflow.KindIdentification: "认定", workflow.KindReview: "复核评价"}[*kind])
	}
	if spec.TitleEn == "" {
		spec.TitleEn = fmt.Sprintf("%s %s %d", v.Program, *kind, *year)
	}
	cy, err := a.s.CreateCycle(ctx, a.actor, spec)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, cy)
	}
	fmt.Fprintf(env.Stdout, "created cycle %d: %s (%s %d, program %s@%s), phase %s\nnext: exemplar cycle %s %d\n",
		cy.ID, cy.TitleEn, cy.Kind, cy.Year, v.Program, v.Label, cy.Phase, openVerb(cy), cy.ID)
	return nil
}

// openVerb is the subcommand that opens a draft cycle.
func openVerb(c store.Cycle) string {
	if c.Kind == workflow.KindReview {
		return "open-review"
	}
	return "open"
}

// quotaFlag collects --quota CODE=N.
type quotaFlag struct{ m map[string]int }

func (q *quotaFlag) String() string { return "" }

func (q *quotaFlag) Set(v string) error {
	code, n, ok := strings.Cut(v, "=")
	k, err := strconv.Atoi(n)
	if !ok || code == "" || err != nil {
		return fmt.Errorf("want CODE=N (jiangsu=5), got %q", v)
	}
	if q.m == nil {
		q.m = map[string]int{}
	}
	if _, dup := q.m[code]; dup {
		return fmt.Errorf("the quota of %s is given twice", code)
	}
	q.m[code] = k
	return nil
}

var _ flag.Value = (*quotaFlag)(nil)

// cycleStep runs one phase transition on the cycle given as the only
// argument; verb is the workflow's name of the transition, with dashes.
// announce and close ask first (see confirm).
func cycleStep(verb string) func(ctx context.Context, env *Env, args []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, "cycle "+verb, "cycle "+verb+" CYCLE [--as NAME] [--json] [--database URL]"+map[bool]string{true: " [--yes]"}[verb == "announce" || verb == "close"])
		var c *common
		if verb == "announce" || verb == "close" {
			c = confirmFlags(fs)
		} else {
			c = writeFlags(fs)
		}
		a, id, err := c.openOne(ctx, env, fs, args, "CYCLE")
		if err != nil {
			return err
		}
		defer a.Close()
		if c.yes != nil {
			cy, err := a.s.Cycle(ctx, id)
			if err != nil {
				return err
			}
			what := fmt.Sprintf("Closing cycle %d (%s)", cy.ID, cy.TitleEn)
			if verb == "announce" {
				what = fmt.Sprintf("Announcing cycle %d (%s) makes its proposed decisions final: titles are granted, confirmed or revoked. This", cy.ID, cy.TitleEn)
			}
			if err := confirm(env, c, what); err != nil {
				return err
			}
		}
		var out any
		var cy store.Cycle
		var extra string
		switch verb {
		case "open":
			cy, err = a.s.OpenCycle(ctx, a.actor, id)
		case "open-review":
			var apps []store.Application
			cy, apps, err = a.s.OpenReviewCycle(ctx, a.actor, id)
			out = struct {
				Cycle        store.Cycle         `json:"cycle"`
				Applications []store.Application `json:"applications"`
			}{cy, nonNil(apps)}
			extra = fmt.Sprintf("; %s drafted for its cohort", plural(len(apps), "application"))
		case "close-applications":
			cy, err = a.s.CloseApplications(ctx, a.actor, id)
		case "start-evaluation":
			cy, err = a.s.StartEvaluation(ctx, a.actor, id)
		case "start-deliberation":
			cy, err = a.s.StartDeliberation(ctx, a.actor, id)
		case "publish-notice":
			var n store.Notice
			if n, err = a.s.PublishNotice(ctx, a.actor, id); err == nil {
				cy, err = a.s.Cycle(ctx, id)
				out = struct {
					Cycle  store.Cycle  `json:"cycle"`
					Notice store.Notice `json:"notice"`
				}{cy, n}
				extra = fmt.Sprintf("; notice %d runs %d working days, from %s until %s", n.ID, n.WorkingDays, showTime(n.StartsAt), showTime(n.EndsAt))
			}
		case "announce":
			cy, err = a.s.Announce(ctx, a.actor, id)
		case "close":
			cy, err = a.s.CloseCycle(ctx, a.actor, id)
		}
		if err != nil {
			return err
		}
		if a.json {
			if out == nil {
				out = cy
			}
			return printJSON(env.Stdout, out)
		}
		fmt.Fprintf(env.Stdout, "cycle %d is now in phase %s%s\n", cy.ID, cy.Phase, extra)
		if next := nextStep(cy); next != "" {
			fmt.Fprintf(env.Stdout, "next: %s\n", next)
		}
		return nil
	}
}

// nextStep is what people usually do next in a cycle's phase.
func nextStep(c store.Cycle) string {
	id := c.ID
	switch c.Phase {
	case workflow.PhaseDraft:
		return fmt.Sprintf("exemplar cycle %s %d", openVerb(c), id)
	case workflow.PhaseOpen:
		return fmt.Sprintf("applications (exemplar application create --cycle %d …), then exemplar cycle close-applications %d", id, id)
	case workflow.PhaseRecommendation:
		return fmt.Sprintf("exemplar application recommend --channel CODE APP…, then exemplar cycle start-evaluation %d", id)
	case workflow.PhaseEvaluation:
		return fmt.Sprintf("exemplar cycle results %d, then exemplar cycle start-deliberation %d", id, id)
	case workflow.PhaseDeliberation:
		return fmt.Sprintf("exemplar decision list --cycle %d (edit with exemplar decision edit), then exemplar cycle publish-notice %d", id, id)
	case workflow.PhaseNotice:
		return fmt.Sprintf("exemplar objection list --cycle %d; when the notice has ended, exemplar cycle announce %d", id, id)
	case workflow.PhaseAnnounced:
		return fmt.Sprintf("exemplar cycle close %d", id)
	}
	return ""
}

// cycles reads every cycle, by id. Neither workflow nor store lists them,
// so the ids come from one portable query.
func (a *app) cycles(ctx context.Context) ([]store.Cycle, error) {
	var cs []store.Cycle
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM cycles ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.Cycle(ctx, id)
			if err != nil {
				return err
			}
			cs = append(cs, c)
		}
		return nil
	})
	return cs, err
}

func cycleList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "cycle list", "cycle list [--phase P] [--kind K] [--year Y] [--sort id|year|phase] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	phase := fs.String("phase", "", "only cycles in this phase: "+strings.Join(workflow.Phases, ", "))
	kind := fs.String("kind", "", "only cycles of this kind: identification or review")
	year := fs.Int("year", 0, "only cycles of this year")
	l := pagingFlags(fs, "id", "year", "phase")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	key, desc, err := l.check()
	if err != nil {
		return err
	}
	if err := checkOneOf("--phase", *phase, workflow.Phases...); err != nil {
		return err
	}
	if err := checkOneOf("--kind", *kind, workflow.KindIdentification, workflow.KindReview); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	all, err := a.cycles(ctx)
	if err != nil {
		return err
	}
	var cs []store.Cycle
	for _, cy := range all {
		if (*phase == "" || cy.Phase == *phase) && (*kind == "" || cy.Kind == *kind) && (*year == 0 || cy.Year == *year) {
			cs = append(cs, cy)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		x, y := cs[i], cs[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "year":
			return x.Year < y.Year || x.Year == y.Year && x.ID < y.ID
		case "phase":
			return phaseIndex(x.Phase) < phaseIndex(y.Phase) || x.Phase == y.Phase && x.ID < y.ID
		}
		return x.ID < y.ID
	})
	shown := page(l, cs)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(cs) == 0 {
		fmt.Fprintln(env.Stdout, "no cycles: create one with 'exemplar cycle create'")
		return nil
	}
	tw := newTable(env.Stdout, "ID\tYEAR\tKIND\tPHASE\tTITLE")
	for _, cy := range shown {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", cy.ID, cy.Year, cy.Kind, cy.Phase, cy.TitleEn)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(cs), len(shown))
	return nil
}

// phaseIndex is the place of phase in workflow.Phases, -1 if none.
func phaseIndex(phase string) int {
	for i, p := range workflow.Phases {
		if p == phase {
			return i
		}
	}
	return -1
}

// cycleView is what 'cycle show' prints.
type cycleView struct {
	Cycle        store.Cycle      `json:"cycle"`
	Program      string           `json:"program"`
	Label        string           `json:"program_version"`
	Applications map[string]int   `json:"applications"` // by status
	Channels     []channelView    `json:"channels"`
	Decisions    map[string]int   `json:"decisions"` // by "state/outcome"
	Notice       *store.Notice    `json:"notice,omitempty"`
	Objections   map[string]int   `json:"objections,omitempty"` // by status
	Next         string           `json:"next,omitempty"`
	Run          *store.EngineRun `json:"engine_run,omitempty"`
}

type channelView struct {
	Code         string `json:"code"`
	Applications int    `json:"applications"`
	Recommended  int    `json:"recommended"`
	Quota        *int   `json:"quota,omitempty"` // the cycle's own; nil: the program's
}

func cycleShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "cycle show", "cycle show CYCLE [--json] [--database URL]")
	c := readFlags(fs)
	a, id, err := c.openOne(ctx, env, fs, args, "CYCLE")
	if err != nil {
		return err
	}
	defer a.Close()
	v := cycleView{Applications: map[string]int{}, Decisions: map[string]int{}}
	var quotas map[int64]int
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		cy, err := tx.Cycle(ctx, id)
		if err != nil {
			return err
		}
		v.Cycle = cy
		pv, err := tx.ProgramVersion(ctx, cy.ProgramVersionID)
		if err != nil {
			return err
		}
		v.Program, v.Label = pv.Program, pv.Label
		quotas, err = tx.CycleQuotas(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	apps, err := a.s.Applications(ctx, id)
	if err != nil {
		return err
	}
	n := a.names()
	byChannel := map[string]*channelView{}
	for _, app := range apps {
		v.Applications[app.Status]++
		code := n.channel(ctx, app.ChannelID)
		cv := byChannel[code]
		if cv == nil {
			cv = &channelView{Code: code}
			byChannel[code] = cv
		}
		cv.Applications++
		if app.Status == workflow.StatusRecommended {
			cv.Recommended++
		}
	}
	for chID, q := range quotas {
		code := n.channel(ctx, chID)
		if byChannel[code] == nil {
			byChannel[code] = &channelView{Code: code}
		}
		byChannel[code].Quota = &q
	}
	for _, cv := range byChannel {
		v.Channels = append(v.Channels, *cv)
	}
	sort.Slice(v.Channels, func(i, j int) bool { return v.Channels[i].Code < v.Channels[j].Code })
	ds, err := a.s.Decisions(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range ds {
		v.Decisions[d.State+"/"+d.Outcome]++
	}
	if run, _, err := a.s.Results(ctx, id); err == nil {
		v.Run = &run
	}
	if nt, err := a.s.Notice(ctx, id); err == nil {
		v.Notice = &nt
		obs, err := a.s.Objections(ctx, nt.ID)
		if err != nil {
			return err
		}
		v.Objections = map[string]int{}
		for _, o := range obs {
			v.Objections[o.Status]++
		}
	}
	v.Next = nextStep(v.Cycle)
	if a.json {
		return printJSON(env.Stdout, v)
	}
	printCycle(env, v)
	return nil
}

func printCycle(env *Env, v cycleView) {
	w := env.Stdout
	cy := v.Cycle
	fmt.Fprintf(w, "cycle %d  %s / %s\n", cy.ID, cy.TitleZh, cy.TitleEn)
	fmt.Fprintf(w, "  program        %s@%s (version %d)\n", v.Program, v.Label, cy.ProgramVersionID)
	fmt.Fprintf(w, "  kind, year     %s %d\n", cy.Kind, cy.Year)
	fmt.Fprintf(w, "  phase          %s\n", cy.Phase)
	if cy.ApplicationsDueAt != nil {
		fmt.Fprintf(w, "  applications due     %s\n", showTime(*cy.ApplicationsDueAt))
	}
	if cy.RecommendationsDueAt != nil {
		fmt.Fprintf(w, "  recommendations due  %s\n", showTime(*cy.RecommendationsDueAt))
	}
	fmt.Fprintf(w, "  notice         %d working days\n", cy.NoticeWorkingDays)
	fmt.Fprintf(w, "  applications   %s\n", counts(v.Applications, workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusReturned,
		workflow.StatusWithdrawn, workflow.StatusRecommended, workflow.StatusNotRecommended))
	if len(v.Channels) > 0 {
		tw := newTable(w, "  CHANNEL\tAPPLICATIONS\tRECOMMENDED\tCYCLE QUOTA")
		for _, ch := range v.Channels {
			q := "program's"
			if ch.Quota != nil {
				q = strconv.Itoa(*ch.Quota)
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", ch.Code, ch.Applications, ch.Recommended, q)
		}
		tw.Flush()
	}
	if v.Run != nil {
		fmt.Fprintf(w, "  engine run     %d, %s %s\n", v.Run.ID, v.Run.Status, showTime(v.Run.StartedAt))
	}
	if len(v.Decisions) > 0 {
		fmt.Fprintf(w, "  decisions      %s\n", counts(v.Decisions))
	}
	if nt := v.Notice; nt != nil {
		fmt.Fprintf(w, "  notice %d      %s until %s; objections: %s\n", nt.ID, showTime(nt.StartsAt), showTime(nt.EndsAt),
			counts(v.Objections, workflow.ObjectionFiled, workflow.ObjectionUpheld, workflow.ObjectionDismissed))
	}
	if v.Next != "" {
		fmt.Fprintf(w, "  next           %s\n", v.Next)
	}
}

// counts writes "k n, k n" for the keys of m, those of order first.
func counts(m map[string]int, order ...string) string {
	var parts []string
	done := map[string]bool{}
	for _, k := range order {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
		done[k] = true
	}
	var rest []string
	for k := range m {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func cycleResults(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "cycle results", "cycle results CYCLE [--pass|--fail] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	pass := fs.Bool("pass", false, "only the enterprises the engine passed")
	fail := fs.Bool("fail", false, "only the enterprises the engine failed")
	l := pagingFlags(fs, "rank", "code", "score")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("CYCLE", pos)
	if err != nil {
		return err
	}
	key, desc, err := l.check()
	if err != nil {
		return err
	}
	if *pass && *fail {
		return usagef("say --pass or --fail, not both")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	run, all, err := a.s.Results(ctx, id)
	if err != nil {
		return err
	}
	var rs []store.Result
	for _, r := range all {
		if (!*pass || r.Pass) && (!*fail || !r.Pass) {
			rs = append(rs, r)
		}
	}
	n := a.names()
	sort.SliceStable(rs, func(i, j int) bool {
		x, y := rs[i], rs[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "code":
			return n.enterprise(ctx, x.EnterpriseID).USCC < n.enterprise(ctx, y.EnterpriseID).USCC
		case "score":
			return score(x) < score(y)
		}
		return rankKey(x) < rankKey(y)
	})
	shown := page(l, rs)
	if a.json {
		return printJSON(env.Stdout, struct {
			Run     store.EngineRun `json:"run"`
			Results []store.Result  `json:"results"`
		}{run, nonNil(shown)})
	}
	fmt.Fprintf(env.Stdout, "engine run %d of cycle %d (%s %s): %s\n", run.ID, id, run.Status, showTime(run.StartedAt), plural(len(all), "result"))
	tw := newTable(env.Stdout, "RANK\tCODE\tNAME\tELIGIBLE\tSCORE\tOUTCOME")
	for _, r := range shown {
		e := n.enterprise(ctx, r.EnterpriseID)
		rank, sc, out := "", "", "fail"
		if r.Rank > 0 {
			rank = strconv.Itoa(r.Rank)
		}
		if r.Score != nil {
			sc = strconv.FormatFloat(*r.Score, 'f', 2, 64)
		}
		if r.Pass {
			out = "pass"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", rank, e.USCC, oneLine(e.Name, 30), r.Eligible, sc, out)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(rs), len(shown))
	return nil
}

func score(r store.Result) float64 {
	if r.Score == nil {
		return -1e300
	}
	return *r.Score
}

// rankKey puts unranked results after the ranked ones.
func rankKey(r store.Result) int {
	if r.Rank == 0 {
		return 1 << 30
	}
	return r.Rank
}

// cycleCohort lists a review's cohort (workflow.ReviewCohort): of a cycle,
// or of a program version and year before the cycle exists.
func cycleCohort(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "cycle cohort", "cycle cohort CYCLE | --program NAME[@LABEL] --year YEAR [--json] [--database URL]")
	c := readFlags(fs)
	prog := fs.String("program", "", "the program version (without CYCLE)")
	year := fs.Int("year", 0, "the review's year (without CYCLE)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 && (*prog != "" || *year != 0) {
		return usagef("say CYCLE, or --program and --year, not both")
	}
	var id int64
	if len(pos) > 0 || *prog == "" {
		if id, err = oneID("CYCLE", pos); err != nil {
			return err
		}
	} else if *year == 0 {
		return usagef("say the review's year with --year")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	versionID, y := int64(0), *year
	if id != 0 {
		cy, err := a.s.Cycle(ctx, id)
		if err != nil {
			return err
		}
		versionID, y = cy.ProgramVersionID, cy.Year
	} else {
		v, err := a.programVersionRef(ctx, *prog)
		if err != nil {
			return err
		}
		versionID = v.ID
	}
	co, err := a.s.ReviewCohort(ctx, versionID, y)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, co)
	}
	fmt.Fprintf(env.Stdout, "the %d review of %s re-examines %s recognised or passed review in %d\n",
		co.Year, co.Program, plural(len(co.Members), "enterprise"), co.BasisYear)
	if len(co.Members) == 0 {
		return nil
	}
	n := a.names()
	tw := newTable(env.Stdout, "CODE\tNAME\tRECOGNITION\tSTATUS\tVALID UNTIL\tWHY")
	for _, m := range co.Members {
		e := n.enterprise(ctx, m.EnterpriseID)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", e.USCC, oneLine(e.Name, 30), m.Recognition.ID, m.Recognition.Status, showDay(m.Recognition.ValidUntil), m.ReasonEn)
	}
	return tw.Flush()
}
