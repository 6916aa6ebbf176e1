package cli

// The channel's acts on applications: return one for correction,
// recommend or not recommend them. Each names the channel it acts for
// with --channel: the workflow refuses another channel's applications.

import (
	"context"
	"fmt"
	"strings"

	"github.com/exemplar/exemplar/internal/store"
)

func applicationReturn(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application return", "application return APP --channel CODE --reason TEXT [--version V] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	channel := fs.String("channel", "", "the channel that returns it (its code): the application's own")
	reason := fs.String("reason", "", "what the enterprise must correct")
	version := versionFlag(fs, "application")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("APP", pos)
	if err != nil {
		return err
	}
	if *channel == "" {
		return usagef("say which channel returns it with --channel CODE")
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("say what to correct with --reason")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ch, err := a.channelRef(ctx, "--channel", *channel)
	if err != nil {
		return err
	}
	v := *version
	if v == 0 {
		ap, err := a.s.Application(ctx, id)
		if err != nil {
			return err
		}
		v = ap.Version
	}
	ap, err := a.s.ReturnApplication(ctx, a.actor, ch.ID, id, v, *reason)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "application %d is %s: %s\n", ap.ID, ap.Status, ap.ReturnReason)
	return nil
}

// applicationRecommend puts applications forward (recommend) or marks
// them not put forward, for one channel, all or none; the order of the
// recommended ones is their rank.
func applicationRecommend(recommend bool) func(ctx context.Context, env *Env, args []string) error {
	verb := "recommend"
	if !recommend {
		verb = "not-recommend"
	}
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, "application "+verb, "application "+verb+" --channel CODE APP... [--as NAME] [--json] [--database URL]")
		c := writeFlags(fs)
		channel := fs.String("channel", "", "the channel that acts (its code); every application must be its own")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		ids, err := parseIDs("APP", pos)
		if err != nil {
			return err
		}
		if *channel == "" {
			return usagef("say which channel acts with --channel CODE")
		}
		a, err := c.open(ctx, env)
		if err != nil {
			return err
		}
		defer a.Close()
		ch, err := a.channelRef(ctx, "--channel", *channel)
		if err != nil {
			return err
		}
		var apps []store.Application
		if recommend {
			apps, err = a.s.Recommend(ctx, a.actor, ch.ID, ids)
		} else {
			apps, err = a.s.NotRecommend(ctx, a.actor, ch.ID, ids)
		}
		if err != nil {
			return err
		}
		if a.json {
			return printJSON(env.Stdout, apps)
		}
		list := make([]string, len(apps))
		for i, ap := range apps {
			list[i] = fmt.Sprint(ap.ID)
		}
		fmt.Fprintf(env.Stdout, "%s: %s %s\n", ch.Code, map[bool]string{true: "recommended", false: "did not recommend"}[recommend], strings.Join(list, ", "))
		return nil
	}
}
