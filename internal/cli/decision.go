package cli

import (
	"context"
	"fmt"
	"sort"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runDecision(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "decision", []subcommand{
		{"list", "list a cycle's decisions", decisionList},
		{"edit", "change a drafted decision's outcome or reasons", decisionEdit},
		{"finalise", "settle a decision an upheld objection reopened (asks first)", decisionFinalise},
	}, args)
}

// decisionRow is one line of 'decision list'.
type decisionRow struct {
	store.Decision
	USCC string `json:"uscc"`
	Name string `json:"name"`
}

func decisionList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "decision list", "decision list --cycle CYCLE [--state S] [--outcome pass|fail] [--sort code|id|outcome|state] [--lang en|zh] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	cycle := fs.String("cycle", "", "the cycle (its id)")
	state := fs.String("state", "", "only decisions in this state: drafted, proposed or final")
	outcome := fs.String("outcome", "", "only decisions with this outcome: pass or fail")
	lang := langFlag(fs)
	l := pagingFlags(fs, "code", "id", "outcome", "state")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	if err := checkOneOf("--state", *state, workflow.DecisionDrafted, workflow.DecisionProposed, workflow.DecisionFinal); err != nil {
		return err
	}
	if err := checkOneOf("--outcome", *outcome, workflow.OutcomePass, workflow.OutcomeFail); err != nil {
		return err
	}
	cid, err := parseID("--cycle", *cycle)
	if err != nil {
		return err
	}
	key, desc, err := l.check()
	if err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.s.Cycle(ctx, cid); err != nil {
		return err
	}
	ds, err := a.s.Decisions(ctx, cid)
	if err != nil {
		return err
	}
	n := a.names()
	var rows []decisionRow
	for _, d := range ds {
		if (*state == "" || d.State == *state) && (*outcome == "" || d.Outcome == *outcome) {
			e := n.enterprise(ctx, d.EnterpriseID)
			rows = append(rows, decisionRow{Decision: d, USCC: e.USCC, Name: e.Name})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "id":
			return x.ID < y.ID
		case "outcome":
			return x.Outcome < y.Outcome || x.Outcome == y.Outcome && x.USCC < y.USCC
		case "state":
			return x.State < y.State || x.State == y.State && x.USCC < y.USCC
		}
		return x.USCC < y.USCC
	})
	shown := page(l, rows)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(rows) == 0 {
		fmt.Fprintf(env.Stdout, "cycle %d has no such decisions\n", cid)
		return nil
	}
	tw := newTable(env.Stdout, "ID\tCODE\tNAME\tOUTCOME\tSTATE\tVERSION\tREASON")
	for _, r := range shown {
		reason := r.ReasonEn
		if *lang == "zh" {
			reason = r.ReasonZh
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.USCC, oneLine(r.Name, 24), r.Outcome, r.State, r.Version, oneLine(reason, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(rows), len(shown))
	return nil
}

// decision reads decision id (workflow lists a cycle's decisions but has
// no read of one).
func (a *app) decision(ctx context.Context, id int64) (store.Decision, error) {
	var d store.Decision
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		d, err = tx.Decision(ctx, id)
		return err
	})
	return d, err
}

// decisionEdit changes a drafted decision (workflow.UpdateDecision); what
// it is not told keeps its current value.
func decisionEdit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "decision edit", "decision edit DECISION [--outcome pass|fail] [--reason-zh TEXT] [--reason-en TEXT] [--version V] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	outcome := fs.String("outcome", "", "pass or fail (default: as it is)")
	reasonZh := fs.String("reason-zh", "", "the reason in Chinese (default: as it is)")
	reasonEn := fs.String("reason-en", "", "the reason in English (default: as it is)")
	version := versionFlag(fs, "decision")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("DECISION", pos)
	if err != nil {
		return err
	}
	if *outcome == "" && *reasonZh == "" && *reasonEn == "" {
		return usagef("say what to change: --outcome, --reason-zh or --reason-en")
	}
	if *outcome != "" && *outcome != workflow.OutcomePass && *outcome != workflow.OutcomeFail {
		return usagef("--outcome must be pass or fail, got %q", *outcome)
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.decision(ctx, id)
	if err != nil {
		return err
	}
	out, zh, en := d.Outcome, d.ReasonZh, d.ReasonEn
	if *outcome != "" {
		out = *outcome
	}
	if *reasonZh != "" {
		zh = *reasonZh
	}
	if *reasonEn != "" {
		en = *reasonEn
	}
	d, err = a.s.UpdateDecision(ctx, a.actor, id, pick(*version, d.Version), out, zh, en)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, d)
	}
	fmt.Fprintf(env.Stdout, "decision %d: %s (%s, version %d): %s\n", d.ID, d.Outcome, d.State, d.Version, d.ReasonEn)
	return nil
}

// decisionFinalise settles a reopened decision (workflow.FinaliseDecision):
// proposed again during the notice, final at once after the announcement.
func decisionFinalise(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "decision finalise", "decision finalise DECISION [--version V] [--yes] [--as NAME] [--json] [--database URL]")
	c := confirmFlags(fs)
	version := versionFlag(fs, "decision")
	a, id, err := c.openOne(ctx, env, fs, args, "DECISION")
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.decision(ctx, id)
	if err != nil {
		return err
	}
	if err := confirm(env, c, fmt.Sprintf("Settling decision %d (%s: %s)", d.ID, d.Outcome, d.ReasonEn)); err != nil {
		return err
	}
	d, err = a.s.FinaliseDecision(ctx, a.actor, id, pick(*version, d.Version))
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, d)
	}
	fmt.Fprintf(env.Stdout, "decision %d is %s: %s\n", d.ID, d.State, d.Outcome)
	return nil
}
