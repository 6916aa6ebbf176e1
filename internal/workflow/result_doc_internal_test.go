package workflow

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/store"
)

// fullResultDoc is the full document as StartEvaluation stored it before
// format 2 (format 1): what expandResult must give back.
func fullResultDoc(p *program.Program, res *scoring.Result, e scoring.Enterprise) resultDoc {
	d := resultDoc{
		ID: e.ID, Channel: e.Channel, Eligible: e.Eligible, Coverage: number(e.Coverage), Total: number(e.Total),
		Rank: e.Rank, ChannelRank: e.ChannelRank, Outcome: e.Outcome.String(), Reason: text(e.Reason),
	}
	for _, f := range e.Failures {
		fd := failureDoc{Gate: f.Gate, Missing: f.Missing, Message: text(f.Message)}
		for _, v := range f.Values {
			fd.Values = append(fd.Values, valueDoc{Name: v.Name, Value: number(v.Value), Unit: v.Unit})
		}
		d.Failures = append(d.Failures, fd)
	}
	if len(p.Indicators) > 0 {
		d.Indicators = map[string]*float64{}
		for _, ind := range p.Indicators {
			d.Indicators[ind.ID] = number(res.Cols[ind.Col][e.Row])
		}
	}
	for _, sc := range e.Scores {
		sd := scoreDoc{Node: sc.Node, Score: number(sc.Score), Band: sc.Band}
		if sc.Lo != sc.Hi {
			sd.Lo, sd.Hi = number(sc.Lo), number(sc.Hi)
		}
		d.Scores = append(d.Scores, sd)
	}
	return d
}

// TestStoredResultExpandsToTheFullDocument checks that a result stored in
// format 2 reads back as exactly the full document, for both built-in
// programs over random inputs (some missing, many failing gates).
func TestStoredResultExpandsToTheFullDocument(t *testing.T) {
	for _, name := range []string{"miit-tide", "hnte"} {
		p, err := program.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		const n = 300
		rng := rand.New(rand.NewPCG(1, 2))
		table := scoring.NewTable(p, n)
		for _, col := range table.Num {
			scale := math.Pow(10, float64(rng.IntN(6)))
			for i := range col {
				switch rng.IntN(10) {
				case 0:
					col[i] = math.NaN()
				case 1:
					col[i] = 0
				default:
					col[i] = rng.Float64() * scale
				}
			}
		}
		res, err := scoring.Run(p, table, scoring.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf []byte
		stored, full := 0, 0
		for i := range n {
			e := res.Enterprise(i)
			want, err := json.Marshal(fullResultDoc(p, res, e))
			if err != nil {
				t.Fatal(err)
			}
			buf, err = encodeResult(buf[:0], p, res, e)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(buf) {
				t.Fatalf("%s: stored result %s is not JSON", name, buf)
			}
			stored, full = stored+len(buf), full+len(want)
			r := store.Result{Eligible: e.Eligible, Score: number(e.Total), Rank: e.Rank, Result: buf}
			got, err := expandResult(p, r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, enterprise %d: stored %s\nexpands to %s\nwant       %s", name, i, buf, got, want)
			}
			// A format 1 row reads as it is.
			if old, err := expandResult(p, store.Result{Result: want}); err != nil || !bytes.Equal(old, want) {
				t.Fatalf("%s: a format 1 row reads back as %s (%v)", name, old, err)
			}
		}
		t.Logf("%s: stored %d bytes for %d bytes of full documents", name, stored, full)
	}
}

func TestAppendStringIsJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `a "quoted" \ back`, "tab\there\nline\x01", "通过：得分 51.2", "end\\", "\"", "bad \xff byte"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendString(%q) = %s: %v", s, got, err)
			continue
		}
		want := s
		if s == "bad \xff byte" {
			want = "bad \uFFFD byte"
		}
		if back != want {
			t.Errorf("appendString(%q) = %s, reads back as %q", s, got, back)
		}
	}
}
