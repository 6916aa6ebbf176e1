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

// idEntry is a rankEntry with the first 16 bytes of the enterprise's id,
// as two big-endian integers: they decide most comparisons of ids
// without reading the strings, which lie all over memory. Its key is the
// 32 bits of the score key in which the scores differ (see narrowKeys),
// so that an entry takes 24 bytes rather than 32.
type idEntry struct {
	hi, lo uint64
	key    uint32
	row    int32
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

// radixSortID is a one-worker radixSort for idEntry (used where scores
// are whole points: two passes). Only the digits in which some keys
// differ (bits set in diff) are sorted on.
func radixSortID(a, tmp []idEntry, diff uint32) []idEntry {
	if len(a) < 2 {
		return a
	}
	src, dst := a, tmp[:len(a)]
	var c [radixSize]uint32
	for shift := 0; shift < 32; shift += radixBits {
		if diff>>shift&radixMask == 0 {
			continue
		}
		clear(c[:])
		for k := range src {
			c[(src[k].key>>shift)&radixMask]++
		}
		var sum uint32
		for d, x := range c {
			c[d] = sum
			sum += x
		}
		for _, e := range src {
			d := (e.key >> shift) & radixMask
			dst[c[d]] = e
			c[d]++
		}
		src, dst = dst, src
	}
	return src
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
				parallelRuns(runs, m, workers, func(ru run) {
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

// parallelRuns calls f on every run from workers goroutines, handing them
// out in a few batches of similar total length rather than one by one: a
// cohort can have many short runs. total is the number of entries.
func parallelRuns(runs []run, total, workers int, f func(run)) {
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
	forEach(len(batches), workers, func(b int) {
		for _, ru := range batches[b] {
			f(ru)
		}
	})
}

// rankByID orders the ranked enterprises by score, then id, then row,
// into order, and returns their sorted entries. Part w of the entries
// (from bounds[w]) holds the ranked rows from rows[w] to rows[w+1].
//
// diff has the bits set in which the scores' keys differ, within 32
// consecutive bits (see narrowKeys).
func (r *Result) rankByID(order []int32, ids []string, rows, bounds []int, workers int, diff uint64) []idEntry {
	score := r.Score[r.P.DecisionNode.Index]
	shift, _ := narrowKeys(diff)
	es := make([]idEntry, len(order))
	forEach(len(rows)-1, len(rows)-1, func(w int) {
		k := bounds[w]
		for i := rows[w]; i < rows[w+1]; i++ {
			if r.Eligible[i] && !isNaN(score[i]) {
				hi, lo := idPrefix(ids[i])
				es[k] = idEntry{hi: hi, lo: lo, key: uint32(scoreKey(score[i]) >> shift), row: int32(i)}
				k++
			}
		}
	})
	// The sort leaves its result in one of its two buffers; the other
	// is the scratch of the runs' sorts.
	a, b := es, make([]idEntry, len(es))
	es = radixSortID(a, b, uint32(diff>>shift))
	tmp := b
	if len(es) > 0 && &es[0] == &b[0] {
		tmp = a
	}
	runs, _ := equalRuns(len(es), func(a, b int) bool { return es[a].key == es[b].key })
	parallelRuns(runs, len(es), workers, func(ru run) {
		sortByID(es[ru.lo:ru.hi], tmp[ru.lo:ru.hi], ids, 0)
	})
	for k, e := range es {
		order[k] = e.row
	}
	return es
}

// sortByID sorts es by id (its prefix hi, lo, then the whole id), then
// row, with tmp (of the same length) as scratch. It is a most-significant
// byte first radix sort on the prefix, from byte depth: ids share long
// prefixes (a credit code starts with its kind and region), which a
// comparison sort would compare again at every step, and whether one id
// sorts before another is as good as random, which costs a comparison
// sort a mispredicted branch per step.
func sortByID(es, tmp []idEntry, ids []string, depth int) {
	for {
		if len(es) <= 32 {
			insertionSortID(es, ids)
			return
		}
		// Skip the bytes all of es share.
		for ; depth < 16; depth++ {
			b0 := idByte(&es[0], depth)
			same := true
			for k := range es {
				if idByte(&es[k], depth) != b0 {
					same = false
					break
				}
			}
			if !same {
				break
			}
		}
		if depth == 16 {
			// Equal prefixes (ids longer than 16 bytes that differ after
			// them, or equal ids): the rest is a comparison sort.
			slices.SortFunc(es, func(a, b idEntry) int { return compareID(&a, &b, ids) })
			return
		}
		var start [257]int
		for k := range es {
			start[int(idByte(&es[k], depth))+1]++
		}
		for d := 1; d <= 256; d++ {
			start[d] += start[d-1]
		}
		next := start
		for k := range es {
			d := idByte(&es[k], depth)
			tmp[next[d]] = es[k]
			next[d]++
		}
		copy(es, tmp)
		depth++
		// Sort every bucket but the largest by recursion, and the
		// largest in this loop, so that the stack stays shallow.
		big := 0
		for d := 0; d < 256; d++ {
			if start[d+1]-start[d] > start[big+1]-start[big] {
				big = d
			}
		}
		for d := 0; d < 256; d++ {
			if d != big && start[d+1]-start[d] > 1 {
				sortByID(es[start[d]:start[d+1]], tmp[start[d]:start[d+1]], ids, depth)
			}
		}
		es, tmp = es[start[big]:start[big+1]], tmp[start[big]:start[big+1]]
	}
}

// idByte is byte d (0–15) of an entry's id prefix.
func idByte(e *idEntry, d int) uint8 {
	if d < 8 {
		return uint8(e.hi >> (56 - 8*d))
	}
	return uint8(e.lo >> (120 - 8*d))
}

// compareID orders two entries by id prefix, whole id, then row.
func compareID(a, b *idEntry, ids []string) int {
	switch {
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	case a.lo != b.lo:
		return cmp.Compare(a.lo, b.lo)
	}
	if c := cmp.Compare(ids[a.row], ids[b.row]); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// insertionSortID sorts a few entries by compareID.
func insertionSortID(es []idEntry, ids []string) {
	for k := 1; k < len(es); k++ {
		e := es[k]
		j := k
		for ; j > 0; j-- {
			p := &es[j-1]
			if p.hi < e.hi || p.hi == e.hi && (p.lo < e.lo || p.lo == e.lo && compareID(p, &e, ids) <= 0) {
				break
			}
			es[j] = *p
		}
		es[j] = e
	}
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

// idPrefix returns bytes 0–7 and 8–15 of s, big-endian, padded with zero
// bytes. Different prefixes order two ids as the strings do; equal ones
// leave it to the whole strings (one may be longer, or end in zeros).
func idPrefix(s string) (hi, lo uint64) {
	if len(s) >= 16 {
		hi = uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
		lo = uint64(s[8])<<56 | uint64(s[9])<<48 | uint64(s[10])<<40 | uint64(s[11])<<32 |
			uint64(s[12])<<24 | uint64(s[13])<<16 | uint64(s[14])<<8 | uint64(s[15])
		return hi, lo
	}
	for j := 0; j < 16; j++ {
		var c uint64
		if j < len(s) {
			c = uint64(s[j])
		}
		if j < 8 {
			hi = hi<<8 | c
		} else {
			lo = lo<<8 | c
		}
	}
	return hi, lo
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
