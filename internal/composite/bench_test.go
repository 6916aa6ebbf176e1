package composite

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The pipeline benchmark: 1,000,000 units × 30 indicators, group-mean
// imputation, COINr's outlier treatment, min-max to 0–100, then weighted
// arithmetic means into 5 pillars of 6 indicators and one index. The floor
// is a plain loop summing the same matrix; the pipeline should stay within
// 10× of it. Run both with
//
//	go test -run '^$' -bench '1Mx30' -benchtime 5x ./internal/composite/
const (
	benchUnits      = 1_000_000
	benchIndicators = 30
	benchPillars    = 5
	benchGroups     = 4
)

var benchData = sync.OnceValues(func() ([][]float64, []int32) {
	return generateMatrix(benchUnits, benchIndicators, 2024)
})

// generateMatrix makes a deterministic units × indicators matrix that
// looks like real indicator data, in proportions like those of COINr's
// ASEM example (where 15 of 49 indicators fail the skew/kurtosis test):
// 2 % missing at random; a sixth of the indicators log-normal (at this
// size winsorising 5 points cannot fix them: they end up log
// transformed), a sixth normal with three far outliers (winsorised), the
// rest mildly skewed, normal or uniform (they pass), on various scales.
func generateMatrix(units, indicators int, seed uint64) ([][]float64, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	groups := make([]int32, units)
	for i := range groups {
		groups[i] = int32(r.IntN(benchGroups))
	}
	cols := make([][]float64, indicators)
	for k := range cols {
		col := make([]float64, units)
		scale := math.Pow(10, float64(k%5)-1)
		for i := range col {
			switch k % 6 {
			case 0:
				col[i] = scale * math.Exp(r.NormFloat64())
			case 1:
				col[i] = scale * (10 + r.NormFloat64())
			case 2, 5:
				col[i] = scale * r.Float64()
			case 3:
				col[i] = scale * math.Exp(0.3*r.NormFloat64())
			default:
				col[i] = scale * (5 + 2*r.NormFloat64() + float64(groups[i]))
			}
			if r.IntN(50) == 0 {
				col[i] = math.NaN()
			}
		}
		if k%6 == 1 {
			for j := range 3 {
				col[r.IntN(units)] = scale * (10 + float64(5000+100*j))
			}
		}
		cols[k] = col
	}
	return cols, groups
}

// pipelineBuffers holds the working copy and the outputs.
type pipelineBuffers struct {
	work    [][]float64
	pillars [][]float64
	index   []float64
}

func newPipelineBuffers(units, indicators, pillars int) *pipelineBuffers {
	b := &pipelineBuffers{index: make([]float64, units)}
	for range indicators {
		b.work = append(b.work, make([]float64, units))
	}
	for range pillars {
		b.pillars = append(b.pillars, make([]float64, units))
	}
	return b
}

func (b *pipelineBuffers) reset(src [][]float64) {
	for k := range src {
		copy(b.work[k], src[k])
	}
}

// pipelineColumn runs the per-indicator steps on column k: COINr's
// reference pipeline (group mean, default outlier treatment, min-max
// 0–100), with a quarter of the indicators reversed.
func pipelineColumn(col []float64, k int, groups []int32) (IndicatorReport, error) {
	opt := DefaultOutlierOptions()
	steps := Steps{Impute: "group_mean", Groups: groups, NGroups: benchGroups, Outliers: &opt,
		Normalise: Normalisation{Method: "minmax", Low: 0, High: 100, Direction: benchDirection(k)}}
	return PrepareIndicator(col, steps)
}

func benchDirection(k int) int {
	if k%4 == 3 {
		return -1
	}
	return 1
}

