package composite

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestAggregate(t *testing.T) {
	a := []float64{1, 4, nan, nan, 8}
	b := []float64{4, 1, 2, nan, 2}
	children := [][]float64{a, b}
	w := []float64{1, 3}
	geo := func(x, y, wx, wy float64) float64 { return math.Exp((wx*math.Log(x) + wy*math.Log(y)) / (wx + wy)) }
	cases := []struct {
		name string
		f    func(out []float64) error
		want []float64
	}{
		{"arithmetic", func(o []float64) error { return Arithmetic(o, children, w) },
			[]float64{(1 + 12) / 4.0, (4 + 3) / 4.0, 2, nan, (8 + 6) / 4.0}},
		{"arithmetic equal", func(o []float64) error { return Arithmetic(o, children, []float64{2, 2}) },
			[]float64{2.5, 2.5, 2, nan, 5}},
		{"geometric", func(o []float64) error { return Geometric(o, children, w, nil) },
			[]float64{geo(1, 4, 1, 3), geo(4, 1, 1, 3), 2, nan, geo(8, 2, 1, 3)}},
		{"harmonic", func(o []float64) error { return Harmonic(o, children, w, nil) },
			[]float64{4 / (1 + 3/4.0), 4 / (1/4.0 + 3), 2, nan, 4 / (1/8.0 + 3/2.0)}},
		{"generalised p=1", func(o []float64) error { return GeneralisedMean(o, children, w, 1, nil) },
			[]float64{(1 + 12) / 4.0, (4 + 3) / 4.0, 2, nan, (8 + 6) / 4.0}},
		{"generalised p=0 (geometric)", func(o []float64) error { return GeneralisedMean(o, children, w, 0, nil) },
			[]float64{geo(1, 4, 1, 3), geo(4, 1, 1, 3), 2, nan, geo(8, 2, 1, 3)}},
		{"generalised p=-1 (harmonic)", func(o []float64) error { return GeneralisedMean(o, children, w, -1, nil) },
			[]float64{4 / (1 + 3/4.0), 4 / (1/4.0 + 3), 2, nan, 4 / (1/8.0 + 3/2.0)}},
		{"generalised p=2", func(o []float64) error { return GeneralisedMean(o, children, w, 2, nil) },
			[]float64{math.Sqrt((1 + 3*16) / 4.0), math.Sqrt((16 + 3) / 4.0), 2, nan, math.Sqrt((64 + 12) / 4.0)}},
		{"generalised p=-2", func(o []float64) error { return GeneralisedMean(o, children, w, -2, nil) },
			[]float64{1 / math.Sqrt((1+3/16.0)/4), 1 / math.Sqrt((1/16.0+3)/4), 2, nan, 1 / math.Sqrt((1/64.0+3/4.0)/4)}},
		{"generalised p=0.5", func(o []float64) error { return GeneralisedMean(o, children, w, 0.5, nil) },
			[]float64{math.Pow((1+3*2)/4.0, 2), math.Pow((2+3)/4.0, 2), 2, nan, math.Pow((math.Sqrt(8)+3*math.Sqrt(2))/4, 2)}},
		{"zero weight child", func(o []float64) error { return Arithmetic(o, children, []float64{0, 1}) },
			[]float64{4, 1, 2, nan, 2}},
		{"present child has zero weight", func(o []float64) error { return Arithmetic(o, [][]float64{{1, nan}, {nan, 5}}, []float64{1, 0}) },
			[]float64{1, nan}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			out := make([]float64, len(want))
			if err := c.f(out); err != nil {
				t.Fatal(err)
			}
			if !sameSlice(out, want, 1e-14) {
				t.Errorf("got %v, want %v", out, want)
			}
		})
	}
	if !sameSlice(a, []float64{1, 4, nan, nan, 8}, 0) || !sameSlice(b, []float64{4, 1, 2, nan, 2}, 0) {
		t.Error("children modified")
	}
}

func TestAggregateLongAndInPlace(t *testing.T) {
	// More units than one block, with out aliasing the first child.
	n := 3*aggBlock + 17
	c0, c1, c2 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		c0[i] = float64(i%11) + 1
		c1[i] = float64(i%7) + 0.5
		c2[i] = float64(i%5) + 2
		if i%9 == 0 {
			c1[i] = nan
		}
	}
	w := []float64{1, 2, 3}
	want := make([]float64, n)
	for i := range n {
		s, ws := c0[i]+3*c2[i], 4.0
		if c1[i] == c1[i] {
			s += 2 * c1[i]
			ws += 2
		}
		want[i] = s / ws
	}
	if err := Arithmetic(c0, [][]float64{c0, c1, c2}, w); err != nil {
		t.Fatal(err)
	}
	if !sameSlice(c0, want, 1e-14) {
		t.Error("in-place arithmetic mean over several blocks is wrong")
	}
}

