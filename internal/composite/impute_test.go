package composite

import (
	"slices"
	"strings"
	"testing"
)

func TestImputeMeanMedian(t *testing.T) {
	cases := []struct {
		name      string
		col       []float64
		mean, med []float64
		nImputed  int
	}{
		{name: "empty", col: nil, mean: nil, med: nil},
		{name: "all missing", col: []float64{nan, nan}, mean: []float64{nan, nan}, med: []float64{nan, nan}},
		{name: "none missing", col: []float64{1, 2}, mean: []float64{1, 2}, med: []float64{1, 2}},
		{name: "single value", col: []float64{nan, 4, nan}, mean: []float64{4, 4, 4}, med: []float64{4, 4, 4}, nImputed: 2},
		{name: "skewed", col: []float64{1, nan, 2, 9}, mean: []float64{1, 4, 2, 9}, med: []float64{1, 2, 2, 9}, nImputed: 1},
		{name: "even median", col: []float64{1, 2, 3, 10, nan}, mean: []float64{1, 2, 3, 10, 4}, med: []float64{1, 2, 3, 10, 2.5}, nImputed: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := slices.Clone(c.col)
			if n := ImputeMean(x); n != c.nImputed || !sameSlice(x, c.mean, 1e-15) {
				t.Errorf("ImputeMean = %d %v, want %d %v", n, x, c.nImputed, c.mean)
			}
			x = slices.Clone(c.col)
			if n := ImputeMedian(x); n != c.nImputed || !sameSlice(x, c.med, 1e-15) {
				t.Errorf("ImputeMedian = %d %v, want %d %v", n, x, c.nImputed, c.med)
			}
		})
	}
}

func TestImputeGroup(t *testing.T) {
	//                 g0   g1   g0   none g1   g2   g0   g1   g2
	col := []float64{1, nan, 3, nan, 10, nan, nan, 20, nan}
	groups := []int32{0, 1, 0, -1, 1, 2, 0, 1, 2}
	// group 0 mean 2, group 1 mean 15, group 2 has no value: stays NaN;
	// the unit without group stays NaN.
	wantMean := []float64{1, 15, 3, nan, 10, nan, 2, 20, nan}
	x := slices.Clone(col)
	n, err := ImputeGroupMean(x, groups, 3)
	if err != nil || n != 2 || !sameSlice(x, wantMean, 1e-15) {
		t.Errorf("ImputeGroupMean = %d %v %v, want 2 %v", n, err, x, wantMean)
	}

	col2 := []float64{1, nan, 3, nan, 10, nan, nan, 20, 7, 5, 40}
	groups2 := []int32{0, 1, 0, -1, 1, 2, 0, 1, 2, 0, 1}
	// group 0 {1,3,5} median 3; group 1 {10,20,40} median 20; group 2 {7}.
	wantMed := []float64{1, 20, 3, nan, 10, 7, 3, 20, 7, 5, 40}
	x = slices.Clone(col2)
	n, err = ImputeGroupMedian(x, groups2, 3)
	if err != nil || n != 3 || !sameSlice(x, wantMed, 0) {
		t.Errorf("ImputeGroupMedian = %d %v %v, want 3 %v", n, err, x, wantMed)
	}

	// Long enough for the unrolled loop, with a tail, against a plain
	// per-group computation.
	long := make([]float64, 103)
	lg := make([]int32, len(long))
	for i := range long {
		long[i] = float64(i * i % 17)
		lg[i] = int32(i%5) - 1
		if i%7 == 0 {
			long[i] = nan
		}
	}
	x = slices.Clone(long)
	if _, err := ImputeGroupMean(x, lg, 4); err != nil {
		t.Fatal(err)
	}
	for i := range long {
		if long[i] == long[i] {
			continue
		}
		var s, c float64
		for j := range long {
			if lg[j] == lg[i] && long[j] == long[j] {
				s += long[j]
				c++
			}
		}
		want := nan
		if lg[i] >= 0 {
			want = s / c
		}
		if !sameFloat(x[i], want, 1e-14) {
			t.Errorf("unit %d group %d: %v, want %v", i, lg[i], x[i], want)
		}
	}
}

