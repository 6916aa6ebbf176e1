// Command reviewbench measures a review cycle over N enterprises (10,000)
// from cohort to decisions (issue 3, item 9) beside the scoring engine
// alone on the same data.
//
// Setup, not timed: the built-in miit-tide program, ten provincial
// benchdata.Channels, and N enterprises recognised in 2015, inserted directly
// through the store (store.Tx.InsertEnterprise and InsertRecognition in
// one transaction; no audit entries, as an import of the history would).
//
// Timed, through the workflow, each step its own figure: CreateCycle (the
// review of 2018, each channel's quota raised to N) and OpenReviewCycle
// (the cohort computed from the data, one draft application each); every
// enterprise saves its inputs and submits (W clients at a time);
// CloseApplications; Recommend (one call per channel with all its
// applications); StartEvaluation (the engine inside, results stored);
// StartDeliberation (decisions drafted).
//
// Engine alone: the stored inputs laid out as the engine's table, then
// scoring.Run with the same quotas, the median of R runs. Store alone:
// the run's N stored results inserted again by a plain loop of
// single-row INSERTs in one transaction (what storing one row per
// enterprise costs at the least; the transitions also write the
// applications' statuses, recommendations, decisions and one audit entry
// per change).
//
//	go run ./bench/cmd/reviewbench [-n 10000] [-database postgres://…]
//
// The last line (RESULT key=value …) is what bench/store.sh reads.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

var (
	admin      = workflow.Actor{Name: "bench-admin"}
	enterprise = workflow.Actor{Name: "bench-enterprise"}
)

// benchdata.Channels are the miit-tide benchdata.Channels of the generated enterprises.

func main() {
	database := flag.String("database", "", "PostgreSQL URL (a fresh database is created in its cluster and dropped at the end); empty: a temporary SQLite file")
	n := flag.Int("n", 10000, "enterprises in the cohort")
	workers := flag.Int("workers", 8, "enterprises saving and submitting at a time")
	runs := flag.Int("runs", 5, "engine runs (median)")
	seed := flag.Uint64("seed", 2015, "generator seed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed steps to this file (go tool pprof)")
	flag.Parse()
	profile = *cpuprofile
	if err := run(*database, *n, *workers, *runs, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "reviewbench:", err)
		os.Exit(1)
	}
}

// profile is the file the timed steps' CPU profile goes to ("": none).
var profile string

type firm struct {
	benchdata.Applicant
}

// step is one timed part of the workflow.
type step struct {
	name string
	d    time.Duration
}

