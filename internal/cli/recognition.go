package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runRecognition(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "recognition", []subcommand{
		{"list", "list titles: of one enterprise, or all", recognitionList},
		{"expire", "expire the titles whose last valid day has passed (asks first)", recognitionExpire},
	}, args)
}

func recognitionList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "recognition list", "recognition list [--enterprise ID|CODE] [--status S] [--year Y] [--sort id|code|until] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	ent := fs.String("enterprise", "", "only this enterprise's titles: its id or credit code")
	status := fs.String("status", "", "only titles in this status: active, passed_review, revoked or expired")
	year := fs.Int("year", 0, "only titles granted in this year")
	l := pagingFlags(fs, "id", "code", "until")
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
	if err := checkOneOf("--status", *status, workflow.RecognitionActive, workflow.RecognitionPassedReview,
		workflow.RecognitionRevoked, workflow.RecognitionExpired); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	var ids []int64
	if *ent != "" {
		e, err := a.enterpriseRef(ctx, "--enterprise", *ent)
		if err != nil {
			return err
		}
		ids = []int64{e.ID}
	} else {
		// workflow lists one enterprise's titles: the enterprises that
		// hold any come from one portable query.
		err = a.db.Read(ctx, func(tx *store.Tx) (err error) {
			ids, err = queryIDs(ctx, tx, `SELECT DISTINCT enterprise_id FROM recognitions ORDER BY enterprise_id`)
			return err
		})
		if err != nil {
			return err
		}
	}
	var rs []store.Recognition
	for _, id := range ids {
		got, err := a.s.Recognitions(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range got {
			if (*status == "" || r.Status == *status) && (*year == 0 || r.GrantedYear == *year) {
				rs = append(rs, r)
			}
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
		case "until":
			return x.ValidUntil.Before(y.ValidUntil)
		}
		return x.ID < y.ID
	})
	shown := page(l, rs)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(rs) == 0 {
		fmt.Fprintln(env.Stdout, "no such titles")
		return nil
	}
	if err := printRecognitions(ctx, env, a, shown, ""); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(rs), len(shown))
	return nil
}

// recognitionExpire expires lapsed titles (workflow.ExpireRecognitions),
// as of today or --as-of.
func recognitionExpire(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "recognition expire", "recognition expire [--as-of DATE] [--yes] [--as NAME] [--json] [--database URL]")
	c := confirmFlags(fs)
	asOf := fs.String("as-of", "", "the day to expire as of (2021-09-23): titles valid until before it expire (default: today, China time)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	var when time.Time
	if *asOf != "" {
		if when, err = parseDay("--as-of", *asOf); err != nil {
			return err
		}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if when.IsZero() {
		when = a.db.Now()
	}
	day := when.In(workflow.ChinaTime).Format(time.DateOnly)
	if err := confirm(env, c, fmt.Sprintf("Expiring every title whose last valid day is before %s", day)); err != nil {
		return err
	}
	k, err := a.s.ExpireRecognitions(ctx, a.actor, when)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, struct {
			AsOf    string `json:"as_of"`
			Expired int    `json:"expired"`
		}{day, k})
	}
	fmt.Fprintf(env.Stdout, "expired %s as of %s\n", plural(k, "title"), day)
	return nil
}
