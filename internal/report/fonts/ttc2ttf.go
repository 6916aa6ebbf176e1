//go:build ignore

// Command ttc2ttf copies one font out of a TrueType Collection (.ttc) into a
// standalone TrueType file (.ttf), byte for byte except for the file's own
// framing: PDF libraries embed TTF files but not collections, and Debian ships
// WenQuanYi Micro Hei only as a collection.
//
// Usage (run by `go generate ./internal/report`):
//
//	go run ttc2ttf.go -index 0 /usr/share/fonts/truetype/wqy/wqy-microhei.ttc wqy-microhei.ttf
//
// The tables of the chosen font are copied unchanged, 4-byte aligned and in
// the order of its table directory; only head.checkSumAdjustment is computed
// anew for the new file, as the OpenType specification requires. Glyphs,
// metrics and names are not touched, so the result is the unaltered font.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	index := flag.Int("index", 0, "which font of the collection to extract (0-based)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ttc2ttf.go [-index N] in.ttc out.ttf")
		os.Exit(2)
	}
	in, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	out, err := extract(in, *index)
	if err != nil {
		fail(fmt.Errorf("%s: %w", flag.Arg(0), err))
	}
	tmp := flag.Arg(1) + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		fail(err)
	}
	if err := os.Rename(tmp, flag.Arg(1)); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ttc2ttf:", err)
	os.Exit(1)
}

type record struct {
	tag                      [4]byte
	sum, offset, length, new uint32
}

func extract(in []byte, index int) ([]byte, error) {
	be := binary.BigEndian
	if len(in) < 12 || string(in[:4]) != "ttcf" {
		return nil, errors.New("not a TrueType collection (no ttcf header)")
	}
	n := int(be.Uint32(in[8:]))
	if index < 0 || index >= n || len(in) < 12+4*n {
		return nil, fmt.Errorf("font index %d out of range: the collection holds %d fonts", index, n)
	}
	dir := int(be.Uint32(in[12+4*index:]))
	if dir+12 > len(in) {
		return nil, errors.New("table directory past end of file")
	}
	numTables := int(be.Uint16(in[dir+4:]))
	if dir+12+16*numTables > len(in) {
		return nil, errors.New("table records past end of file")
	}
	recs := make([]record, numTables)
	pos := uint32(12 + 16*numTables)
	headAt := -1
	for i := range recs {
		r := in[dir+12+16*i:]
		copy(recs[i].tag[:], r[:4])
		recs[i].sum, recs[i].offset, recs[i].length = be.Uint32(r[4:]), be.Uint32(r[8:]), be.Uint32(r[12:])
		if uint64(recs[i].offset)+uint64(recs[i].length) > uint64(len(in)) {
			return nil, fmt.Errorf("table %q past end of file", recs[i].tag[:])
		}
		if string(recs[i].tag[:]) == "head" {
			headAt = i
		}
		recs[i].new = pos
		pos += (recs[i].length + 3) &^ 3
	}
	if headAt < 0 {
		return nil, errors.New("font has no head table")
	}
	out := make([]byte, pos)
	copy(out[:12], in[dir:dir+12]) // sfnt version, numTables, search fields
	for i, rec := range recs {
		r := out[12+16*i:]
		copy(r[:4], rec.tag[:])
		be.PutUint32(r[4:], rec.sum)
		be.PutUint32(r[8:], rec.new)
		be.PutUint32(r[12:], rec.length)
		copy(out[rec.new:], in[rec.offset:rec.offset+rec.length])
	}
	head := out[recs[headAt].new:]
	be.PutUint32(head[8:], 0)
	be.PutUint32(head[8:], 0xB1B0AFBA-checksum(out))
	return out, nil
}

// checksum is the OpenType table checksum: the sum of big-endian uint32s.
func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i+4 <= len(b); i += 4 {
		s += binary.BigEndian.Uint32(b[i:])
	}
	return s
}
