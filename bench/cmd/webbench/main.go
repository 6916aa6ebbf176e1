// Command webbench prepares the database bench/web.sh serves, and reads
// back the view count it checks (issue 4, item 8).
//
//	webbench prepare -database URL [-n 10000] [-workers 8] [-seed N]
//	webbench views -database URL -id ANNOUNCEMENT
//	webbench rows -database URL -cycle ID [-query 'sort=score&desc=1'] [-runs 200]
//	webbench serve -database URL [-addr HOST:PORT] -cpuprofile FILE
//
// prepare, on an empty database (a SQLite file or postgres://…, migrated
// by store.Open):
//
//   - the demo's story (demo.RunStory, then demo.PrepareSite): the 2015
//     identification and the 2018 review of 150 enterprises, and both
//     results announcements issued. The announcement benchmarked is the
//     review's: the page the project started from (a title, a time of
//     issue, a view count, ~150 names, a QR code).
//   - unless -n 0, a review cycle of N enterprises run through the
//     workflow the way bench/cmd/reviewbench does (N enterprises recognised
//     in 2019, inserted directly through the store; the 2022 review opened
//     with its cohort; every application saved and submitted, W clients at
//     a time; recommended, evaluated, deliberated), then its notice
//     published and, once the notice has run on the helper's clock, the
//     cycle announced: its public results list /cycles/{id}/results holds
//     N final decisions.
//
// Its last line is "RESULT announcement=ID cycle=ID views=N …", which
// bench/web.sh reads. views prints the stored view count of announcement
// ID as "RESULT views=N". rows times, one after another, the store query
// behind the public results page /cycles/{id}/results?QUERY (the final
// decisions, 20 to a page, as internal/web's decisionList asks for them:
// workflow.Service.DecisionRows) and prints "RESULT p50_ms=… p99_ms=…": the
// baseline of the page's latency. serve runs the web application as `exemplar
// serve` does (web.New on workflow.New, logging JSON to stderr) under a
// CPU profile until SIGINT or SIGTERM, for go tool pprof: the product's
// server exposes no profiling endpoint.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/web"
	"github.com/exemplar/exemplar/internal/workflow"
)

var (
	admin      = workflow.Actor{Name: "bench-admin"}
	enterprise = workflow.Actor{Name: "bench-enterprise"}
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		fs := flag.NewFlagSet("prepare", flag.ExitOnError)
		database := fs.String("database", "", "database URL: a SQLite file or postgres://… (empty, made by store.Open)")
		n := fs.Int("n", 10000, "enterprises in the announced review cycle (0: none)")
		workers := fs.Int("workers", 8, "enterprises saving and submitting at a time")
		seed := fs.Uint64("seed", demo.Seed, "seed of the story and of the generated enterprises")
		_ = fs.Parse(os.Args[2:])
		err = prepare(context.Background(), *database, *n, *workers, *seed)
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ExitOnError)
		database := fs.String("database", "", "database URL")
		addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
		cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
		_ = fs.Parse(os.Args[2:])
		err = serve(*database, *addr, *cpuprofile)
	case "rows":
		fs := flag.NewFlagSet("rows", flag.ExitOnError)
		database := fs.String("database", "", "database URL")
		cycle := fs.Int64("cycle", 0, "cycle id")
		query := fs.String("query", "", "the results page's query string (q, sort, desc, outcome, page)")
		runs := fs.Int("runs", 200, "queries timed")
		_ = fs.Parse(os.Args[2:])
		err = rows(context.Background(), *database, *cycle, *query, *runs)
	case "views":
		fs := flag.NewFlagSet("views", flag.ExitOnError)
		database := fs.String("database", "", "database URL")
		id := fs.Int64("id", 0, "announcement id")
		_ = fs.Parse(os.Args[2:])
		err = views(context.Background(), *database, *id)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: webbench prepare -database URL [-n 10000] [-workers 8] [-seed N]\n"+
		"       webbench views -database URL -id ANNOUNCEMENT\n"+
		"       webbench rows -database URL -cycle ID [-query QUERY] [-runs 200]\n"+
		"       webbench serve -database URL [-addr HOST:PORT] -cpuprofile FILE")
	os.Exit(2)
}

