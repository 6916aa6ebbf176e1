package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runEnterprise(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "enterprise", []subcommand{
		{"register", "register an enterprise by its credit code, or rename it or move it to another channel", enterpriseRegister},
		{"list", "list the enterprises", enterpriseList},
		{"show", "show an enterprise: its names, channel and titles", enterpriseShow},
		{"timeline", "everything that happened to an enterprise, oldest first", enterpriseTimeline},
	}, args)
}

func enterpriseRegister(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "enterprise register", "enterprise register CODE --name NAME [--channel CODE] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	name := fs.String("name", "", "its name; a new name is kept in its name history from today")
	channel := fs.String("channel", "", "the code of its recommending channel (default: unchanged)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which enterprise: its 18-character unified social credit code")
	}
	if *name == "" {
		return usagef("say the enterprise's name with --name")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	e, err := a.s.RegisterEnterprise(ctx, a.actor, pos[0], *name, *channel)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, e)
	}
	fmt.Fprintf(env.Stdout, "enterprise %d: %s %s, channel %s, version %d\n", e.ID, e.USCC, e.Name, a.names().channel(ctx, e.ChannelID), e.Version)
	return nil
}

// enterpriseRow is one line of 'enterprise list'.
type enterpriseRow struct {
	store.Enterprise
	Channel string `json:"channel"`
}

func enterpriseList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "enterprise list", "enterprise list [--channel CODE] [--name TEXT] [--sort code|name|id] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	channel := fs.String("channel", "", "only enterprises of this channel (its code)")
	name := fs.String("name", "", "only enterprises whose name contains this")
	l := pagingFlags(fs, "code", "name", "id")
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
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	// Neither workflow nor store lists enterprises: the ids come from one
	// portable query.
	var all []store.Enterprise
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM enterprises ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			e, err := tx.Enterprise(ctx, id)
			if err != nil {
				return err
			}
			all = append(all, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	n := a.names()
	var rows []enterpriseRow
	for _, e := range all {
		r := enterpriseRow{Enterprise: e, Channel: n.channel(ctx, e.ChannelID)}
		if (*channel == "" || r.Channel == *channel) && (*name == "" || strings.Contains(e.Name, *name)) {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "name":
			return x.Name < y.Name
		case "id":
			return x.ID < y.ID
		}
		return x.USCC < y.USCC
	})
	shown := page(l, rows)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "no such enterprises")
		return nil
	}
	tw := newTable(env.Stdout, "ID\tCODE\tNAME\tCHANNEL\tVERSION")
	for _, r := range shown {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", r.ID, r.USCC, oneLine(r.Name, 40), r.Channel, r.Version)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(rows), len(shown))
	return nil
}

// enterpriseView is what 'enterprise show' prints.
type enterpriseView struct {
	Enterprise   store.Enterprise       `json:"enterprise"`
	Channel      string                 `json:"channel"`
	Names        []store.EnterpriseName `json:"names"`
	Recognitions []store.Recognition    `json:"recognitions"`
}

func enterpriseShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "enterprise show", "enterprise show ID|CODE [--json] [--database URL]")
	c := readFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which enterprise: its id or credit code")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	e, err := a.enterpriseRef(ctx, "ENTERPRISE", pos[0])
	if err != nil {
		return err
	}
	v := enterpriseView{Enterprise: e, Channel: a.names().channel(ctx, e.ChannelID)}
	if _, v.Names, err = a.s.Enterprise(ctx, e.ID); err != nil {
		return err
	}
	if v.Recognitions, err = a.s.Recognitions(ctx, e.ID); err != nil {
		return err
	}
	v.Names, v.Recognitions = nonNil(v.Names), nonNil(v.Recognitions)
	if a.json {
		return printJSON(env.Stdout, v)
	}
	w := env.Stdout
	fmt.Fprintf(w, "enterprise %d  %s %s\n", e.ID, e.USCC, e.Name)
	fmt.Fprintf(w, "  channel      %s\n", v.Channel)
	fmt.Fprintf(w, "  version      %d, registered %s\n", e.Version, showTime(e.CreatedAt))
	if len(v.Names) > 1 {
		fmt.Fprintln(w, "  names")
		for _, nm := range v.Names {
			fmt.Fprintf(w, "    from %s  %s\n", showDay(nm.ValidFrom), nm.Name)
		}
	}
	if len(v.Recognitions) == 0 {
		fmt.Fprintln(w, "  titles       none")
		return nil
	}
	fmt.Fprintln(w, "  titles")
	return printRecognitions(ctx, env, a, v.Recognitions, "    ")
}

func enterpriseTimeline(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "enterprise timeline", "enterprise timeline ID|CODE [--lang en|zh] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	lang := langFlag(fs)
	l := pagingFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which enterprise: its id or credit code")
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	if _, _, err := l.check(); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	e, err := a.enterpriseRef(ctx, "ENTERPRISE", pos[0])
	if err != nil {
		return err
	}
	evs, err := a.s.Timeline(ctx, e.ID)
	if err != nil {
		return err
	}
	shown := page(l, evs)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", e.USCC, e.Name, plural(len(evs), "event"))
	tw := newTable(env.Stdout, "AT\tWHAT\tCYCLE\tBY\tSUMMARY")
	for _, ev := range shown {
		sum := ev.SummaryEn
		if *lang == "zh" {
			sum = ev.SummaryZh
		}
		cy := ""
		if ev.CycleID != 0 {
			cy = fmt.Sprint(ev.CycleID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", showTime(ev.At), ev.Kind, cy, ev.Actor, oneLine(sum, 80))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(evs), len(shown))
	return nil
}

// printRecognitions lays titles out as a table, each line after indent.
func printRecognitions(ctx context.Context, env *Env, a *app, rs []store.Recognition, indent string) error {
	n := a.names()
	programs := map[int64]string{}
	tw := newTable(env.Stdout, indent+"ID\tENTERPRISE\tPROGRAM\tGRANTED\tVALID FROM\tVALID UNTIL\tSTATUS\tNOTE")
	for _, r := range rs {
		if _, ok := programs[r.ProgramID]; !ok {
			programs[r.ProgramID] = fmt.Sprint(r.ProgramID)
			a.db.Read(ctx, func(tx *store.Tx) error {
				if p, err := tx.Program(ctx, r.ProgramID); err == nil {
					programs[r.ProgramID] = p.Name
				}
				return nil
			})
		}
		note := ""
		switch r.Status {
		case workflow.RecognitionRevoked:
			note = oneLine(r.RevokedReasonEn, 50)
		case workflow.RecognitionPassedReview:
			note = fmt.Sprintf("confirmed by cycle %d", r.ConfirmedCycleID)
		}
		fmt.Fprintf(tw, "%s%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", indent, r.ID, n.enterprise(ctx, r.EnterpriseID).USCC, programs[r.ProgramID],
			r.GrantedYear, showDay(r.ValidFrom), showDay(r.ValidUntil), r.Status, note)
	}
	return tw.Flush()
}
