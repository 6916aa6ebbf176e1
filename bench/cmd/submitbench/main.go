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
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

var (
	admin      = workflow.Actor{Name: "bench-admin"}
	enterprise = workflow.Actor{Name: "bench-enterprise"}
)

// channels are the miit-tide channels the generated enterprises apply
// through.
var channels = []string{"jiangsu", "zhejiang", "guangdong", "shandong", "beijing", "shanghai", "anhui", "hubei", "sichuan", "henan"}

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
	url, cleanup, err := benchDatabase(ctx, database)
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

	// Setup, not timed: the program, channels, enterprises (through
	// store inserts, in one transaction) and an open cycle.
	v, err := s.RegisterBuiltinProgram(ctx, admin, "miit-tide")
	if err != nil {
		return err
	}
	chIDs := map[string]int64{}
	for _, code := range channels {
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
			f := newFirm(rng, i)
			for seen[f.code] {
				f.code = demo.CreditCode(rng, "320100")
			}
			seen[f.code] = true
			e := store.Enterprise{USCC: f.code, Name: f.name, ChannelID: chIDs[f.channel], CreatedAt: now, UpdatedAt: now}
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
	code, name, channel string
	inputs              json.RawMessage
	enterpriseID        int64
	appID               int64
	key                 string
	submitTime          time.Duration
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
	if a, err = s.SaveApplication(ctx, enterprise, a.ID, a.Version, f.inputs); err != nil {
		return err
	}
	f.appID, f.key = a.ID, fmt.Sprintf("submit-%d-%s", i, f.code)
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

// newFirm generates a miit-tide applicant k that meets every gate (like
// the workflow tests' generator): 30 inputs, sales, R&D and profit for
// three years each.
func newFirm(rng *rand.Rand, k int) firm {
	ch := channels[k%len(channels)]
	code := demo.CreditCode(rng, []string{"320100", "330100", "440100", "370100"}[rng.IntN(4)])
	round := func(v float64) float64 { return math.Round(v*10) / 10 }
	last := round(50000 + 400000*rng.Float64())
	growth := 1.05 + 0.1*rng.Float64()
	sales := []any{round(last / growth / growth), round(last / growth), last}
	intensity := 0.035 + 0.04*rng.Float64()
	margin := 0.03 + 0.08*rng.Float64()
	var rd, profit []any
	for _, s := range sales {
		rd = append(rd, round(s.(float64)*intensity))
		profit = append(profit, round(s.(float64)*margin))
	}
	name := fmt.Sprintf("基准企业%05d", k)
	in := map[string]any{
		"name": name, "industry": "专用设备制造业",
		"sound_credit": true, "china_controlled": true, "innovation_effect": true,
		"tech_centre": []string{"national", "provincial"}[rng.IntN(2)],
		"employees":   float64(400 + rng.IntN(6000)),
		"sales":       sales, "rd": rd, "profit": profit,
		"total_assets":          round(last * (1 + rng.Float64())),
		"rd_staff_income_ratio": round(1 + rng.Float64()), "training_cost_pct": round(1 + 6*rng.Float64()),
		"external_experts": float64(rng.IntN(60)), "external_projects_pct": round(5 + 40*rng.Float64()),
		"rd_staff_pct": round(8 + 20*rng.Float64()), "senior_experts": float64(5 + rng.IntN(200)),
		"equipment_value": round(5000 + 40000*rng.Float64()), "certified_labs": float64(rng.IntN(8)),
		"long_projects_pct": round(10 + 40*rng.Float64()), "invention_patents": float64(20 + rng.IntN(300)),
		"top_brands": float64(rng.IntN(6)), "new_products": float64(5 + rng.IntN(80)),
		"patent_applications": float64(10 + rng.IntN(200)), "standards": float64(rng.IntN(30)),
		"new_product_sales_pct": round(20 + 50*rng.Float64()), "new_product_profit_pct": round(20 + 55*rng.Float64()),
		"export_earnings": round(1000 + 30000*rng.Float64()), "awards": float64(rng.IntN(4)),
	}
	b, _ := json.Marshal(in)
	return firm{code: code, name: name, channel: ch, inputs: b}
}

// benchDatabase returns the URL to benchmark on: for PostgreSQL a fresh
// database created in database's cluster (dropped by cleanup), else a
// SQLite file in a temporary folder (removed by cleanup).
func benchDatabase(ctx context.Context, database string) (string, func(), error) {
	if database == "" {
		dir, err := os.MkdirTemp("", "submitbench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	return freshPostgres(ctx, database, "submitbench")
}

func freshPostgres(ctx context.Context, database, prefix string) (string, func(), error) {
	u, err := url.Parse(database)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return "", nil, fmt.Errorf("--database %s: give a postgres:// URL", store.RedactURL(database))
	}
	admin, err := sql.Open("pgx", database)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
		admin.Close()
	}, nil
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
