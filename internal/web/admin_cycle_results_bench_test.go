package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// BenchmarkAdminResultsPage times the administrator's results table of a
// large cycle: the database bench/cmd/webbench prepares (its cycle of
// 10,000 enterprises), named by EXEMPLAR_RESULTS_DB (a SQLite file or
// postgres:// URL) and EXEMPLAR_RESULTS_CYCLE (the cycle id webbench
// prints). It is skipped without them: preparing that database takes
// minutes.
//
//	go run ./bench/cmd/webbench prepare -database /tmp/r.sqlite -n 10000
//	EXEMPLAR_RESULTS_DB=/tmp/r.sqlite EXEMPLAR_RESULTS_CYCLE=3 \
//	  go test ./internal/web -run - -bench AdminResultsPage -benchtime 200x
//
// Each request asks for another order or filter, as an administrator
// clicking through would; it reports the p50 and p99 latency of one
// request over loopback HTTP, signed in, as ms.
func BenchmarkAdminResultsPage(b *testing.B) {
	dbURL, cycle := os.Getenv("EXEMPLAR_RESULTS_DB"), os.Getenv("EXEMPLAR_RESULTS_CYCLE")
	if dbURL == "" || cycle == "" {
		b.Skip("set EXEMPLAR_RESULTS_DB and EXEMPLAR_RESULTS_CYCLE to a database bench/cmd/webbench prepared")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := workflow.New(db)
	srv, err := New(svc, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer srv.Close(ctx)
	token, _, _, err := svc.SignIn(ctx, "admin", "demo-admin-2018", time.Hour)
	if err != nil {
		b.Fatalf("sign in as the demo's admin: %v", err)
	}
	t, err := svc.ResultTable(ctx, parseID(cycle))
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"", "sort=total&desc=1", "gate=any", "sort=name&page=40", "q=科技&sort=total"}
	for _, n := range t.Nodes {
		if n.Depth == 1 {
			queries = append(queries, "sort=node:"+url.QueryEscape(n.ID)+"&desc=1")
		}
	}
	get := func(i int) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/admin/cycles/"+cycle+"/results?"+queries[i%len(queries)], nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("results page: status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	get(0) // the first read parses the run's results
	var took []time.Duration
	i := 0
	for b.Loop() {
		took = append(took, get(i))
		i++
	}
	slices.Sort(took)
	ms := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(len(t.Rows)), "rows")
}
