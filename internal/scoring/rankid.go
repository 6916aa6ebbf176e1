package scoring

import (
	"cmp"
	"math/bits"
	"slices"
)

// Ranking where only ids break ties and they are many (whole points):
// entries that carry each id's first bytes, sorted by counting on the
// score and then, within each run of equal scores, by a radix sort on
// those bytes.

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

// rankByID orders the ranked enterprises by score, then id, then row,
// into order, and returns their sorted entries. Part w of the entries
// (from bounds[w]) holds the ranked rows from rows[w] to rows[w+1].
//
// diff has the bits set in which the scores' keys differ, within 32
// consecutive bits (see narrowKeys).
func (r *Result) rankByID(order []int32, ids []string, rows, bounds []int, workers int, diff uint64) []idEntry {
	score := r.Score[r.P.DecisionNode.Index]
	shift, _ := narrowKeys(diff)
	parts := len(rows) - 1
	// One spare entry per part past the end: where a part's unranked
	// rows are written, so that the loops below need no jump on
	// eligibility (as good as random).
	m := len(order)
	es := make([]idEntry, m+parts)
	// tmp is the scratch of the runs' sorts: the radix sort's other
	// buffer, or else one per worker as long as the longest run.
	var tmp []idEntry
	var runs []run
	if width := bits.Len32(uint32(diff >> shift)); width <= bucketBits {
		// Few possible keys (whole points): a counting sort. Each part
		// counts its keys, then writes every entry straight to its
		// place, after the same key's entries of the parts before it,
		// so that equal keys stay in row order.
		size := 1 << width
		counts := make([][]uint32, parts)
		forEach(parts, parts, func(w int) {
			c := make([]uint32, size)
			elig := r.Eligible[rows[w]:rows[w+1]]
			sc := score[rows[w]:rows[w+1]]
			sc = sc[:len(elig)]
			for i, ok := range elig {
				x := sc[i]
				c[uint32(scoreKey(x)>>shift)&uint32(size-1)] += uint32(b2i(ok && x == x))
			}
			counts[w] = c
		})
		var sum uint32
		for b := 0; b < size; b++ {
			start := sum
			for w := range counts {
				x := counts[w][b]
				counts[w][b] = sum
				sum += x
			}
			if sum-start > 1 {
				runs = append(runs, run{int(start), int(sum)})
			}
		}
		forEach(parts, parts, func(w int) {
			c := counts[w]
			spare := uint32(m + w)
			for i := rows[w]; i < rows[w+1]; i++ {
				x := score[i]
				in := b2i(r.Eligible[i] && x == x)
				key := uint32(scoreKey(x) >> shift)
				b := key & uint32(size-1)
				at := c[b]
				c[b] = at + uint32(in)
				at ^= (at ^ spare) & uint32(in-1) // spare unless ranked
				hi, lo := idPrefix(ids[i])
				es[at] = idEntry{hi: hi, lo: lo, key: key, row: int32(i)}
			}
		})
		es = es[:m]
	} else {
		es = es[:m]
		tmp = make([]idEntry, m)
		forEach(parts, parts, func(w int) {
			k := bounds[w]
			for i := rows[w]; i < rows[w+1]; i++ {
				if r.Eligible[i] && !isNaN(score[i]) {
					hi, lo := idPrefix(ids[i])
					es[k] = idEntry{hi: hi, lo: lo, key: uint32(scoreKey(score[i]) >> shift), row: int32(i)}
					k++
				}
			}
		})
		// The sort leaves its result in one of its two buffers; the
		// other is the scratch of the runs' sorts.
		a, b := es, tmp
		es = radixSortID(a, b, uint32(diff>>shift))
		if len(es) > 0 && &es[0] == &b[0] {
			tmp = a
		}
		runs, _ = equalRuns(len(es), func(a, b int) bool { return es[a].key == es[b].key })
	}
	var own [][]idEntry
	if tmp == nil {
		longest := 0
		for _, ru := range runs {
			longest = max(longest, ru.hi-ru.lo)
		}
		own = make([][]idEntry, max(1, workers))
		for w := range own {
			own[w] = make([]idEntry, 0, longest)
		}
	}
	parallelRuns(runs, len(es), workers, func(w int, ru run) {
		var scratch []idEntry
		if tmp != nil {
			scratch = tmp[ru.lo:ru.hi]
		} else {
			scratch = own[w][:ru.hi-ru.lo]
		}
		sortByID(es[ru.lo:ru.hi], scratch, ids, 0)
	})
	shares := evenBounds(m, parts)
	forEach(parts, parts, func(w int) {
		for k := shares[w]; k < shares[w+1]; k++ {
			order[k] = es[k].row
		}
	})
	return es
}

// bucketBits bounds the keys rankByID sorts by counting: at most
// 2^bucketBits possible keys, a count per key and part. Whole points
// from 0 to 100 differ in 17 bits of their keys (exponent and the top
// of the mantissa). A variable so that tests can take the other path.
var bucketBits = 17

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
