package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// TestAppendAuditBatch appends more entries in one call than one INSERT
// holds, between single appends: the chain verifies, each entry is its own
// link in order, and the head is the last one.
func TestAppendAuditBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendEntries(t, db, 2)
		var batch []store.Entry
		for i := range 1203 {
			batch = append(batch, store.Entry{Actor: "admin", Action: "application.recommend", Entity: "application", EntityID: fmt.Sprint(i),
				Before: map[string]any{"status": "submitted"}, After: map[string]any{"status": "recommended", "rank": i + 1}})
		}
		batch[7].Before = nil // a creation among them
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, batch...) }); err != nil {
			t.Fatal(err)
		}
		appendEntries(t, db, 1)
		res := verify(t, db)
		if !res.OK || res.Entries != 1206 || res.Head != 1206 {
			t.Fatalf("verify: %+v, want OK with 1206 entries", res)
		}
		got, err := db.ListAudit(ctx, store.AuditFilter{Entity: "application", EntityID: "1202", Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("list: %v, %v", got, err)
		}
		if got[0].Seq != 3+1202 || !strings.Contains(string(got[0].After), `"rank":1203`) {
			t.Errorf("entry of application 1202: %+v, want seq 1205 and rank 1203", got[0])
		}

		// An invalid entry anywhere refuses the lot.
		bad := []store.Entry{batch[0], {Actor: "admin", Action: "x.y", Entity: "x"}}
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, bad...) })
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("an entry without an id: %v, want invalid", err)
		}
		if res := verify(t, db); !res.OK || res.Entries != 1206 {
			t.Fatalf("after the refused batch: %+v", res)
		}
	})
}

