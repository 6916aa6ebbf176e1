package cli

// The lifecycle commands (channel, cycle, application, decision, notice,
// objection, recognition, annual-report, enterprise, user, evidence,
// calendar) share what is in this file: the flags every one of them takes,
// opening the database and the workflow service, who the actor is, reading
// ids and references from the command line, asking before an irreversible
// change, and printing tables or JSON.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// envActor names the actor of the lifecycle commands when --as does not.
const envActor = "EXEMPLAR_ACTOR"

// subcommand is one verb of a noun command ("cycle open").
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// dispatch runs the subcommand args[0] of noun. With no subcommand, or
// -h, it lists the subcommands.
func dispatch(ctx context.Context, env *Env, noun string, subs []subcommand, args []string) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	if len(args) == 0 {
		return usagef("say what to do: %s", strings.Join(names, ", "))
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(env.Stderr, "Usage: exemplar %s SUBCOMMAND [options]\n\nSubcommands:\n", noun)
		for _, s := range subs {
			fmt.Fprintf(env.Stderr, "  %-20s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(env.Stderr, "\nRun 'exemplar %s SUBCOMMAND -h' for a subcommand's options.\n", noun)
		return flag.ErrHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, env, args[1:])
		}
	}
	if strings.HasPrefix(args[0], "-") {
		return usagef("say what to do before the options: %s", strings.Join(names, ", "))
	}
	return usagef("unknown subcommand %q: say %s", args[0], strings.Join(names, ", "))
}

// common holds the flags every lifecycle command takes.
type common struct {
	database *string
	as       *string // nil for commands that change nothing
	json     *bool
	yes      *bool // nil for commands that need no confirmation
}

// readFlags adds --database and --json to a command that only reads.
func readFlags(fs *flag.FlagSet) *common {
	return &common{
		database: databaseFlag(fs),
		json:     fs.Bool("json", false, "print JSON for scripts instead of a table"),
	}
}

// writeFlags adds --database, --json and --as to a command that changes
// something.
func writeFlags(fs *flag.FlagSet) *common {
	c := readFlags(fs)
	c.as = fs.String("as", "", "who acts, as the audit log records it (default $"+envActor+", else the operating system user)")
	return c
}

// confirmFlags adds --yes to a command, as well as writeFlags' flags.
func confirmFlags(fs *flag.FlagSet) *common {
	c := writeFlags(fs)
	c.yes = fs.Bool("yes", false, "do it without asking: the change cannot be undone")
	return c
}

// app is an open database with its workflow service and the actor of
// the command.
type app struct {
	db    *store.DB
	s     *workflow.Service
	actor workflow.Actor
	json  bool
}

func (a *app) Close() error { return a.db.Close() }

// open opens the existing database the flags name, at the current schema
// version, with the service over it. For a command that changes
// something it also settles the actor: --as, else $EXEMPLAR_ACTOR, else
// the operating system user; when a user account has that name, the
// actor is that user (a disabled account is refused).
func (c *common) open(ctx context.Context, env *Env, opts ...workflow.Option) (*app, error) {
	var storeOpts []store.Option
	storeOpts = append(storeOpts, store.WithoutMigrate())
	if env.Now != nil {
		storeOpts = append(storeOpts, store.WithClock(env.Now))
		opts = append(opts, workflow.WithClock(env.Now))
	}
	u := databaseURL(*c.database)
	d, path, err := store.ParseURL(u)
	if err != nil {
		return nil, err
	}
	if d == store.SQLite {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (run 'exemplar migrate' to create one, or say which with --database or $%s)", path, envDatabaseURL)
		}
	}
	db, err := store.Open(ctx, u, storeOpts...)
	if err != nil {
		return nil, err
	}
	a := &app{db: db, s: workflow.New(db, opts...), json: *c.json}
	if v, err := db.SchemaVersion(ctx); err != nil || v < store.LatestVersion() {
		db.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("the database %s is at schema version %d and this exemplar needs %d: run 'exemplar migrate' first", db, v, store.LatestVersion())
	}
	if c.as != nil {
		if a.actor, err = resolveActor(ctx, db, *c.as); err != nil {
			db.Close()
			return nil, err
		}
	}
	return a, nil
}

// resolveActor finds who acts: name, else $EXEMPLAR_ACTOR, else the
// operating system user, else "cli".
func resolveActor(ctx context.Context, db *store.DB, name string) (workflow.Actor, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = strings.TrimSpace(os.Getenv(envActor))
	}
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "cli"
	}
	actor := workflow.Actor{Name: name}
	err := db.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, strings.ToLower(name))
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			return nil
		case err != nil:
			return err
		case u.Disabled:
			return errs.New(errs.Forbidden, "--as %s: the user %s is disabled", name, u.Username)
		}
		actor = workflow.Actor{UserID: u.ID, Name: u.Username}
		return nil
	})
	return actor, err
}

