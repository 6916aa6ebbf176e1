package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// The audit log records every change: who, when, what, and the state
// before and after. Its entries form a hash chain, so that altering or
// removing an entry is detected by VerifyAudit.
//
// # Hash
//
// Entry n's hash is
//
//	hash(n) = SHA-256( prev(n) ‖ f(seq) ‖ f(at) ‖ f(actor) ‖ f(action) ‖ f(entity) ‖ f(entity_id) ‖ f(before) ‖ f(after) )
//
// where
//
//   - prev(n) is the 32 bytes of hash(n−1), and 32 zero bytes for seq 1;
//   - f(s) is the length of s in bytes as an 8-byte big-endian unsigned
//     integer followed by the bytes of s (so no two different entries encode
//     alike, whatever their fields contain);
//   - seq is decimal ASCII without leading zeros ("17");
//   - at is the time in UTC as RFC 3339 with exactly nine fractional digits,
//     "2018-07-26T09:30:00.123456000Z" (the store keeps microseconds, the
//     precision PostgreSQL has, so the last three digits are 000);
//   - actor, action, entity and entity_id are their UTF-8 text;
//   - before and after are the JSON text exactly as stored, and the empty
//     string when there is none (SQL NULL; JSON text is never empty).
//
// The columns prev_hash and hash hold prev(n) and hash(n) as 64 lowercase
// hex digits.
//
// # What verification detects, and what it cannot
//
// VerifyAudit recomputes every hash from seq 1 and compares links. It finds:
//
//   - an altered entry (any field changed): its stored hash no longer
//     matches its contents;
//   - an altered entry whose hash was recomputed too: the next entry's
//     prev_hash no longer matches;
//   - a removed entry in the middle: a gap in seq (and the next entry's
//     prev_hash names a hash that is not there);
//   - removed newest entries: the chain head (table audit_head, written in
//     the same transaction as every append) records a later seq and hash
//     than the last entry; likewise an entry inserted behind the appender's
//     back leaves the head behind.
//
// It cannot find a rewrite by someone with write access who recomputes the
// chain from the changed entry onwards and updates audit_head to match (or
// truncates the log and resets the head): everything the check needs is in
// the same database. Against that, keep the head that `exemplar audit
// verify` and `exemplar backup` print (SEQ:HASH) somewhere else — a
// ticket, a notice, an e-mail — and later run `exemplar audit verify
// --anchor SEQ:HASH` (or compare AuditHash): a chain that verifies and
// still passes through a recorded head has not been changed up to that
// entry.

// Entry is one change to record.
type Entry struct {
	At       time.Time // when; the zero time means the store's clock now
	Actor    string    // who: a username, "system", or "public: NAME" for anonymous filers
	Action   string    // what, as entity.verb: "cycle.open", "application.submit"
	Entity   string    // the kind of thing changed: "cycle", "application"
	EntityID string    // which one: its id, or its natural key (a USCC)
	// Before and After are the states, as JSON: a value json.Marshal
	// encodes (a struct, a map, json.RawMessage), or nil for none (before a
	// creation, after a deletion).
	Before, After any
}

// AuditRecord is a stored entry.
type AuditRecord struct {
	Seq      int64
	At       time.Time
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Before   json.RawMessage // nil when none
	After    json.RawMessage // nil when none
	PrevHash string
	Hash     string
}

// zeroHash is prev_hash of the first entry, and the head of an empty log.
var zeroHash = strings.Repeat("0", 64)

// Audit appends e to the audit log inside tx, so that the change it
// describes and its record commit or roll back together. It is
// AppendAudit of one entry.
func (tx *Tx) Audit(ctx context.Context, e Entry) error { return tx.AppendAudit(ctx, e) }

// auditBatch is how many entries one INSERT appends (10 parameters each,
// far below both databases' limits).
const auditBatch = 500