// seedCycle adds a program, its version, a cycle and n enterprises of
// channel fujian, and returns the cycle's, the channel's and the
// enterprises' ids.
func seedCycle(t *testing.T, db *store.DB, n int) (cycleID, channelID int64, enterprises []int64) {
	t.Helper()
	ctx := context.Background()
	channelID = seedChannel(t, db)
	now := db.Now()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO programs (name, created_at, updated_at) VALUES ('p', ?, ?)", now, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO program_versions (program_id, label, definition, sha256, created_at) VALUES (1, '1', 'x', ?, ?)",
			strings.Repeat("a", 64), now); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cycles (program_id, program_version_id, kind, year, created_at, updated_at)
			VALUES (1, 1, 'review', 2018, ?, ?) RETURNING id`, now, now).Scan(&cycleID); err != nil {
			return err
		}
		for i := range n {
			e := store.Enterprise{USCC: fmt.Sprintf("9135010000%08d", i), Name: fmt.Sprint("企业", i), ChannelID: channelID, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			enterprises = append(enterprises, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cycleID, channelID, enterprises
}

// TestBulkRecords runs the bulk record methods over more rows than one
// statement holds: every row gets its own id, matched to the right
// record, and reads back as the one-row methods would have written it.
func TestBulkRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 903
		cycleID, channelID, ids := seedCycle(t, db, n)
		now := db.Now()
		// Enterprises in reverse, so that ids and input order differ.
		apps := make([]store.Application, n)
		for i := range apps {
			apps[i] = store.Application{CycleID: cycleID, EnterpriseID: ids[n-1-i], ChannelID: channelID, Status: "submitted",
				Inputs: json.RawMessage(fmt.Sprintf(`{"k": %d}`, i)), CreatedAt: now, UpdatedAt: now}
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertApplications(ctx, apps); err != nil {
				return err
			}
			byEnterprise, err := tx.EnterprisesByID(ctx, ids)
			if err != nil {
				return err
			}
			if len(byEnterprise) != n {
				t.Errorf("EnterprisesByID: %d, want %d", len(byEnterprise), n)
			}
			appIDs := make([]int64, n)
			for i, a := range apps {
				appIDs[i] = a.ID
			}
			locked, err := tx.ApplicationsForUpdate(ctx, append(appIDs, 999999))
			if err != nil {
				return err
			}
			if len(locked) != n {
				t.Errorf("ApplicationsForUpdate: %d, want %d (the missing one left out)", len(locked), n)
			}
			for i, a := range apps {
				got := locked[a.ID]
				if got.EnterpriseID != a.EnterpriseID || string(got.Inputs) != fmt.Sprintf(`{"k": %d}`, i) || got.Version != 1 {
					t.Fatalf("application %d: %+v, want enterprise %d, inputs of row %d, version 1", a.ID, got, a.EnterpriseID, i)
				}
			}
			if err := tx.SetApplicationStatus(ctx, apps, "recommended", now); err != nil {
				return err
			}
			recs := make([]store.Recommendation, n)
			for i, a := range apps {
				recs[i] = store.Recommendation{ApplicationID: a.ID, CycleID: cycleID, ChannelID: channelID, RecommendedAt: now}
			}
			if err := tx.InsertRecommendations(ctx, recs); err != nil {
				return err
			}
			stored, err := tx.Recommendations(ctx, cycleID)
			if err != nil {
				return err
			}
			for i, r := range stored {
				if r.Rank != i+1 || r.ApplicationID != apps[i].ID || r.ID != recs[i].ID {
					t.Fatalf("recommendation %d: %+v, want rank %d of application %d, id %d", i, r, i+1, apps[i].ID, recs[i].ID)
				}
			}
			run := store.EngineRun{CycleID: cycleID, ProgramVersionID: 1, Status: "finished", StartedAt: now}
			if err := tx.InsertEngineRun(ctx, &run); err != nil {
				return err
			}
			results := make([]store.Result, n)
			ds := make([]store.Decision, n)
			for i, a := range apps {
				score := float64(i)
				results[i] = store.Result{RunID: run.ID, EnterpriseID: a.EnterpriseID, ApplicationID: a.ID, Eligible: true, Score: &score,
					Rank: i + 1, Pass: i%2 == 0, Result: json.RawMessage(`{}`)}
				ds[i] = store.Decision{CycleID: cycleID, EnterpriseID: a.EnterpriseID, RunID: run.ID, Outcome: []string{"pass", "fail"}[i%2],
					ReasonZh: fmt.Sprint("理由", i), ReasonEn: fmt.Sprint("reason ", i), State: "drafted", CreatedAt: now, UpdatedAt: now}
			}
			if err := tx.InsertResults(ctx, results); err != nil {
				return err
			}
			if err := tx.InsertDecisions(ctx, ds); err != nil {
				return err
			}
			for i, d := range ds {
				got, err := tx.Decision(ctx, d.ID)
				if err != nil {
					return err
				}
				if got.EnterpriseID != apps[i].EnterpriseID || got.ReasonEn != fmt.Sprint("reason ", i) || got.Version != 1 {
					t.Fatalf("decision %d: %+v, want enterprise %d and reason %d", d.ID, got, apps[i].EnterpriseID, i)
				}
			}
			stored2, err := tx.Results(ctx, run.ID)
			if err != nil {
				return err
			}
			if len(stored2) != n {
				t.Errorf("%d results, want %d", len(stored2), n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			if a.Status != "recommended" || a.Version != 2 {
				t.Fatalf("after SetApplicationStatus: %+v, want recommended, version 2", a)
			}
		}

		// A status change based on a status no longer current refuses the
		// lot and changes nothing.
		apps[500].Status = "submitted" // stale: it is recommended
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.SetApplicationStatus(ctx, apps, "not_recommended", now) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale status: %v, want conflict", err)
		}
		var moved int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM applications WHERE status = 'not_recommended'").Scan(&moved); err != nil || moved != 0 {
			t.Fatalf("%d applications moved (%v), want none", moved, err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.DeleteRecommendations(ctx, []int64{apps[0].ID, apps[1].ID})
		}); err != nil {
			t.Fatal(err)
		}
		var recs int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM recommendations").Scan(&recs); err != nil || recs != n-2 {
			t.Fatalf("%d recommendations (%v), want %d", recs, err, n-2)
		}
	})
}
