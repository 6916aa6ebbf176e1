package composite

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// fuzzColumn decodes fuzz bytes into a column. The first byte picks the
// mode: even — "moderate" values int16·10^e (e in −4..4, many ties, byte
// 255 for missing), which TreatOutliers must treat exactly as the naive
// transliteration of COINr does; odd — raw float64 bit patterns, any
// finite value down to subnormals and up to MaxFloat64 (Inf and NaN
// patterns become missing), for robustness only.
func fuzzColumn(data []byte) (col []float64, moderate bool) {
	if len(data) == 0 {
		return nil, true
	}
	mode, data := data[0], data[1:]
	if mode%2 == 0 {
		for ; len(data) >= 3; data = data[3:] {
			if data[2] == 255 {
				col = append(col, math.NaN())
				continue
			}
			m := float64(int16(binary.LittleEndian.Uint16(data)))
			col = append(col, m*math.Pow(10, float64(int(data[2]%9)-4)))
		}
		return col, true
	}
	for ; len(data) >= 8; data = data[8:] {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		col = append(col, v)
	}
	return col, false
}

func FuzzTreatOutliers(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 2, 0, 4, 3, 0, 4, 4, 0, 4, 5, 0, 4, 100, 0, 6, 7, 0, 4}, 5, 2.0, 3.5, true)
	f.Add([]byte{2, 0, 128, 4, 1, 0, 4, 1, 0, 4, 2, 0, 4, 2, 0, 4, 3, 0, 255}, 2, 1.0, 0.5, false)
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 1, 0, 0, 0, 0, 0, 0, 0}, 5, 2.0, 3.5, true)
	f.Fuzz(func(t *testing.T, data []byte, maxWin int, skewT, kurtT float64, logFallback bool) {
		col, moderate := fuzzColumn(data)
		opt := OutlierOptions{MaxWinsorise: maxWin, SkewThreshold: skewT, KurtosisThreshold: kurtT, Fallback: FallbackNone}
		if logFallback {
			opt.Fallback = FallbackLog
		}
		orig := slices.Clone(col)
		rep, err := TreatOutliers(col, opt)
		valid := maxWin >= 0 && maxWin <= MaxWinsoriseLimit && skewT > 0 && !math.IsInf(skewT, 0) && !math.IsNaN(kurtT) && !math.IsInf(kurtT, 0)
		if !valid {
			if err == nil {
				t.Fatalf("invalid options %+v accepted", opt)
			}
			if !sameSlice(col, orig, 0) {
				t.Fatal("column changed on error")
			}
			return
		}
		if err != nil {
			t.Fatalf("valid options %+v: %v", opt, err)
		}
		lo, hi, _ := Extent(orig)
		for i, v := range col {
			if math.IsNaN(orig[i]) != math.IsNaN(v) {
				t.Fatalf("unit %d: missing changed: %v → %v", i, orig[i], v)
			}
			if math.IsInf(v, 0) {
				t.Fatalf("unit %d: %v → %v", i, orig[i], v)
			}
			if !rep.LogTransformed && v == v && (v < lo || v > hi) {
				t.Fatalf("unit %d: winsorised %v outside the data's range [%v, %v]", i, v, lo, hi)
			}
		}
		switch {
		case !rep.Failed:
			if !sameSlice(col, orig, 0) || rep.Winsorised != 0 || rep.LogTransformed {
				t.Fatalf("passing column changed: %+v", rep)
			}
		case rep.LogTransformed:
			// log_CT is increasing: order is kept.
			for i := range col {
				for j := range col {
					if orig[i] < orig[j] && !(col[i] <= col[j]) {
						t.Fatalf("log transform broke order: %v<%v but %v>%v", orig[i], orig[j], col[i], col[j])
					}
				}
			}
		}
		if rep.Winsorised != len(rep.WinsorisedLow)+len(rep.WinsorisedHigh) || rep.Winsorised > maxWin+len(col) {
			t.Fatalf("report: %+v", rep)
		}
		if !slices.IsSorted(rep.WinsorisedLow) || !slices.IsSorted(rep.WinsorisedHigh) {
			t.Fatalf("indices not ascending: %+v", rep)
		}
		for _, i := range rep.WinsorisedLow {
			if !(col[i] > orig[i]) {
				t.Fatalf("unit %d listed as raised: %v → %v", i, orig[i], col[i])
			}
		}
		for _, i := range rep.WinsorisedHigh {
			if !(col[i] < orig[i]) {
				t.Fatalf("unit %d listed as lowered: %v → %v", i, orig[i], col[i])
			}
		}
		if moderate && len(orig) <= 2000 {
			want, nwin, logged := naiveTreat(orig, opt)
			if !sameSlice(col, want, 1e-12) || nwin != rep.Winsorised || logged != rep.LogTransformed {
				t.Fatalf("differs from COINr's algorithm, %+v:\n x    %v\n got  %v (%+v)\n want %v (%d, log %v)", opt, orig, col, rep, want, nwin, logged)
			}
		}
	})
}