// parseID reads a positive id; what names the argument or flag in the
// message ("APP", "--cycle").
func parseID(what, v string) (int64, error) {
	if v == "" {
		return 0, usagef("say which with %s", what)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s must be an id (a positive number), got %q", what, v)
	}
	return id, nil
}

// parseIDs reads the positional ids of a command; what names them.
func parseIDs(what string, args []string) ([]int64, error) {
	if len(args) == 0 {
		return nil, usagef("say which %s (one or more ids)", what)
	}
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := parseID(what, a)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// oneID reads the single positional id of a command.
func oneID(what string, pos []string) (int64, error) {
	if len(pos) != 1 {
		return 0, usagef("say which %s: one id", what)
	}
	return parseID(what, pos[0])
}

// openOne parses args for a command that takes one id, a what ("CYCLE",
// "APP"), and opens the database: the preamble of most commands.
func (c *common) openOne(ctx context.Context, env *Env, fs *flag.FlagSet, args []string, what string) (*app, int64, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, 0, err
	}
	id, err := oneID(what, pos)
	if err != nil {
		return nil, 0, err
	}
	a, err := c.open(ctx, env)
	return a, id, err
}

// checkOneOf refuses a filter flag whose value is none of allowed ("" is
// no filter); flag names it.
func checkOneOf(flag, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usagef("%s must be one of %s, got %q", flag, strings.Join(allowed, ", "), v)
}

// noArgs refuses positional arguments.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// enterpriseRef finds an enterprise by id or by its 18-character unified
// social credit code; what names the argument or flag.
func (a *app) enterpriseRef(ctx context.Context, what, ref string) (store.Enterprise, error) {
	if ref == "" {
		return store.Enterprise{}, usagef("say which enterprise with %s (its id or credit code)", what)
	}
	var e store.Enterprise
	if len(ref) == 18 {
		err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
			e, err = tx.EnterpriseByUSCC(ctx, strings.ToUpper(ref))
			return err
		})
		if errs.CodeOf(err) == errs.NotFound {
			return e, errs.New(errs.NotFound, "%s: no enterprise has the credit code %s", what, ref)
		}
		return e, err
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return e, usagef("%s must be an enterprise's id or its 18-character credit code, got %q", what, ref)
	}
	e, _, err = a.s.Enterprise(ctx, id)
	return e, err
}

// channelRef finds a channel by its code; what names the flag.
func (a *app) channelRef(ctx context.Context, what, code string) (store.Channel, error) {
	if code == "" {
		return store.Channel{}, usagef("say which channel with %s CODE", what)
	}
	var ch store.Channel
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		ch, err = tx.ChannelByCode(ctx, code)
		return err
	})
	if errs.CodeOf(err) == errs.NotFound {
		return ch, errs.New(errs.NotFound, "%s: no channel has the code %q (see 'exemplar channel list')", what, code)
	}
	return ch, err
}

// names caches the enterprises and channels a table shows.
type names struct {
	a           *app
	enterprises map[int64]store.Enterprise
	channels    map[int64]store.Channel
}

func (a *app) names() *names {
	return &names{a: a, enterprises: map[int64]store.Enterprise{}, channels: map[int64]store.Channel{}}
}

// enterprise returns enterprise id, or one with only its id when it
// cannot be read.
func (n *names) enterprise(ctx context.Context, id int64) store.Enterprise {
	if e, ok := n.enterprises[id]; ok {
		return e
	}
	e := store.Enterprise{ID: id}
	n.a.db.Read(ctx, func(tx *store.Tx) error {
		if got, err := tx.Enterprise(ctx, id); err == nil {
			e = got
		}
		return nil
	})
	n.enterprises[id] = e
	return e
}

// channel returns the code of channel id ("" for none).
func (n *names) channel(ctx context.Context, id int64) string {
	if id == 0 {
		return ""
	}
	if c, ok := n.channels[id]; ok {
		return c.Code
	}
	c := store.Channel{ID: id, Code: strconv.FormatInt(id, 10)}
	n.a.db.Read(ctx, func(tx *store.Tx) error {
		if got, err := tx.Channel(ctx, id); err == nil {
			c = got
		}
		return nil
	})
	n.channels[id] = c
	return c.Code
}