func prepare(ctx context.Context, database string, n, workers int, seed uint64) error {
	if database == "" {
		return fmt.Errorf("prepare: give -database")
	}
	db, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer db.Close()

	t0 := time.Now()
	clock := demo.NewClock()
	res, err := demo.RunStory(ctx, db, clock, seed)
	if err != nil {
		return fmt.Errorf("the demo's story: %w", err)
	}
	if _, err := demo.PrepareSite(ctx, db, clock, res); err != nil {
		return fmt.Errorf("the demo's site: %w", err)
	}
	s := workflow.New(db, workflow.WithClock(clock.Now))
	list, _, err := s.Announcements(ctx, store.AnnouncementFilter{IssuedOnly: true, CycleID: res.Review.ID})
	if err != nil {
		return err
	}
	if len(list) != 1 {
		return fmt.Errorf("the story's review has %d issued announcements, want 1", len(list))
	}
	ann := list[0]
	fmt.Fprintf(os.Stderr, "webbench: %s: the demo's story and site in %.1f s; announcement %d (%s, %d + %d characters)\n",
		db.Dialect(), time.Since(t0).Seconds(), ann.ID, ann.TitleEn, len(ann.BodyZh), len(ann.BodyEn))

	var cycle store.Cycle
	if n > 0 {
		t1 := time.Now()
		if cycle, err = bigCycle(ctx, db, clock, res.Program, n, workers, seed); err != nil {
			return fmt.Errorf("the %d-enterprise cycle: %w", n, err)
		}
		fmt.Fprintf(os.Stderr, "webbench: review cycle %d of %d enterprises announced in %.1f s\n", cycle.ID, n, time.Since(t1).Seconds())
	}
	fmt.Printf("RESULT dialect=%s announcement=%d views=%d cycle=%d n=%d\n", db.Dialect(), ann.ID, ann.Views, cycle.ID, n)
	return nil
}

// bigCycle runs a 2022 review of n enterprises recognised in 2019 from
// cohort to announcement, in the story's channels and program version.
func bigCycle(ctx context.Context, db *store.DB, clock *demo.Clock, v store.ProgramVersion, n, workers int, seed uint64) (store.Cycle, error) {
	s := workflow.New(db, workflow.WithClock(clock.Now))
	clock.Set(time.Date(2022, 3, 1, 9, 0, 0, 0, workflow.ChinaTime))
	channels, err := s.Channels(ctx)
	if err != nil {
		return store.Cycle{}, err
	}
	chIDs := map[string]int64{}
	for _, c := range channels {
		chIDs[c.Code] = c.ID
	}
	quotas := map[string]int{}
	for _, code := range benchdata.Channels {
		if chIDs[code] == 0 {
			return store.Cycle{}, fmt.Errorf("the story has no channel %q", code)
		}
		quotas[code] = n
	}

	// The cohort, inserted directly (setup of the history, as reviewbench).
	seen := map[string]bool{}
	for _, f := range demo.Story(seed, demo.StoryFirms) {
		seen[f.Code] = true
	}
	rng := rand.New(rand.NewPCG(seed, 12))
	inputs := map[int64]benchdata.Applicant{}
	now := clock.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for k := range n {
			a := benchdata.NewApplicant(rng, k)
			for seen[a.Code] {
				a.Code = demo.CreditCode(rng, "320100")
			}
			seen[a.Code] = true
			e := store.Enterprise{USCC: a.Code, Name: a.Name, ChannelID: chIDs[a.Channel], CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			r := store.Recognition{EnterpriseID: e.ID, ProgramID: v.ProgramID, GrantedYear: 2019,
				ValidFrom:  time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC),
				ValidUntil: time.Date(2022, 12, 1, 0, 0, 0, 0, time.UTC),
				Status:     workflow.RecognitionActive, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertRecognition(ctx, &r); err != nil {
				return err
			}
			inputs[e.ID] = a
		}
		return nil
	})
	if err != nil {
		return store.Cycle{}, err
	}

	c, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindReview, Year: 2022,
		TitleZh: "2022年国家技术创新示范企业复核评价（基准）", TitleEn: "2022 review of National Technological Innovation Demonstration Enterprises (bench)",
		Quotas: quotas})
	if err != nil {
		return c, err
	}
	clock.Set(time.Date(2022, 3, 7, 9, 0, 0, 0, workflow.ChinaTime))
	c, apps, err := s.OpenReviewCycle(ctx, admin, c.ID)
	if err != nil {
		return c, err
	}
	if len(apps) != n {
		return c, fmt.Errorf("the cohort has %d applications, want %d", len(apps), n)
	}
	clock.Set(time.Date(2022, 3, 14, 9, 0, 0, 0, workflow.ChinaTime))
	if err := benchdata.SaveAndSubmit(ctx, s, enterprise, apps, func(id int64) json.RawMessage { return inputs[id].Inputs }, workers, "webbench-"); err != nil {
		return c, err
	}
	clock.Set(time.Date(2022, 4, 1, 9, 0, 0, 0, workflow.ChinaTime))
	if _, err := s.CloseApplications(ctx, admin, c.ID); err != nil {
		return c, err
	}
	clock.Set(time.Date(2022, 4, 8, 9, 0, 0, 0, workflow.ChinaTime))
	byChannel := map[int64][]int64{}
	for _, a := range apps {
		byChannel[a.ChannelID] = append(byChannel[a.ChannelID], a.ID)
	}
	for ch, ids := range byChannel {
		if _, err := s.Recommend(ctx, admin, ch, ids); err != nil {
			return c, err
		}
	}
	clock.Set(time.Date(2022, 4, 15, 9, 0, 0, 0, workflow.ChinaTime))
	if _, err := s.StartEvaluation(ctx, admin, c.ID); err != nil {
		return c, err
	}
	clock.Set(time.Date(2022, 4, 22, 9, 0, 0, 0, workflow.ChinaTime))
	if _, err := s.StartDeliberation(ctx, admin, c.ID); err != nil {
		return c, err
	}
	clock.Set(time.Date(2022, 5, 9, 9, 0, 0, 0, workflow.ChinaTime))
	notice, err := s.PublishNotice(ctx, admin, c.ID)
	if err != nil {
		return c, err
	}
	clock.Set(notice.EndsAt.Add(time.Hour))
	return s.Announce(ctx, admin, c.ID)
}

