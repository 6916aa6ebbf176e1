package cli

// The expert review (专家评审): experts declare conflicts, list their
// assignments and score them; the administrator assigns experts, follows
// the progress and moves the cycle on to deliberation with the review
// applied. An expert acts as itself: --as names its user account.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runReview(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "review", []subcommand{
		{"assign", "assign experts to a cycle's applications: automatically, or add or remove one", reviewAssign},
		{"conflicts", "declare a conflict of interest (--as the expert), or list them", reviewConflicts},
		{"list", "list an expert's assignments and their status", reviewList},
		{"score", "save an expert's draft scores on an assignment: ITEM=VALUE…", reviewScore(false)},
		{"submit", "submit an expert's scores on an assignment; it is then locked", reviewScore(true)},
		{"progress", "show a cycle's review: experts assigned and submitted, combined values", reviewProgress},
		{"deliberate", "start deliberation with the review applied (--override REASON when incomplete)", reviewDeliberate},
	}, args)
}

func reviewAssign(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "review assign", "review assign CYCLE [--per N] [--seed S] | --app APP --expert USER | --remove ASSIGNMENT [--version V] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	per := fs.Int("per", 0, "experts per application (default: the program's min_experts)")
	seed := fs.Int64("seed", 0, "seed of the draw: the same seed draws the same experts")
	appFlag := fs.String("app", "", "assign one expert by hand to this application")
	expert := fs.String("expert", "", "the expert (username or id) to assign by hand")
	remove := fs.String("remove", "", "remove this assignment (not yet submitted)")
	version := versionFlag(fs, "assignment")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	a, err := func() (*app, error) {
		if *appFlag != "" || *remove != "" {
			if err := noArgs(pos); err != nil {
				return nil, err
			}
		} else if _, err := oneID("CYCLE", pos); err != nil {
			return nil, err
		}
		if *appFlag != "" && *expert == "" {
			return nil, usagef("say which expert with --expert USER")
		}
		return c.open(ctx, env)
	}()
	if err != nil {
		return err
	}
	defer a.Close()
	switch {
	case *remove != "":
		id, err := parseID("--remove", *remove)
		if err != nil {
			return err
		}
		v := *version
		if v == 0 {
			ra, err := a.readAssignment(ctx, id)
			if err != nil {
				return err
			}
			v = ra.Version
		}
		if err := a.s.RemoveReviewer(ctx, a.actor, id, v); err != nil {
			return err
		}
		if a.json {
			return printJSON(env.Stdout, map[string]any{"removed": id})
		}
		fmt.Fprintf(env.Stdout, "assignment %d removed\n", id)
		return nil
	case *appFlag != "":
		appID, err := parseID("--app", *appFlag)
		if err != nil {
			return err
		}
		u, err := a.userRef(ctx, *expert)
		if err != nil {
			return err
		}
		ra, err := a.s.AddReviewer(ctx, a.actor, appID, u.ID)
		if err != nil {
			return err
		}
		if a.json {
			return printJSON(env.Stdout, ra)
		}
		fmt.Fprintf(env.Stdout, "assignment %d: %s reviews application %d\n", ra.ID, u.Username, appID)
		return nil
	}
	id, _ := oneID("CYCLE", pos)
	made, err := a.s.AssignReviewers(ctx, a.actor, id, workflow.AssignSpec{PerApplication: *per, Seed: *seed})
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, nonNil(made))
	}
	fmt.Fprintf(env.Stdout, "cycle %d: %s made\n", id, plural(len(made), "assignment"))
	return nil
}

// readAssignment reads assignment id (for its version).
func (a *app) readAssignment(ctx context.Context, id int64) (store.ReviewAssignment, error) {
	var ra store.ReviewAssignment
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		ra, err = tx.ReviewAssignment(ctx, id)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return ra, errs.New(errs.NotFound, "review assignment %d does not exist", id)
	}
	return ra, err
}

// expertOf is the expert a command is about: --expert, else the actor.
func (a *app) expertOf(ctx context.Context, ref string) (store.User, error) {
	if ref != "" {
		return a.userRef(ctx, ref)
	}
	if a.actor.UserID == 0 {
		return store.User{}, usagef("say which expert with --as EXPERT (its user account) or --expert USER")
	}
	return a.userRef(ctx, strconv.FormatInt(a.actor.UserID, 10))
}

