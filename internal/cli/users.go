package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "user", []subcommand{
		{"add", "create a user; the password is read from stdin", userAdd},
		{"list", "list the users and their roles", userList},
		{"grant", "give a user a role: admin, expert, recommender --channel CODE, enterprise --enterprise ID|CODE", userRole(true)},
		{"revoke", "take a role from a user (asks first)", userRole(false)},
		{"disable", "stop a user from signing in (asks first)", userDisable},
	}, args)
}

// userAdd creates a user (workflow.CreateUser). The password is the
// first line of stdin, which must not be a terminal: it would show.
func userAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user add", "user add USERNAME [--display-name NAME] --password-stdin [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	display := fs.String("display-name", "", "the name shown for the user")
	fromStdin := fs.Bool("password-stdin", false, "read the password (at least 12 characters) from the first line of stdin")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say the new user's USERNAME")
	}
	if !*fromStdin {
		return usagef("give the password on stdin with --password-stdin (echo it from a password manager: it never appears in arguments)")
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.s.CreateUser(ctx, a.actor, pos[0], *display, password)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, u)
	}
	fmt.Fprintf(env.Stdout, "created user %d: %s (no roles yet: exemplar user grant %s ROLE)\n", u.ID, u.Username, u.Username)
	return nil
}

// readPassword reads the first line of a piped stdin.
func readPassword(env *Env) (string, error) {
	if env.Stdin == nil {
		return "", usagef("--password-stdin: there is no stdin to read")
	}
	if env.StdinTerminal {
		return "", usagef("--password-stdin reads a piped password; on a terminal it would show as you type it")
	}
	line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: stdin held no password")
	}
	return line, nil
}

// userRef finds a user by username or id.
func (a *app) userRef(ctx context.Context, ref string) (store.User, error) {
	var u store.User
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			u, err = tx.User(ctx, id)
		} else {
			u, err = tx.UserByUsername(ctx, strings.ToLower(ref))
		}
		return err
	})
	if errs.CodeOf(err) == errs.NotFound {
		return u, errs.New(errs.NotFound, "no user %q (see 'exemplar user list')", ref)
	}
	return u, err
}

func userList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user list", "user list [--role ROLE] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	role := fs.String("role", "", "only users holding this role")
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
	if err := checkOneOf("--role", *role, workflow.RoleAdmin, workflow.RoleRecommender, workflow.RoleEnterprise, workflow.RoleExpert); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	all, err := a.s.Users(ctx)
	if err != nil {
		return err
	}
	var us []workflow.Account
	for _, u := range all {
		if *role == "" || holds(u, *role) {
			us = append(us, u)
		}
	}
	shown := page(l, us)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(us) == 0 {
		fmt.Fprintln(env.Stdout, "no such users")
		return nil
	}
	n := a.names()
	tw := newTable(env.Stdout, "ID\tUSERNAME\tNAME\tSTATE\tVERSION\tROLES")
	for _, u := range shown {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = r.Role
			switch {
			case r.ChannelID != 0:
				roles[i] += ":" + n.channel(ctx, r.ChannelID)
			case r.EnterpriseID != 0:
				roles[i] += ":" + n.enterprise(ctx, r.EnterpriseID).USCC
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", u.ID, u.Username, oneLine(u.DisplayName, 30), state, u.Version, strings.Join(roles, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(us), len(shown))
	return nil
}

func holds(u workflow.Account, role string) bool {
	for _, r := range u.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// userRole grants (workflow.GrantRole) or revokes (RevokeRole, after
// asking) a role with its scope.
func userRole(grant bool) func(ctx context.Context, env *Env, args []string) error {
	verb := map[bool]string{true: "grant", false: "revoke"}[grant]
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, "user "+verb, "user "+verb+" USER ROLE [--channel CODE | --enterprise ID|CODE] [--as NAME] [--json] [--database URL]"+
			map[bool]string{true: "", false: " [--yes]"}[grant]+"\n\nROLE is admin, expert, recommender (with --channel) or enterprise (with --enterprise).")
		var c *common
		if grant {
			c = writeFlags(fs)
		} else {
			c = confirmFlags(fs)
		}
		channel := fs.String("channel", "", "the channel a recommender acts for (its code)")
		ent := fs.String("enterprise", "", "the enterprise an enterprise user acts for: its id or credit code")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 2 {
			return usagef("say USER (username or id) and ROLE")
		}
		role := pos[1]
		if *channel != "" && *ent != "" {
			return usagef("say --channel or --enterprise, not both")
		}
		a, err := c.open(ctx, env)
		if err != nil {
			return err
		}
		defer a.Close()
		u, err := a.userRef(ctx, pos[0])
		if err != nil {
			return err
		}
		var scope int64
		scopeText := ""
		switch {
		case *channel != "":
			ch, err := a.channelRef(ctx, "--channel", *channel)
			if err != nil {
				return err
			}
			scope, scopeText = ch.ID, " for channel "+ch.Code
		case *ent != "":
			e, err := a.enterpriseRef(ctx, "--enterprise", *ent)
			if err != nil {
				return err
			}
			scope, scopeText = e.ID, " for enterprise "+e.USCC
		}
		var out any
		if grant {
			r, err := a.s.GrantRole(ctx, a.actor, u.ID, role, scope)
			if err != nil {
				return err
			}
			out = r
		} else {
			if err := confirm(env, c, fmt.Sprintf("Revoking the role %s%s from %s", role, scopeText, u.Username)); err != nil {
				return err
			}
			if err := a.s.RevokeRole(ctx, a.actor, u.ID, role, scope); err != nil {
				return err
			}
			out = struct {
				UserID int64  `json:"user_id"`
				Role   string `json:"role"`
				Scope  int64  `json:"scope,omitempty"`
			}{u.ID, role, scope}
		}
		if a.json {
			return printJSON(env.Stdout, out)
		}
		fmt.Fprintf(env.Stdout, "%s: %s %s%s\n", u.Username, map[bool]string{true: "granted", false: "revoked"}[grant], role, scopeText)
		return nil
	}
}

func userDisable(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user disable", "user disable USER [--version V] [--yes] [--as NAME] [--json] [--database URL]")
	c := confirmFlags(fs)
	version := versionFlag(fs, "user")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which USER: a username or id")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.userRef(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := confirm(env, c, fmt.Sprintf("Disabling user %s (no command re-enables it)", u.Username)); err != nil {
		return err
	}
	u, err = a.s.DisableUser(ctx, a.actor, u.ID, pick(*version, u.Version))
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, u)
	}
	fmt.Fprintf(env.Stdout, "user %s is disabled\n", u.Username)
	return nil
}
