package benchdata

// The workflow benchmarks' data: miit-tide applicants that meet every
// gate, and the database each benchmark runs on.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// Channels are the channels the benchmark applicants come from.
var Channels = []string{"jiangsu", "zhejiang", "guangdong", "shandong", "beijing", "shanghai", "anhui", "hubei", "sichuan", "henan"}

// Applicant is one generated enterprise with its application's inputs.
type Applicant struct {
	Code, Name, Channel string
	Inputs              json.RawMessage
}

// NewApplicant generates a miit-tide applicant k that meets every gate (like
// the workflow tests' generator): 30 inputs, sales, R&D and profit for
// three years each.
func NewApplicant(rng *rand.Rand, k int) Applicant {
	ch := Channels[k%len(Channels)]
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
	return Applicant{Code: code, Name: name, Channel: ch, Inputs: b}
}

// Database returns the URL to benchmark on: for PostgreSQL a fresh
// database created in database's cluster (dropped by cleanup), else a
// SQLite file in a temporary folder (removed by cleanup).
func Database(ctx context.Context, database, prefix string) (string, func(), error) {
	if database == "" {
		dir, err := os.MkdirTemp("", prefix+"-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	return freshPostgres(ctx, database, prefix)
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

// SaveAndSubmit has every application's enterprise save its inputs
// (inputs(enterprise id)) and submit it with the idempotency key
// keyPrefix + application id, workers at a time, as actor. It returns the
// first error, after every worker has stopped.
func SaveAndSubmit(ctx context.Context, s *workflow.Service, actor workflow.Actor, apps []store.Application,
	inputs func(enterpriseID int64) json.RawMessage, workers int, keyPrefix string) error {
	next := make(chan store.Application)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range workers {
		wg.Go(func() {
			for a := range next {
				a, err := s.SaveApplication(ctx, actor, a.ID, a.Version, inputs(a.EnterpriseID))
				if err == nil {
					_, err = s.SubmitApplication(ctx, actor, a.ID, a.Version, fmt.Sprint(keyPrefix, a.ID))
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, a := range apps {
		next <- a
	}
	close(next)
	wg.Wait()
	return first
}
