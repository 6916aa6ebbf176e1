package scoring

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/exemplar/exemplar/internal/program"
)

// rankEntry is a ranked enterprise with its decision score as a sort key.
type rankEntry struct {
	key uint64
	row int32
}

// narrowKeys reports whether the bits set in diff (those in which the
// score keys differ) lie within 32 consecutive bits, and from which bit.
func narrowKeys(diff uint64) (shift int, ok bool) {
	if diff == 0 {
		return 0, true
	}
	shift = bits.TrailingZeros64(diff)
	return shift, bits.Len64(diff)-shift <= 32
}

// scoreKey maps a score to an unsigned integer that sorts the best score
// first: IEEE 754 bits with the sign folded in, then complemented. -0 and
// +0 get the same key, as they compare equal.
func scoreKey(x float64) uint64 {
	if x == 0 {
		x = 0
	}
	b := math.Float64bits(x)
	if b>>63 != 0 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return ^b
}

// Radix sorts take 11-bit digits: six linear passes over a million keys
// instead of a comparison sort's twenty, with counts that fit in L1.
const (
	radixBits   = 11
	radixSize   = 1 << radixBits
	radixMask   = radixSize - 1
	radixPasses = (64 + radixBits - 1) / radixBits
)

// digitCounts counts, for every digit position, how many keys have each
// digit.
type digitCounts [radixPasses][radixSize]uint32

func (c *digitCounts) add(k uint64) {
	for p := range radixPasses {
		c[p][(k>>(p*radixBits))&radixMask]++
	}
}

// constant reports whether all n keys counted in c have the same digit
// p, so that a pass on it would only copy.
func (c *digitCounts) constant(p, n int) bool {
	for _, x := range c[p] {
		if x != 0 {
			return int(x) == n
		}
	}
	return true
}

// radixSort sorts a by key, stably, using tmp (of the same length) as the
// other buffer, and returns whichever of the two holds the result. It is a
// least-significant-digit radix sort; a pass whose digit is the same for
// every key (the high bits of nearby scores, the low bits of whole
// points) is skipped.
//
// a is in len(counts) consecutive parts, part w starting at bounds[w] and
// holding the keys counted in counts[w]; a worker sorts each part's share
// of every pass. Within a digit, part w's entries go after those of the
// parts before it, each in its order, so the sort stays stable.
func radixSort(a, tmp []rankEntry, bounds []int, counts []*digitCounts) []rankEntry {
	n, parts := len(a), len(counts)
	if n < 2 {
		return a
	}
	var total digitCounts
	for _, c := range counts {
		for p := range total {
			for d, x := range c[p] {
				total[p][d] += x
			}
		}
	}
	src, dst := a, tmp[:n]
	// The counts describe the parts of a; after the first pass the parts
	// (now even shares of src) have to be counted again, one digit at a
	// time. A single part needs no recount: its counts are the total.
	fresh := true
	offsets := make([][radixSize]uint32, parts)
	for p := range radixPasses {
		if total.constant(p, n) {
			continue
		}
		shift := p * radixBits
		if !fresh && parts > 1 {
			bounds = evenBounds(n, parts)
			forEach(parts, parts, func(w int) {
				c := &offsets[w]
				clear(c[:])
				for _, e := range src[bounds[w]:bounds[w+1]] {
					c[(e.key>>shift)&radixMask]++
				}
			})
		} else {
			for w := range offsets {
				offsets[w] = counts[w][p]
			}
		}
		// Digit d of part w starts after every smaller digit and after
		// digit d of the parts before w.
		var sum uint32
		for d := 0; d < radixSize; d++ {
			for w := range offsets {
				x := offsets[w][d]
				offsets[w][d] = sum
				sum += x
			}
		}
		forEach(parts, parts, func(w int) {
			c := &offsets[w]
			for _, e := range src[bounds[w]:bounds[w+1]] {
				d := (e.key >> shift) & radixMask
				dst[c[d]] = e
				c[d]++
			}
		})
		src, dst = dst, src
		fresh = false
	}
	return src
}

