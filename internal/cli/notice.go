package cli

// The public notice and the objections filed during it. Publishing the
// notice is a cycle transition: 'exemplar cycle publish-notice'.

import (
	"context"
	"fmt"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runNotice(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "notice", []subcommand{
		{"show", "show a cycle's notice: its period, what it lists, its objections (publish it with 'exemplar cycle publish-notice')", noticeShow},
	}, args)
}

func runObjection(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "objection", []subcommand{
		{"file", "file an objection to an enterprise's proposed decision while the notice runs", objectionFile},
		{"handle", "uphold or dismiss a filed objection, with the reason", objectionHandle},
		{"list", "list the objections to a cycle's notice", objectionList},
	}, args)
}

// cycleNotice reads the latest notice of the cycle --cycle names.
func (a *app) cycleNotice(ctx context.Context, cycle string) (store.Notice, error) {
	cid, err := parseID("--cycle", cycle)
	if err != nil {
		return store.Notice{}, err
	}
	if _, err := a.s.Cycle(ctx, cid); err != nil {
		return store.Notice{}, err
	}
	return a.s.Notice(ctx, cid)
}

// noticeView is what 'notice show' prints.
type noticeView struct {
	Notice     store.Notice      `json:"notice"`
	Decisions  map[string]int    `json:"decisions"` // by state/outcome
	Objections []store.Objection `json:"objections"`
	Running    bool              `json:"running"` // by the service's clock
}

func noticeShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "notice show", "notice show --cycle CYCLE [--json] [--database URL]")
	c := readFlags(fs)
	cycle := fs.String("cycle", "", "the cycle (its id)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if _, err := parseID("--cycle", *cycle); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	nt, err := a.cycleNotice(ctx, *cycle)
	if err != nil {
		return err
	}
	v := noticeView{Notice: nt, Decisions: map[string]int{}}
	ds, err := a.s.Decisions(ctx, nt.CycleID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		v.Decisions[d.State+"/"+d.Outcome]++
	}
	if v.Objections, err = a.s.Objections(ctx, nt.ID); err != nil {
		return err
	}
	v.Objections = nonNil(v.Objections)
	now := a.db.Now() // the clock the service decides with
	v.Running = !now.Before(nt.StartsAt) && now.Before(nt.EndsAt)
	if a.json {
		return printJSON(env.Stdout, v)
	}
	w := env.Stdout
	state := "ended"
	if v.Running {
		state = "running"
	} else if now.Before(nt.StartsAt) {
		state = "not started"
	}
	fmt.Fprintf(w, "notice %d of cycle %d  %s / %s\n", nt.ID, nt.CycleID, nt.TitleZh, nt.TitleEn)
	fmt.Fprintf(w, "  period       %s until %s (%d working days; %s)\n", showTime(nt.StartsAt), showTime(nt.EndsAt), nt.WorkingDays, state)
	fmt.Fprintf(w, "  decisions    %s\n", counts(v.Decisions))
	fmt.Fprintf(w, "  objections   %d\n", len(v.Objections))
	if len(v.Objections) > 0 {
		return printObjections(ctx, env, a, v.Objections)
	}
	return nil
}

func printObjections(ctx context.Context, env *Env, a *app, obs []store.Objection) error {
	n := a.names()
	tw := newTable(env.Stdout, "ID\tFILED\tAGAINST\tBY\tSTATUS\tGROUNDS\tHANDLING")
	for _, o := range obs {
		e := n.enterprise(ctx, o.EnterpriseID)
		fmt.Fprintf(tw, "%d\t%s\t%s %s\t%s\t%s\t%s\t%s\n", o.ID, showTime(o.FiledAt), e.USCC, oneLine(e.Name, 20),
			oneLine(o.FilerName, 20), o.Status, oneLine(o.Grounds, 40), oneLine(o.HandlingReason, 40))
	}
	return tw.Flush()
}

