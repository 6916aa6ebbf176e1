package scoring_test

// Benchmarks of the engine at the sizes, each beside its floor:
// the time one plain loop takes to read the same input once. bench/score.sh
// runs them and prints the ratios; bench/README.md says what is measured.

import (
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
)

const benchN = 1_000_000

// The inputs are built once per process: making them takes longer than
// scoring them, and every benchmark below reads them.
var (
	compositeOnce  sync.Once
	compositeProg  *program.Program
	compositeTable *scoring.Table
	compositeErr   error

	hnteOnce  sync.Once
	hnteProg  *program.Program
	hnteTable *scoring.Table
	hnteErr   error
)

func compositeInput(b *testing.B) (*program.Program, *scoring.Table) {
	b.Helper()
	compositeOnce.Do(func() {
		compositeProg, compositeErr = benchdata.CompositeProgram()
		if compositeErr == nil {
			compositeTable, compositeErr = benchdata.CompositeTable(compositeProg, benchN)
		}
	})
	if compositeErr != nil {
		b.Fatal(compositeErr)
	}
	return compositeProg, compositeTable
}

func hnteInput(b *testing.B) (*program.Program, *scoring.Table) {
	b.Helper()
	hnteOnce.Do(func() {
		hnteProg, hnteErr = benchdata.HNTEProgram()
		if hnteErr == nil {
			hnteTable, hnteErr = benchdata.HNTETable(hnteProg, benchN)
		}
	})
	if hnteErr != nil {
		b.Fatal(hnteErr)
	}
	return hnteProg, hnteTable
}

func reportRate(b *testing.B, n int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/s, "enterprises/s")
	}
}

var sink float64

// BenchmarkFloorComposite1Mx30 reads the composite benchmark's 30
// indicator columns (1,000,000 × 30 float64, 240 MB) once, summing them.
func BenchmarkFloorComposite1Mx30(b *testing.B) {
	p, t := compositeInput(b)
	cols := benchdata.CompositeMatrix(p, t)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += benchdata.Sum(cols)
	}
	reportRate(b, t.N)
}

// BenchmarkComposite1Mx30 scores the composite benchmark program (impute
// by sector mean, winsorise or log, min-max, arithmetic pillars and
// index, rank, decide) over 1,000,000 enterprises with Options{Reuse:
// true}. Reuse consumes the table, so each iteration first refills a
// working copy with the timer stopped.
func BenchmarkComposite1Mx30(b *testing.B) {
	p, src := compositeInput(b)
	work := benchdata.Clone(src)
	checkComposite(b, p, work)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		benchdata.CopyInto(work, src)
		b.StartTimer()
		if _, err := scoring.Run(p, work, scoring.Options{Reuse: true}); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, src.N)
}

// checkComposite scores the table once, untimed, and fails the benchmark
// if the result is not what the data is built to give, so that a fast
// wrong engine cannot pass.
func checkComposite(b *testing.B, p *program.Program, t *scoring.Table) {
	b.Helper()
	r, err := scoring.Run(p, t, scoring.Options{})
	if err != nil {
		b.Fatal(err)
	}
	root := r.Score[p.Root().Index]
	scored := 0
	for _, x := range root {
		if !math.IsNaN(x) {
			scored++
		}
	}
	var wins, logs int
	for _, rep := range r.Composite {
		if rep.Outliers.Winsorised > 0 {
			wins++
		}
		if rep.Outliers.LogTransformed {
			logs++
		}
	}
	if scored < t.N*99/100 || len(r.Order) != scored || wins == 0 || logs == 0 {
		b.Fatalf("composite result: %d of %d scored, %d ranked, %d columns winsorised, %d logged", scored, t.N, len(r.Order), wins, logs)
	}
}

// BenchmarkFloorHNTE1M reads every numeric input column of the hnte
// benchmark table once, summing them.
func BenchmarkFloorHNTE1M(b *testing.B) {
	_, t := hnteInput(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += benchdata.Sum(t.Num)
	}
	reportRate(b, t.N)
}

// BenchmarkFloorWriteHNTE1M is a second baseline: allocating the memory
// one hnte run allocates (measured before the timed loop: its result and
// the ranking's scratch) and writing it once, from as many goroutines as
// the engine uses. Fresh memory costs a page
// fault per 4 KiB on first touch, so returning a result of that size has
// a floor of its own, well above the time to read the inputs.
func BenchmarkFloorWriteHNTE1M(b *testing.B) {
	p, t := hnteInput(b)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := scoring.Run(p, t, scoring.Options{}); err != nil {
		b.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	total := int(after.TotalAlloc - before.TotalAlloc)
	const col = 8 << 20 // bytes per column of 1M float64
	cols := (total + col - 1) / col
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for c := w; c < cols; c += workers {
					x := make([]float64, col/8)
					for j := range x {
						x[j] = 1
					}
					writeSink[c%len(writeSink)] = x
				}
			}(w)
		}
		wg.Wait()
	}
	reportRate(b, t.N)
}