// evenBounds splits n into parts consecutive ranges of nearly equal size.
func evenBounds(n, parts int) []int {
	b := make([]int, parts+1)
	for w := range b {
		b[w] = n * w / parts
	}
	return b
}

// rank orders the ranked enterprises and gives each its rank.
//
// The order is by decision score, best first, then the program's
// tie-breaks, then the enterprise id, then the row. It is computed by a
// stable radix sort on the score, which already leaves equal scores in
// row order, followed by a sort of each run of equal scores on the
// remaining keys (on several workers, as the runs are independent): a
// radix sort on the id's first bytes where only ids break ties and they
// are many (rankByID), a comparison sort otherwise. Every key together
// is a total order, so the result is the one a single comparison sort on
// all keys gives.
//
// It returns the channel of each enterprise in Order (see channelSlots)
// for decide.
func (r *Result) rank(workers int) (slots []int32, names []string) {
	p := r.P
	score := r.Score[p.DecisionNode.Index]
	r.Rank = make([]int32, r.N)
	r.ChannelRank = make([]int32, r.N)
	ranked := func(i int) bool { return r.Eligible[i] && !isNaN(score[i]) }
	// Each worker counts the ranked enterprises of its share of the rows
	// and their keys' digits, then fills its part of the entries.
	parts := 1
	if r.N >= 1<<16 {
		parts = max(1, workers)
	}
	rows := evenBounds(r.N, parts)
	// First only how many each share ranks and which bits of their keys
	// differ: whether the scores are few (whole points) decides how to
	// sort, and only the general sort needs the digits counted.
	sizes := make([]int, parts)
	refs := make([]uint64, parts)
	diffs := make([]uint64, parts)
	forEach(parts, parts, func(w int) {
		lo, hi := rows[w], rows[w+1]
		for lo < hi && !ranked(lo) {
			lo++
		}
		if lo == hi {
			return
		}
		ref := scoreKey(score[lo])
		n, diff := 0, uint64(0)
		elig := r.Eligible[lo:hi]
		sc := score[lo:hi]
		sc = sc[:len(elig)]
		for i, ok := range elig {
			x := sc[i]
			in := mask(ok) & mask(x == x) // without a jump: eligibility is random
			n -= int(int64(in))
			diff |= (scoreKey(x) ^ ref) & in
		}
		sizes[w], refs[w], diffs[w] = n, ref, diff
	})
	bounds := make([]int, parts+1)
	var diff, ref uint64
	haveRef := false
	for w, n := range sizes {
		bounds[w+1] = bounds[w] + n
		if n > 0 {
			if !haveRef {
				ref, haveRef = refs[w], true
			}
			diff |= diffs[w] | (refs[w] ^ ref)
		}
	}
	m := bounds[parts]
	varying := 0
	for q := range radixPasses {
		if diff>>(q*radixBits)&radixMask != 0 {
			varying++
		}
	}
	// counts returns each share's digit counts, for radixSort.
	counts := func() []*digitCounts {
		counts := make([]*digitCounts, parts)
		forEach(parts, parts, func(w int) {
			c := new(digitCounts)
			for i := rows[w]; i < rows[w+1]; i++ {
				if ranked(i) {
					c.add(scoreKey(score[i]))
				}
			}
			counts[w] = c
		})
		return counts
	}
	ids := r.idColumn()
	order := make([]int32, m)
	var sameKey func(k int) bool // whether order[k] ties with order[k-1]
	_, narrow := narrowKeys(diff)
	if ids != nil && len(p.Ties) == 0 && varying <= 2 && narrow && m >= 1<<12 {
		// Few distinct scores (whole points, hnte's case): ties by the
		// thousand, broken by id. Sort entries that carry each id's
		// prefix, so that no run has to fetch its ids one by one.
		es := r.rankByID(order, ids, rows, bounds, workers, diff)
		sameKey = func(k int) bool { return es[k].key == es[k-1].key }
	} else {
		entries := make([]rankEntry, m)
		forEach(parts, parts, func(w int) {
			k := bounds[w]
			for i := rows[w]; i < rows[w+1]; i++ {
				if ranked(i) {
					entries[k] = rankEntry{key: scoreKey(score[i]), row: int32(i)}
					k++
				}
			}
		})
		entries = radixSort(entries, make([]rankEntry, m), bounds, counts())
		for k, e := range entries {
			order[k] = e.row
		}
		sameKey = func(k int) bool { return entries[k].key == entries[k-1].key }
		if ids != nil || len(p.Ties) > 0 {
			runs, tied := equalRuns(m, func(a, b int) bool { return entries[a].key == entries[b].key })
			if ids != nil && len(p.Ties) == 0 && tied >= m/8 && narrow {
				// Many ties after all: as above.
				es := r.rankByID(order, ids, rows, bounds, workers, diff)
				sameKey = func(k int) bool { return es[k].key == es[k-1].key }
			} else {
				cmpTies := r.tieCompare(ids)
				parallelRuns(runs, m, workers, func(_ int, ru run) {
					slices.SortFunc(order[ru.lo:ru.hi], cmpTies)
				})
			}
		}
	}
	r.Order = order
	slots, names = r.channelSlots()
	// Ranks: equal scores share the rank of the first of them. Each
	// worker takes a share of the order and looks back for the start of
	// the run it begins in.
	shares := evenBounds(m, parts)
	forEach(parts, parts, func(w int) {
		lo, hi := shares[w], shares[w+1]
		start := lo
		for start > 0 && sameKey(start) {
			start--
		}
		for k := lo; k < hi; k++ {
			if k > lo && !sameKey(k) {
				start = k
			}
			i := order[k]
			r.Rank[i] = int32(start + 1)
			if slots == nil {
				r.ChannelRank[i] = int32(k + 1)
			}
		}
	})
	if slots == nil {
		return nil, nil
	}
	seen := make([]int32, len(names))
	for k, i := range order {
		s := slots[k]
		seen[s]++
		r.ChannelRank[i] = seen[s]
	}
	return slots, names
}