func run(database string, n, workers, runs int, seed uint64) error {
	ctx := context.Background()
	dbURL, cleanup, err := benchdata.Database(ctx, database, "reviewbench")
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	s := workflow.New(db)

	// Setup, not timed.
	t0 := time.Now()
	v, err := s.RegisterBuiltinProgram(ctx, admin, "miit-tide")
	if err != nil {
		return err
	}
	chIDs := map[string]int64{}
	quotas := map[string]int{}
	for _, code := range benchdata.Channels {
		c, err := s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: code, NameZh: code, NameEn: code, Kind: "province"})
		if err != nil {
			return err
		}
		chIDs[code] = c.ID
		quotas[code] = n
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	firms := map[int64]firm{} // by enterprise id
	now := db.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for k := range n {
			f := firm{Applicant: benchdata.NewApplicant(rng, k)}
			for seen[f.Code] {
				f.Code = demo.CreditCode(rng, "320100")
			}
			seen[f.Code] = true
			e := store.Enterprise{USCC: f.Code, Name: f.Name, ChannelID: chIDs[f.Channel], CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			r := store.Recognition{EnterpriseID: e.ID, ProgramID: v.ProgramID, GrantedYear: 2015,
				ValidFrom:  time.Date(2015, 12, 1, 0, 0, 0, 0, time.UTC),
				ValidUntil: time.Date(2018, 12, 1, 0, 0, 0, 0, time.UTC),
				Status:     workflow.RecognitionActive, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertRecognition(ctx, &r); err != nil {
				return err
			}
			firms[e.ID] = f
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "reviewbench: %s, %d enterprises recognised in 2015 (setup through store inserts: %.1f s); %d clients at a time\n",
		db.Dialect(), n, time.Since(t0).Seconds(), workers)

	// Timed: the workflow, from cohort to decisions.
	var steps []step
	timed := func(name string, fn func() error) error {
		t := time.Now()
		err := fn()
		steps = append(steps, step{name, time.Since(t)})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(os.Stderr, "  %-44s %8.0f ms\n", name, ms(steps[len(steps)-1].d))
		return nil
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var cycle store.Cycle
	var apps []store.Application
	if err := timed("create cycle + open with its cohort", func() error {
		if cycle, err = s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindReview, Year: 2018,
			TitleZh: "2018年复核评价（基准）", TitleEn: "review 2018 (bench)", Quotas: quotas}); err != nil {
			return err
		}
		cycle, apps, err = s.OpenReviewCycle(ctx, admin, cycle.ID)
		return err
	}); err != nil {
		return err
	}
	if len(apps) != n {
		return fmt.Errorf("the cohort has %d applications, want %d", len(apps), n)
	}
	if err := timed(fmt.Sprintf("save + submit %d applications", n), func() error {
		return benchdata.SaveAndSubmit(ctx, s, enterprise, apps, func(id int64) json.RawMessage { return firms[id].Inputs }, workers, "review-")
	}); err != nil {
		return err
	}
	if err := timed("close applications", func() error { _, err := s.CloseApplications(ctx, admin, cycle.ID); return err }); err != nil {
		return err
	}
	if err := timed(fmt.Sprintf("recommend (%d calls, one per channel)", len(benchdata.Channels)), func() error {
		byChannel := map[int64][]int64{}
		for _, a := range apps {
			byChannel[a.ChannelID] = append(byChannel[a.ChannelID], a.ID)
		}
		for ch, ids := range byChannel {
			if _, err := s.Recommend(ctx, admin, ch, ids); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := timed("start evaluation (engine + results)", func() error { _, err := s.StartEvaluation(ctx, admin, cycle.ID); return err }); err != nil {
		return err
	}
	if err := timed("start deliberation (decisions drafted)", func() error { _, err := s.StartDeliberation(ctx, admin, cycle.ID); return err }); err != nil {
		return err
	}
	var total, admins time.Duration
	for i, st := range steps {
		total += st.d
		if i != 1 {
			admins += st.d
		}
	}
	ds, err := s.Decisions(ctx, cycle.ID)
	if err != nil {
		return err
	}
	passed := 0
	for _, d := range ds {
		if d.Outcome == workflow.OutcomePass {
			passed++
		}
	}
	if len(ds) != n {
		return fmt.Errorf("%d decisions, want %d", len(ds), n)
	}

	// The engine alone on the same data: the stored inputs.
	p, err := program.Builtin("miit-tide")
	if err != nil {
		return err
	}
	stored, err := s.Applications(ctx, cycle.ID)
	if err != nil {
		return err
	}
	tb := time.Now()
	table, err := buildTable(p, stored, firms)
	if err != nil {
		return err
	}
	build := time.Since(tb)
	var engine []time.Duration
	enginePassed := 0
	for range runs {
		t := time.Now()
		res, err := scoring.Run(p, table, scoring.Options{Quotas: quotas})
		engine = append(engine, time.Since(t))
		if err != nil {
			return err
		}
		enginePassed = 0
		for i := range table.N {
			if res.Enterprise(i).Outcome == scoring.Pass {
				enginePassed++
			}
		}
	}
	if enginePassed != passed {
		return fmt.Errorf("the engine alone passes %d, the workflow's decisions %d", enginePassed, passed)
	}
	slices.Sort(engine)
	eng := engine[len(engine)/2]

	// The store alone: the run's stored results written again, as a new
	// run, by a plain loop of single-row INSERTs in one transaction — the
	// least a step that stores N rows costs on this database.
	plain, err := plainResults(ctx, db, cycle.ID, v.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "workflow, cohort to decisions: %.2f s (administrator's steps alone %.2f s); %d decisions, %d pass\n",
		total.Seconds(), admins.Seconds(), len(ds), passed)
	fmt.Fprintf(os.Stderr, "engine alone (scoring.Run, median of %d): %.1f ms; laying out its table from the stored inputs: %.1f ms\n",
		runs, ms(eng), ms(build))
	fmt.Fprintf(os.Stderr, "ratio workflow/engine: %.0f× (administrator's steps: %.0f×)\n", float64(total)/float64(eng), float64(admins)/float64(eng))
	fmt.Fprintf(os.Stderr, "store alone: the %d stored results inserted again by a plain loop in one transaction: %.0f ms\n", len(ds), ms(plain))
	var parts []string
	for i, st := range steps {
		parts = append(parts, fmt.Sprintf("step%d_ms=%.0f", i+1, ms(st.d)))
	}
	fmt.Printf("RESULT dialect=%s n=%d workers=%d total_ms=%.0f admin_ms=%.0f engine_ms=%.2f table_ms=%.2f plain_results_ms=%.0f decisions=%d passed=%d %s\n",
		db.Dialect(), n, workers, ms(total), ms(admins), ms(eng), ms(build), ms(plain), len(ds), passed, strings.Join(parts, " "))
	return nil
}

// buildTable lays the stored applications out as the engine's table, the
// way StartEvaluation does.
func buildTable(p *program.Program, apps []store.Application, firms map[int64]firm) (*scoring.Table, error) {
	rows := make([]workflow.EngineRow, len(apps))
	for i, a := range apps {
		f := firms[a.EnterpriseID]
		rows[i] = workflow.EngineRow{Code: f.Code, Channel: f.Channel, Inputs: a.Inputs}
	}
	return workflow.EngineTable(p, rows)
}

// plainResults reads cycleID's latest run's results and times inserting
// them again, under a new engine run, with one plain INSERT each in one
// transaction.
func plainResults(ctx context.Context, db *store.DB, cycleID, versionID int64) (time.Duration, error) {
	var results []store.Result
	err := db.Read(ctx, func(tx *store.Tx) error {
		run, err := tx.LatestEngineRun(ctx, cycleID)
		if err != nil {
			return err
		}
		results, err = tx.Results(ctx, run.ID)
		return err
	})
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		var runID int64
		if err := tx.QueryRow(ctx, `INSERT INTO engine_runs (cycle_id, program_version_id, status, started_at)
			VALUES (?, ?, 'finished', ?) RETURNING id`, cycleID, versionID, db.Now()).Scan(&runID); err != nil {
			return err
		}
		for _, r := range results {
			if _, err := tx.Exec(ctx, `INSERT INTO results (run_id, enterprise_id, application_id, eligible, score, rank, pass, result)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, runID, r.EnterpriseID, r.ApplicationID, r.Eligible, r.Score, r.Rank, r.Pass, string(r.Result)); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(t0), err
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
