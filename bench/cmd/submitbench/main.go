// Command submitbench measures concurrent submissions through the
// workflow (issue 3, item 9): N enterprises (2,000) each create, fill in
// (the built-in miit-tide program's inputs, three years of the yearly
// ones) and submit an application to one open cycle, C at a time (200),
// with a share of them retrying their submit with the same idempotency
// key. Afterwards it checks that nothing was lost or duplicated, then
// inserts the same rows into the applications table with a plain loop of
// INSERTs (one transaction each, then all in one), in the same database,
// as the baseline.
//
//	go run ./bench/cmd/submitbench                       # a temporary SQLite file
//	go run ./bench/cmd/submitbench -database postgres://…  # a fresh database in that cluster
//
// The last line (RESULT key=value …) is what bench/store.sh reads. It
// exits non-zero when a submission fails or the checks find a lost or
// duplicated application.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

var (
	admin      = workflow.Actor{Name: "bench-admin"}
	enterprise = workflow.Actor{Name: "bench-enterprise"}
)

// benchdata.Channels are the miit-tide benchdata.Channels the generated enterprises apply
// through.

func main() {
	database := flag.String("database", "", "PostgreSQL URL (a fresh database is created in its cluster and dropped at the end); empty: a temporary SQLite file")
	n := flag.Int("n", 2000, "enterprises")
	conc := flag.Int("concurrency", 200, "clients at a time")
	retry := flag.Float64("retry", 0.1, "share of clients that submit twice with the same key (half one after the other, half at once)")
	seed := flag.Uint64("seed", 2018, "generator seed")
	flag.Parse()
	if err := run(*database, *n, *conc, *retry, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "submitbench:", err)
		os.Exit(1)
	}
}

