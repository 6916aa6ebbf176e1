package composite

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveTreat transliterates COINr's Treat.numeric + winsorise +
// check_SkewKurt + log_CT literally, recomputing everything from scratch at
// every step, as the reference for TreatOutliers.
func naiveTreat(x []float64, opt OutlierOptions) (out []float64, nwin int, logged bool) {
	orig := x
	x = slices.Clone(x)
	passing := func(v []float64) bool { return !opt.fails(Skew(v), Kurtosis(v)) }
	if passing(x) {
		return x, 0, false
	}
	var nmax, nmin int
	pass := false
	for !pass && nwin < opt.MaxWinsorise {
		hiSide := Skew(x) >= 0
		ext := math.Inf(-1)
		if !hiSide {
			ext = math.Inf(1)
		}
		for _, v := range x {
			if v == v && (hiSide && v > ext || !hiSide && v < ext) {
				ext = v
			}
		}
		next, found := 0.0, false
		for _, v := range x {
			if v == v && v != ext && (!found || hiSide && v > next || !hiSide && v < next) {
				next, found = v, true
			}
		}
		if !found {
			break // all equal
		}
		cnt := 0
		for i, v := range x {
			if v == ext {
				x[i] = next
				cnt++
			}
		}
		if hiSide {
			nmax = cnt
		} else {
			nmin = cnt
		}
		nwin = nmax + nmin
		pass = passing(x)
	}
	if !pass && opt.Fallback != FallbackNone {
		y := slices.Clone(orig)
		LogTransform(y)
		return y, 0, true
	}
	return x, nwin, false
}

func TestTreatOutliersExamples(t *testing.T) {
	coinrExample := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
	opt := DefaultOutlierOptions()

	// Passing data is not touched.
	x := []float64{1, 2, 3, 4, 5, nan, 6}
	rep, err := TreatOutliers(x, opt)
	if err != nil || rep.Failed || rep.Winsorised != 0 || rep.LogTransformed || !sameSlice(x, []float64{1, 2, 3, 4, 5, nan, 6}, 0) {
		t.Errorf("passing column: %+v %v %v", rep, err, x)
	}
	if rep.SkewBefore != rep.SkewAfter || math.IsNaN(rep.SkewBefore) {
		t.Errorf("passing column statistics: %+v", rep)
	}

	// COINr's example: 100 → 30 is enough (skew 1.71 < 2).
	x = slices.Clone(coinrExample)
	rep, err = TreatOutliers(x, opt)
	want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30}
	if err != nil || !rep.Failed || rep.Winsorised != 1 || !slices.Equal(rep.WinsorisedHigh, []int{11}) ||
		len(rep.WinsorisedLow) != 0 || rep.LogTransformed || !sameSlice(x, want, 0) {
		t.Errorf("COINr example: %+v %v %v", rep, err, x)
	}
	if !sameFloat(rep.SkewBefore, 3.0632410342394993, 1e-12) || !sameFloat(rep.SkewAfter, Skew(want), 1e-12) ||
		!sameFloat(rep.KurtAfter, Kurtosis(want), 1e-12) || rep.SkewAfter >= 2 {
		t.Errorf("COINr example statistics: %+v", rep)
	}

	// Stricter thresholds: two steps, 100 → 30 then both → 10.
	strict := OutlierOptions{MaxWinsorise: 2, SkewThreshold: 1, KurtosisThreshold: 0.5, Fallback: FallbackLog}
	x = slices.Clone(coinrExample)
	rep, _ = TreatOutliers(x, strict)
	want = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10}
	if rep.Winsorised != 2 || !slices.Equal(rep.WinsorisedHigh, []int{10, 11}) || !sameSlice(x, want, 0) {
		t.Errorf("two steps: %+v %v", rep, x)
	}

	// With one point allowed it still fails: the log fallback works on
	// the original values.
	x = slices.Clone(coinrExample)
	strict.MaxWinsorise = 1
	rep, err = TreatOutliers(x, strict)
	logged := slices.Clone(coinrExample)
	for i, v := range logged {
		logged[i] = math.Log(v - 1 + 0.01*99)
	}
	if err != nil || !rep.LogTransformed || rep.Winsorised != 0 || rep.WinsorisedHigh != nil || !sameSlice(x, logged, 1e-15) {
		t.Errorf("log fallback: %+v %v %v", rep, err, x)
	}
	if !sameFloat(rep.SkewAfter, Skew(logged), 1e-12) || !sameFloat(rep.KurtAfter, Kurtosis(logged), 1e-12) {
		t.Errorf("log fallback statistics after %v %v, want %v %v", rep.SkewAfter, rep.KurtAfter, Skew(logged), Kurtosis(logged))
	}

	// Fallback "none" keeps the winsorised values even though they fail.
	x = slices.Clone(coinrExample)
	strict.Fallback = FallbackNone
	rep, _ = TreatOutliers(x, strict)
	if rep.LogTransformed || rep.Winsorised != 1 || x[11] != 30 || !strict.fails(rep.SkewAfter, rep.KurtAfter) {
		t.Errorf("fallback none: %+v %v", rep, x)
	}

	// MaxWinsorise 0 goes straight to the fallback.
	x = slices.Clone(coinrExample)
	strict.MaxWinsorise, strict.Fallback = 0, FallbackLog
	rep, _ = TreatOutliers(x, strict)
	if !rep.LogTransformed || !sameSlice(x, logged, 1e-15) {
		t.Errorf("max 0: %+v %v", rep, x)
	}

	// Negative skew winsorises the low end; tied extremes move together.
	x = []float64{-100, -100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, nan}
	rep, _ = TreatOutliers(x, opt)
	if rep.Winsorised != 2 || !slices.Equal(rep.WinsorisedLow, []int{0, 1}) || x[0] != 1 || x[1] != 1 || !math.IsNaN(x[16]) {
		t.Errorf("negative skew with ties: %+v %v", rep, x)
	}

	// Too few values, no spread, empty: untouched, statistics NaN.
	for _, col := range [][]float64{nil, {1, 2, 100}, {5, 5, 5, 5, 5, 5}, {nan, nan}} {
		x := slices.Clone(col)
		rep, err := TreatOutliers(x, opt)
		if err != nil || rep.Failed || !sameSlice(x, col, 0) || !math.IsNaN(rep.KurtBefore) {
			t.Errorf("%v: %+v %v", col, rep, err)
		}
	}
}

