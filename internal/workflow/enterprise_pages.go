package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
)

// The reads of an enterprise's own pages: the program its application
// form is generated from, the instant eligibility self-check, a filled
// input template read into an application's inputs, and the
// enterprise's certificates and annual reports. None changes anything.

// CycleProgram returns the compiled definition cycle id runs with. It
// refuses an unknown cycle (not found).
func (s *Service) CycleProgram(ctx context.Context, id int64) (*program.Program, error) {
	var p *program.Program
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		p, err = s.program(ctx, tx, c.ProgramVersionID)
		return err
	})
	return p, err
}

// RecognitionProgram returns the definition of the program of recognition
// id as the cycle that last confirmed it, or else granted it, ran it; nil
// when neither is known (a title loaded from history).
func (s *Service) RecognitionProgram(ctx context.Context, id int64) (*program.Program, error) {
	var p *program.Program
	err := s.read(ctx, func(tx *store.Tx) error {
		r, err := tx.Recognition(ctx, id)
		if err != nil {
			return missing(err, "recognition %d", id)
		}
		p, err = s.recognitionProgram(ctx, tx, r)
		return err
	})
	return p, err
}

// recognitionProgram is RecognitionProgram of recognition r.
func (s *Service) recognitionProgram(ctx context.Context, tx *store.Tx, r store.Recognition) (*program.Program, error) {
	for _, cid := range []int64{r.ConfirmedCycleID, r.GrantedCycleID} {
		if cid == 0 {
			continue
		}
		c, err := tx.Cycle(ctx, cid)
		if err != nil {
			return nil, err
		}
		return s.program(ctx, tx, c.ProgramVersionID)
	}
	return nil, nil
}

// FiledAnnualReport is an annual report as its readers see it: with the
// title it was filed under, the enterprise, and the program whose figures
// it reports.
type FiledAnnualReport struct {
	Report      store.AnnualReport
	Recognition store.Recognition
	Enterprise  store.Enterprise
	Program     *program.Program // nil for a title loaded from history
	Late        bool             // filed after its due day
}

// AnnualReport returns the annual report on year filed under recognition
// id. It refuses an unknown recognition, or one with no report on year
// (not found).
func (s *Service) AnnualReport(ctx context.Context, id int64, year int) (FiledAnnualReport, error) {
	var f FiledAnnualReport
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if f.Recognition, err = tx.Recognition(ctx, id); err != nil {
			return missing(err, "recognition %d", id)
		}
		if f.Report, err = tx.AnnualReport(ctx, id, year); err != nil {
			return missing(err, "an annual report on %d of recognition %d", year, id)
		}
		if f.Enterprise, err = tx.Enterprise(ctx, f.Recognition.EnterpriseID); err != nil {
			return err
		}
		f.Program, err = s.recognitionProgram(ctx, tx, f.Recognition)
		return err
	})
	if err == nil && f.Report.SubmittedAt != nil {
		f.Late = dateOnly(s.today(*f.Report.SubmittedAt)).After(f.Report.DueOn)
	}
	return f, err
}

// GateCheck is one gate of a self-check: whether the enterprise's saved
// inputs pass it, and the values its rule read.
type GateCheck struct {
	ID   string       `json:"id"`
	Name program.Text `json:"name"`
	// Passed: the rule holds. Missing: it failed because a value it
	// needs is missing.
	Passed  bool         `json:"passed"`
	Missing bool         `json:"missing"`
	Values  []CheckValue `json:"values"`
	// Message says why it failed, with the values filled in; empty when
	// it passed.
	Message program.Text `json:"message"`
}

// CheckValue is one value a gate read, with what people need to read it:
// the input's or indicator's name, the year of a yearly input's value,
// and the kind of input (a yes/no or a choice is shown as its answer, not
// as its code).
type CheckValue struct {
	scoring.Value
	// Label is the input's or indicator's name; empty for a column the
	// program does not name.
	Label program.Text `json:"label"`
	// Year is the year of a yearly input's value; 0 otherwise.
	Year int `json:"year,omitempty"`
	// Kind is the input's kind (number, yesno, choice); empty for an
	// indicator.
	Kind string `json:"kind,omitempty"`
	// Option is the name of the chosen option of a choice input.
	Option program.Text `json:"option,omitzero"`
}

// SelfCheck is the engine's verdict on one application's saved inputs,
// taken alone: every gate of the program, in definition order.
type SelfCheck struct {
	Eligible bool        `json:"eligible"`
	Gates    []GateCheck `json:"gates"`
}