// run is a range [lo, hi) of sorted entries with equal scores.
type run struct{ lo, hi int }

// equalRuns returns the runs of more than one entry among n sorted ones,
// where same(a, b) says whether entries a and b have equal keys, and the
// number of entries in them.
func equalRuns(n int, same func(a, b int) bool) (runs []run, tied int) {
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && same(hi, lo) {
			hi++
		}
		if hi-lo > 1 {
			runs = append(runs, run{lo, hi})
			tied += hi - lo
		}
		lo = hi
	}
	return runs, tied
}

// parallelRuns calls f(w, run) on every run from workers goroutines (w
// numbers the goroutine, from 0), handing them out in a few batches of
// similar total length rather than one by one: a cohort can have many
// short runs. total is the number of entries.
func parallelRuns(runs []run, total, workers int, f func(w int, ru run)) {
	var batches [][]run
	per := total/(4*max(workers, 1)) + 1
	for lo := 0; lo < len(runs); {
		hi, size := lo, 0
		for hi < len(runs) && (hi == lo || size < per) {
			size += runs[hi].hi - runs[hi].lo
			hi++
		}
		batches = append(batches, runs[lo:hi])
		lo = hi
	}
	forEachWorker(len(batches), workers, func(w, b int) {
		for _, ru := range batches[b] {
			f(w, ru)
		}
	})
}