// AppendAudit appends entries to the audit log inside tx, in order, so
// that the changes they describe and their records commit or roll back
// together. Each entry is its own link of the chain, exactly as if
// appended one by one; only the work is shared: the head is read once,
// the entries are inserted several hundred to a statement, and the head
// is moved once, to the last.
//
// Appends are serialised so the chain cannot fork: the entries follow the
// head's seq and hash, read while holding the head row, locked FOR UPDATE
// on PostgreSQL until tx ends (a concurrent appender waits, then reads
// the new head); on SQLite the single writer already runs one transaction
// at a time. Call AppendAudit late in the transaction, once: on
// PostgreSQL other appenders wait from there until it ends.
//
// Fields must be non-empty and Before and After valid JSON; an invalid
// entry is errs.Invalid and appends nothing.
func (tx *Tx) AppendAudit(ctx context.Context, entries ...Entry) error {
	if tx.readOnly {
		return &errs.Error{Code: errs.Internal, Msg: "store: audit: a read transaction cannot append"}
	}
	if len(entries) == 0 {
		return nil
	}
	recs := make([]AuditRecord, len(entries))
	now := tx.db.Now()
	for i, e := range entries {
		for _, f := range []struct{ name, v string }{{"actor", e.Actor}, {"action", e.Action}, {"entity", e.Entity}, {"entity id", e.EntityID}} {
			if strings.TrimSpace(f.v) == "" {
				return invalid("audit %s %s: the entry has no %s", e.Action, e.EntityID, f.name)
			}
		}
		before, err := auditJSON(e.Before)
		if err != nil {
			return invalid("audit %s %s: before: %v", e.Action, e.EntityID, err)
		}
		after, err := auditJSON(e.After)
		if err != nil {
			return invalid("audit %s %s: after: %v", e.Action, e.EntityID, err)
		}
		at := ts(e.At)
		if e.At.IsZero() {
			at = now
		}
		recs[i] = AuditRecord{At: at, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Before: before, After: after}
	}
	first := entries[0]

	var headSeq int64
	var headHash string
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+tx.db.dialect.forUpdate()).Scan(&headSeq, &headHash)
	if err != nil {
		return tx.db.wrap(err, "audit %s %s: read chain head", first.Action, first.EntityID)
	}
	prev := headHash
	for i := range recs {
		r := &recs[i]
		r.Seq, r.PrevHash = headSeq+1+int64(i), prev
		if r.Hash, err = r.ComputeHash(); err != nil {
			return invalid("audit %s %s: %v", r.Action, r.EntityID, err)
		}
		prev = r.Hash
	}
	for lo := 0; lo < len(recs); lo += auditBatch {
		chunk := recs[lo:min(lo+auditBatch, len(recs))]
		args := make([]any, 0, 10*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Seq, r.At, r.Actor, r.Action, r.Entity, r.EntityID, jsonArg(r.Before), jsonArg(r.After), r.PrevHash, r.Hash)
		}
		_, err = tx.Exec(ctx, "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash) VALUES "+
			valuesList(len(chunk), 10), args...)
		if err != nil {
			if len(chunk) == 1 {
				return tx.db.wrap(err, "audit %s %s", chunk[0].Action, chunk[0].EntityID)
			}
			return tx.db.wrap(err, "audit entries %d to %d (%s %s …)", chunk[0].Seq, chunk[len(chunk)-1].Seq, chunk[0].Action, chunk[0].EntityID)
		}
	}
	last := recs[len(recs)-1]
	res, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?", last.Seq, last.Hash, headSeq)
	if err != nil {
		return tx.db.wrap(err, "audit %s %s: move chain head", last.Action, last.EntityID)
	}
	// Cannot happen while appends are serialised; if it ever does, refuse
	// rather than fork the chain.
	if n, _ := res.RowsAffected(); n != 1 {
		return &errs.Error{Code: errs.Conflict, Msg: fmt.Sprintf("store: audit %s %s: the chain head moved during the append; try again", first.Action, first.EntityID)}
	}
	return nil
}

// auditJSON encodes a state; nil and JSON null are "none".
func auditJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return b, nil
}

// jsonArg passes JSON text as a string (both drivers store it verbatim; a
// []byte would be a BLOB on SQLite) and none as NULL.
func jsonArg(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// ComputeHash returns the hash the entry should have, given its PrevHash
// (see the package's audit documentation for the encoding).
func (r *AuditRecord) ComputeHash() (string, error) {
	prev, err := hex.DecodeString(r.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("prev_hash %q is not 64 hex digits", r.PrevHash)
	}
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	for _, f := range []string{
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format("2006-01-02T15:04:05.000000000Z07:00"),
		r.Actor, r.Action, r.Entity, r.EntityID,
		string(r.Before), string(r.After),
	} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// auditColumns is the column list scanAudit reads.
const auditColumns = "seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash"

func scanAudit(rows *sql.Rows) (AuditRecord, error) {
	var r AuditRecord
	var before, after sql.NullString
	err := rows.Scan(&r.Seq, &r.At, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &before, &after, &r.PrevHash, &r.Hash)
	if before.Valid {
		r.Before = json.RawMessage(before.String)
	}
	if after.Valid {
		r.After = json.RawMessage(after.String)
	}
	r.At = r.At.UTC()
	return r, err
}

// AuditFilter selects entries for ListAudit.
type AuditFilter struct {
	Entity   string // "" for all
	EntityID string // "" for all (only with Entity)
	Limit    int    // newest Limit entries; 0 means 50
}

// ListAudit returns the newest entries that match f, newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q := "SELECT " + auditColumns + " FROM audit_log"
	var args []any
	if f.Entity != "" {
		q += " WHERE entity = ?"
		args = append(args, f.Entity)
		if f.EntityID != "" {
			q += " AND entity_id = ?"
			args = append(args, f.EntityID)
		}
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, db.wrap(err, "list audit log")
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, db.wrap(err, "list audit log")
		}
		out = append(out, r)
	}
	return out, db.wrap(rows.Err(), "list audit log")
}

