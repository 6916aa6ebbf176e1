package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// appendEntries appends n entries, one transaction each, for entity ids
// 1..n.
func appendEntries(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Entry{
				Actor: "admin", Action: "cycle.update", Entity: "cycle", EntityID: fmt.Sprint(i),
				Before: map[string]any{"phase": "draft", "version": i},
				After:  map[string]any{"phase": "open", "version": i + 1, "note": "开放申报 <ok> & \"quoted\""},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *store.DB) store.VerifyResult {
	t.Helper()
	res, err := db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAuditAppendAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if res := verify(t, db); !res.OK || res.Entries != 0 || res.Head != 0 {
			t.Fatalf("empty log: %+v, want OK with no entries", res)
		}
		appendEntries(t, db, 5)

		// A creation (no before), a deletion (no after), a raw JSON state
		// and an explicit time with nanoseconds, all in one transaction.
		at := time.Date(2018, 7, 26, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, store.Entry{Actor: "admin", Action: "enterprise.create", Entity: "enterprise", EntityID: "91350100M000100Y43",
				After: json.RawMessage(`{"name": "示范企业",  "channel": "fujian"}`)}); err != nil {
				return err
			}
			return tx.Audit(ctx, store.Entry{At: at, Actor: "public: 张三", Action: "objection.delete", Entity: "objection", EntityID: "7",
				Before: struct {
					Grounds string `json:"grounds"`
				}{"数据不实"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		// A rolled-back transaction leaves no entry and no gap.
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, store.Entry{Actor: "admin", Action: "cycle.close", Entity: "cycle", EntityID: "1"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want fn's error", err)
		}
		appendEntries(t, db, 1)

		res := verify(t, db)
		if !res.OK || res.Entries != 8 || res.Head != 8 || len(res.HeadHash) != 64 {
			t.Fatalf("after 8 appends: %+v", res)
		}

		all, err := db.ListAudit(ctx, store.AuditFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 8 || all[0].Seq != 8 || all[7].Seq != 1 {
			t.Fatalf("ListAudit: %d entries, want 8 newest first", len(all))
		}
		if all[0].Hash != res.HeadHash {
			t.Errorf("newest hash %s, head %s", all[0].Hash, res.HeadHash)
		}
		del := all[1]
		if !del.At.Equal(at.Truncate(time.Microsecond)) || del.At.Location() != time.UTC {
			t.Errorf("time read back as %v, want %v in UTC", del.At, at.Truncate(time.Microsecond))
		}
		if del.After != nil || string(del.Before) != `{"grounds":"数据不实"}` || del.Actor != "public: 张三" {
			t.Errorf("deletion entry read back as %+v", del)
		}
		if string(all[2].After) != `{"name":"示范企业","channel":"fujian"}` || all[2].Before != nil {
			t.Errorf("creation entry: before %s after %s", all[2].Before, all[2].After)
		}
		for i, r := range all[:len(all)-1] {
			if r.PrevHash != all[i+1].Hash {
				t.Errorf("entry %d prev_hash %s, entry %d hash %s", r.Seq, r.PrevHash, all[i+1].Seq, all[i+1].Hash)
			}
		}

		some, err := db.ListAudit(ctx, store.AuditFilter{Entity: "cycle", EntityID: "3"})
		if err != nil || len(some) != 1 || some[0].Seq != 3 {
			t.Errorf("ListAudit(cycle 3) = %+v, %v", some, err)
		}
		some, err = db.ListAudit(ctx, store.AuditFilter{Entity: "cycle", Limit: 2})
		if err != nil || len(some) != 2 || some[0].Seq != 8 || some[1].Seq != 5 {
			t.Errorf("ListAudit(cycle, 2) = %+v, %v", some, err)
		}
	})
}

func TestAuditRefusesBadEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, e := range []store.Entry{
			{Action: "cycle.open", Entity: "cycle", EntityID: "1"},
			{Actor: "admin", Entity: "cycle", EntityID: "1"},
			{Actor: "admin", Action: "cycle.open", EntityID: "1"},
			{Actor: "admin", Action: "cycle.open", Entity: "cycle", EntityID: " "},
			{Actor: "admin", Action: "cycle.open", Entity: "cycle", EntityID: "1", After: json.RawMessage(`{"broken`)},
			{Actor: "admin", Action: "cycle.open", Entity: "cycle", EntityID: "1", Before: func() {}},
		} {
			err := db.Tx(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) })
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("Audit(%+v) = %v, want an invalid error", e, err)
			}
		}
		if res := verify(t, db); !res.OK || res.Entries != 0 {
			t.Errorf("after refused entries: %+v", res)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendEntries(t, db, 2)
		for _, q := range []string{
			"UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
			"DELETE FROM audit_log WHERE seq = 2",
		} {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, q)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		if res := verify(t, db); !res.OK || res.Entries != 2 {
			t.Errorf("after refused changes: %+v", res)
		}
	})
}