func reviewConflicts(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "review conflicts", "review conflicts [--enterprise CODE | --channel CODE --reason TEXT] [--expert USER] [--as EXPERT] [--json] [--database URL]")
	c := writeFlags(fs)
	enterprise := fs.String("enterprise", "", "declare a conflict with this enterprise (its credit code)")
	channel := fs.String("channel", "", "declare a conflict with every enterprise of this channel (its code)")
	reason := fs.String("reason", "", "why: the declaration's reason")
	expert := fs.String("expert", "", "list this expert's conflicts (default: the --as expert's)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	declare := *enterprise != "" || *channel != ""
	if declare && strings.TrimSpace(*reason) == "" {
		return usagef("say why with --reason")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if declare {
		rc, err := a.s.DeclareConflict(ctx, a.actor, workflow.ConflictSpec{EnterpriseCode: *enterprise, ChannelCode: *channel, Reason: *reason})
		if err != nil {
			return err
		}
		if a.json {
			return printJSON(env.Stdout, rc)
		}
		fmt.Fprintf(env.Stdout, "conflict %d declared\n", rc.ID)
		return nil
	}
	u, err := a.expertOf(ctx, *expert)
	if err != nil {
		return err
	}
	cs, err := a.s.Conflicts(ctx, u.ID)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, nonNil(cs))
	}
	n := a.names()
	tw := newTable(env.Stdout, "ID\tWITH\tREASON\tDECLARED")
	for _, x := range cs {
		with := "channel " + n.channel(ctx, x.ChannelID)
		if x.EnterpriseID != 0 {
			e := n.enterprise(ctx, x.EnterpriseID)
			with = e.USCC + " " + e.Name
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", x.ID, with, x.Reason, showTime(x.CreatedAt))
	}
	return tw.Flush()
}

func reviewList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "review list", "review list [--expert USER] [--limit N] [--offset N] [--as EXPERT] [--json] [--database URL]")
	c := writeFlags(fs)
	expert := fs.String("expert", "", "whose assignments (default: the --as expert's)")
	limit := fs.Int("limit", 50, "show at most this many")
	offset := fs.Int("offset", 0, "skip this many first")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *limit < 1 || *offset < 0 {
		return usagef("--limit must be at least 1 and --offset not negative")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.expertOf(ctx, *expert)
	if err != nil {
		return err
	}
	rows, total, err := a.s.ExpertAssignments(ctx, u.ID, *limit, *offset)
	if err != nil {
		return err
	}
	if a.json {
		out := make([]store.ReviewAssignment, len(rows))
		for i, r := range rows {
			out[i] = r.Assignment
		}
		return printJSON(env.Stdout, struct {
			Total       int                      `json:"total"`
			Assignments []store.ReviewAssignment `json:"assignments"`
		}{total, out})
	}
	tw := newTable(env.Stdout, "ID\tCYCLE\tAPP\tENTERPRISE\tSTATUS\tVERSION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d %s\t%d\t%s\t%s\t%d\n", r.Assignment.ID, r.Cycle.ID, r.Cycle.TitleEn, r.Assignment.ApplicationID,
			r.Enterprise.Name, r.Assignment.Status, r.Assignment.Version)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > *offset+len(rows) {
		fmt.Fprintf(env.Stdout, "(%d more: --offset %d)\n", total-*offset-len(rows), *offset+len(rows))
	}
	return nil
}

