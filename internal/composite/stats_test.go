package composite

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var nan = math.NaN()

// sameFloat reports whether a and b are equal within tol (absolute and
// relative), NaN matching NaN.
func sameFloat(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func sameSlice(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFloat(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

// Reference values computed exactly (rational arithmetic) from the
// textbook formulas; the first data set is COINr's own Treat example.
var statCases = []struct {
	name                 string
	col                  []float64
	mean, sd, skew, kurt float64
	median               float64
}{
	{"empty", nil, nan, nan, nan, nan, nan},
	{"all missing", []float64{nan, nan}, nan, nan, nan, nan, nan},
	{"single", []float64{3}, 3, nan, nan, nan, 3},
	{"two", []float64{1, nan, 3}, 2, math.Sqrt2, nan, nan, 2},
	{"three", []float64{1, 2, 10}, 13.0 / 3, 4.9328828623162471, 1.6523167403329899, nan, 2},
	{"constant", []float64{5, 5, 5, 5, 5}, 5, 0, nan, nan, 5},
	{"COINr example", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100},
		15.416666666666666, 27.688062190749065, 3.0632410342394993, 9.7413908345691436, 6.5},
	{"ties", []float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, 2.1380899352993952, 0.81848755335679957, 0.94062500000000004, 4.5},
	{"four", []float64{10, nan, 1, 3, 2}, 4, 4.0824829046386304, 1.7636326148038881, 3.228, 2.5},
	{"negative skew", []float64{-5, 0.5, 3, 3, 8}, 1.9, 4.7222875812470377, -0.40203875097236313, 1.1950019103541194, 3},
}

func TestStatistics(t *testing.T) {
	for _, c := range statCases {
		t.Run(c.name, func(t *testing.T) {
			orig := slices.Clone(c.col)
			check := func(what string, got, want float64) {
				t.Helper()
				if !sameFloat(got, want, 1e-12) {
					t.Errorf("%s = %.17g, want %.17g", what, got, want)
				}
			}
			check("Mean", Mean(c.col), c.mean)
			check("SD", SD(c.col), c.sd)
			check("Skew", Skew(c.col), c.skew)
			check("Kurtosis", Kurtosis(c.col), c.kurt)
			check("Median", Median(c.col), c.median)
			if !sameSlice(c.col, orig, 0) {
				t.Errorf("statistics modified the column: %v", c.col)
			}
		})
	}
}

func TestStatisticsScaleInvariantAndLarge(t *testing.T) {
	// Skewness and kurtosis do not depend on location or scale, and
	// values far beyond √MaxFloat64 must not overflow.
	base := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
	for _, k := range []float64{1e-200, 1e-3, 1e6, 1e200, -1e250} {
		x := make([]float64, len(base))
		for i, v := range base {
			x[i] = v*k + 7*k
		}
		if s := Skew(x); !sameFloat(s, 3.0632410342394993*math.Copysign(1, k), 1e-9) {
			t.Errorf("scale %g: skew %v", k, s)
		}
		if s := Kurtosis(x); !sameFloat(s, 9.7413908345691436, 1e-9) {
			t.Errorf("scale %g: kurtosis %v", k, s)
		}
	}
}

func TestExtentAndCount(t *testing.T) {
	lo, hi, n := Extent([]float64{nan, 3, -1, nan, 7})
	if lo != -1 || hi != 7 || n != 3 {
		t.Errorf("Extent = %v, %v, %v", lo, hi, n)
	}
	lo, hi, n = Extent([]float64{nan})
	if !math.IsNaN(lo) || !math.IsNaN(hi) || n != 0 {
		t.Errorf("Extent of missing = %v, %v, %v", lo, hi, n)
	}
	if c := Count([]float64{nan, 0, math.Copysign(0, -1), nan}); c != 2 {
		t.Errorf("Count = %d", c)
	}
}

func TestMedianAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := r.IntN(200)
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(10) {
			case 0:
				x[i] = nan
			case 1, 2, 3:
				x[i] = float64(r.IntN(4)) // many ties
			default:
				x[i] = r.NormFloat64()
			}
		}
		if trial%50 == 0 {
			slices.Sort(x) // sorted and reversed inputs
			if trial%100 == 0 {
				slices.Reverse(x)
			}
		}
		var v []float64
		for _, e := range x {
			if e == e {
				v = append(v, e)
			}
		}
		slices.Sort(v)
		want := nan
		if m := len(v); m > 0 {
			want = v[m/2]
			if m%2 == 0 {
				want = (v[m/2-1] + v[m/2]) / 2
			}
		}
		if got := Median(x); !sameFloat(got, want, 1e-15) {
			t.Fatalf("trial %d: Median = %v, want %v", trial, got, want)
		}
	}
}

func TestSelectKthAdversarial(t *testing.T) {
	// Many equal values and organ-pipe orders must not degrade or loop.
	x := make([]float64, 10001)
	for i := range x {
		x[i] = float64(min(i, len(x)-i) % 7)
	}
	want := slices.Clone(x)
	slices.Sort(want)
	for _, k := range []int{0, 17, 5000, 10000} {
		y := slices.Clone(x)
		if got := selectKth(y, k); got != want[k] {
			t.Errorf("selectKth(%d) = %v, want %v", k, got, want[k])
		}
	}
}

func TestLogPosSubnormal(t *testing.T) {
	for _, c := range []struct{ v, want float64 }{
		{5e-324, -744.44007192138126},
		{2.6e-310, -712.84586738312670},
		{1, 0},
		{math.E, 1},
	} {
		if got := logPos(c.v); !sameFloat(got, c.want, 1e-14) {
			t.Errorf("logPos(%g) = %.17g, want %.17g", c.v, got, c.want)
		}
	}
}

func TestMomentsFromSketch(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
	n, sum := sumCount(x)
	exact := columnMoments(x)
	sums := func(c float64) powerSums {
		var ps powerSums
		for _, v := range x {
			y := v - c
			ps.s1 += y
			ps.s2 += y * y
			ps.s3 += y * y * y
			ps.s4 += y * y * y * y
		}
		return ps
	}
	// A centre near the mean keeps the sums; one far away (1e6 standard
	// deviations) is rejected and the moments are computed afresh; both
	// give the exact statistics.
	for _, c := range []float64{6.5, 15, 1e6, -3e7} {
		mo := momentsFromSketch(x, tally{n, sum}, c, sums(c))
		if !sameFloat(mo.skew(), exact.skew(), 1e-12) || !sameFloat(mo.kurt(), exact.kurt(), 1e-12) {
			t.Errorf("centre %v: skew %v kurt %v, want %v %v", c, mo.skew(), mo.kurt(), exact.skew(), exact.kurt())
		}
	}
	// Sums that are unusable (overflowed) also fall back.
	mo := momentsFromSketch(x, tally{n, sum}, 0, powerSums{math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)})
	if !sameFloat(mo.skew(), exact.skew(), 1e-12) {
		t.Errorf("overflowed sums: skew %v", mo.skew())
	}
	// The log of a constant column gives no power sums: logMoments takes
	// the exact path and reports no spread.
	c := []float64{4, 4, 4, 4, 4}
	lr := logCT(c, 4, 4, 4)
	if m := logMoments(c, 5, lr); !math.IsNaN(m.skew()) || !sameSlice(c, []float64{0, 0, 0, 0, 0}, 0) {
		t.Errorf("constant log: %v %v", m.skew(), c)
	}
}