func TestTreatOutliersInvalidOptions(t *testing.T) {
	for _, c := range []struct {
		opt  OutlierOptions
		want string
	}{
		{OutlierOptions{}, "skewness threshold"},
		{OutlierOptions{MaxWinsorise: -1, SkewThreshold: 2, KurtosisThreshold: 3.5}, "between 0 and 1000"},
		{OutlierOptions{MaxWinsorise: 1001, SkewThreshold: 2, KurtosisThreshold: 3.5}, "got 1001"},
		{OutlierOptions{MaxWinsorise: 5, SkewThreshold: math.Inf(1), KurtosisThreshold: 3.5}, "skewness threshold"},
		{OutlierOptions{MaxWinsorise: 5, SkewThreshold: 2, KurtosisThreshold: nan}, "kurtosis threshold"},
		{OutlierOptions{MaxWinsorise: 5, SkewThreshold: 2, KurtosisThreshold: 3.5, Fallback: "boxcox"}, `got "boxcox"`},
	} {
		x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
		_, err := TreatOutliers(x, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.opt, err, c.want)
		}
		if x[11] != 100 {
			t.Errorf("%+v: column changed on error", c.opt)
		}
	}
	// "" means log.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
	if rep, err := TreatOutliers(x, OutlierOptions{MaxWinsorise: 0, SkewThreshold: 2, KurtosisThreshold: 3.5}); err != nil || !rep.LogTransformed {
		t.Errorf(`fallback "": %+v %v`, rep, err)
	}
}

// randomColumn makes small columns with the features that matter to
// winsorisation: heavy tails on either side, ties (also among the
// extremes), missing values and near-constant data.
func randomColumn(r *rand.Rand) []float64 {
	n := 4 + r.IntN(60)
	x := make([]float64, n)
	kind := r.IntN(6)
	for i := range x {
		switch kind {
		case 0:
			x[i] = math.Exp(2 * r.NormFloat64())
		case 1:
			x[i] = -math.Exp(1.5 * r.NormFloat64())
		case 2:
			x[i] = float64(r.IntN(5)) // few distinct values
		case 3:
			x[i] = math.Round(10 * r.ExpFloat64())
		default:
			x[i] = r.NormFloat64()
		}
		if r.IntN(12) == 0 {
			x[i] = nan
		}
	}
	// plant outliers, sometimes tied
	for range r.IntN(4) {
		v := (50 + 1000*r.Float64()) * float64(1-2*r.IntN(2))
		for range 1 + r.IntN(2) {
			x[r.IntN(n)] = v
		}
	}
	return x
}

func TestTreatOutliersAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	counts := map[string]int{}
	for trial := range 3000 {
		x := randomColumn(r)
		opt := DefaultOutlierOptions()
		opt.MaxWinsorise = r.IntN(8)
		if trial%7 == 0 {
			opt.MaxWinsorise = 33 + r.IntN(40) // the sorting path of collectExtremes
		}
		if trial%3 == 0 {
			opt.SkewThreshold, opt.KurtosisThreshold = 1, 0.5
		}
		if trial%5 == 0 {
			opt.Fallback = FallbackNone
		}
		want, nwin, logged := naiveTreat(x, opt)
		got := slices.Clone(x)
		rep, err := TreatOutliers(got, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSlice(got, want, 1e-12) || rep.Winsorised != nwin || rep.LogTransformed != logged {
			t.Fatalf("trial %d, %+v:\n x    %v\n got  %v (%d winsorised, log %v)\n want %v (%d, log %v)",
				trial, opt, x, got, rep.Winsorised, rep.LogTransformed, want, nwin, logged)
		}
		if !rep.LogTransformed && (!sameFloat(rep.SkewAfter, Skew(got), 1e-9) || !sameFloat(rep.KurtAfter, Kurtosis(got), 1e-9)) {
			t.Fatalf("trial %d: after %v %v, recomputed %v %v", trial, rep.SkewAfter, rep.KurtAfter, Skew(got), Kurtosis(got))
		}
		for _, i := range rep.WinsorisedLow {
			if !(got[i] > x[i]) {
				t.Fatalf("trial %d: unit %d listed as raised: %v → %v", trial, i, x[i], got[i])
			}
		}
		for _, i := range rep.WinsorisedHigh {
			if !(got[i] < x[i]) {
				t.Fatalf("trial %d: unit %d listed as lowered: %v → %v", trial, i, x[i], got[i])
			}
		}
		switch {
		case !rep.Failed:
			counts["passed"]++
		case rep.LogTransformed:
			counts["logged"]++
		default:
			counts["winsorised"]++
		}
	}
	t.Logf("outcomes: %v", counts)
	if counts["passed"] == 0 || counts["logged"] == 0 || counts["winsorised"] == 0 {
		t.Errorf("random columns do not cover every outcome: %v", counts)
	}
}

func TestCollectExtremesPaths(t *testing.T) {
	// The insertion lists and the sorting fallback agree, including on
	// sorted input and ties.
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		x := randomColumn(r)
		if trial%4 == 0 {
			slices.Sort(x)
		}
		for _, k := range []int{1, 3, 6, 40} {
			b1, t1 := collectExtremes(x, k)
			b2, t2 := sortedExtremes(x, k)
			if !slices.Equal(b1, b2) || !slices.Equal(t1, t2) {
				t.Fatalf("k %d, %v:\n%v %v\n%v %v", k, x, b1, t1, b2, t2)
			}
		}
	}
}

func TestWinsorPlanMomentsMatchExact(t *testing.T) {
	// The incremental moments of the plan must equal a fresh two-pass
	// computation for every pair of caps it can reach.
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		x := randomColumn(r)
		s := scan(x)
		if s.n < 4 || s.max == s.min {
			continue
		}
		opt := DefaultOutlierOptions()
		p := planWinsorise(x, columnMoments(x), 1, opt, nil, nil)
		for lo := 0; lo < len(p.t); lo++ {
			for hi := lo + 1; hi < len(p.t); hi++ {
				if lo > opt.MaxWinsorise || len(p.t)-1-hi > opt.MaxWinsorise {
					continue // beyond the tracked values: never reached
				}
				p.lo, p.hi = lo, hi
				got := p.moments()
				want := clampedMoments(x, p.t[lo].v, p.t[hi].v)
				if !sameFloat(got.skew(), want.skew(), 1e-9) || !sameFloat(got.kurt(), want.kurt(), 1e-9) {
					t.Fatalf("%v caps %v..%v: skew %v/%v kurt %v/%v", x, p.t[lo].v, p.t[hi].v, got.skew(), want.skew(), got.kurt(), want.kurt())
				}
			}
		}
	}
}

func TestLogTransform(t *testing.T) {
	x := []float64{1, nan, 11, 101}
	LogTransform(x)
	want := []float64{math.Log(1), nan, math.Log(11), math.Log(101)} // min 0, +0.01·100 = 1
	if !sameSlice(x, []float64{math.Log(0 + 1), nan, math.Log(10 + 1), math.Log(100 + 1)}, 1e-15) || !sameSlice(x, want, 1e-15) {
		t.Errorf("LogTransform = %v", x)
	}
	x = []float64{3, 3, nan}
	LogTransform(x)
	if !sameSlice(x, []float64{0, 0, nan}, 0) {
		t.Errorf("constant column: %v", x)
	}
	x = []float64{-math.MaxFloat64, 0, math.MaxFloat64}
	LogTransform(x)
	for _, v := range x {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("full-range column: %v", x)
		}
	}
	if !(x[0] < x[1] && x[1] < x[2]) {
		t.Errorf("full-range column not increasing: %v", x)
	}
	var empty []float64
	LogTransform(empty)
}