// AuditHash returns the stored hash of entry seq: with a hash noted
// elsewhere earlier, it shows whether the chain still passes through it.
func (db *DB) AuditHash(ctx context.Context, seq int64) (string, error) {
	var h string
	err := db.QueryRow(ctx, "SELECT hash FROM audit_log WHERE seq = ?", seq).Scan(&h)
	return h, db.wrap(err, "read audit entry %d", seq)
}

// VerifyResult is what VerifyAudit found.
type VerifyResult struct {
	OK       bool
	Entries  int64  // entries read
	Head     int64  // seq recorded in audit_head
	HeadHash string // hash recorded in audit_head: keep a copy elsewhere to anchor the log
	// When not OK: the seq of the first broken link and why.
	BrokenSeq int64
	Reason    string
}

// VerifyAudit walks the audit log from its first entry, in one consistent
// snapshot, and reports the first broken link (see the audit documentation
// above for what that can and cannot reveal). The error is for failing to
// read; a broken chain is a result with OK false.
func (db *DB) VerifyAudit(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	err := db.Read(ctx, func(tx *Tx) error {
		res = VerifyResult{}
		if err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&res.Head, &res.HeadHash); err != nil {
			if err == sql.ErrNoRows {
				res.Reason = "the chain head (audit_head) is missing: it was deleted"
				return nil
			}
			return db.wrap(err, "verify audit log: read chain head")
		}
		rows, err := tx.Query(ctx, "SELECT "+auditColumns+" FROM audit_log ORDER BY seq")
		if err != nil {
			return db.wrap(err, "verify audit log")
		}
		defer rows.Close()
		wantSeq, prev := int64(1), zeroHash
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return db.wrap(err, "verify audit log at seq %d", wantSeq)
			}
			res.Entries++
			if broken, why := checkLink(r, wantSeq, prev); broken != 0 {
				res.BrokenSeq, res.Reason = broken, why
				return nil
			}
			wantSeq, prev = r.Seq+1, r.Hash
		}
		if err := rows.Err(); err != nil {
			return db.wrap(err, "verify audit log")
		}
		last := wantSeq - 1
		switch {
		case res.Head > last:
			res.BrokenSeq = last + 1
			res.Reason = fmt.Sprintf("the log ends at seq %d but its head records seq %d: the newest %s removed",
				last, res.Head, plural(res.Head-last, "entry was", "entries were"))
		case res.Head < last:
			res.BrokenSeq = res.Head + 1
			res.Reason = fmt.Sprintf("the head records seq %d but the log goes on to seq %d: entries were added without the appender", res.Head, last)
		case res.HeadHash != prev:
			res.BrokenSeq = last
			res.Reason = fmt.Sprintf("the head's hash does not match entry %d's: the head or the entry was rewritten", last)
		default:
			res.OK = true
		}
		return nil
	})
	return res, err
}

// checkLink checks entry r, expected at wantSeq after an entry whose hash
// is prev. It returns the broken seq and why, or 0.
func checkLink(r AuditRecord, wantSeq int64, prev string) (int64, string) {
	if r.Seq != wantSeq {
		if wantSeq == 1 {
			return 1, fmt.Sprintf("the log starts at entry %d: entries 1 to %d were removed", r.Seq, r.Seq-1)
		}
		if wantSeq == r.Seq-1 {
			return wantSeq, fmt.Sprintf("entry %d is missing (removed): the log jumps from %d to %d", wantSeq, wantSeq-1, r.Seq)
		}
		return wantSeq, fmt.Sprintf("entries %d to %d are missing (removed): the log jumps from %d to %d", wantSeq, r.Seq-1, wantSeq-1, r.Seq)
	}
	want, err := r.ComputeHash()
	if err != nil {
		return r.Seq, fmt.Sprintf("entry %d is damaged: %v", r.Seq, err)
	}
	if want != r.Hash {
		return r.Seq, fmt.Sprintf("entry %d was altered: its contents do not match its hash", r.Seq)
	}
	if r.PrevHash != prev {
		if r.Seq == 1 {
			return 1, "entry 1 was rewritten: its prev_hash is not the zero hash that starts the chain"
		}
		// r itself is intact (its hash matches), so the link was broken from
		// the other side: the entry before it was rewritten with a fresh hash.
		return r.Seq - 1, fmt.Sprintf("entry %d was altered and its hash recomputed: entry %d links to a different hash", r.Seq-1, r.Seq)
	}
	return 0, ""
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
