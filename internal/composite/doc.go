// Package composite holds the numeric steps of a composite-indicator
// pipeline — statistics, imputation, coverage screening, outlier
// treatment, normalisation and aggregation — with the formulas of COINr,
// the JRC's R package (Becker et al. 2022), so that a program scored here
// gives the numbers COINr gives on the same data.
//
// The package is columnar: a column is a []float64 holding one indicator
// over all units, and a missing value is math.NaN(). Callers guarantee that
// real values are finite, so NaN always means "missing"; values near the
// float64 limits (|x| > 1e150 or so) may make statistics NaN but never
// produce an infinity in a transformed column.
//
// Functions that transform a column do it in place, so a pipeline over a
// million units allocates nothing per value. They are single-threaded;
// EachColumn runs one function per column on several goroutines.
// PrepareIndicator chains the per-indicator steps (impute, treat outliers,
// normalise) with the results of the steps called one by one but fewer
// passes over the column, each step handing the next what it learnt.
//
// The reference for every formula is COINr 1.1 (see the doc comment of
// each function for the COINr function it follows and for the few places
// where we choose differently, always documented). The tests replay
// COINr's ASEM reference pipeline and compare with COINr's own output.
//
// Invalid parameters (a direction that is not ±1, negative weights, a
// geometric mean over a zero, ...) are reported as errors that name the
// parameter, unit or indicator at fault; nothing here panics on bad input.
//
// Everything is pure: no I/O, no clock, no global state.
package composite
