package workflow

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
)

// How a result is stored (results.result).
//
// Readers see the engine's full output per enterprise (resultDoc: every
// node's score by node id, the indicators by id, the reason, …; Results
// returns it so). Stored, since format 2, is a compact form of it that
// leaves out what the run's program version and the result's columns
// already hold:
//
//	{"f":2, "id":"…", "channel":"…", "coverage":1,
//	 "ind":[…],                  // indicator values, in the program's indicator order
//	 "nodes":[…],                // every node's score, in the program's node order (p.Nodes)
//	 "lo":[…], "hi":[…],         // a node's score range, where a band allows one (only when some node has one)
//	 "bands":["", "A", …],       // band labels (only when some node has one)
//	 "failures":[…],             // as in resultDoc
//	 "channel_rank":76, "outcome":"pass", "reason":{"zh":"…","en":"…"}}
//
// with null for a value the engine has none of (NaN). Eligible, total and
// rank are the row's columns. Numbers are written with as many digits as
// tell the float64 apart, so nothing is rounded: the full document comes
// back exactly (expandResult). A row of format 1 (no "f"; written before)
// is the full document itself, and is read as it is.
//
// Compared with the full document (~2.1 KB for miit-tide's 33 nodes),
// the stored form is about 40 % of the bytes, which is what a cycle's
// evaluation writes and its deliberation reads back.
const resultFormat = 2

// storedResult is what both formats of a stored result decode into.
type storedResult struct {
	Format int `json:"f"`
	resultDoc
	Ind   []*float64 `json:"ind"`
	Nodes []*float64 `json:"nodes"`
	Lo    []*float64 `json:"lo"`
	Hi    []*float64 `json:"hi"`
	Bands []string   `json:"bands"`
}

// encodeResult appends enterprise e's stored result (format resultFormat)
// to buf.
func encodeResult(buf []byte, p *program.Program, res *scoring.Result, e scoring.Enterprise) ([]byte, error) {
	buf = append(buf, `{"f":`...)
	buf = strconv.AppendInt(buf, resultFormat, 10)
	buf = append(buf, `,"id":`...)
	buf = appendString(buf, e.ID)
	if e.Channel != "" {
		buf = append(buf, `,"channel":`...)
		buf = appendString(buf, e.Channel)
	}
	if c := number(e.Coverage); c != nil {
		buf = append(buf, `,"coverage":`...)
		buf = appendNumber(buf, e.Coverage)
	}
	if len(p.Indicators) > 0 {
		buf = append(buf, `,"ind":[`...)
		for k, ind := range p.Indicators {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendNumber(buf, res.Cols[ind.Col][e.Row])
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"nodes":[`...)
	ranged, banded := false, false
	for k, sc := range e.Scores {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = appendNumber(buf, sc.Score)
		ranged = ranged || sc.Lo != sc.Hi
		banded = banded || sc.Band != ""
	}
	buf = append(buf, ']')
	if ranged {
		for _, side := range []string{"lo", "hi"} {
			buf = append(buf, `,"`+side+`":[`...)
			for k, sc := range e.Scores {
				if k > 0 {
					buf = append(buf, ',')
				}
				v := sc.Lo
				if side == "hi" {
					v = sc.Hi
				}
				if sc.Lo == sc.Hi {
					v = math.NaN() // no range: null
				}
				buf = appendNumber(buf, v)
			}
			buf = append(buf, ']')
		}
	}
	if banded {
		buf = append(buf, `,"bands":[`...)
		for k, sc := range e.Scores {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, sc.Band)
		}
		buf = append(buf, ']')
	}
	if len(e.Failures) > 0 {
		var fs []failureDoc
		for _, f := range e.Failures {
			fd := failureDoc{Gate: f.Gate, Missing: f.Missing, Message: text(f.Message)}
			for _, v := range f.Values {
				fd.Values = append(fd.Values, valueDoc{Name: v.Name, Value: number(v.Value), Unit: v.Unit})
			}
			fs = append(fs, fd)
		}
		b, err := json.Marshal(fs)
		if err != nil {
			return nil, err
		}
		buf = append(buf, `,"failures":`...)
		buf = append(buf, b...)
	}
	buf = append(buf, `,"channel_rank":`...)
	buf = strconv.AppendInt(buf, int64(e.ChannelRank), 10)
	buf = append(buf, `,"outcome":`...)
	buf = appendString(buf, e.Outcome.String())
	buf = append(buf, `,"reason":{"zh":`...)
	buf = appendString(buf, e.Reason.Zh)
	buf = append(buf, `,"en":`...)
	buf = appendString(buf, e.Reason.En)
	return append(buf, "}}"...), nil
}

// decodeResult reads a stored result of either format.
func decodeResult(doc []byte) (storedResult, error) {
	var s storedResult
	err := json.Unmarshal(doc, &s)
	return s, err
}

// expandResult returns stored result r, of the run of program p, as the
// full document (resultDoc): a format 1 row as it is, a format 2 row with
// its node and indicator ids, eligibility, total and rank put back.
func expandResult(p *program.Program, r store.Result) (json.RawMessage, error) {
	s, err := decodeResult(r.Result)
	if err != nil || s.Format < 2 {
		return r.Result, err
	}
	d := s.resultDoc
	d.Eligible, d.Total, d.Rank = r.Eligible, r.Score, r.Rank
	if len(p.Indicators) > 0 {
		d.Indicators = make(map[string]*float64, len(p.Indicators))
		for k, ind := range p.Indicators {
			if k < len(s.Ind) {
				d.Indicators[ind.ID] = s.Ind[k]
			}
		}
	}
	d.Scores = make([]scoreDoc, 0, len(s.Nodes))
	for k, v := range s.Nodes {
		if k >= len(p.Nodes) {
			break
		}
		sd := scoreDoc{Node: p.Nodes[k].ID, Score: v}
		if k < len(s.Lo) && k < len(s.Hi) && (s.Lo[k] != nil || s.Hi[k] != nil) {
			sd.Lo, sd.Hi = s.Lo[k], s.Hi[k]
		}
		if k < len(s.Bands) {
			sd.Band = s.Bands[k]
		}
		d.Scores = append(d.Scores, sd)
	}
	return json.Marshal(d)
}

// appendNumber appends v as JSON: the shortest decimal that reads back as
// v, or null for NaN and infinities.
func appendNumber(buf []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(buf, "null"...)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64)
}

// appendString appends s as a JSON string.
func appendString(buf []byte, s string) []byte {
	if !utf8.ValidString(s) {
		b, _ := json.Marshal(s) // replaces invalid bytes, as json.Marshal always did here
		return append(buf, b...)
	}
	buf = append(buf, '"')
	start := 0 // s[start:i] is still to copy
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '"' && c != '\\' && c >= 0x20 {
			continue
		}
		buf = append(buf, s[start:i]...)
		if c < 0x20 {
			buf = append(buf, `\u00`...)
			buf = append(buf, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		} else {
			buf = append(buf, '\\', c)
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