func run(database string, n, conc int, retryShare float64, seed uint64) error {
	ctx := context.Background()
	url, cleanup, err := benchdata.Database(ctx, database, "submitbench")
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	s := workflow.New(db)

	// Setup, not timed: the program, benchdata.Channels, enterprises (through
	// store inserts, in one transaction) and an open cycle.
	v, err := s.RegisterBuiltinProgram(ctx, admin, "miit-tide")
	if err != nil {
		return err
	}
	chIDs := map[string]int64{}
	for _, code := range benchdata.Channels {
		c, err := s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: code, NameZh: code, NameEn: code, Kind: "province"})
		if err != nil {
			return err
		}
		chIDs[code] = c.ID
	}
	rng := rand.New(rand.NewPCG(seed, 9))
	firms := make([]firm, n)
	now := db.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for i := range firms {
			f := firm{Applicant: benchdata.NewApplicant(rng, i)}
			for seen[f.Code] {
				f.Code = demo.CreditCode(rng, "320100")
			}
			seen[f.Code] = true
			e := store.Enterprise{USCC: f.Code, Name: f.Name, ChannelID: chIDs[f.Channel], CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			f.enterpriseID = e.ID
			firms[i] = f
		}
		return nil
	})
	if err != nil {
		return err
	}
	cycle, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018,
		TitleZh: "2018年基准", TitleEn: "bench 2018"})
	if err != nil {
		return err
	}
	if _, err := s.OpenCycle(ctx, admin, cycle.ID); err != nil {
		return err
	}
	retries := int(math.Round(retryShare * float64(n)))
	fmt.Fprintf(os.Stderr, "submitbench: %s, %d enterprises, %d at a time, %d retrying (%d sequentially, %d concurrently)\n",
		db.Dialect(), n, conc, retries, retries-retries/2, retries/2)

	// Timed: every client creates, saves and submits; some retry.
	lat := make([]time.Duration, n)
	submitLat := make([]time.Duration, n)
	errsOf := make([]error, n)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range firms {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f := &firms[i]
			t0 := time.Now()
			errsOf[i] = f.apply(ctx, s, cycle.ID, i, retries)
			lat[i] = time.Since(t0)
			submitLat[i] = f.submitTime
		})
	}
	wg.Wait()
	wall := time.Since(start)
	failed := 0
	for i, err := range errsOf {
		if err != nil {
			if failed < 5 {
				fmt.Fprintf(os.Stderr, "client %d: %v\n", i, err)
			}
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d clients failed", failed, n)
	}

	// The checks: zero lost, zero duplicated.
	if err := check(ctx, db, cycle.ID, firms); err != nil {
		return err
	}

	// Baseline: the same rows (as stored), into the applications table of
	// a second cycle in the same database, by a plain loop of INSERTs.
	rows, err := storedRows(ctx, db, cycle.ID)
	if err != nil {
		return err
	}
	base, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2019,
		TitleZh: "2019年基准", TitleEn: "bench 2019"})
	if err != nil {
		return err
	}
	t0 := time.Now()
	for i := range rows {
		if err := db.Tx(ctx, func(tx *store.Tx) error { return rows[i].insert(ctx, tx, base.ID, "raw1-") }); err != nil {
			return err
		}
	}
	loop := time.Since(t0)
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM applications WHERE cycle_id = ?", base.ID)
		return err
	}); err != nil {
		return err
	}
	t0 = time.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range rows {
			if err := rows[i].insert(ctx, tx, base.ID, "raw2-"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	batch := time.Since(t0)

	rate := float64(n) / wall.Seconds()
	fmt.Fprintf(os.Stderr, "submissions: %d in %.2f s = %.0f/s; per client (create+save+submit) p50 %.1f ms p99 %.1f ms; submit alone p50 %.1f ms p99 %.1f ms\n",
		n, wall.Seconds(), rate, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(submitLat, 50)), ms(pct(submitLat, 99)))
	fmt.Fprintf(os.Stderr, "baseline: plain INSERT loop, one transaction each: %.0f rows/s; all in one transaction: %.0f rows/s\n",
		float64(n)/loop.Seconds(), float64(n)/batch.Seconds())
	fmt.Printf("RESULT dialect=%s n=%d concurrency=%d retries=%d lost=0 duplicated=0 wall_ms=%.0f rate=%.1f p50_ms=%.2f p99_ms=%.2f submit_p50_ms=%.2f submit_p99_ms=%.2f loop_rate=%.1f batch_rate=%.1f input_bytes=%d\n",
		db.Dialect(), n, conc, retries, ms(wall), rate, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(submitLat, 50)), ms(pct(submitLat, 99)),
		float64(n)/loop.Seconds(), float64(n)/batch.Seconds(), len(rows[0].inputs))
	return nil
}

// firm is one generated enterprise and what its client did.
type firm struct {
	benchdata.Applicant
	enterpriseID int64
	appID        int64
	key          string
	submitTime   time.Duration
}

// apply is client i's work: create, save, submit with a key of its own;
// the first retries clients submit again with the same key, the first
// half after their answer (as after a lost answer), the other half at
// the same time as the first attempt.
func (f *firm) apply(ctx context.Context, s *workflow.Service, cycleID int64, i, retries int) error {
	a, err := s.CreateApplication(ctx, enterprise, cycleID, f.enterpriseID)
	if err != nil {
		return err
	}
	if a, err = s.SaveApplication(ctx, enterprise, a.ID, a.Version, f.Inputs); err != nil {
		return err
	}
	f.appID, f.key = a.ID, fmt.Sprintf("submit-%d-%s", i, f.Code)
	t0 := time.Now()
	switch {
	case i < retries-retries/2: // retry after the answer
		first, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key)
		if err != nil {
			return err
		}
		again, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key)
		if err != nil {
			return fmt.Errorf("retry: %w", err)
		}
		if again.ID != first.ID || again.Version != first.Version {
			return fmt.Errorf("retry answered application %d v%d, first %d v%d", again.ID, again.Version, first.ID, first.Version)
		}
	case i < retries: // two presses at once
		var wg sync.WaitGroup
		var errs [2]error
		var got [2]store.Application
		for k := range 2 {
			wg.Go(func() { got[k], errs[k] = s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			return fmt.Errorf("concurrent retry: %v, %v", errs[0], errs[1])
		}
		if got[0].Version != got[1].Version {
			return fmt.Errorf("concurrent retry answered versions %d and %d", got[0].Version, got[1].Version)
		}
	default:
		if _, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key); err != nil {
			return err
		}
	}
	f.submitTime = time.Since(t0)
	return nil
}

