package composite

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// stepByStep is what PrepareIndicator must equal: the exported steps called
// one after the other.
func stepByStep(col []float64, s Steps) (IndicatorReport, error) {
	var rep IndicatorReport
	var err error
	switch s.Impute {
	case "mean":
		rep.Imputed = ImputeMean(col)
	case "median":
		rep.Imputed = ImputeMedian(col)
	case "group_mean":
		rep.Imputed, err = ImputeGroupMean(col, s.Groups, s.NGroups)
	case "group_median":
		rep.Imputed, err = ImputeGroupMedian(col, s.Groups, s.NGroups)
	}
	if err != nil {
		return rep, err
	}
	if s.Outliers != nil {
		if rep.Outliers, err = TreatOutliers(col, *s.Outliers); err != nil {
			return rep, err
		}
	}
	nm := s.Normalise
	if nm.Direction == 0 {
		nm.Direction = 1
	}
	switch nm.Method {
	case "", "minmax":
		if nm.Low == 0 && nm.High == 0 {
			nm.High = 100
		}
		return rep, MinMax(col, nm.Low, nm.High, nm.Direction)
	case "zscore":
		return rep, ZScore(col, nm.Mean, nm.SD, nm.Direction)
	case "rank":
		return rep, Rank(col, nm.Direction)
	case "percentile":
		return rep, PercentRank(col, nm.Direction)
	case "goalposts":
		return rep, Goalposts(col, nm.GoalLow, nm.GoalHigh, nm.Scale, nm.Trunc, nm.Direction)
	case "target":
		return rep, DistanceToTarget(col, nm.Target, targetCap(nm.Cap), nm.Direction)
	}
	return rep, nil
}

func TestPrepareIndicatorMatchesSteps(t *testing.T) {
	src, groups := generateMatrix(3000, 12, 5)
	def := DefaultOutlierOptions()
	strict := OutlierOptions{MaxWinsorise: 3, SkewThreshold: 1, KurtosisThreshold: 1, Fallback: FallbackNone}
	none0 := OutlierOptions{MaxWinsorise: 0, SkewThreshold: 2, KurtosisThreshold: 3.5, Fallback: FallbackNone}
	imputes := []string{"", "none", "mean", "median", "group_mean", "group_median"}
	outliers := []*OutlierOptions{nil, &def, &strict, &none0}
	norms := []Normalisation{
		{},
		{Method: "minmax", Low: -1, High: 1, Direction: -1},
		{Method: "zscore", Mean: 100, SD: 10},
		{Method: "rank", Direction: -1},
		{Method: "percentile"},
		{Method: "goalposts", GoalLow: 0, GoalHigh: 5, Scale: 100, Trunc: true},
		{Method: "target", Target: 50, Direction: -1, Cap: 1},
		{Method: "none"},
	}
	cases := 0
	for k, col := range src {
		for _, im := range imputes {
			for _, o := range outliers {
				for _, nm := range norms {
					s := Steps{Impute: im, Groups: groups, NGroups: benchGroups, Outliers: o, Normalise: nm}
					got, want := slices.Clone(col), slices.Clone(col)
					rg, eg := PrepareIndicator(got, s)
					rw, ew := stepByStep(want, s)
					if (eg == nil) != (ew == nil) {
						t.Fatalf("indicator %d %+v: errors %v / %v", k, s.Normalise, eg, ew)
					}
					if !sameSlice(got, want, 1e-9) {
						for i := range got {
							if !sameFloat(got[i], want[i], 1e-9) {
								t.Fatalf("indicator %d, impute %q, outliers %+v, %+v: unit %d: %v, step by step %v",
									k, im, o, nm, i, got[i], want[i])
							}
						}
					}
					if rg.Imputed != rw.Imputed || rg.Outliers.Winsorised != rw.Outliers.Winsorised ||
						rg.Outliers.LogTransformed != rw.Outliers.LogTransformed || rg.Outliers.Failed != rw.Outliers.Failed {
						t.Fatalf("indicator %d: reports %+v / %+v", k, rg, rw)
					}
					cases++
				}
			}
		}
	}
	t.Logf("%d combinations agree", cases)
}

func TestPrepareIndicatorErrors(t *testing.T) {
	col := []float64{1, nan, 3, 4}
	groups := []int32{0, 0, 1, 1}
	bad := OutlierOptions{SkewThreshold: -1}
	for _, c := range []struct {
		s    Steps
		want string
	}{
		{Steps{Impute: "knn"}, `unknown method "knn"`},
		{Steps{Impute: "group_mean", Groups: groups[:3], NGroups: 2}, "3 group entries for 4 units"},
		{Steps{Outliers: &bad}, "skewness threshold"},
		{Steps{Normalise: Normalisation{Method: "minmax", Low: 5, High: 1}}, "low < high"},
		{Steps{Normalise: Normalisation{Method: "zscore"}}, "positive standard deviation"},
		{Steps{Normalise: Normalisation{Method: "rank", Direction: 3}}, "direction"},
		{Steps{Normalise: Normalisation{Method: "goalposts", GoalLow: 1, GoalHigh: 2}}, "scale"},
		{Steps{Normalise: Normalisation{Method: "target", Target: math.NaN()}}, "target must be a number"},
		{Steps{Normalise: Normalisation{Method: "softmax"}}, `unknown method "softmax"`},
	} {
		x := slices.Clone(col)
		_, err := PrepareIndicator(x, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.s, err, c.want)
		}
		if !sameSlice(x, col, 0) {
			t.Errorf("%+v: column changed before the error", c.s)
		}
	}
	// A data-dependent error comes from the step.
	_, err := PrepareIndicator([]float64{1, 2, 3}, Steps{Normalise: Normalisation{Method: "target", Target: 1}})
	if err == nil || !strings.Contains(err.Error(), "minimum") {
		t.Errorf("target at the minimum: %v", err)
	}
	_, err = PrepareIndicator([]float64{1, 2}, Steps{Impute: "group_mean", Groups: []int32{0, 5}, NGroups: 2})
	if err == nil || !strings.Contains(err.Error(), "unit 1 has group 5") {
		t.Errorf("group out of range: %v", err)
	}
}