// tieCompare returns the order of two enterprises with equal scores: the
// program's tie-breaks, then the id, then the row.
func (r *Result) tieCompare(ids []string) func(a, b int32) int {
	p := r.P
	return func(a, b int32) int {
		for _, t := range p.Ties {
			var col []float64
			if t.Node != nil {
				col = r.Score[t.Node.Index]
			} else {
				col = r.Cols[t.Col]
			}
			// Missing sorts last whatever the order.
			x, y := col[a], col[b]
			switch {
			case isNaN(x) && isNaN(y):
				continue
			case isNaN(x):
				return 1
			case isNaN(y):
				return -1
			}
			c := cmp.Compare(x, y)
			if t.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if ids != nil {
			if c := cmp.Compare(ids[a], ids[b]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	}
}

// channelSlots numbers the channels of the enterprises in r.Order:
// slots[k] is the channel of r.Order[k] as an index into names. Both are
// nil when the program has no channel input (every enterprise is in
// channel ""). A choice's option k is slot k and a missing or unknown
// value the last slot, ""; text channels are numbered as they appear.
func (r *Result) channelSlots() (slots []int32, names []string) {
	in := r.P.ChannelInput
	if in == nil {
		return nil, nil
	}
	slots = make([]int32, len(r.Order))
	if in.Kind == program.KindText {
		index := map[string]int32{}
		col := r.Text[in.TextCol]
		for k, i := range r.Order {
			ch := col[i]
			s, ok := index[ch]
			if !ok {
				s = int32(len(names))
				index[ch] = s
				names = append(names, ch)
			}
			slots[k] = s
		}
		return slots, names
	}
	for _, o := range in.Options {
		names = append(names, o.Value)
	}
	none := int32(len(names))
	names = append(names, "") // OptionValue of a missing or unknown code
	col := r.Cols[in.Col]
	for k, i := range r.Order {
		v := col[i]
		c := int(v)
		if isNaN(v) || c < 0 || c >= len(in.Options) {
			slots[k] = none
		} else {
			slots[k] = int32(c)
		}
	}
	return slots, names
}

func (r *Result) idColumn() []string {
	if r.P.IDInput == nil {
		return nil
	}
	return r.Text[r.P.IDInput.TextCol]
}

// ID returns enterprise i's identifier.
func (r *Result) ID(i int) string {
	if ids := r.idColumn(); ids != nil {
		return ids[i]
	}
	return ""
}

// Channel returns enterprise i's channel, or "" when the program has none.
func (r *Result) Channel(i int) string {
	in := r.P.ChannelInput
	switch {
	case in == nil:
		return ""
	case in.Kind == program.KindText:
		return r.Text[in.TextCol][i]
	}
	return in.OptionValue(r.Cols[in.Col][i])
}

// Quota returns the number that may pass in channel ch; 0 means no limit.
func (r *Result) Quota(ch string) int {
	if n, ok := r.quotas[ch]; ok {
		return n
	}
	q := r.P.Def.Decision.Quota
	if n, ok := q.Channels[ch]; ok {
		return n
	}
	return q.Default
}

// PassesThreshold reports whether a decision score clears the threshold.
func (r *Result) PassesThreshold(s float64) bool {
	d := &r.P.Def.Decision
	switch {
	case isNaN(s):
		return false
	case d.Threshold == nil:
		return true
	case d.Strict:
		return s > *d.Threshold
	}
	return s >= *d.Threshold
}

// decide sets every outcome: gates first, then coverage, threshold and
// quota in rank order. slots and names are rank's channels.
func (r *Result) decide(slots []int32, names []string) {
	score := r.Score[r.P.DecisionNode.Index]
	r.Outcome = make([]Outcome, r.N)
	out := r.Outcome
	elig := r.Eligible[:len(out)]
	score = score[:len(out)]
	for i, ok := range elig {
		// Arithmetic rather than a switch, whose jumps eligibility (as
		// good as random) would mispredict: not eligible 0, not scored
		// 1, below the threshold 2.
		x := score[i]
		out[i] = Outcome((2 - b2i(x != x)) * b2i(ok))
	}
	if slots == nil {
		names = []string{""}
	}
	quota := make([]int, len(names))
	for s, ch := range names {
		quota[s] = r.Quota(ch)
	}
	passed := make([]int, len(names))
	for k, i := range r.Order {
		if !r.PassesThreshold(score[i]) {
			// Order is by score, best first: no one after passes either.
			break
		}
		var s int32
		if slots != nil {
			s = slots[k]
		}
		if q := quota[s]; q > 0 && passed[s] >= q {
			r.Outcome[i] = OverQuota
			continue
		}
		passed[s]++
		r.Outcome[i] = Pass
	}
}