// views prints the stored view count of announcement id.
func views(ctx context.Context, database string, id int64) error {
	if database == "" || id <= 0 {
		return fmt.Errorf("views: give -database and -id")
	}
	db, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := workflow.New(db).Announcement(ctx, id)
	if err != nil {
		return err
	}
	fmt.Printf("RESULT views=%d\n", a.Views)
	return nil
}

// serve runs the web application on database at addr under a CPU profile
// written to cpuprofile, until SIGINT or SIGTERM; then it shuts down as
// `exemplar serve` does (views flushed).
func serve(database, addr, cpuprofile string) error {
	if database == "" || cpuprofile == "" {
		return fmt.Errorf("serve: give -database and -cpuprofile")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := web.New(workflow.New(db), web.Config{Addr: addr, Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))})
	if err != nil {
		return err
	}
	f, err := os.Create(cpuprofile)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	if err := srv.Start(); err != nil {
		return err
	}
	fmt.Printf("webbench: serving %s on http://%s/ under a CPU profile (%s)\n", db, srv.Addr(), cpuprofile)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Close(sctx)
}

// resultsPageSize is internal/web's pageSize: rows on one page of a list.
const resultsPageSize = 20

// rows times the query of the public results page of cycle with query,
// runs times, and prints the median and 99th percentile.
func rows(ctx context.Context, database string, cycle int64, query string, runs int) error {
	if database == "" || cycle <= 0 || runs <= 0 {
		return fmt.Errorf("rows: give -database, -cycle and -runs")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("rows: -query: %w", err)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	outcome := q.Get("outcome")
	if outcome != workflow.OutcomePass && outcome != workflow.OutcomeFail {
		outcome = ""
	}
	dq := store.DecisionQuery{CycleID: cycle, States: []string{workflow.DecisionFinal}, Outcome: outcome, Search: q.Get("q"),
		Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Limit: resultsPageSize, Offset: (page - 1) * resultsPageSize}
	db, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer db.Close()
	s := workflow.New(db)
	var times []time.Duration
	var n, total int
	for range runs + 1 {
		t := time.Now()
		list, all, err := s.DecisionRows(ctx, dq)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t))
		n, total = len(list), all
	}
	times = times[1:] // the first prepares the statement
	slices.Sort(times)
	fmt.Printf("RESULT p50_ms=%.2f p99_ms=%.2f rows=%d total=%d runs=%d\n",
		ms(times[len(times)/2]), ms(times[min(len(times)-1, len(times)*99/100)]), n, total, runs)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