// writeSink keeps the written columns reachable until the next run, so
// that the compiler cannot drop the writes.
var writeSink [64][]float64

// BenchmarkHNTE1M scores 1,000,000 enterprises under the built-in hnte
// program: 11 indicators, 8 gates, points and band leaves, the capped
// sums, rank and decision, for every enterprise. The result keeps the
// indicators, gate states, eligibility, bands, total, rank, order and
// outcome as columns; the other nodes' scores, the band ranges and the
// reasons are worked out per enterprise when asked (Result.NodeScore,
// Bounds, Enterprise), which the benchmark does not time. A band program
// adopts its input columns without changing them, so the table is reused
// as it is.
func BenchmarkHNTE1M(b *testing.B) {
	p, t := hnteInput(b)
	checkHNTE(b, p, t)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := scoring.Run(p, t, scoring.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, t.N)
}

func checkHNTE(b *testing.B, p *program.Program, t *scoring.Table) {
	b.Helper()
	r, err := scoring.Run(p, t, scoring.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var outcomes [scoring.Pass + 1]int
	for _, o := range r.Outcome {
		outcomes[o]++
	}
	eligible := t.N - outcomes[scoring.NotEligible]
	if eligible < t.N/2 || outcomes[scoring.Pass] == 0 || outcomes[scoring.BelowThreshold] == 0 || len(r.Order) != eligible {
		b.Fatalf("hnte outcomes %v, %d ranked", outcomes, len(r.Order))
	}
}

// TestBenchDataOrder checks, on the benchmarks' own data (smaller), the
// ranking the engine sorts by radix and by runs: the order is by score,
// best first, then id, then row; ranks are shared by equal scores; and
// every worker count gives the same result.
func TestBenchDataOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 170,000 enterprises")
	}
	ph, err := benchdata.HNTEProgram()
	if err != nil {
		t.Fatal(err)
	}
	// Sizes above 65,536, where rank sorts on several workers.
	th, err := benchdata.HNTETable(ph, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := benchdata.CompositeProgram()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := benchdata.CompositeTable(pc, 70_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p *program.Program
		t *scoring.Table
	}{{ph, th}, {pc, tc}} {
		var first *scoring.Result
		for _, workers := range []int{1, 2, 3} {
			r, err := scoring.Run(c.p, benchdata.Clone(c.t), scoring.Options{Workers: workers, Reuse: true})
			if err != nil {
				t.Fatal(err)
			}
			score := r.Score[c.p.DecisionNode.Index]
			if len(r.Order) == 0 || r.Rank[r.Order[0]] != 1 {
				t.Fatalf("%s: %d ranked, the first not ranked 1", c.p.Def.Name, len(r.Order))
			}
			for k := 1; k < len(r.Order); k++ {
				a, b := int(r.Order[k-1]), int(r.Order[k])
				sa, sb := score[a], score[b]
				switch {
				case sa > sb:
				case sa < sb:
					t.Fatalf("%s: order[%d] scores %v after %v", c.p.Def.Name, k, sb, sa)
				case r.ID(a) > r.ID(b) || r.ID(a) == r.ID(b) && a > b:
					t.Fatalf("%s: tie at %v not by id and row: %s (row %d) before %s (row %d)", c.p.Def.Name, sa, r.ID(a), a, r.ID(b), b)
				}
				want := int32(k + 1)
				if sa == sb {
					want = r.Rank[a]
				}
				if r.Rank[b] != want || r.ChannelRank[b] != int32(k+1) {
					t.Fatalf("%s: position %d has rank %d (channel rank %d), want %d", c.p.Def.Name, k+1, r.Rank[b], r.ChannelRank[b], want)
				}
			}
			if first == nil {
				first = r
				continue
			}
			for i := range r.Order {
				if r.Order[i] != first.Order[i] {
					t.Fatalf("%s: order differs between worker counts at %d", c.p.Def.Name, i)
				}
			}
			for i := range r.Outcome {
				if r.Outcome[i] != first.Outcome[i] || r.Rank[i] != first.Rank[i] {
					t.Fatalf("%s: row %d differs between worker counts", c.p.Def.Name, i)
				}
			}
		}
	}
}
