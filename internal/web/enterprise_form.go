package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/sheet"
)

// The application form is generated from the cycle's program definition:
// one field per input, with its names in both languages, its unit and
// range, one box per year side by side for a yearly input, a list for a
// choice and yes/no for a yes/no input. The form's values go to the
// workflow as the application's inputs JSON (see workflow/inputs.go); the
// workflow checks them and names each bad one ("inputs.sales[2]: …"),
// which the form shows beside its field.

// formField is one input of the application form.
type formField struct {
	*program.InputInfo
	// Values are the field's values as shown: one per year for a yearly
	// input (oldest first), else one.
	Values []string
	// YearLabels name the years of a yearly input's boxes ("2017").
	YearLabels []string
	// Errors are the workflow's problems with this field.
	Errors []string
	// Own marks the identifying and channel inputs, which are the
	// enterprise's own code and channel: shown (as OwnValue), not typed.
	Own      bool
	OwnValue string
}

// OptionName is the name of choice option value in lang ("" when the
// input has no such option).
func (f formField) OptionName(value, lang string) string {
	for _, o := range f.Options {
		if o.Value == value {
			return o.Name.In(lang)
		}
	}
	return ""
}

// FieldName is the form field name of year y (0 for a single value).
func (f formField) FieldName(y int) string {
	if f.Yearly {
		return "in." + f.ID + "." + strconv.Itoa(y)
	}
	return "in." + f.ID
}

// HTMLID is the element id of year y's box.
func (f formField) HTMLID(y int) string { return "f-" + f.ID + "-" + strconv.Itoa(y) }

// Step is the HTML step of a number box: whole numbers for people and
// counts.
func (f formField) Step() string {
	if f.Unit == "persons" || f.Unit == "count" {
		return "1"
	}
	return "any"
}

// Notes is the line under the field's name in lang: its unit, range and
// whether it is required, those it has, joined by " · ".
func (f formField) Notes(lang string) string {
	var parts []string
	if u := unitName(lang, f.Unit); u != "" {
		parts = append(parts, message(lang, "ent.form.unit")+pick(lang, "：", ": ")+u)
	}
	if f.Min != nil {
		parts = append(parts, "≥ "+f.Bound(f.Min))
	}
	if f.Max != nil {
		parts = append(parts, "≤ "+f.Bound(f.Max))
	}
	if f.Required {
		parts = append(parts, message(lang, "ent.form.required"))
	}
	return strings.Join(parts, " · ")
}

// unitNames are the units a program definition names (see
// program.Input's Unit) as each language writes them: zh, en.
var unitNames = map[string][2]string{
	"元": {"元", "yuan"}, "万元": {"万元", "×10,000 yuan"}, "亿元": {"亿元", "×100 million yuan"},
	"%": {"%", "%"}, "persons": {"人", "persons"}, "count": {"个", "count"},
	"ratio": {"比值", "ratio"}, "points": {"分", "points"}, "years": {"年", "years"},
}

// unitName is unit as lang writes it; a program's own unit ("x-…") shows
// without its prefix.
func unitName(lang, unit string) string {
	if n, ok := unitNames[unit]; ok {
		return pick(lang, n[0], n[1])
	}
	return strings.TrimPrefix(unit, "x-")
}

// UnitName is unit as the page's language writes it.
func (p page) UnitName(unit string) string { return unitName(p.Lang, unit) }

// Bound formats a range end for the min and max attributes and the hint.
func (f formField) Bound(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// appForm is the application form: its fields, in the definition's order,
// and what the workflow said of them.
type appForm struct {
	Fields []formField
	// YearLabels name the years of the yearly inputs, oldest first.
	YearLabels []string
	// Problems are the workflow's problems that name no field of the form.
	Problems []string
	// Declarations are the statements offered, with the enterprise's
	// answers.
	Declarations []declaration
}

// declaration is one statement the enterprise declares on its
// application (workflow.SaveDeclarations keeps the answers).
type declaration struct {
	Key      string
	Text     [2]string // zh, en
	Declared bool
}

// declarations are the statements every application form asks for. A
// program definition names no declarations of its own yet; the yes/no
// conditions it checks (sound credit, Chinese control…) are inputs.
var declarations = []declaration{
	{Key: "true_and_complete", Text: [2]string{"本单位承诺所填报的数据和提交的证明材料真实、准确、完整，如有不实，愿承担相应责任。",
		"We declare that the data we give and the evidence we attach are true, accurate and complete, and accept responsibility for any that is not."}},
	{Key: "accept_verification", Text: [2]string{"本单位同意主管部门对申报材料进行核查，并同意公示评价结果。",
		"We agree that the authorities may verify this application, and that its outcome is published in a public notice."}},
}

// newAppForm lays out the form of program p for a cycle of year (yearly
// inputs cover the years.Years before it, oldest first), filled with the
// inputs JSON and declarations JSON given.
func newAppForm(p *program.Program, year int, inputs, decl []byte) appForm {
	vals := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(inputs))
	dec.UseNumber()
	_ = dec.Decode(&vals) // stored inputs are canonical; a bad one shows empty
	var f appForm
	for y := range p.Def.Years {
		f.YearLabels = append(f.YearLabels, strconv.Itoa(year-p.Def.Years+y))
	}
	for _, in := range p.Inputs {
		ff := formField{InputInfo: in, Values: make([]string, in.Years), Own: in == p.IDInput || in == p.ChannelInput}
		if in.Yearly {
			ff.YearLabels = f.YearLabels[:min(in.Years, len(f.YearLabels))]
			if list, ok := vals[in.ID].([]any); ok {
				for y := range min(len(list), in.Years) {
					ff.Values[y] = showValue(list[y])
				}
			}
		} else {
			ff.Values[0] = showValue(vals[in.ID])
		}
		f.Fields = append(f.Fields, ff)
	}
	answers := map[string]bool{}
	_ = json.Unmarshal(decl, &answers)
	for _, d := range declarations {
		d.Declared = answers[d.Key]
		f.Declarations = append(f.Declarations, d)
	}
	return f
}

