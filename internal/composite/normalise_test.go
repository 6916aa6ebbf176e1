package composite

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	inf := math.Inf(1)
	x := []float64{2, nan, 4, 10, 4}
	cases := []struct {
		name string
		f    func([]float64) error
		in   []float64
		want []float64
	}{
		// MinMax
		{"minmax", func(c []float64) error { return MinMax(c, 0, 100, 1) }, x, []float64{0, nan, 25, 100, 25}},
		{"minmax reversed", func(c []float64) error { return MinMax(c, 0, 100, -1) }, x, []float64{100, nan, 75, 0, 75}},
		{"minmax 1-7", func(c []float64) error { return MinMax(c, 1, 7, 1) }, x, []float64{1, nan, 2.5, 7, 2.5}},
		{"minmax zero range", func(c []float64) error { return MinMax(c, 0, 100, 1) }, []float64{3, nan, 3}, []float64{nan, nan, nan}},
		{"minmax single", func(c []float64) error { return MinMax(c, 0, 100, 1) }, []float64{3}, []float64{nan}},
		{"minmax empty", func(c []float64) error { return MinMax(c, 0, 100, 1) }, nil, nil},
		{"minmax huge range", func(c []float64) error { return MinMax(c, 0, 100, 1) },
			[]float64{-math.MaxFloat64, 0, math.MaxFloat64}, []float64{0, 50, 100}},
		// ZScore: mean 5, sd 3.4641016 (sample)
		{"zscore", func(c []float64) error { return ZScore(c, 0, 1, 1) }, []float64{2, nan, 4, 9},
			[]float64{-3 / math.Sqrt(13), nan, -1 / math.Sqrt(13), 4 / math.Sqrt(13)}},
		{"zscore reversed to 100±10", func(c []float64) error { return ZScore(c, 100, 10, -1) }, []float64{2, nan, 4, 9},
			[]float64{100 + 30/math.Sqrt(13), nan, 100 + 10/math.Sqrt(13), 100 - 40/math.Sqrt(13)}},
		{"zscore zero sd", func(c []float64) error { return ZScore(c, 0, 1, 1) }, []float64{4, 4}, []float64{nan, nan}},
		{"zscore single", func(c []float64) error { return ZScore(c, 0, 1, 1) }, []float64{4, nan}, []float64{nan, nan}},
		// Rank: ties "min"
		{"rank", func(c []float64) error { return Rank(c, 1) }, x, []float64{1, nan, 2, 4, 2}},
		{"rank reversed", func(c []float64) error { return Rank(c, -1) }, x, []float64{4, nan, 2, 1, 2}},
		{"rank all tied", func(c []float64) error { return Rank(c, 1) }, []float64{5, 5, 5}, []float64{1, 1, 1}},
		{"rank empty", func(c []float64) error { return Rank(c, 1) }, []float64{}, []float64{}},
		{"percent rank", func(c []float64) error { return PercentRank(c, 1) }, x, []float64{0, nan, 1.0 / 3, 1, 1.0 / 3}},
		{"percent rank reversed", func(c []float64) error { return PercentRank(c, -1) }, x, []float64{1, nan, 1.0 / 3, 0, 1.0 / 3}},
		{"percent rank single", func(c []float64) error { return PercentRank(c, 1) }, []float64{nan, 7}, []float64{nan, nan}},
		// Goalposts: lo 3, hi 8
		{"goalposts", func(c []float64) error { return Goalposts(c, 3, 8, 100, true, 1) }, x, []float64{0, nan, 20, 100, 20}},
		{"goalposts no trunc", func(c []float64) error { return Goalposts(c, 3, 8, 1, false, 1) }, x, []float64{-0.2, nan, 0.2, 1.4, 0.2}},
		{"goalposts reversed", func(c []float64) error { return Goalposts(c, 3, 8, 100, true, -1) }, x, []float64{100, nan, 80, 0, 80}},
		{"goalposts reversed no trunc", func(c []float64) error { return Goalposts(c, 3, 8, 1, false, -1) }, x, []float64{1.2, nan, 0.8, -0.4, 0.8}},
		// DistanceToTarget: min 2, max 10
		{"dist2targ", func(c []float64) error { return DistanceToTarget(c, 6, inf, 1) }, x, []float64{0, nan, 0.5, 2, 0.5}},
		{"dist2targ capped", func(c []float64) error { return DistanceToTarget(c, 6, 1, 1) }, x, []float64{0, nan, 0.5, 1, 0.5}},
		{"dist2targ reversed", func(c []float64) error { return DistanceToTarget(c, 3, inf, -1) }, x, []float64{8.0 / 7, nan, 6.0 / 7, 0, 6.0 / 7}},
		{"dist2targ reversed capped", func(c []float64) error { return DistanceToTarget(c, 3, 1, -1) }, x, []float64{1, nan, 6.0 / 7, 0, 6.0 / 7}},
		{"dist2targ all missing", func(c []float64) error { return DistanceToTarget(c, 3, 1, 1) }, []float64{nan}, []float64{nan}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := slices.Clone(c.in)
			if err := c.f(got); err != nil {
				t.Fatal(err)
			}
			if !sameSlice(got, c.want, 1e-12) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestNormaliseInvalid(t *testing.T) {
	x := []float64{2, nan, 4, 10}
	cases := []struct {
		name string
		f    func([]float64) error
		want string
	}{
		{"minmax direction", func(c []float64) error { return MinMax(c, 0, 100, 0) }, "direction must be 1"},
		{"minmax bounds", func(c []float64) error { return MinMax(c, 100, 0, 1) }, "low < high"},
		{"minmax nan bound", func(c []float64) error { return MinMax(c, nan, 1, 1) }, "low < high"},
		{"zscore sd", func(c []float64) error { return ZScore(c, 0, 0, 1) }, "positive standard deviation"},
		{"zscore direction", func(c []float64) error { return ZScore(c, 0, 1, 2) }, "direction"},
		{"rank direction", func(c []float64) error { return Rank(c, 5) }, "direction"},
		{"prank direction", func(c []float64) error { return PercentRank(c, -2) }, "direction"},
		{"goalposts order", func(c []float64) error { return Goalposts(c, 5, 5, 1, true, 1) }, "low < high"},
		{"goalposts scale", func(c []float64) error { return Goalposts(c, 1, 5, 0, true, 1) }, "scale"},
		{"goalposts direction", func(c []float64) error { return Goalposts(c, 1, 5, 1, true, 0) }, "direction"},
		{"dist2targ at min", func(c []float64) error { return DistanceToTarget(c, 2, 1, 1) }, "minimum (2)"},
		{"dist2targ at max", func(c []float64) error { return DistanceToTarget(c, 10, 1, -1) }, "maximum (10)"},
		{"dist2targ cap", func(c []float64) error { return DistanceToTarget(c, 6, 0, 1) }, "cap must be positive"},
		{"dist2targ cap nan", func(c []float64) error { return DistanceToTarget(c, 6, nan, 1) }, "cap must be positive"},
		{"dist2targ target", func(c []float64) error { return DistanceToTarget(c, nan, 1, 1) }, "target must be a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := slices.Clone(x)
			err := c.f(got)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if !sameSlice(got, x, 0) {
				t.Errorf("column changed on error: %v", got)
			}
		})
	}
}

func TestRankLarge(t *testing.T) {
	// Against a quadratic definition: rank = 1 + number of strictly smaller.
	x := make([]float64, 300)
	for i := range x {
		x[i] = float64((i * 37) % 41)
		if i%13 == 0 {
			x[i] = nan
		}
	}
	for _, d := range []int{1, -1} {
		got := slices.Clone(x)
		if err := Rank(got, d); err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			want := nan
			if v == v {
				want = 1
				for _, w := range x {
					if w == w && w*float64(d) < v*float64(d) {
						want++
					}
				}
			}
			if !sameFloat(got[i], want, 0) {
				t.Fatalf("direction %d unit %d: rank %v, want %v", d, i, got[i], want)
			}
		}
	}
}