func TestAggregateErrors(t *testing.T) {
	ok := []float64{1, 2, 3}
	out := make([]float64, 3)
	names := []string{"Flights", "Ship"}
	cases := []struct {
		name string
		f    func() error
		want string
	}{
		{"no children", func() error { return Arithmetic(out, nil, nil) }, "no children"},
		{"weights length", func() error { return Arithmetic(out, [][]float64{ok, ok}, []float64{1}) }, "1 weights for 2 children"},
		{"child length", func() error { return Geometric(out, [][]float64{ok, {1, 2}}, []float64{1, 1}, names) }, `"Ship" has 2 values, the output 3`},
		{"negative weight", func() error { return Arithmetic(out, [][]float64{ok, ok}, []float64{1, -1}) }, "child 1 must be a number ≥ 0"},
		{"nan weight", func() error { return Harmonic(out, [][]float64{ok, ok}, []float64{nan, 1}, names) }, `weight of "Flights"`},
		{"tiny weight", func() error { return Arithmetic(out, [][]float64{ok, ok}, []float64{1e300, 1e-300}) }, "child 1 (1e-300) is too small"},
		{"zero weights", func() error { return Arithmetic(out, [][]float64{ok, ok}, []float64{0, 0}) }, "every weight is 0"},
		{"names length", func() error { return Geometric(out, [][]float64{ok, ok}, []float64{1, 1}, names[:1]) }, "1 names for 2 children"},
		{"geometric zero", func() error {
			return Geometric(out, [][]float64{{1, 2, 3}, {4, 5, 0}}, []float64{1, 1}, names)
		}, `geometric mean needs positive values: unit 2 has 0 in "Ship"`},
		{"geometric lowest unit first", func() error {
			return Geometric(out, [][]float64{{1, 2, -3}, {4, 0, nan}}, []float64{1, 1}, names)
		}, `unit 1 has 0 in "Ship"`},
		{"geometric unnamed", func() error { return Geometric(out, [][]float64{{1, -2, 3}}, []float64{1}, nil) }, "unit 1 has -2 in child 0"},
		{"harmonic zero", func() error { return Harmonic(out, [][]float64{{0, 2, 3}, ok}, []float64{1, 1}, names) }, `harmonic mean needs positive values: unit 0 has 0 in "Flights"`},
		{"generalised negative p", func() error {
			return GeneralisedMean(out, [][]float64{ok, {1, 0, 1}}, []float64{1, 1}, -0.5, names)
		}, `p = -0.5 needs positive values: unit 1 has 0 in "Ship"`},
		{"generalised positive p", func() error {
			return GeneralisedMean(out, [][]float64{ok, {1, -1, 1}}, []float64{1, 1}, 3, names)
		}, `p = 3 needs values ≥ 0: unit 1 has -1`},
		{"generalised p inf", func() error { return GeneralisedMean(out, [][]float64{ok}, []float64{1}, math.Inf(1), nil) }, "must be a number"},
		{"generalised p=1 checks names", func() error { return GeneralisedMean(out, [][]float64{ok}, []float64{1}, 1, names) }, "2 names for 1 children"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.f()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// Zeros are fine for the arithmetic mean and for p > 0.
	if err := Arithmetic(out, [][]float64{{0, -1, 0}}, []float64{1}); err != nil {
		t.Error(err)
	}
	if err := GeneralisedMean(out, [][]float64{{0, 0, 1}, {0, 2, 1}}, []float64{1, 1}, 2, nil); err != nil || !sameSlice(out, []float64{0, math.Sqrt(2), 1}, 1e-15) {
		t.Errorf("p=2 with zeros: %v %v", out, err)
	}
}

func TestAggregateExtremeValues(t *testing.T) {
	// Finite inputs give finite outputs, however large or small.
	big, tiny := math.MaxFloat64, math.SmallestNonzeroFloat64
	children := [][]float64{{big, tiny, 1}, {big, 1, tiny}}
	out := make([]float64, 3)
	for _, f := range []func() error{
		func() error { return Arithmetic(out, children, []float64{1e308, 1e308}) },
		func() error { return Geometric(out, children, []float64{1, 1}, nil) },
		func() error { return Harmonic(out, children, []float64{1, 1}, nil) },
		func() error { return GeneralisedMean(out, children, []float64{1, 1}, 3, nil) },
		func() error { return GeneralisedMean(out, children, []float64{1, 1}, -3, nil) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
		for i, v := range out {
			if math.IsInf(v, 0) || math.IsNaN(v) || v <= 0 || v > big {
				t.Errorf("unit %d: %v", i, v)
			}
		}
		if !sameFloat(out[0], big, 1e-12) {
			t.Errorf("mean of two MaxFloat64 = %v", out[0])
		}
	}
	// Harmonic of a subnormal value: 1/x overflows, the scaled path keeps
	// the result between the values.
	if err := Harmonic(out, [][]float64{{tiny, tiny, 2}, {1, tiny, 2}}, []float64{1, 1}, nil); err != nil {
		t.Fatal(err)
	}
	if !(out[0] > 0 && out[0] <= 1) || out[1] != tiny || out[2] != 2 {
		t.Errorf("harmonic with subnormals: %v", out)
	}
	_ = slices.Clone(out)
}
