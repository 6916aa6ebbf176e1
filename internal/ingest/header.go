// Package ingest reads enterprises' data from spreadsheets into the
// engine's table, under a program: it matches headers to the program's
// inputs (by id, Chinese or English name, or alias, with the year and
// unit written in the header), converts units, checks every value, and
// reports every bad cell by file, row and column.
package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/exemplar/exemplar/internal/program"
)

// column is what one spreadsheet column holds.
type column struct {
	input  *program.InputInfo
	year   int     // 0-based, oldest first
	factor float64 // multiply the cell by this to get the input's unit
	header string
}

var (
	unitRE = regexp.MustCompile(`[(（]\s*([^()（）]*?)\s*[)）]\s*$`)
	yearRE = regexp.MustCompile(`(?i)\s*(?:\[\s*(\d+)\s*\]|第\s*(\d+)\s*年|\byear\s*(\d+)|_y(\d+))\s*$`)
)

// moneyFactors gives each money unit in yuan.
var moneyFactors = map[string]float64{
	"元": 1, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8,
	"yuan": 1, "rmb": 1, "cny": 1, "10k yuan": 1e4, "10k rmb": 1e4,
	"million yuan": 1e6, "million rmb": 1e6, "100m yuan": 1e8,
}

var unitSynonyms = map[string]string{
	"%": "%", "％": "%", "percent": "%", "人": "persons", "persons": "persons", "people": "persons",
	"个": "count", "项": "count", "件": "count", "count": "count", "number": "count",
	"分": "points", "points": "points", "年": "years", "years": "years", "ratio": "ratio",
}

// normName folds a header or name for matching: lower case, spaces and
// punctuation between words collapsed.
func normName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsSpace(r) || r == '_' || r == '　' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// splitHeader takes the unit and the year designator off a header.
func splitHeader(h string) (name, unit string, year int, hasYear bool) {
	name = strings.TrimSpace(h)
	for i := 0; i < 2; i++ {
		if m := unitRE.FindStringSubmatchIndex(name); m != nil && unit == "" {
			unit = strings.TrimSpace(name[m[2]:m[3]])
			name = strings.TrimSpace(name[:m[0]])
		}
		if m := yearRE.FindStringSubmatch(name); m != nil && !hasYear {
			for _, g := range m[1:] {
				if g != "" {
					year, _ = strconv.Atoi(g)
				}
			}
			hasYear = true
			name = strings.TrimSpace(name[:len(name)-len(m[0])])
		}
	}
	return name, unit, year, hasYear
}

// matcher finds the input a header names.
type matcher struct {
	byName map[string]*program.InputInfo
}

func newMatcher(p *program.Program) *matcher {
	m := &matcher{byName: map[string]*program.InputInfo{}}
	for _, in := range p.Inputs {
		names := []string{in.ID, in.Name.Zh, in.Name.En}
		if in.Name.Zh != "" && in.Name.En != "" {
			names = append(names, in.Name.Zh+" "+in.Name.En, in.Name.Zh+" / "+in.Name.En)
		}
		names = append(names, in.Aliases...)
		for _, n := range names {
			if n = normName(n); n != "" {
				if _, taken := m.byName[n]; !taken {
					m.byName[n] = in
				}
			}
		}
	}
	return m
}

// resolve maps a header to a column, or says why it cannot.
func (m *matcher) resolve(header string) (column, error) {
	name, unit, year, hasYear := splitHeader(header)
	in, ok := m.byName[normName(name)]
	if !ok {
		// The whole header may be a name with parentheses in it.
		if in, ok = m.byName[normName(header)]; ok {
			unit, hasYear = "", false
		}
	}
	if !ok {
		return column{}, fmt.Errorf("unknown column %q: it names no input of the program", header)
	}
	c := column{input: in, factor: 1, header: header}
	if in.Yearly {
		if !hasYear {
			return column{}, fmt.Errorf("column %q: %s is yearly; write the year in the header, e.g. %q (1 = oldest of %d)", header, in.ID, name+" [1]", in.Years)
		}
		if year < 1 || year > in.Years {
			return column{}, fmt.Errorf("column %q: year %d is out of range 1–%d", header, year, in.Years)
		}
		c.year = year - 1
	} else if hasYear {
		return column{}, fmt.Errorf("column %q: %s is not yearly; remove the year from the header", header, in.ID)
	}
	if unit != "" && in.Kind == program.KindNumber {
		f, err := unitFactor(unit, in.Unit)
		if err != nil {
			return column{}, fmt.Errorf("column %q: %w", header, err)
		}
		c.factor = f
	}
	return c, nil
}

// unitFactor converts values written in unit from into unit to.
func unitFactor(from, to string) (float64, error) {
	fl, tl := strings.ToLower(strings.TrimSpace(from)), strings.ToLower(to)
	if ff, ok := moneyFactors[fl]; ok {
		tf, ok := moneyFactors[tl]
		if !ok {
			return 0, fmt.Errorf("unit %s is money but the input is measured in %s", from, unitOrNone(to))
		}
		return ff / tf, nil
	}
	if syn, ok := unitSynonyms[fl]; ok {
		if syn == to || syn == unitSynonyms[tl] {
			return 1, nil
		}
		return 0, fmt.Errorf("unit %s does not match the input's unit %s", from, unitOrNone(to))
	}
	if fl == tl {
		return 1, nil
	}
	return 0, fmt.Errorf("unknown unit %q (use 元, 万元, 亿元, %%, 人 or the input's own unit %s)", from, unitOrNone(to))
}

func unitOrNone(u string) string {
	if u == "" {
		return "(no unit)"
	}
	return u
}

// Header returns the template header of input in for year (0-based; ignored
// unless the input is yearly): "销售收入 Sales revenue [1] (万元)".
func Header(in *program.InputInfo, year int) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(in.Name.Zh + " " + in.Name.En))
	if b.Len() == 0 {
		b.WriteString(in.ID)
	}
	if in.Yearly {
		fmt.Fprintf(&b, " [%d]", year+1)
	}
	if in.Kind == program.KindNumber && in.Unit != "" {
		fmt.Fprintf(&b, " (%s)", in.Unit)
	}
	return b.String()
}
