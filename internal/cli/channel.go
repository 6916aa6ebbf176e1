package cli

import (
	"context"
	"fmt"
	"sort"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runChannel(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "channel", []subcommand{
		{"add", "create a channel, or change its names and kind (workflow.UpsertChannel)", channelAdd},
		{"list", "list the channels", channelList},
	}, args)
}

// channelAdd creates the channel CODE or updates it; an unchanged channel
// records nothing.
func channelAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "channel add", "channel add CODE --name-zh NAME --name-en NAME --kind province|city|corps|central_soe [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	nameZh := fs.String("name-zh", "", "the channel's Chinese name (江苏省)")
	nameEn := fs.String("name-en", "", "the channel's English name (Jiangsu)")
	kind := fs.String("kind", "province", "province, city, corps or central_soe")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which channel: one CODE (lower-case letters, digits and _)")
	}
	if *nameZh == "" && *nameEn == "" {
		return usagef("say the channel's names with --name-zh and --name-en")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ch, err := a.s.UpsertChannel(ctx, a.actor, workflow.ChannelSpec{Code: pos[0], NameZh: *nameZh, NameEn: *nameEn, Kind: *kind})
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ch)
	}
	fmt.Fprintf(env.Stdout, "channel %s (%s, %s, %s) is channel %d, version %d\n", ch.Code, ch.NameZh, ch.NameEn, ch.Kind, ch.ID, ch.Version)
	return nil
}

func channelList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "channel list", "channel list [--kind KIND] [--sort code|id|kind] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	kind := fs.String("kind", "", "only channels of this kind")
	l := pagingFlags(fs, "code", "id", "kind")
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
	if err := checkOneOf("--kind", *kind, "province", "city", "corps", "central_soe"); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	var all []store.Channel
	err = a.db.Read(ctx, func(tx *store.Tx) (err error) {
		all, err = tx.Channels(ctx)
		return err
	})
	if err != nil {
		return err
	}
	var chs []store.Channel
	for _, ch := range all {
		if *kind == "" || ch.Kind == *kind {
			chs = append(chs, ch)
		}
	}
	sort.SliceStable(chs, func(i, j int) bool {
		x, y := chs[i], chs[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "id":
			return x.ID < y.ID
		case "kind":
			return x.Kind < y.Kind || x.Kind == y.Kind && x.Code < y.Code
		}
		return x.Code < y.Code
	})
	shown := page(l, chs)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(chs) == 0 {
		fmt.Fprintln(env.Stdout, "no channels: add one with 'exemplar channel add'")
		return nil
	}
	tw := newTable(env.Stdout, "ID\tCODE\tKIND\tNAME (ZH)\tNAME (EN)")
	for _, ch := range shown {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ch.ID, ch.Code, ch.Kind, ch.NameZh, ch.NameEn)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(chs), len(shown))
	return nil
}

// nonNil makes JSON print [] rather than null for an empty list.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