// SelfCheck runs the engine on application id's saved inputs alone (a
// one-row table, as StartEvaluation lays rows out) and reports each gate
// of the program with the values it read. Gates depend on the enterprise's
// own values only, so the verdict is the one the cycle's evaluation will
// give on the same inputs; scores, which depend on the cohort, are not
// reported. It refuses an unknown application (not found).
func (s *Service) SelfCheck(ctx context.Context, id int64) (SelfCheck, error) {
	var (
		p    *program.Program
		r    row
		out  SelfCheck
		a    store.Application
		code string
		year int
	)
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = tx.Application(ctx, id); err != nil {
			return missing(err, "application %d", id)
		}
		c, err := tx.Cycle(ctx, a.CycleID)
		if err != nil {
			return err
		}
		if p, err = s.program(ctx, tx, c.ProgramVersionID); err != nil {
			return err
		}
		e, err := tx.Enterprise(ctx, a.EnterpriseID)
		if err != nil {
			return err
		}
		ch, err := tx.Channel(ctx, a.ChannelID)
		if err != nil {
			return err
		}
		code, year = e.USCC, c.Year
		r = row{Code: e.USCC, Channel: ch.Code, Inputs: a.Inputs}
		return nil
	})
	if err != nil {
		return out, err
	}
	t, err := buildTable(p, []row{r})
	if err != nil {
		return out, internalf("application %d: self-check of %s: %v", id, code, err)
	}
	res, err := scoring.Run(p, t, scoring.Options{Workers: 1})
	if err != nil {
		return out, internalf("application %d: self-check of %s: %v", id, code, err)
	}
	ent := res.Enterprise(0)
	out.Eligible = ent.Eligible
	for g, gate := range p.Gates {
		gc := GateCheck{ID: gate.ID, Name: gate.Name, Passed: res.Gate[g][0] == 1, Missing: res.Gate[g][0] == -1}
		for _, col := range gate.Expr.Refs {
			gc.Values = append(gc.Values, gateValue(p, col, res.Cols[col][0], year))
		}
		for _, f := range ent.Failures {
			if f.Gate == gate.ID {
				gc.Message = f.Message
			}
		}
		out.Gates = append(out.Gates, gc)
	}
	return out, nil
}

// gateValue is value v of numeric column col of p, for a cycle of year:
// a yearly input's columns cover the p.Def.Years years before it, oldest
// first (as the application form lays them out).
func gateValue(p *program.Program, col int, v float64, year int) CheckValue {
	cv := CheckValue{Value: scoring.Value{Name: p.ColumnName(col), Value: v, Unit: unitOfColumn(p, col)}}
	if col >= p.NumCols {
		if col < p.Cols() {
			cv.Label = p.Indicators[col-p.NumCols].Name
		}
		return cv
	}
	for _, in := range p.Inputs {
		if in.Col < 0 || col < in.Col || col >= in.Col+in.Years {
			continue
		}
		cv.Label, cv.Kind = in.Name, in.Kind
		if in.Yearly && year > 0 {
			cv.Year = year - p.Def.Years + col - in.Col
		}
		if o := in.OptionValue(v); in.Kind == program.KindChoice && o != "" {
			cv.Option = in.Options[int(v)].Name
		}
		return cv
	}
	return cv
}