// FuzzAggregate checks the four means on three children decoded from the
// fuzz bytes (interleaved by unit) and fuzzed weights and power.
func FuzzAggregate(f *testing.F) {
	f.Add([]byte{0, 10, 0, 4, 20, 0, 4, 30, 0, 4, 5, 0, 4, 0, 0, 255, 1, 0, 4}, 1.0, 2.0, 3.0, 2.0)
	f.Add([]byte{0, 1, 0, 0, 2, 0, 8, 0, 0, 4}, 0.0, 1.0, 0.5, -0.5)
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 1.0, 1e300, 1e-300, 1e-12)
	f.Fuzz(func(t *testing.T, data []byte, w0, w1, w2, p float64) {
		flat, _ := fuzzColumn(data)
		n := len(flat) / 3
		children := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
		for i := range n {
			for k := range 3 {
				children[k][i] = flat[3*i+k]
			}
		}
		weights := []float64{w0, w1, w2}
		validW, maxw := true, 0.0
		for _, w := range weights {
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				validW = false
			}
			maxw = max(maxw, w)
		}
		validW = validW && maxw > 0
		for _, w := range weights {
			validW = validW && (w == 0 || w/maxw >= minRelWeight)
		}
		kept := [][]float64{slices.Clone(children[0]), slices.Clone(children[1]), slices.Clone(children[2])}

		// Per unit: the range of the present values of positive weight,
		// and whether any present value is ≤ 0 or < 0.
		type unit struct {
			lo, hi                float64
			any, nonPos, negative bool
		}
		units := make([]unit, n)
		for i := range n {
			u := unit{lo: math.Inf(1), hi: math.Inf(-1)}
			for k := range 3 {
				v := children[k][i]
				if v != v {
					continue
				}
				u.nonPos = u.nonPos || v <= 0
				u.negative = u.negative || v < 0
				if weights[k] > 0 {
					u.any = true
					u.lo, u.hi = min(u.lo, v), max(u.hi, v)
				}
			}
			units[i] = u
		}
		anyNonPos, anyNeg := false, false
		for _, u := range units {
			anyNonPos = anyNonPos || u.nonPos
			anyNeg = anyNeg || u.negative
		}

		check := func(name string, out []float64, err error, wantErr bool) bool {
			t.Helper()
			if !validW {
				if err == nil {
					t.Fatalf("%s: invalid weights %v accepted", name, weights)
				}
				return false
			}
			if (err != nil) != wantErr {
				t.Fatalf("%s: error %v, want error %v", name, err, wantErr)
			}
			if err != nil {
				return false
			}
			for i, v := range out {
				u := units[i]
				if !u.any {
					if !math.IsNaN(v) {
						t.Fatalf("%s unit %d: %v with no weighted value", name, i, v)
					}
					continue
				}
				slack := 1e-9 * max(math.Abs(u.lo), math.Abs(u.hi))
				if math.IsNaN(v) || math.IsInf(v, 0) || v < u.lo-slack || v > u.hi+slack {
					t.Fatalf("%s unit %d: %v outside [%v, %v] (children %v %v %v, weights %v)",
						name, i, v, u.lo, u.hi, children[0][i], children[1][i], children[2][i], weights)
				}
			}
			return true
		}
		ar, ge, ha, gm := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		okA := check("arithmetic", ar, Arithmetic(ar, children, weights), false)
		okG := check("geometric", ge, Geometric(ge, children, weights, nil), anyNonPos)
		okH := check("harmonic", ha, Harmonic(ha, children, weights, nil), anyNonPos)
		if math.IsNaN(p) || math.IsInf(p, 0) {
			if GeneralisedMean(gm, children, weights, p, nil) == nil {
				t.Fatalf("p = %v accepted", p)
			}
		} else {
			wantErr := p < 0 && anyNonPos || p > 0 && p != 1 && anyNeg || p == 0 && anyNonPos
			check("generalised", gm, GeneralisedMean(gm, children, weights, p, nil), wantErr)
		}
		// Harmonic ≤ geometric ≤ arithmetic.
		if okA && okG && okH {
			for i := range n {
				if !units[i].any {
					continue
				}
				tol := 1e-9 * units[i].hi
				if ha[i] > ge[i]+tol || ge[i] > ar[i]+tol {
					t.Fatalf("unit %d: harmonic %v, geometric %v, arithmetic %v", i, ha[i], ge[i], ar[i])
				}
			}
		}
		for k := range 3 {
			if !sameSlice(children[k], kept[k], 0) {
				t.Fatal("children modified")
			}
		}
	})
}

