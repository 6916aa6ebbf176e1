package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runApplication(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "application", []subcommand{
		{"create", "start an enterprise's application to an open cycle, as a draft", applicationCreate},
		{"save", "save a draft's inputs: KEY=VALUE pairs and/or a JSON file (a spreadsheet: exemplar import)", applicationSave},
		{"declare", "save a draft's declarations: KEY=yes|no pairs", applicationDeclare},
		{"submit", "submit a draft or returned application: it is locked", applicationSubmit},
		{"withdraw", "take an application back while its cycle is open (asks first)", applicationWithdraw},
		{"return", "send a submitted application back for correction, for its channel", applicationReturn},
		{"recommend", "put applications forward for a channel, in rank order, within its quota", applicationRecommend(true)},
		{"not-recommend", "mark applications not put forward by a channel", applicationRecommend(false)},
		{"list", "list a cycle's applications", applicationList},
		{"show", "show an application: its enterprise, status, inputs, declarations, evidence", applicationShow},
	}, args)
}

// versionFlag is --version: the version a change is based on.
func versionFlag(fs *flag.FlagSet, what string) *int64 {
	return fs.Int64("version", 0, "the "+what+"'s version the change is based on: a change made since is refused, never overwritten (default: the version read just before)")
}

func applicationCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application create", "application create --cycle CYCLE --enterprise ID|CODE [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	cycle := fs.String("cycle", "", "the open cycle (its id)")
	ent := fs.String("enterprise", "", "the enterprise: its id or its credit code")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	cid, err := parseID("--cycle", *cycle)
	if err != nil {
		return err
	}
	if *ent == "" {
		return usagef("say which enterprise with --enterprise (its id or credit code)")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	e, err := a.enterpriseRef(ctx, "--enterprise", *ent)
	if err != nil {
		return err
	}
	ap, err := a.s.CreateApplication(ctx, a.actor, cid, e.ID)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "created application %d of %s %s to cycle %d (draft, version %d)\nnext: exemplar application save %d KEY=VALUE …\n",
		ap.ID, e.USCC, e.Name, cid, ap.Version, ap.ID)
	return nil
}

// applicationSave replaces a draft's inputs (workflow.SaveApplication)
// with: the current inputs (or the --inputs file's, or none with
// --replace), with the KEY=VALUE pairs laid over them.
func applicationSave(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application save", "application save APP [KEY=VALUE ...] [--inputs FILE.json|-] [--replace] [--version V] [--as NAME] [--json] [--database URL]\n\n"+
		"KEY is a program input's id. A yearly input takes its years' values separated by commas, oldest first\n"+
		"(sales=310000,335000,350000); yes/no inputs take yes or no; an empty VALUE removes the input.\n"+
		"To load many applications from a spreadsheet, use 'exemplar import'.")
	c := writeFlags(fs)
	file := fs.String("inputs", "", "a JSON object of inputs keyed by input id to start from (- reads stdin), instead of the saved inputs")
	replace := fs.Bool("replace", false, "start from no inputs rather than the saved ones")
	version := versionFlag(fs, "application")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say which application: APP, then KEY=VALUE pairs")
	}
	id, err := parseID("APP", pos[0])
	if err != nil {
		return err
	}
	kvs, err := keyValues("an input", pos[1:])
	if err != nil {
		return err
	}
	if len(kvs) == 0 && *file == "" && !*replace {
		return usagef("say what to save: KEY=VALUE pairs or --inputs FILE.json")
	}
	if *file != "" && *replace {
		return usagef("--inputs already replaces the saved inputs: drop --replace")
	}
	var base []byte
	if *file != "" {
		if base, err = readJSONArg(env, "--inputs", *file); err != nil {
			return err
		}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ap, err := a.s.Application(ctx, id)
	if err != nil {
		return err
	}
	if *file == "" && !*replace {
		base = ap.Inputs
	}
	cy, err := a.s.Cycle(ctx, ap.CycleID)
	if err != nil {
		return err
	}
	p, err := a.loadVersion(ctx, cy.ProgramVersionID)
	if err != nil {
		return err
	}
	inputs, err := mergeInputs(p, base, kvs)
	if err != nil {
		return err
	}
	ap, err = a.s.SaveApplication(ctx, a.actor, id, pick(*version, ap.Version), inputs)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "saved the inputs of application %d (%s, version %d)\n", ap.ID, ap.Status, ap.Version)
	return nil
}

// pick is v when set, else current.
func pick(v, current int64) int64 {
	if v != 0 {
		return v
	}
	return current
}