// confirm asks before an irreversible change, unless --yes was given.
// It refuses when stdin is not a terminal (a script must say --yes),
// and when the answer is not yes.
func confirm(env *Env, c *common, what string) error {
	if *c.yes {
		return nil
	}
	if env.Stdin == nil || !env.StdinTerminal {
		return usagef("%s cannot be undone, and there is no terminal to ask: say --yes to do it", what)
	}
	fmt.Fprintf(env.Stderr, "%s cannot be undone. Go ahead? [y/N] ", what)
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if !strings.HasSuffix(line, "\n") {
		fmt.Fprintln(env.Stderr)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errors.New("not confirmed: nothing changed")
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable starts a table with its header (columns separated by tabs).
func newTable(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

// listFlags are the paging flags of a list.
type listFlags struct {
	limit, offset *int
	sort          *string
	sorts         []string
}

// pagingFlags adds --limit and --offset, and --sort when sorts names the
// orders the list knows (the first is the default).
func pagingFlags(fs *flag.FlagSet, sorts ...string) *listFlags {
	l := &listFlags{
		limit:  fs.Int("limit", 100, "show at most this many rows (0: all)"),
		offset: fs.Int("offset", 0, "skip this many rows first"),
		sorts:  sorts,
	}
	if len(sorts) > 0 {
		l.sort = fs.String("sort", sorts[0], "order: "+strings.Join(sorts, ", ")+"; a leading - reverses it")
	}
	return l
}

// check validates the paging flags and returns the sort key and whether
// it is reversed.
func (l *listFlags) check() (key string, desc bool, err error) {
	if *l.limit < 0 {
		return "", false, usagef("--limit must be 0 (all) or more, got %d", *l.limit)
	}
	if *l.offset < 0 {
		return "", false, usagef("--offset must be 0 or more, got %d", *l.offset)
	}
	if l.sort == nil {
		return "", false, nil
	}
	key, desc = strings.CutPrefix(*l.sort, "-")
	for _, s := range l.sorts {
		if s == key {
			return key, desc, nil
		}
	}
	return "", false, usagef("--sort must be one of %s, got %q", strings.Join(l.sorts, ", "), *l.sort)
}

// page cuts xs to the rows --offset and --limit select.
func page[T any](l *listFlags, xs []T) []T {
	if *l.offset >= len(xs) {
		return nil
	}
	xs = xs[*l.offset:]
	if *l.limit > 0 && *l.limit < len(xs) {
		xs = xs[:*l.limit]
	}
	return xs
}

// moreRows tells people how many rows a page left out.
func moreRows(w io.Writer, l *listFlags, total, shown int) {
	if rest := total - *l.offset - shown; rest > 0 {
		fmt.Fprintf(w, "(%d more: --offset %d)\n", rest, *l.offset+shown)
	}
}

// Times are shown in China time, the calendar the programs keep; days
// (kept as midnight UTC) as dates.
func showTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workflow.ChinaTime).Format("2006-01-02 15:04 MST")
}

func showTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return showTime(*t)
}

func showDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// parseDay reads a date (2006-01-02) as midnight in China time; what
// names the flag.
func parseDay(what, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, v, workflow.ChinaTime)
	if err != nil {
		return time.Time{}, usagef("%s must be a date like 2018-06-30, got %q", what, v)
	}
	return t, nil
}

// parseDeadline reads a deadline: a date means the end of that day in
// China time (applications are taken all of 30 June when due 2018-06-30);
// an RFC 3339 time is taken as it is. "" is no deadline.
func parseDeadline(what, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, workflow.ChinaTime)
	if err != nil {
		return time.Time{}, usagef("%s must be a date like 2018-06-30 (due at the end of that day, China time) or an RFC 3339 time, got %q", what, v)
	}
	return d.AddDate(0, 0, 1), nil
}

// keyValues splits KEY=VALUE arguments, in order; what names them.
func keyValues(what string, args []string) ([][2]string, error) {
	out := make([][2]string, 0, len(args))
	seen := map[string]bool{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usagef("%s must be KEY=VALUE, got %q", what, a)
		}
		if seen[k] {
			return nil, usagef("%s %q is given twice", what, k)
		}
		seen[k] = true
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// readJSONArg reads a JSON document from a file, or from stdin for "-".
func readJSONArg(env *Env, what, path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		if env.Stdin == nil {
			return nil, usagef("%s -: there is no stdin to read", what)
		}
		b, err = io.ReadAll(io.LimitReader(env.Stdin, 4<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !json.Valid(b) {
		return nil, errs.New(errs.Invalid, "%s %s: not valid JSON", what, path)
	}
	return b, nil
}