// objectionFile files an objection (workflow.FileObjection). Anyone may
// file; the audit log names the filer, so it takes no --as.
func objectionFile(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "objection file", "objection file --cycle CYCLE --enterprise ID|CODE --name NAME --contact CONTACT --grounds TEXT [--json] [--database URL]")
	c := readFlags(fs)
	cycle := fs.String("cycle", "", "the cycle whose notice is objected to (its id)")
	ent := fs.String("enterprise", "", "whose proposed decision is objected to: its id or credit code")
	name := fs.String("name", "", "who objects: a person or an organisation")
	contact := fs.String("contact", "", "how to reach them with the outcome: a phone number, an address, an e-mail")
	grounds := fs.String("grounds", "", "why")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if _, err := parseID("--cycle", *cycle); err != nil {
		return err
	}
	for _, f := range []struct{ flag, v string }{{"--enterprise", *ent}, {"--name", *name}, {"--contact", *contact}, {"--grounds", *grounds}} {
		if f.v == "" {
			return usagef("%s is required", f.flag)
		}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	nt, err := a.cycleNotice(ctx, *cycle)
	if err != nil {
		return err
	}
	e, err := a.enterpriseRef(ctx, "--enterprise", *ent)
	if err != nil {
		return err
	}
	o, err := a.s.FileObjection(ctx, workflow.Filing{NoticeID: nt.ID, EnterpriseID: e.ID, FilerName: *name, FilerContact: *contact, Grounds: *grounds})
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, o)
	}
	fmt.Fprintf(env.Stdout, "filed objection %d against %s %s in notice %d\n", o.ID, e.USCC, e.Name, nt.ID)
	return nil
}

// objectionHandle upholds or dismisses an objection
// (workflow.HandleObjection). Upholding sends the enterprise's decision
// back to drafted: edit it, then 'exemplar decision finalise'.
func objectionHandle(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "objection handle", "objection handle OBJECTION --uphold|--dismiss --reason TEXT [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	uphold := fs.Bool("uphold", false, "the objection is right: the decision goes back to drafted")
	dismiss := fs.Bool("dismiss", false, "the objection is wrong: the decision stays")
	reason := fs.String("reason", "", "why, as the filer will be told")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("OBJECTION", pos)
	if err != nil {
		return err
	}
	if *uphold == *dismiss {
		return usagef("say --uphold or --dismiss (one of them)")
	}
	if *reason == "" {
		return usagef("say why with --reason")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.s.HandleObjection(ctx, a.actor, id, *uphold, *reason)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, o)
	}
	fmt.Fprintf(env.Stdout, "objection %d is %s\n", o.ID, o.Status)
	if o.Status == workflow.ObjectionUpheld {
		fmt.Fprintf(env.Stdout, "the decision on enterprise %d is drafted again: edit it with 'exemplar decision edit', then 'exemplar decision finalise'\n", o.EnterpriseID)
	}
	return nil
}

func objectionList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "objection list", "objection list --cycle CYCLE [--status filed|upheld|dismissed] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	cycle := fs.String("cycle", "", "the cycle (its id)")
	status := fs.String("status", "", "only objections in this status: filed, upheld or dismissed")
	l := pagingFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if _, _, err := l.check(); err != nil {
		return err
	}
	if err := checkOneOf("--status", *status, workflow.ObjectionFiled, workflow.ObjectionUpheld, workflow.ObjectionDismissed); err != nil {
		return err
	}
	if _, err := parseID("--cycle", *cycle); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	nt, err := a.cycleNotice(ctx, *cycle)
	if err != nil {
		return err
	}
	all, err := a.s.Objections(ctx, nt.ID)
	if err != nil {
		return err
	}
	var obs []store.Objection
	for _, o := range all {
		if *status == "" || o.Status == *status {
			obs = append(obs, o)
		}
	}
	shown := page(l, obs)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(obs) == 0 {
		fmt.Fprintf(env.Stdout, "no such objections to notice %d\n", nt.ID)
		return nil
	}
	if err := printObjections(ctx, env, a, shown); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(obs), len(shown))
	return nil
}
