package composite

import (
	"math"
	"slices"
)

// valCount is a distinct value and how many units have it.
type valCount struct {
	v float64
	n int
}

// extremes accumulates the k smallest and the k largest distinct values
// of a column, each with its exact count, as the values stream by: a value
// enters a list only if it is at least as extreme as the list's current
// threshold, so after the first few values almost every value costs two
// comparisons. A value that is in a list at the end was never evicted
// (thresholds only tighten), so none of its occurrences was missed.
type extremes struct {
	k        int
	bot, top []valCount // ascending, descending
	// lo and hi are the thresholds: a value v must be added if v <= lo or
	// v >= hi. While a list is not full its threshold lets every value in.
	lo, hi float64
}

func newExtremes(k int) *extremes {
	return &extremes{
		k:   k,
		bot: make([]valCount, 0, k+1),
		top: make([]valCount, 0, k+1),
		lo:  math.Inf(1),
		hi:  math.Inf(-1),
	}
}

// add counts n more occurrences of v (not NaN).
func (e *extremes) add(v float64, n int) {
	if v >= e.hi {
		e.top = insertCount(e.top, v, n, e.k, true)
		if len(e.top) == e.k {
			e.hi = e.top[e.k-1].v
		}
	}
	if v <= e.lo {
		e.bot = insertCount(e.bot, v, n, e.k, false)
		if len(e.bot) == e.k {
			e.lo = e.bot[e.k-1].v
		}
	}
}

// extent returns the smallest and largest values seen.
func (e *extremes) extent() extent {
	if len(e.bot) == 0 {
		return extent{lo: math.NaN(), hi: math.NaN(), known: true}
	}
	return extent{lo: e.bot[0].v, hi: e.top[0].v, known: true}
}

// collectExtremes returns the k smallest distinct values of col, ascending,
// and the k largest, descending, each with its exact count.
func collectExtremes(col []float64, k int) (bot, top []valCount) {
	if k > 32 {
		// Inserting into long lists would cost O(n·k) on sorted data.
		return sortedExtremes(col, k)
	}
	e := newExtremes(k)
	lo, hi := e.lo, e.hi
	for _, v := range col {
		if v >= hi || v <= lo { // false for NaN
			e.add(v, 1)
			lo, hi = e.lo, e.hi
		}
	}
	return e.bot, e.top
}

// sortedExtremes is collectExtremes by sorting a copy of the values.
func sortedExtremes(col []float64, k int) (bot, top []valCount) {
	v := make([]float64, 0, len(col))
	for _, x := range col {
		if x == x {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	var all []valCount
	for _, x := range v {
		if len(all) > 0 && all[len(all)-1].v == x {
			all[len(all)-1].n++
		} else {
			all = append(all, valCount{v: x, n: 1})
		}
	}
	bot = slices.Clone(all[:min(k, len(all))])
	top = slices.Clone(all[max(0, len(all)-k):])
	slices.Reverse(top)
	return bot, top
}

// insertCount counts n occurrences of v in a, a list of at most k distinct
// values sorted descending (desc) or ascending, inserting v if new and
// dropping the last entry if the list grows beyond k.
func insertCount(a []valCount, v float64, n, k int, desc bool) []valCount {
	j := 0
	if desc {
		for j < len(a) && a[j].v > v {
			j++
		}
	} else {
		for j < len(a) && a[j].v < v {
			j++
		}
	}
	if j < len(a) && a[j].v == v {
		a[j].n += n
		return a
	}
	a = slices.Insert(a, j, valCount{v: v, n: n})
	if len(a) > k {
		a = a[:k]
	}
	return a
}