// unitOfColumn is the unit of numeric column col of p.
func unitOfColumn(p *program.Program, col int) string {
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

// InputsFromSheet reads the filled input template at path (the program's
// template, as ingest.WriteTemplate writes it, with one enterprise's row)
// for application id, and returns the application's saved inputs with
// the file's values laid over them: a value the file gives replaces the
// saved one, a cell left empty keeps it. It changes nothing: the caller
// saves the result with SaveApplication, which checks it again.
//
// name is how errors name the file (the name it was uploaded under).
// Every problem with the file is refused (invalid) with an error wrapping
// *ingest.Errors, each a *sheet.Error naming the row and column: a cell
// that breaks the program's rules, a file with no row or with more than
// one, and a row whose credit code or channel is not the enterprise's
// own. An unknown application is not found.
func (s *Service) InputsFromSheet(ctx context.Context, id int64, path, name string) (json.RawMessage, error) {
	var (
		p        *program.Program
		a        store.Application
		code, ch string
	)
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = tx.Application(ctx, id); err != nil {
			return missing(err, "application %d", id)
		}
		c, err := tx.Cycle(ctx, a.CycleID)
		if err != nil {
			return err
		}
		if p, err = s.program(ctx, tx, c.ProgramVersionID); err != nil {
			return err
		}
		e, err := tx.Enterprise(ctx, a.EnterpriseID)
		if err != nil {
			return err
		}
		channel, err := tx.Channel(ctx, a.ChannelID)
		code, ch = e.USCC, channel.Code
		return err
	})
	if err != nil {
		return nil, err
	}
	refuse := func(list *ingest.Errors) error {
		list.File = name
		for _, e := range list.List {
			var se *sheet.Error
			if errors.As(e, &se) {
				se.File = name
			}
		}
		return &errs.Error{Code: errs.Invalid, Msg: "nothing filled in: " + list.Error(), Err: list}
	}
	t, err := ingest.Read(p, path, ingest.Options{IgnoreUnknown: true, MaxErrors: 50})
	var list *ingest.Errors
	switch {
	case errors.As(err, &list):
		return nil, refuse(list)
	case err != nil:
		var se *sheet.Error
		if errors.As(err, &se) {
			se.File = name
		}
		return nil, refuse(&ingest.Errors{List: []error{err}})
	}
	rows, cols, err := rowNumbers(p, path, "")
	if err != nil || len(rows) != t.N {
		return nil, refuse(&ingest.Errors{List: []error{fmt.Errorf("the file cannot be read again: %v", err)}})
	}
	switch {
	case t.N == 0:
		return nil, refuse(&ingest.Errors{List: []error{&sheet.Error{Err: errors.New("no row of data below the header: fill in row 4 (or type over the example in row 3)")}}})
	case t.N > 1:
		return nil, refuse(&ingest.Errors{List: []error{&sheet.Error{Row: rows[1],
			Err: fmt.Errorf("%d rows of data: an application's template holds one enterprise, on one row", t.N)}}})
	}
	var problems []error
	if in := p.IDInput; in != nil {
		if got := t.Text[in.TextCol][0]; got != "" && got != code {
			problems = append(problems, cellProblem(name, "", rows[0], cols.code, fmt.Errorf("credit code %s is not your enterprise's (%s)", got, code)))
		}
	}
	if got := tableChannel(p, t, 0); got != "" && got != ch {
		problems = append(problems, cellProblem(name, "", rows[0], cols.channel, fmt.Errorf("channel %q is not your enterprise's (%q)", got, ch)))
	}
	if len(problems) > 0 {
		return nil, refuse(&ingest.Errors{List: problems})
	}
	merged, err := decodeInputs(a.Inputs)
	if err != nil {
		return nil, internalf("application %d: stored inputs: %v", id, err)
	}
	for k, v := range tableInputs(p, t, 0) {
		in, _ := p.Input(k)
		if in == p.IDInput || in == p.ChannelInput {
			continue // the workflow fills these in
		}
		fresh, yearly := v.([]any)
		old, had := merged[k].([]any)
		if yearly && had && len(old) == len(fresh) {
			for y := range fresh {
				if fresh[y] == nil {
					fresh[y] = old[y]
				}
			}
		}
		merged[k] = v
	}
	out, err := json.Marshal(merged)
	return out, err
}

// EnterpriseCertificates returns the certificates issued to enterprise
// id, newest first, each with its status as of the service's clock.
func (s *Service) EnterpriseCertificates(ctx context.Context, id int64) ([]Certificate, error) {
	var out []Certificate
	err := s.read(ctx, func(tx *store.Tx) error {
		e, err := tx.Enterprise(ctx, id)
		if err != nil {
			return missing(err, "enterprise %d", id)
		}
		certs, err := tx.EnterpriseCertificates(ctx, id)
		if err != nil {
			return err
		}
		today := s.todayUTC()
		for _, c := range certs {
			r, err := tx.Recognition(ctx, c.RecognitionID)
			if err != nil {
				return err
			}
			cy, err := tx.Cycle(ctx, c.CycleID)
			if err != nil {
				return err
			}
			p, err := tx.Program(ctx, cy.ProgramID)
			if err != nil {
				return err
			}
			out = append(out, withStatus(c, r, e, cy, p.Name, today))
		}
		return nil
	})
	return out, err
}

// EnterpriseAnnualReports lists the annual reports enterprise id filed
// and owes, for every year of its titles that is over by the service's
// clock, newest year first (see AnnualReports for the statuses).
func (s *Service) EnterpriseAnnualReports(ctx context.Context, id int64) ([]AnnualReportItem, error) {
	recs, err := s.Recognitions(ctx, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	last := s.today(s.clock()).Year() - 1
	first := math.MaxInt
	for _, r := range recs {
		first = min(first, r.ValidFrom.Year())
	}
	var out []AnnualReportItem
	for y := last; y >= first && y >= 1990; y-- {
		items, err := s.AnnualReports(ctx, AnnualReportQuery{Year: y, EnterpriseID: id})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	slices.SortStableFunc(out, func(a, b AnnualReportItem) int { return b.Year - a.Year })
	return out, nil
}
