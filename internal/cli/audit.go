package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
)

func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("say verify or list")
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, env, args[1:])
	case "list":
		return auditList(ctx, env, args[1:])
	}
	return usagef("unknown subcommand %q: say verify or list", args[0])
}

// auditVerify checks the hash chain, and with --anchor that the chain still
// passes through a head noted earlier. A broken chain is exit 1, with the
// first broken entry and why on stdout.
func auditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit", "audit verify [--anchor SEQ:HASH] [--database URL]")
	dbURL := databaseFlag(fs)
	anchor := fs.String("anchor", "", "a chain head printed by an earlier verify or backup (SEQ:HASH) that the chain must still pass through")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	var anchorSeq int64
	var anchorHash string
	if *anchor != "" {
		seq, hash, ok := strings.Cut(*anchor, ":")
		anchorSeq, err = strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || anchorSeq < 0 || len(hash) != 64 {
			return usagef("--anchor must be SEQ:HASH as verify prints it (a number, a colon, 64 hex digits), got %q", *anchor)
		}
		anchorHash = strings.ToLower(hash)
	}
	db, err := openExisting(ctx, databaseURL(*dbURL))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !res.OK {
		fmt.Fprintf(env.Stdout, "audit log BROKEN at entry %d: %s\n", res.BrokenSeq, res.Reason)
		return fmt.Errorf("the audit log of %s is broken at entry %d", db, res.BrokenSeq)
	}
	if *anchor != "" && anchorSeq > 0 {
		h, err := db.AuditHash(ctx, anchorSeq)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return err
		}
		if h != anchorHash {
			fmt.Fprintf(env.Stdout, "audit log BROKEN at entry %d: the chain no longer passes through the anchor %s: it was rewritten or cut back\n", anchorSeq, *anchor)
			return fmt.Errorf("the audit log of %s does not match the anchor at entry %d", db, anchorSeq)
		}
	}
	entries := fmt.Sprintf("%d entries", res.Entries)
	if res.Entries == 1 {
		entries = "1 entry"
	}
	fmt.Fprintf(env.Stdout, "audit log OK: %s; chain head %d:%s\n", entries, res.Head, res.HeadHash)
	if *anchor != "" {
		fmt.Fprintf(env.Stdout, "the chain passes through the anchor %s\n", *anchor)
	}
	return nil
}

func auditList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit", "audit list [--entity KIND [--id ID]] [--limit N] [--database URL]")
	dbURL := databaseFlag(fs)
	entity := fs.String("entity", "", "only entries about this kind of thing (cycle, application, …)")
	id := fs.String("id", "", "only entries about this one (with --entity)")
	limit := fs.Int("limit", 20, "how many of the newest entries")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *id != "" && *entity == "" {
		return usagef("--id needs --entity")
	}
	if *limit < 1 || *limit > 100000 {
		return usagef("--limit must be between 1 and 100000, got %d", *limit)
	}
	db, err := openExisting(ctx, databaseURL(*dbURL))
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.ListAudit(ctx, store.AuditFilter{Entity: *entity, EntityID: *id, Limit: *limit})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintln(env.Stdout, "no audit entries")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT (UTC)\tACTOR\tACTION\tENTITY\tCHANGE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", e.Seq, e.At.Format("2006-01-02 15:04:05"),
			oneLine(e.Actor, 24), oneLine(e.Action, 32), e.Entity, oneLine(e.EntityID, 24), change(e))
	}
	return tw.Flush()
}

// change summarises an entry's before and after on one line.
func change(e store.AuditRecord) string {
	switch {
	case e.Before == nil && e.After == nil:
		return ""
	case e.Before == nil:
		return "+ " + oneLine(string(e.After), 60)
	case e.After == nil:
		return "- " + oneLine(string(e.Before), 60)
	}
	return oneLine(string(e.Before), 30) + " → " + oneLine(string(e.After), 30)
}

// oneLine cuts s to n characters on one line, for tables.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