// check counts the cycle's applications, their statuses, idempotency
// keys and audit entries: one of each per client, and each client's key
// on its own application.
func check(ctx context.Context, db *store.DB, cycleID int64, firms []firm) error {
	n := len(firms)
	counts := []struct {
		what, query string
		args        []any
	}{
		{"applications", "SELECT COUNT(*) FROM applications WHERE cycle_id = ?", []any{cycleID}},
		{"submitted applications", "SELECT COUNT(*) FROM applications WHERE cycle_id = ? AND status = 'submitted' AND submitted_at IS NOT NULL", []any{cycleID}},
		{"distinct idempotency keys", "SELECT COUNT(DISTINCT idempotency_key) FROM applications WHERE cycle_id = ? AND idempotency_key IS NOT NULL", []any{cycleID}},
		{"enterprises with an application", "SELECT COUNT(DISTINCT enterprise_id) FROM applications WHERE cycle_id = ?", []any{cycleID}},
		{"audit entries application.submit", "SELECT COUNT(*) FROM audit_log WHERE action = 'application.submit'", nil},
		{"audit entries application.create", "SELECT COUNT(*) FROM audit_log WHERE action = 'application.create'", nil},
	}
	for _, c := range counts {
		var got int
		if err := db.QueryRow(ctx, c.query, c.args...).Scan(&got); err != nil {
			return fmt.Errorf("count %s: %w", c.what, err)
		}
		if got != n {
			return fmt.Errorf("%d %s, want %d: lost or duplicated", got, c.what, n)
		}
	}
	r, err := db.Query(ctx, "SELECT id, idempotency_key FROM applications WHERE cycle_id = ?", cycleID)
	if err != nil {
		return err
	}
	defer r.Close()
	keys := map[int64]string{}
	for r.Next() {
		var id int64
		var key sql.NullString
		if err := r.Scan(&id, &key); err != nil {
			return err
		}
		keys[id] = key.String
	}
	if err := r.Err(); err != nil {
		return err
	}
	for _, f := range firms {
		if keys[f.appID] != f.key {
			return fmt.Errorf("application %d holds key %q, its client submitted with %q", f.appID, keys[f.appID], f.key)
		}
	}
	return nil
}

// storedRow is an application row as the workflow stored it.
type storedRow struct {
	enterpriseID, channelID int64
	inputs                  string
}

func storedRows(ctx context.Context, db *store.DB, cycleID int64) ([]storedRow, error) {
	r, err := db.Query(ctx, "SELECT enterprise_id, channel_id, inputs FROM applications WHERE cycle_id = ? ORDER BY id", cycleID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []storedRow
	for r.Next() {
		var x storedRow
		if err := r.Scan(&x.enterpriseID, &x.channelID, &x.inputs); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, r.Err()
}

// insert is the baseline: one plain INSERT of the row, submitted, into
// cycle cycleID.
func (x storedRow) insert(ctx context.Context, tx *store.Tx, cycleID int64, keyPrefix string) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err := tx.Exec(ctx, `INSERT INTO applications (cycle_id, enterprise_id, channel_id, status, inputs, declarations,
		idempotency_key, version, submitted_at, created_at, updated_at) VALUES (?, ?, ?, 'submitted', ?, '{}', ?, 3, ?, ?, ?)`,
		cycleID, x.enterpriseID, x.channelID, x.inputs, fmt.Sprint(keyPrefix, x.enterpriseID), now, now, now)
	return err
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
