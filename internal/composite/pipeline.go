package composite

import (
	"fmt"
	"math"
)

// Steps says what PrepareIndicator does to one indicator column, in
// COINr's order: impute its missing values, treat its outliers, normalise
// it. The zero value does nothing but min-max to 0–100.
type Steps struct {
	// Impute is "" (or "none"), "mean", "median", "group_mean" or
	// "group_median"; the group methods use Groups and NGroups as
	// ImputeGroupMean does.
	Impute  string
	Groups  []int32
	NGroups int
	// Outliers, when not nil, is applied as TreatOutliers does.
	Outliers *OutlierOptions
	// Normalise brings the indicator to a common scale.
	Normalise Normalisation
}

// Normalisation selects a normalisation function and its parameters.
type Normalisation struct {
	// Method is "" or "minmax" (MinMax), "zscore" (ZScore), "rank"
	// (Rank), "percentile" (PercentRank), "goalposts" (Goalposts),
	// "target" (DistanceToTarget) or "none".
	Method string
	// Direction is 1 (higher is better; 0 means 1 too) or -1.
	Direction int
	// Low and High bound "minmax"; both 0 means 0 and 100.
	Low, High float64
	// Mean and SD are the targets of "zscore".
	Mean, SD float64
	// GoalLow, GoalHigh, Scale and Trunc are the parameters of
	// "goalposts".
	GoalLow, GoalHigh, Scale float64
	Trunc                    bool
	// Target and Cap are the parameters of "target"; Cap 0 means no cap.
	Target, Cap float64
}

// IndicatorReport says what PrepareIndicator did.
type IndicatorReport struct {
	Imputed  int           // missing values filled
	Outliers OutlierReport // zero when Steps.Outliers is nil
}

// PrepareIndicator runs the per-indicator steps of a composite pipeline on
// col, in place: the same results as calling ImputeGroupMean (or the
// imputation chosen), TreatOutliers and MinMax (or the normalisation
// chosen) one after the other — up to rounding, and with the same
// outlier decisions (a statistic within 1e-9 of a threshold is recomputed
// exactly as TreatOutliers does) — in fewer passes over the column: each
// step hands the next what it learnt on its way. With group-mean
// imputation, the imputation pass also takes the power sums for the
// outlier test (about a centre guessed from a sample, checked after), the
// extreme values winsorisation needs and the extent min-max needs. For the
// COINr default — group mean, TreatOutliers, min-max — an indicator that
// passes the outlier test takes two passes instead of six.
//
// Parameters that do not depend on the data are all checked before col is
// touched. An error found later (a group index out of range, a target
// equal to the data's minimum) leaves col partly processed: discard it.
// PrepareIndicator is single-threaded; run indicators in parallel with
// EachColumn.
func PrepareIndicator(col []float64, s Steps) (IndicatorReport, error) {
	var rep IndicatorReport
	if err := s.validate(len(col)); err != nil {
		return rep, err
	}
	nm := s.Normalise
	if nm.Direction == 0 {
		nm.Direction = 1
	}
	// t is the count and sum of the non-missing values, when known.
	var t tally
	known := false
	var ex *extremes // the column's extremes, when collected on the way
	var pre *moments // its moments, likewise
	var err error
	switch s.Impute {
	case "group_mean":
		// The imputation pass also collects the extremes that the outlier
		// treatment would otherwise make a pass for, the extent that
		// min-max needs, and the power sums for the outlier test.
		if s.Outliers != nil && s.Outliers.MaxWinsorise < 32 {
			ex = newExtremes(s.Outliers.MaxWinsorise + 1)
		} else {
			ex = newExtremes(1)
		}
		var sk *sketch
		if s.Outliers != nil {
			sk = &sketch{c: guessCentre(col)}
		}
		rep.Imputed, t, err = imputeGroupMean(col, s.Groups, s.NGroups, ex, sk)
		known = true
		if sk != nil && err == nil {
			mo := momentsFromSketch(col, t, sk.c, sk.ps)
			pre = &mo
		}
	case "group_median":
		rep.Imputed, err = ImputeGroupMedian(col, s.Groups, s.NGroups)
	case "mean":
		n, sum := sumCount(col)
		if n > 0 {
			m := sum / float64(n)
			rep.Imputed = fill(col, m)
			t, known = tally{n + rep.Imputed, sum + float64(rep.Imputed)*m}, true
		}
	case "median":
		rep.Imputed = ImputeMedian(col)
	}
	if err != nil {
		return rep, err
	}

	isMinMax := nm.Method == "" || nm.Method == "minmax"
	var ext extent
	if s.Outliers != nil {
		if !known {
			t.n, t.sum = sumCount(col)
		}
		rep.Outliers, ext = treatOutliers(col, *s.Outliers, t, ex, pre, isMinMax)
	} else if ex != nil {
		ext = ex.extent()
	}

	switch nm.Method {
	case "", "minmax":
		low, high := nm.Low, nm.High
		if low == 0 && high == 0 {
			high = 100
		}
		if !ext.known {
			lo, hi, n := Extent(col)
			ext, t = extent{lo: lo, hi: hi, known: true}, tally{n: n}
		}
		minMaxKnown(col, ext.lo, ext.hi, t.n, low, high, nm.Direction)
	case "zscore":
		err = ZScore(col, nm.Mean, nm.SD, nm.Direction)
	case "rank":
		err = Rank(col, nm.Direction)
	case "percentile":
		err = PercentRank(col, nm.Direction)
	case "goalposts":
		err = Goalposts(col, nm.GoalLow, nm.GoalHigh, nm.Scale, nm.Trunc, nm.Direction)
	case "target":
		err = DistanceToTarget(col, nm.Target, targetCap(nm.Cap), nm.Direction)
	}
	return rep, err
}

func targetCap(c float64) float64 {
	if c == 0 {
		return math.Inf(1)
	}
	return c
}

// validate checks everything that does not depend on the data, by running
// the steps' own checks on an empty column.
func (s Steps) validate(units int) error {
	switch s.Impute {
	case "", "none", "mean", "median":
	case "group_mean", "group_median":
		if len(s.Groups) != units {
			return fmt.Errorf("group imputation: %d group entries for %d units", len(s.Groups), units)
		}
		if err := checkGroups(nil, nil, s.NGroups); err != nil {
			return err
		}
	default:
		return fmt.Errorf("imputation: unknown method %q; use none, mean, median, group_mean or group_median", s.Impute)
	}
	if s.Outliers != nil {
		if err := s.Outliers.validate(); err != nil {
			return err
		}
	}
	nm := s.Normalise
	if nm.Direction == 0 {
		nm.Direction = 1
	}
	var none []float64
	switch nm.Method {
	case "", "minmax":
		if nm.Low == 0 && nm.High == 0 {
			nm.High = 100
		}
		return MinMax(none, nm.Low, nm.High, nm.Direction)
	case "zscore":
		return ZScore(none, nm.Mean, nm.SD, nm.Direction)
	case "rank":
		return Rank(none, nm.Direction)
	case "percentile":
		return PercentRank(none, nm.Direction)
	case "goalposts":
		return Goalposts(none, nm.GoalLow, nm.GoalHigh, nm.Scale, nm.Trunc, nm.Direction)
	case "target":
		return DistanceToTarget(none, nm.Target, targetCap(nm.Cap), nm.Direction)
	case "none":
		return checkDirection("normalisation", nm.Direction)
	}
	return fmt.Errorf("normalisation: unknown method %q; use minmax, zscore, rank, percentile, goalposts, target or none", nm.Method)
}
