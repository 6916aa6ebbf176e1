// Package report writes results for people and other programs: one row
// per enterprise to XLSX, CSV or JSON.
package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
)

// CheckFormat reports whether path has an extension Write can produce.
func CheckFormat(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".csv", ".json":
		return nil
	}
	return fmt.Errorf("output %s: use a .xlsx, .csv or .json file name", path)
}

// Write writes one row per enterprise of r to path (.xlsx, .csv or .json),
// in lang ("en" or "zh"). The file appears whole or not at all.
func Write(path string, r *scoring.Result, lang string) error {
	if err := CheckFormat(path); err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return writeJSON(path, r, lang)
	}
	return writeTable(path, r, lang)
}

// layout is the columns of the table output.
type layout struct {
	headers []string
	cells   func(e *scoring.Enterprise, i int) []any
}

func tableLayout(r *scoring.Result, lang string) layout {
	p := r.P
	var textIns []*program.InputInfo
	for _, in := range p.Inputs {
		if in.Kind == program.KindText {
			textIns = append(textIns, in)
		}
	}
	h := []string{}
	for _, in := range textIns {
		h = append(h, in.ID)
	}
	if p.ChannelInput != nil && p.ChannelInput.Kind == program.KindChoice {
		h = append(h, p.ChannelInput.ID)
	}
	h = append(h, "outcome", "reason", "eligible", "failed_gates", "rank")
	channels := p.ChannelInput != nil
	if channels {
		h = append(h, "channel_rank")
	}
	h = append(h, "score")
	ranged := p.HasRanges
	if ranged {
		h = append(h, "score_low", "score_high")
	}
	if p.HasComposite {
		h = append(h, "coverage")
	}
	for _, n := range p.Nodes {
		if n == p.DecisionNode {
			continue
		}
		h = append(h, n.ID)
		if n.Kind == program.NodeBands {
			h = append(h, n.ID+"_band")
		}
	}
	cells := func(e *scoring.Enterprise, i int) []any {
		row := make([]any, 0, len(h))
		for _, in := range textIns {
			row = append(row, r.Text[in.TextCol][i])
		}
		if p.ChannelInput != nil && p.ChannelInput.Kind == program.KindChoice {
			row = append(row, e.Channel)
		}
		var failed []string
		for _, f := range e.Failures {
			failed = append(failed, f.Gate)
		}
		row = append(row, e.Outcome.String(), e.Reason.In(lang), yesNo(e.Eligible), strings.Join(failed, " "), intOrBlank(e.Rank))
		if channels {
			row = append(row, intOrBlank(e.ChannelRank))
		}
		row = append(row, num(e.Total))
		root := e.Scores[p.DecisionNode.Index]
		if ranged {
			row = append(row, num(root.Lo), num(root.Hi))
		}
		if p.HasComposite {
			row = append(row, num(e.Coverage))
		}
		for k, n := range p.Nodes {
			if n == p.DecisionNode {
				continue
			}
			row = append(row, num(e.Scores[k].Score))
			if n.Kind == program.NodeBands {
				row = append(row, e.Scores[k].Band)
			}
		}
		return row
	}
	return layout{headers: h, cells: cells}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// num leaves missing values blank.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return v
}

func intOrBlank(v int) any {
	if v == 0 {
		return ""
	}
	return v
}

func writeTable(path string, r *scoring.Result, lang string) error {
	w, err := sheet.Create(path)
	if err != nil {
		return err
	}
	l := tableLayout(r, lang)
	if err := w.WriteHeader(l.headers, nil); err != nil {
		w.Abort()
		return err
	}
	for i := 0; i < r.N; i++ {
		e := r.Enterprise(i)
		if err := w.WriteRow(l.cells(&e, i)); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// jsonEnterprise is the JSON form of one enterprise's result.
type jsonEnterprise struct {
	ID          string              `json:"id"`
	Channel     string              `json:"channel,omitempty"`
	Outcome     string              `json:"outcome"`
	Reason      program.Text        `json:"reason"`
	Eligible    bool                `json:"eligible"`
	Failures    []jsonFailure       `json:"failures,omitempty"`
	Score       *float64            `json:"score"`
	ScoreLow    *float64            `json:"score_low,omitempty"`
	ScoreHigh   *float64            `json:"score_high,omitempty"`
	Rank        int                 `json:"rank,omitempty"`
	ChannelRank int                 `json:"channel_rank,omitempty"`
	Coverage    *float64            `json:"coverage,omitempty"`
	Nodes       map[string]jsonNode `json:"nodes"`
}

type jsonFailure struct {
	Gate    string              `json:"gate"`
	Missing bool                `json:"missing,omitempty"`
	Message program.Text        `json:"message"`
	Values  map[string]*float64 `json:"values"`
}

type jsonNode struct {
	Score *float64 `json:"score"`
	Low   *float64 `json:"low,omitempty"`
	High  *float64 `json:"high,omitempty"`
	Band  string   `json:"band,omitempty"`
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func writeJSON(path string, r *scoring.Result, lang string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".exemplar-*.json")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(bw)
	p := r.P
	fmt.Fprintf(bw, "{\"program\":%q,\"version\":%q,\"enterprises\":[\n", p.Def.Name, p.Def.Version)
	for i := 0; i < r.N; i++ {
		e := r.Enterprise(i)
		je := jsonEnterprise{
			ID: e.ID, Channel: e.Channel, Outcome: e.Outcome.String(), Reason: e.Reason, Eligible: e.Eligible,
			Score: ptr(e.Total), Rank: e.Rank, ChannelRank: e.ChannelRank, Nodes: map[string]jsonNode{},
		}
		if p.HasComposite {
			je.Coverage = ptr(e.Coverage)
		}
		root := e.Scores[p.DecisionNode.Index]
		if p.HasRanges {
			je.ScoreLow, je.ScoreHigh = ptr(root.Lo), ptr(root.Hi)
		}
		for _, fl := range e.Failures {
			jf := jsonFailure{Gate: fl.Gate, Missing: fl.Missing, Message: fl.Message, Values: map[string]*float64{}}
			for _, v := range fl.Values {
				jf.Values[v.Name] = ptr(v.Value)
			}
			je.Failures = append(je.Failures, jf)
		}
		for _, s := range e.Scores {
			n := jsonNode{Score: ptr(s.Score), Band: s.Band}
			if s.Lo != s.Hi {
				n.Low, n.High = ptr(s.Lo), ptr(s.Hi)
			}
			je.Nodes[s.Node] = n
		}
		if i > 0 {
			bw.WriteString(",")
		}
		if err := enc.Encode(je); err != nil {
			return fail(err)
		}
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}