// showValue is a stored input value as the form shows it.
func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

// readForm reads the posted form back into the form (as typed, for
// showing again) and into the inputs JSON the workflow checks. Numbers
// are read as people type them (full-width digits, thousands separators:
// sheet.ParseNumber); what is not a number goes to the workflow as text,
// which refuses it naming the field. The own code and channel inputs are
// left out: the workflow fills them in.
func (f *appForm) readForm(form func(string) string) json.RawMessage {
	out := map[string]any{}
	for i := range f.Fields {
		ff := &f.Fields[i]
		if ff.Own {
			continue
		}
		vals := make([]any, ff.Years)
		have := false
		for y := range ff.Years {
			typed := strings.TrimSpace(form(ff.FieldName(y)))
			ff.Values[y] = typed
			if v := inputOf(ff.InputInfo, typed); v != nil {
				vals[y], have = v, true
			}
		}
		switch {
		case !have:
		case ff.Yearly:
			out[ff.ID] = vals
		default:
			out[ff.ID] = vals[0]
		}
	}
	for i := range f.Declarations {
		f.Declarations[i].Declared = form("decl."+f.Declarations[i].Key) == "yes"
	}
	raw, _ := json.Marshal(out) // strings, numbers and booleans always encode
	return raw
}

// inputOf is the inputs value of typed for input in: nil when empty.
func inputOf(in *program.InputInfo, typed string) any {
	if typed == "" {
		return nil
	}
	switch in.Kind {
	case program.KindNumber:
		if n, err := sheet.ParseNumber(typed); err == nil {
			return json.Number(strconv.FormatFloat(n, 'g', -1, 64))
		}
	case program.KindYesNo:
		switch typed {
		case "yes":
			return true
		case "no":
			return false
		}
	}
	return typed
}

// declared is the form's declarations as SaveDeclarations takes them.
func (f *appForm) declared() map[string]bool {
	m := make(map[string]bool, len(f.Declarations))
	for _, d := range f.Declarations {
		m[d.Key] = d.Declared
	}
	return m
}

// fieldProblem finds, in a workflow error's message, each problem that
// names an input ("inputs.sales[2]: must be at least 0 万元, got -5").
var fieldProblem = regexp.MustCompile(`inputs\.([a-z][a-z0-9_]*)(?:\[(\d+)\])?: `)

// placeErrors puts each problem of the workflow's message msg beside the
// field it names; problems that name no field of the form are kept in
// Problems. It reports whether any problem was placed.
func (f *appForm) placeErrors(msg string) bool {
	locs := fieldProblem.FindAllStringSubmatchIndex(msg, -1)
	placed := false
	for k, loc := range locs {
		end := len(msg)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		text := strings.TrimSuffix(strings.TrimSpace(msg[loc[1]:end]), ";")
		id := msg[loc[2]:loc[3]]
		found := false
		for i := range f.Fields {
			ff := &f.Fields[i]
			if ff.ID != id {
				continue
			}
			if loc[4] >= 0 && ff.Yearly {
				if y, err := strconv.Atoi(msg[loc[4]:loc[5]]); err == nil && y < len(ff.YearLabels) {
					text = ff.YearLabels[y] + ": " + text
				}
			}
			ff.Errors = append(ff.Errors, text)
			found, placed = true, true
		}
		if !found {
			f.Problems = append(f.Problems, msg[loc[0]:end])
		}
	}
	return placed
}

// formCell is one box of a field: the single value, or one year's.
type formCell struct {
	Name, ID, Value string
	// Label names the box for screen readers ("Sales 2017").
	Label   string
	Options []formOption
}

// formOption is one choice of a choice field.
type formOption struct {
	Value, Label string
	Selected     bool
}

// Cells are the field's boxes, with the names of its options in lang.
func (f formField) Cells(lang string) []formCell {
	out := make([]formCell, len(f.Values))
	for y, v := range f.Values {
		c := formCell{Name: f.FieldName(y), ID: f.HTMLID(y), Value: v, Label: f.Name.In(lang)}
		if f.Yearly && y < len(f.YearLabels) {
			c.Label += " " + f.YearLabels[y]
		}
		for _, o := range f.Options {
			c.Options = append(c.Options, formOption{Value: o.Value, Label: o.Name.In(lang), Selected: o.Value == v})
		}
		out[y] = c
	}
	return out
}