// tamper changes the log behind the store's back, as someone with write
// access to the database could: it drops the append-only triggers first.
func tamper(t *testing.T, db *store.DB, queries ...string) {
	t.Helper()
	ctx := context.Background()
	drop := []string{"DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"}
	if db.Dialect() == store.Postgres {
		drop = []string{"DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log", "DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log"}
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range append(drop, queries...) {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tamperWith runs one statement with arguments, as tamper does.
func tamperWith(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	tamper(t, db)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rehash returns the hash entry seq would have with its current contents
// and the given prev_hash.
func rehash(t *testing.T, db *store.DB, seq int64, prev string) string {
	t.Helper()
	all, err := db.ListAudit(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Seq == seq {
			r.PrevHash = prev
			h, err := r.ComputeHash()
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
	}
	t.Fatalf("no entry %d", seq)
	return ""
}

func hashOf(t *testing.T, db *store.DB, seq int64) string {
	t.Helper()
	var h string
	if err := db.QueryRow(context.Background(), "SELECT hash FROM audit_log WHERE seq = ?", seq).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	scenarios := []struct {
		name   string
		tamper func(t *testing.T, db *store.DB)
		broken int64  // 0: the tampering is NOT detectable
		reason string // part of the reason
	}{
		{"alter after JSON", func(t *testing.T, db *store.DB) {
			tamper(t, db, `UPDATE audit_log SET after = '{"phase":"closed"}' WHERE seq = 3`)
		}, 3, "entry 3 was altered"},
		{"alter actor", func(t *testing.T, db *store.DB) {
			tamper(t, db, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`)
		}, 1, "entry 1 was altered"},
		{"alter time", func(t *testing.T, db *store.DB) {
			tamperWith(t, db, `UPDATE audit_log SET at = ? WHERE seq = 4`, time.Now().Add(-time.Hour).UTC())
		}, 4, "entry 4 was altered"},
		{"alter and rehash", func(t *testing.T, db *store.DB) {
			tamper(t, db, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`)
			h := rehash(t, db, 2, hashOf(t, db, 1))
			tamper(t, db, fmt.Sprintf(`UPDATE audit_log SET hash = '%s' WHERE seq = 2`, h))
		}, 2, "entry 2 was altered and its hash recomputed"},
		{"delete a middle entry", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq = 3`)
		}, 3, "entry 3 is missing"},
		{"delete the first entries", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq <= 2`)
		}, 1, "starts at entry 3"},
		{"delete a middle entry and renumber", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq = 3`, `UPDATE audit_log SET seq = seq - 1 WHERE seq = 4`, `UPDATE audit_log SET seq = seq - 1 WHERE seq = 5`,
				`UPDATE audit_head SET seq = 4`)
		}, 3, "entry 3 was altered"},
		{"delete the newest entry", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, "newest entry was removed"},
		{"delete the two newest entries", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq >= 4`)
		}, 4, "newest 2 entries were removed"},
		{"insert an entry without the appender", func(t *testing.T, db *store.DB) {
			// A well-formed entry, properly linked and hashed.
			r := store.AuditRecord{Seq: 6, At: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "mallory",
				Action: "x.y", Entity: "x", EntityID: "1", PrevHash: hashOf(t, db, 5)}
			h, err := r.ComputeHash()
			if err != nil {
				t.Fatal(err)
			}
			tamperWith(t, db, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, r.At, r.Actor, r.Action, r.Entity, r.EntityID, r.PrevHash, h)
		}, 6, "added without the appender"},
		{"delete the head", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_head`)
		}, 0, "head (audit_head) is missing"},
		// Not detectable by the chain alone: the newest entry removed and
		// the head moved back to match. Only a copy of the head hash kept
		// elsewhere reveals it (the head hash changes).
		{"delete the newest entry and the head with it", func(t *testing.T, db *store.DB) {
			tamper(t, db, `DELETE FROM audit_log WHERE seq = 5`,
				fmt.Sprintf(`UPDATE audit_head SET seq = 4, hash = '%s'`, hashOf(t, db, 4)))
		}, -1, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				appendEntries(t, db, 5)
				before := verify(t, db)
				if !before.OK {
					t.Fatalf("before tampering: %+v", before)
				}
				sc.tamper(t, db)
				res := verify(t, db)
				switch {
				case sc.broken < 0:
					if !res.OK || res.HeadHash == before.HeadHash {
						t.Errorf("expected the chain to verify (undetectable without an outside copy of the head) with a new head hash: %+v", res)
					}
				case res.OK:
					t.Errorf("tampering not detected: %+v", res)
				case res.BrokenSeq != sc.broken || !strings.Contains(res.Reason, sc.reason):
					t.Errorf("got broken seq %d (%s), want %d (…%s…)", res.BrokenSeq, res.Reason, sc.broken, sc.reason)
				}
			})
		})
	}
}

// TestAuditConcurrentAppends appends from 8 goroutines at once: the chain
// must come out whole, with every entry once.
func TestAuditConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errc := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					errc <- db.Tx(ctx, func(tx *store.Tx) error {
						// Two entries per transaction: they must stay adjacent.
						for part := range 2 {
							err := tx.Audit(ctx, store.Entry{Actor: fmt.Sprintf("worker%d", w), Action: "application.submit",
								Entity: "application", EntityID: fmt.Sprintf("%d-%d-%d", w, i, part), After: map[string]int{"part": part}})
							if err != nil {
								return err
							}
						}
						return nil
					})
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		res := verify(t, db)
		if !res.OK || res.Entries != workers*each*2 || res.Head != workers*each*2 {
			t.Fatalf("after concurrent appends: %+v, want OK with %d entries", res, workers*each*2)
		}
		all, err := db.ListAudit(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, r := range all {
			if seen[r.EntityID] {
				t.Errorf("entry %s recorded twice", r.EntityID)
			}
			seen[r.EntityID] = true
			if strings.HasSuffix(r.EntityID, "-1") && (i+1 >= len(all) || all[i+1].EntityID != strings.TrimSuffix(r.EntityID, "1")+"0") {
				t.Errorf("entry %d (%s) is not right after its transaction's first entry", r.Seq, r.EntityID)
			}
		}
	})
}