// FuzzPrepareIndicator checks that the one-pass-sharing PrepareIndicator
// does exactly what the steps do one by one, on group-mean imputation,
// outlier treatment and each normalisation.
func FuzzPrepareIndicator(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 2, 0, 4, 3, 0, 255, 4, 0, 4, 5, 0, 4, 100, 0, 6, 7, 0, 4, 9, 0, 4}, uint8(2), 5, true, uint8(0), false)
	f.Add([]byte{0, 0, 128, 4, 1, 0, 4, 1, 0, 4, 2, 0, 4, 2, 0, 4, 3, 0, 255, 50, 0, 6}, uint8(3), 1, false, uint8(1), true)
	f.Add([]byte{0, 10, 0, 4, 10, 0, 4, 10, 0, 4, 11, 0, 4, 250, 0, 7, 12, 0, 4}, uint8(1), 2, true, uint8(5), false)
	f.Fuzz(func(t *testing.T, data []byte, ngroups uint8, maxWin int, logFallback bool, method uint8, reverse bool) {
		col, moderate := fuzzColumn(data)
		if !moderate || len(col) > 3000 {
			return
		}
		ng := int(ngroups%5) + 1
		groups := make([]int32, len(col))
		for i := range groups {
			groups[i] = int32(i%(ng+1)) - 1 // some units without group
		}
		opt := OutlierOptions{MaxWinsorise: ((maxWin % 40) + 40) % 40, SkewThreshold: 2, KurtosisThreshold: 3.5, Fallback: FallbackNone}
		if logFallback {
			opt.Fallback = FallbackLog
		}
		dir := 1
		if reverse {
			dir = -1
		}
		norms := []Normalisation{
			{Method: "minmax", Direction: dir},
			{Method: "zscore", Mean: 0, SD: 1, Direction: dir},
			{Method: "rank", Direction: dir},
			{Method: "percentile", Direction: dir},
			{Method: "goalposts", GoalLow: 0, GoalHigh: 100, Scale: 1, Direction: dir},
			{Method: "none"},
		}
		s := Steps{Impute: "group_mean", Groups: groups, NGroups: ng, Outliers: &opt, Normalise: norms[int(method)%len(norms)]}
		got, want := slices.Clone(col), slices.Clone(col)
		rg, eg := PrepareIndicator(got, s)
		rw, ew := stepByStep(want, s)
		if (eg == nil) != (ew == nil) {
			t.Fatalf("errors %v / %v", eg, ew)
		}
		if eg != nil {
			return
		}
		if rg.Imputed != rw.Imputed || rg.Outliers.Winsorised != rw.Outliers.Winsorised ||
			rg.Outliers.LogTransformed != rw.Outliers.LogTransformed || rg.Outliers.Failed != rw.Outliers.Failed {
			t.Fatalf("reports differ:\n %+v\n %+v\n column %v", rg, rw, col)
		}
		scale := 1.0
		for _, v := range want {
			if v == v {
				scale = max(scale, math.Abs(v))
			}
		}
		for i := range got {
			if math.IsNaN(got[i]) != math.IsNaN(want[i]) || math.Abs(got[i]-want[i]) > 1e-9*scale {
				t.Fatalf("unit %d: %v, step by step %v (column %v)", i, got[i], want[i], col)
			}
		}
	})
}