// reviewScore saves (or submits) an expert's scores: ITEM=VALUE
// arguments after the assignment's id; with submit, the values already
// saved are kept for the items not given.
func reviewScore(submit bool) func(ctx context.Context, env *Env, args []string) error {
	verb := map[bool]string{false: "score", true: "submit"}[submit]
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, "review "+verb, "review "+verb+" ASSIGNMENT [ITEM=VALUE…] [--comment TEXT] [--version V] [--as EXPERT] [--json] [--database URL]"+map[bool]string{true: " [--yes]"}[submit])
		var c *common
		if submit {
			c = confirmFlags(fs)
		} else {
			c = writeFlags(fs)
		}
		comment := fs.String("comment", "", "the expert's remarks (default: those saved before)")
		version := versionFlag(fs, "assignment")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			return usagef("say which assignment with ASSIGNMENT")
		}
		id, err := parseID("ASSIGNMENT", pos[0])
		if err != nil {
			return err
		}
		kvs, err := keyValues("ITEM=VALUE", pos[1:])
		if err != nil {
			return err
		}
		given := map[string]float64{}
		for _, kv := range kvs {
			v, err := strconv.ParseFloat(strings.TrimSpace(kv[1]), 64)
			if err != nil {
				return usagef("%s=%s: the value must be a number", kv[0], kv[1])
			}
			given[kv[0]] = v
		}
		a, err := c.open(ctx, env)
		if err != nil {
			return err
		}
		defer a.Close()
		sh, err := a.s.ExpertScoresheet(ctx, a.actor, id)
		if err != nil {
			return err
		}
		scores := map[string]float64{}
		for _, it := range sh.Items {
			if it.Value != nil {
				scores[it.ID] = *it.Value
			}
		}
		for k, v := range given {
			scores[k] = v
		}
		text := sh.Assignment.Comment
		if *comment != "" {
			text = *comment
		}
		v := *version
		if v == 0 {
			v = sh.Assignment.Version
		}
		var ra store.ReviewAssignment
		if submit {
			if err := confirm(env, c, fmt.Sprintf("submit the scores of assignment %d (they cannot be changed afterwards)", id)); err != nil {
				return err
			}
			ra, err = a.s.SubmitScoresheet(ctx, a.actor, id, v, scores, text)
		} else {
			ra, err = a.s.SaveScoresheet(ctx, a.actor, id, v, scores, text)
		}
		if err != nil {
			return err
		}
		if a.json {
			return printJSON(env.Stdout, ra)
		}
		fmt.Fprintf(env.Stdout, "assignment %d is %s (version %d), %d of %d items scored\n", ra.ID, ra.Status, ra.Version, len(scores), len(sh.Items))
		return nil
	}
}

func reviewProgress(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "review progress", "review progress CYCLE [--json] [--database URL]")
	c := readFlags(fs)
	a, id, err := c.openOne(ctx, env, fs, args, "CYCLE")
	if err != nil {
		return err
	}
	defer a.Close()
	pr, err := a.s.ReviewProgress(ctx, id)
	if err != nil {
		return err
	}
	if a.json {
		type row struct {
			ApplicationID int64                    `json:"application_id"`
			Enterprise    string                   `json:"enterprise"`
			Assigned      int                      `json:"assigned"`
			Submitted     int                      `json:"submitted"`
			Complete      bool                     `json:"complete"`
			Combined      map[string]float64       `json:"combined,omitempty"`
			Assignments   []store.ReviewAssignment `json:"assignments"`
		}
		out := struct {
			CycleID    int64 `json:"cycle_id"`
			MinExperts int   `json:"min_experts"`
			Rows       []row `json:"applications"`
		}{CycleID: id, MinExperts: pr.MinExperts, Rows: []row{}}
		for _, r := range pr.Rows {
			out.Rows = append(out.Rows, row{r.Application.ID, r.Enterprise.Name, len(r.Assignments), r.Submitted, r.Complete, r.Combined, nonNil(r.Assignments)})
		}
		return printJSON(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "cycle %d: %d of %d applications complete (at least %d experts each); %d of %d scoresheets submitted\n",
		id, pr.Complete, len(pr.Rows), pr.MinExperts, pr.Submitted, pr.Assigned)
	tw := newTable(env.Stdout, "APP\tENTERPRISE\tSUBMITTED\tEXPERTS\tCOMBINED")
	for _, r := range pr.Rows {
		var experts []string
		for _, x := range r.Assignments {
			experts = append(experts, fmt.Sprintf("%s(%s)", r.Experts[x.ExpertID], x.Status))
		}
		var comb []string
		for k, v := range r.Combined {
			comb = append(comb, fmt.Sprintf("%s=%s", k, strconv.FormatFloat(v, 'f', -1, 64)))
		}
		sort.Strings(comb)
		fmt.Fprintf(tw, "%d\t%s\t%d/%d\t%s\t%s\n", r.Application.ID, r.Enterprise.Name, r.Submitted, len(r.Assignments),
			strings.Join(experts, " "), strings.Join(comb, " "))
	}
	return tw.Flush()
}

func reviewDeliberate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "review deliberate", "review deliberate CYCLE [--override REASON] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	override := fs.String("override", "", "go on although the review is incomplete, for this reason (recorded in the audit log)")
	a, id, err := c.openOne(ctx, env, fs, args, "CYCLE")
	if err != nil {
		return err
	}
	defer a.Close()
	var cy store.Cycle
	if *override != "" {
		cy, err = a.s.StartDeliberationOverridingReviews(ctx, a.actor, id, *override)
	} else {
		cy, err = a.s.StartDeliberation(ctx, a.actor, id)
	}
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, cy)
	}
	fmt.Fprintf(env.Stdout, "cycle %d is now in phase %s, its decisions drafted from the review\n", cy.ID, cy.Phase)
	return nil
}