func applicationDeclare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application declare", "application declare APP KEY=yes|no ... [--replace] [--version V] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	replace := fs.Bool("replace", false, "start from no declarations rather than the saved ones")
	version := versionFlag(fs, "application")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say which application: APP, then KEY=yes|no pairs")
	}
	id, err := parseID("APP", pos[0])
	if err != nil {
		return err
	}
	kvs, err := keyValues("a declaration", pos[1:])
	if err != nil {
		return err
	}
	if len(kvs) == 0 && !*replace {
		return usagef("say what to declare: KEY=yes or KEY=no")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ap, err := a.s.Application(ctx, id)
	if err != nil {
		return err
	}
	base := []byte(ap.Declarations)
	if *replace {
		base = nil
	}
	decl, err := mergeDeclarations(base, kvs)
	if err != nil {
		return err
	}
	ap, err = a.s.SaveDeclarations(ctx, a.actor, id, pick(*version, ap.Version), decl)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "saved %s of application %d (version %d)\n", plural(len(decl), "declaration"), ap.ID, ap.Version)
	return nil
}

// applicationSubmit submits an application with an idempotency key: a
// retry with the same --key changes nothing.
func applicationSubmit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application submit", "application submit APP [--key KEY] [--version V] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	key := fs.String("key", "", "the idempotency key: retry with the same key and nothing happens twice (default: a new random key, printed)")
	version := versionFlag(fs, "application")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("APP", pos)
	if err != nil {
		return err
	}
	if *key == "" {
		b := make([]byte, 12)
		rand.Read(b)
		*key = "cli-" + hex.EncodeToString(b)
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	v := *version
	if v == 0 {
		ap, err := a.s.Application(ctx, id)
		if err != nil {
			return err
		}
		v = ap.Version
	}
	ap, err := a.s.SubmitApplication(ctx, a.actor, id, v, *key)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "application %d is %s (key %s, version %d)\n", ap.ID, ap.Status, *key, ap.Version)
	return nil
}

func applicationWithdraw(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application withdraw", "application withdraw APP [--version V] [--yes] [--as NAME] [--json] [--database URL]")
	c := confirmFlags(fs)
	version := versionFlag(fs, "application")
	a, id, err := c.openOne(ctx, env, fs, args, "APP")
	if err != nil {
		return err
	}
	defer a.Close()
	ap, err := a.s.Application(ctx, id)
	if err != nil {
		return err
	}
	if err := confirm(env, c, fmt.Sprintf("Withdrawing application %d (%s) from cycle %d", ap.ID, ap.Status, ap.CycleID)); err != nil {
		return err
	}
	ap, err = a.s.WithdrawApplication(ctx, a.actor, id, pick(*version, ap.Version))
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, ap)
	}
	fmt.Fprintf(env.Stdout, "application %d is %s\n", ap.ID, ap.Status)
	return nil
}

