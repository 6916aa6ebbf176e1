package scoring

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
)

var placeholder = regexp.MustCompile(`\{[^{}]+\}`)

// Value is one named value an enterprise had, as shown in a reason.
type Value struct {
	Name  string
	Value float64 // NaN when missing
	Unit  string
}

// GateFailure is one gate an enterprise failed, with the values its rule
// read and the message filled in.
type GateFailure struct {
	Gate    string
	Missing bool // failed because a value it needs is missing
	Values  []Value
	Message program.Text
}

// NodeScore is one framework node's score for one enterprise.
type NodeScore struct {
	Node   string
	Score  float64
	Lo, Hi float64 // equal to Score unless a band allows a range
	Band   string  // band label for band leaves, "" otherwise
}

// Enterprise is one enterprise's result.
type Enterprise struct {
	Row         int
	ID          string
	Channel     string
	Eligible    bool
	Failures    []GateFailure
	Coverage    float64 // NaN when the program has no composite leaves
	Scores      []NodeScore
	Total       float64 // the decision node's score
	Rank        int
	ChannelRank int
	Outcome     Outcome
	Reason      program.Text
}

// Enterprise returns enterprise i's result.
func (r *Result) Enterprise(i int) Enterprise {
	p := r.P
	e := Enterprise{
		Row: i, ID: r.ID(i), Channel: r.Channel(i), Eligible: r.Eligible[i],
		Coverage: math.NaN(), Rank: int(r.Rank[i]), ChannelRank: int(r.ChannelRank[i]),
		Outcome: r.Outcome[i], Total: r.Score[p.DecisionNode.Index][i],
	}
	if r.Coverage != nil {
		e.Coverage = r.Coverage[i]
	}
	for g := range p.Gates {
		if r.Gate[g][i] != 1 {
			e.Failures = append(e.Failures, r.gateFailure(g, i))
		}
	}
	e.Scores = make([]NodeScore, len(p.Nodes))
	score := r.rowScores(i)
	lo, hi := r.bounds(i, score)
	for k, node := range p.Nodes {
		s := NodeScore{Node: node.ID, Score: score[k], Lo: lo[k], Hi: hi[k]}
		if r.Band[k] != nil {
			if b := r.Band[k][i]; b >= 0 {
				s.Band = node.Bands[b].Label
				if s.Band == "" {
					s.Band = strconv.Itoa(int(b) + 1)
				}
			}
		}
		e.Scores[k] = s
	}
	e.Reason = r.reason(&e)
	return e
}

func (r *Result) gateFailure(g, i int) GateFailure {
	p := r.P
	gate := p.Gates[g]
	f := GateFailure{Gate: gate.ID, Missing: r.Gate[g][i] == -1}
	for _, col := range gate.Expr.Refs {
		f.Values = append(f.Values, Value{Name: p.ColumnName(col), Value: r.Cols[col][i], Unit: r.unitOf(col)})
	}
	fill := func(msg, lang string) string {
		return placeholder.ReplaceAllStringFunc(msg, func(m string) string {
			key := m[1 : len(m)-1]
			e, ok := gate.Placeholders[key]
			if !ok {
				return m
			}
			unit := ""
			if len(e.Refs) == 1 && e.Root.Kind == program.OpCol {
				unit = r.unitOf(e.Refs[0])
			}
			return FormatValue(evalRow(e.Root, r.Cols, i), unit, lang)
		})
	}
	f.Message = program.Text{Zh: fill(gate.Message.Zh, "zh"), En: fill(gate.Message.En, "en")}
	if f.Missing {
		var miss []string
		for _, v := range f.Values {
			if isNaN(v.Value) {
				miss = append(miss, v.Name)
			}
		}
		if len(miss) > 0 {
			f.Message.Zh += "（缺少数据：" + strings.Join(miss, "、") + "）"
			f.Message.En += " (missing: " + strings.Join(miss, ", ") + ")"
		}
	}
	return f
}

// unitOf returns the unit of a numeric column.
func (r *Result) unitOf(col int) string {
	p := r.P
	if col >= p.NumCols {
		return p.Indicators[col-p.NumCols].Unit
	}
	for _, in := range p.Inputs {
		if in.Col >= 0 && col >= in.Col && col < in.Col+in.Years {
			return in.Unit
		}
	}
	return ""
}

// channelName is how reasons name channel code: the name its option has
// in the program's channel input, or "channel <code>" when it has none.
func (r *Result) channelName(code string) program.Text {
	if in, ok := r.P.Input(r.P.Def.Channel); ok {
		for _, o := range in.Options {
			if o.Value == code && o.Name.Zh != "" && o.Name.En != "" {
				return o.Name
			}
		}
	}
	return program.Text{Zh: code, En: "channel " + code}
}