func TestImputeGroupErrors(t *testing.T) {
	col := []float64{1, nan, 3}
	for _, c := range []struct {
		groups  []int32
		ngroups int
		want    string
	}{
		{[]int32{0, 1}, 2, "2 group entries for 3 units"},
		{[]int32{0, 2, 1}, 2, "unit 1 has group 2"},
		{[]int32{0, -2, 1}, 2, "unit 1 has group -2"},
		{[]int32{0, 0, 0}, -1, "number of groups"},
		{[]int32{-1, 0, -1}, 0, "with no groups every unit must have -1"},
	} {
		for name, f := range map[string]func([]float64, []int32, int) (int, error){"mean": ImputeGroupMean, "median": ImputeGroupMedian} {
			x := slices.Clone(col)
			_, err := f(x, c.groups, c.ngroups)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %v: error %v, want %q", name, c.groups, err, c.want)
			}
			if !sameSlice(x, col, 0) {
				t.Errorf("%s: column changed on error: %v", name, x)
			}
		}
	}
	// Errors are found even when nothing is missing.
	if _, err := ImputeGroupMean([]float64{1, 2, 3, 4, 5}, []int32{0, 0, 0, 0, 9}, 1); err == nil {
		t.Error("out-of-range group in the tail not reported")
	}
}

func TestCoverageScreen(t *testing.T) {
	cols := [][]float64{
		{1, nan, 3, nan},
		{1, 2, nan, nan},
		{1, 2, 3, nan},
	}
	cov, err := Coverage(cols, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2.0 / 3, 2.0 / 3, 0}
	if !sameSlice(cov, want, 1e-15) || cov[0] != 1 {
		t.Errorf("Coverage = %v, want %v", cov, want)
	}
	keep, _, err := Screen(cols, 4, 2.0/3)
	if err != nil || !slices.Equal(keep, []bool{true, true, true, false}) {
		t.Errorf("Screen(2/3) = %v %v", keep, err)
	}
	keep, _, _ = Screen(cols, 4, 1)
	if !slices.Equal(keep, []bool{true, false, false, false}) {
		t.Errorf("Screen(1) = %v", keep)
	}
	keep, _, _ = Screen(cols, 4, 0)
	if !slices.Equal(keep, []bool{true, true, true, true}) {
		t.Errorf("Screen(0) = %v", keep)
	}
	// No indicators: coverage 0.
	cov, err = Coverage(nil, 2)
	if err != nil || !slices.Equal(cov, []float64{0, 0}) {
		t.Errorf("Coverage(no indicators) = %v %v", cov, err)
	}
	for _, c := range []struct {
		cols [][]float64
		n    int
		min  float64
		want string
	}{
		{cols, 3, 0.5, "indicator 0 has 4 values for 3 units"},
		{cols, 4, 1.5, "between 0 and 1"},
		{cols, 4, nan, "between 0 and 1"},
		{cols, -1, 0.5, "must be ≥ 0"},
	} {
		if _, _, err := Screen(c.cols, c.n, c.min); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Screen(n=%d, %v): error %v, want %q", c.n, c.min, err, c.want)
		}
	}
}

func TestImputeGroupMeanCollectsExtremes(t *testing.T) {
	// Group 2 has one value, the column's maximum, and two missing units:
	// their imputed values tie with the maximum and must be counted.
	col := []float64{5, nan, 1, 9, nan, nan, 3, 3, 2, nan, 7, 1, 0.5, nan}
	groups := []int32{0, 0, 1, 2, 2, 2, 0, 1, 1, -1, 0, 1, 0, 1}
	for _, k := range []int{1, 2, 3, 6} {
		x := slices.Clone(col)
		ex := newExtremes(k)
		if _, _, err := imputeGroupMean(x, groups, 3, ex, nil); err != nil {
			t.Fatal(err)
		}
		bot, top := collectExtremes(x, k)
		if !slices.Equal(ex.bot, bot) || !slices.Equal(ex.top, top) {
			t.Errorf("k %d: collected %v %v, want %v %v (column %v)", k, ex.bot, ex.top, bot, top, x)
		}
	}
}