// applicationRow is one line of 'application list'.
type applicationRow struct {
	store.Application
	USCC    string `json:"uscc"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
	Rank    int    `json:"rank,omitempty"` // in its channel's recommendations
}

func applicationList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application list", "application list --cycle CYCLE [--status S[,S…]] [--channel CODE] [--sort id|code|status|rank] [--limit N] [--offset N] [--json] [--database URL]")
	c := readFlags(fs)
	cycle := fs.String("cycle", "", "the cycle (its id)")
	status := fs.String("status", "", "only applications in these statuses, comma-separated")
	channel := fs.String("channel", "", "only applications through this channel (its code)")
	l := pagingFlags(fs, "id", "code", "status", "rank")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
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
	var statuses []string
	if *status != "" {
		statuses = strings.Split(*status, ",")
	}
	for _, st := range statuses {
		if err := checkOneOf("--status", st, workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusWithdrawn,
			workflow.StatusReturned, workflow.StatusRecommended, workflow.StatusNotRecommended); err != nil {
			return err
		}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.s.Cycle(ctx, cid); err != nil {
		return err
	}
	apps, err := a.s.Applications(ctx, cid, statuses...)
	if err != nil {
		return err
	}
	recs, err := a.s.Recommendations(ctx, cid)
	if err != nil {
		return err
	}
	rank := map[int64]int{}
	for _, r := range recs {
		rank[r.ApplicationID] = r.Rank
	}
	n := a.names()
	var rows []applicationRow
	for _, ap := range apps {
		e := n.enterprise(ctx, ap.EnterpriseID)
		r := applicationRow{Application: ap, USCC: e.USCC, Name: e.Name, Channel: n.channel(ctx, ap.ChannelID), Rank: rank[ap.ID]}
		if *channel == "" || r.Channel == *channel {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if desc {
			x, y = y, x
		}
		switch key {
		case "code":
			return x.USCC < y.USCC
		case "status":
			return x.Status < y.Status || x.Status == y.Status && x.ID < y.ID
		case "rank":
			return x.Channel < y.Channel || x.Channel == y.Channel && rankOrder(x.Rank) < rankOrder(y.Rank)
		}
		return x.ID < y.ID
	})
	shown := page(l, rows)
	if a.json {
		return printJSON(env.Stdout, nonNil(shown))
	}
	if len(rows) == 0 {
		fmt.Fprintf(env.Stdout, "cycle %d has no such applications\n", cid)
		return nil
	}
	tw := newTable(env.Stdout, "ID\tCODE\tNAME\tCHANNEL\tSTATUS\tRANK\tVERSION\tSUBMITTED")
	for _, r := range shown {
		rk := ""
		if r.Rank > 0 {
			rk = strconv.Itoa(r.Rank)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.USCC, oneLine(r.Name, 30), r.Channel, r.Status, rk, r.Version, showTimePtr(r.SubmittedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreRows(env.Stdout, l, len(rows), len(shown))
	return nil
}

func rankOrder(r int) int {
	if r == 0 {
		return 1 << 30
	}
	return r
}

// applicationView is what 'application show' prints.
type applicationView struct {
	Application store.Application `json:"application"`
	Enterprise  store.Enterprise  `json:"enterprise"`
	Channel     string            `json:"channel"`
	Rank        int               `json:"rank,omitempty"`
	Evidence    []store.Evidence  `json:"evidence"`
}

func applicationShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "application show", "application show APP [--json] [--database URL]")
	c := readFlags(fs)
	a, id, err := c.openOne(ctx, env, fs, args, "APP")
	if err != nil {
		return err
	}
	defer a.Close()
	ap, err := a.s.Application(ctx, id)
	if err != nil {
		return err
	}
	n := a.names()
	v := applicationView{Application: ap, Enterprise: n.enterprise(ctx, ap.EnterpriseID), Channel: n.channel(ctx, ap.ChannelID)}
	if v.Evidence, err = a.s.Evidence(ctx, id); err != nil {
		return err
	}
	v.Evidence = nonNil(v.Evidence)
	recs, err := a.s.Recommendations(ctx, ap.CycleID)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.ApplicationID == id {
			v.Rank = r.Rank
		}
	}
	if a.json {
		return printJSON(env.Stdout, v)
	}
	w := env.Stdout
	fmt.Fprintf(w, "application %d  cycle %d\n", ap.ID, ap.CycleID)
	fmt.Fprintf(w, "  enterprise   %s %s (id %d)\n", v.Enterprise.USCC, v.Enterprise.Name, ap.EnterpriseID)
	fmt.Fprintf(w, "  channel      %s\n", v.Channel)
	fmt.Fprintf(w, "  status       %s (version %d)\n", ap.Status, ap.Version)
	if ap.ReturnReason != "" {
		fmt.Fprintf(w, "  returned     %s\n", ap.ReturnReason)
	}
	if ap.SubmittedAt != nil {
		fmt.Fprintf(w, "  submitted    %s (key %s)\n", showTime(*ap.SubmittedAt), ap.IdempotencyKey)
	}
	if v.Rank > 0 {
		fmt.Fprintf(w, "  rank         %d in its channel\n", v.Rank)
	}
	fmt.Fprintf(w, "  inputs       %s\n", indentJSON(ap.Inputs, "               "))
	fmt.Fprintf(w, "  declarations %s\n", indentJSON(ap.Declarations, "               "))
	if len(v.Evidence) == 0 {
		fmt.Fprintln(w, "  evidence     none")
		return nil
	}
	fmt.Fprintln(w, "  evidence")
	tw := newTable(w, "    FILE\tTYPE\tSIZE\tSHA256\tADDED")
	for _, e := range v.Evidence {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", e.Filename, e.ContentType, sizeText(e.Size), e.SHA256[:12], showTime(e.AddedAt))
	}
	return tw.Flush()
}

// indentJSON lays a JSON object out one key a line, indented by prefix
// after the first line; "none" when empty.
func indentJSON(raw json.RawMessage, prefix string) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == "{}" {
		return "none"
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return string(t)
	}
	var b strings.Builder
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteString("\n" + prefix)
		}
		fmt.Fprintf(&b, "%s: %s", k, m[k])
	}
	return b.String()
}