func (r *Result) reason(e *Enterprise) program.Text {
	d := r.P.Def.Decision
	switch e.Outcome {
	case NotEligible:
		var zh, en []string
		for _, f := range e.Failures {
			zh = append(zh, f.Message.Zh)
			en = append(en, f.Message.En)
		}
		return program.Text{Zh: "不符合基本条件：" + strings.Join(zh, "；"), En: "not eligible: " + strings.Join(en, "; ")}
	case NotScored:
		pct := FormatValue(100*e.Coverage, "%", "en")
		need := FormatValue(100*r.P.Def.Scoring.Pipeline.Coverage, "%", "en")
		if e.Coverage >= r.P.Def.Scoring.Pipeline.Coverage {
			// Enough data, yet no score: the cohort's values left a
			// normalisation undefined (one enterprise, or one value of an
			// indicator for everyone, has no range to scale by).
			return program.Text{
				Zh: fmt.Sprintf("未评分：指标覆盖率 %s，数据齐全，但按参评企业计算的综合指数无法得出（标准化需要每项指标至少两个不同取值，仅一家企业参评时无法计算）", pct),
				En: fmt.Sprintf("not scored: %s of the indicators present, but the composite index cannot be computed from the cohort (normalising needs at least two different values of each indicator; a cohort of one enterprise has one)", pct),
			}
		}
		return program.Text{
			Zh: fmt.Sprintf("数据不足，未评分：指标覆盖率 %s，要求不低于 %s", pct, need),
			En: fmt.Sprintf("not scored: %s of the indicators present, %s needed", pct, need),
		}
	case BelowThreshold:
		s, t := FormatValue(e.Total, "", "en"), FormatValue(*d.Threshold, "", "en")
		if d.Strict {
			return program.Text{Zh: fmt.Sprintf("得分 %s，未高于 %s 分", s, t), En: fmt.Sprintf("score %s is not above %s", s, t)}
		}
		return program.Text{Zh: fmt.Sprintf("得分 %s，低于 %s 分", s, t), En: fmt.Sprintf("score %s is below %s", s, t)}
	case OverQuota:
		q := r.Quota(e.Channel)
		return program.Text{
			Zh: fmt.Sprintf("得分 %s，在%s排名第 %d，超出名额 %d 个", FormatValue(e.Total, "", "zh"), r.channelName(e.Channel).Zh, e.ChannelRank, q),
			En: fmt.Sprintf("score %s ranks %d in %s, beyond its quota of %d", FormatValue(e.Total, "", "en"), e.ChannelRank, r.channelName(e.Channel).En, q),
		}
	}
	s := FormatValue(e.Total, "", "en")
	zh := fmt.Sprintf("通过：得分 %s，总排名第 %d", s, e.Rank)
	en := fmt.Sprintf("pass: score %s, rank %d", s, e.Rank)
	if d.Threshold != nil {
		t := FormatValue(*d.Threshold, "", "en")
		zh += fmt.Sprintf("（门槛 %s）", t)
		en += fmt.Sprintf(" (threshold %s)", t)
	}
	if q := r.Quota(e.Channel); q > 0 {
		name := r.channelName(e.Channel)
		zh += fmt.Sprintf("，%s第 %d 名（名额 %d）", name.Zh, e.ChannelRank, q)
		en += fmt.Sprintf(", %d of quota %d in %s", e.ChannelRank, q, name.En)
	}
	return program.Text{Zh: zh, En: en}
}

// FormatValue renders a value for people: "missing" for NaN, whole
// numbers with thousands separators, others to at most 4 decimals (2 for
// percentages), followed by the unit.
func FormatValue(v float64, unit, lang string) string {
	if isNaN(v) {
		if lang == "zh" {
			return "缺失"
		}
		return "missing"
	}
	// Percentages read best with two decimals; other values keep four.
	digits := 4
	if unit == "%" {
		digits = 2
		v = math.Round(v*100) / 100
	}
	var s string
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		s = groupThousands(strconv.FormatInt(int64(v), 10))
	} else {
		s = strconv.FormatFloat(v, 'f', digits, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		if dot := strings.IndexByte(s, '.'); dot > 0 {
			s = groupThousands(s[:dot]) + s[dot:]
		}
	}
	switch unit {
	case "", "ratio", "x-":
		return s
	case "%":
		return s + "%"
	case "persons":
		if lang == "zh" {
			return s + " 人"
		}
		return s + " persons"
	case "count":
		return s
	case "years":
		if lang == "zh" {
			return s + " 年"
		}
		return s + " years"
	}
	return s + " " + unit
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