// runPipeline runs the whole pipeline on b.work; workers 1 is serial. It
// returns how many indicators were winsorised and log transformed.
func runPipeline(b *pipelineBuffers, groups []int32, workers int) (winsorised, logged int, err error) {
	reps := make([]IndicatorReport, len(b.work))
	err = EachColumn(len(b.work), workers, func(k int) error {
		var err error
		reps[k], err = pipelineColumn(b.work[k], k, groups)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	for _, r := range reps {
		switch {
		case r.Outliers.LogTransformed:
			logged++
		case r.Outliers.Winsorised > 0:
			winsorised++
		}
	}
	per := len(b.work) / len(b.pillars)
	w := make([]float64, per)
	for j := range w {
		w[j] = float64(1 + j%2) // unequal weights
	}
	err = EachColumn(len(b.pillars), workers, func(p int) error {
		return Arithmetic(b.pillars[p], b.work[p*per:(p+1)*per], w)
	})
	if err != nil {
		return 0, 0, err
	}
	pw := make([]float64, len(b.pillars))
	for p := range pw {
		pw[p] = 1
	}
	return winsorised, logged, Arithmetic(b.index, b.pillars, pw)
}

var benchSink float64

func floorSum(cols [][]float64) float64 {
	s := 0.0
	for _, col := range cols {
		for _, v := range col {
			s += v
		}
	}
	return s
}

// floorSeconds times floorSum on the matrix (best of three), for the
// ratio metric of the pipeline benchmarks.
func floorSeconds(cols [][]float64) float64 {
	best := math.Inf(1)
	for range 3 {
		t0 := time.Now()
		benchSink += floorSum(cols)
		best = min(best, time.Since(t0).Seconds())
	}
	return best
}

func benchmarkPipeline(b *testing.B, workers int) {
	src, groups := benchData()
	buf := newPipelineBuffers(benchUnits, benchIndicators, benchPillars)
	floor := floorSeconds(src)
	// The first run touches every page of the buffers; keep it out.
	buf.reset(src)
	if _, _, err := runPipeline(buf, groups, workers); err != nil {
		b.Fatal(err)
	}
	var win, logged int
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		buf.reset(src)
		b.StartTimer()
		var err error
		if win, logged, err = runPipeline(buf, groups, workers); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(benchUnits/perOp, "units/s")
	b.ReportMetric(perOp/floor, "x-floor")
	b.ReportMetric(float64(win), "winsorised")
	b.ReportMetric(float64(logged), "logged")
	benchSink += buf.index[0]
}

// BenchmarkPipeline1Mx30 runs the pipeline on one goroutine.
func BenchmarkPipeline1Mx30(b *testing.B) { benchmarkPipeline(b, 1) }

// BenchmarkPipelineParallel1Mx30 runs the per-indicator steps and the
// pillars on GOMAXPROCS goroutines (EachColumn).
func BenchmarkPipelineParallel1Mx30(b *testing.B) { benchmarkPipeline(b, 0) }

// BenchmarkFloorSum1Mx30 is the floor: a plain loop summing the matrix.
func BenchmarkFloorSum1Mx30(b *testing.B) {
	src, _ := benchData()
	b.ResetTimer()
	for range b.N {
		benchSink += floorSum(src)
	}
	b.ReportMetric(benchUnits*float64(b.N)/b.Elapsed().Seconds(), "units/s")
}

// TestPipelineSmall runs the benchmark pipeline on a small matrix and
// checks its outputs, serial and parallel alike, so the benchmark code
// cannot rot.
func TestPipelineSmall(t *testing.T) {
	src, groups := generateMatrix(2000, benchIndicators, 9)
	var results [][]float64
	for _, workers := range []int{1, 0} {
		buf := newPipelineBuffers(2000, benchIndicators, benchPillars)
		buf.reset(src)
		if _, _, err := runPipeline(buf, groups, workers); err != nil {
			t.Fatal(err)
		}
		for k, col := range buf.work {
			lo, hi, n := Extent(col)
			if n != len(col) || lo != 0 || !sameFloat(hi, 100, 1e-12) {
				t.Fatalf("indicator %d after the pipeline: min %v max %v, %d of %d present", k, lo, hi, n, len(col))
			}
		}
		for i, v := range buf.index {
			if !(v >= 0 && v <= 100) {
				t.Fatalf("index of unit %d = %v", i, v)
			}
		}
		results = append(results, buf.index)
	}
	if !sameSlice(results[0], results[1], 0) {
		t.Error("parallel pipeline differs from serial")
	}
	// What the treatment did on this data: the mix the benchmark relies on.
	counts := map[string]int{}
	for k, col := range src {
		c := append([]float64(nil), col...)
		if _, err := ImputeGroupMean(c, groups, benchGroups); err != nil {
			t.Fatal(err)
		}
		rep, _ := TreatOutliers(c, DefaultOutlierOptions())
		switch {
		case rep.LogTransformed:
			counts["log"]++
		case rep.Winsorised > 0:
			counts["winsorised"]++
		case rep.Failed:
			t.Errorf("indicator %d failed but was not treated", k)
		default:
			counts["passed"]++
		}
	}
	t.Logf("treatment of the generated indicators: %v", counts)
	if counts["log"] == 0 || counts["winsorised"] == 0 || counts["passed"] == 0 {
		t.Errorf("generated data should exercise every outcome: %v", counts)
	}
}
