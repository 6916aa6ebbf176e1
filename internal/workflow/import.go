package workflow

// Bulk import of enterprises and their applications from a spreadsheet.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/uscc"
)

// ImportOptions tune ImportApplications.
type ImportOptions struct {
	// Channel, when set, is the code of the one channel the file speaks
	// for (a province importing its own enterprises): every row's channel
	// must be it, and a row naming another is refused.
	Channel string
	// Sheet is the XLSX sheet to read (default: the first).
	Sheet string
	// MaxErrors bounds the problems listed (default 50); the count of the
	// rest is still reported.
	MaxErrors int
	// Progress, when set, is called now and then with the stage ("read":
	// checking the file; "write": writing the rows) and how far it is, as
	// rows done and a fraction.
	Progress func(stage string, rows int, fraction float64)
}

// ImportResult says what an import changed.
type ImportResult struct {
	Rows                int     `json:"rows"`
	EnterprisesCreated  int     `json:"enterprises_created"`
	EnterprisesUpdated  int     `json:"enterprises_updated"` // renamed or moved to another channel
	ApplicationsCreated int     `json:"applications_created"`
	ApplicationsUpdated int     `json:"applications_updated"`
	Unchanged           int     `json:"unchanged"`       // rows that matched what the database held
	ApplicationIDs      []int64 `json:"application_ids"` // by row, in file order
	SHA256              string  `json:"sha256"`          // of the imported file
}

// ImportApplications loads the enterprises in the spreadsheet at path
// (.xlsx — the program's template, hint and example rows included — or
// .csv) into cycle cycleID: each row's enterprise is registered, or found
// by its unified social credit code and renamed or moved to the row's
// channel when those differ; its application to the cycle is created as
// a draft, or its draft or returned application saved, with the row's
// inputs.
//
// The import is all-or-nothing. The file is first read and checked
// entirely by package ingest — headers matched to the program's inputs,
// every value checked against the input's kind, unit and range, duplicate
// codes found — and then the rows are written in one transaction, which
// checks what only the database knows (an unknown channel, a title
// already held, an application already submitted). Any problem refuses
// the whole file and writes nothing; the error (invalid, or conflict when
// every problem is with the database's state) wraps an *ingest.Errors
// listing every problem found, each a *sheet.Error naming the file, row
// and column.
//
// It refuses a cycle that does not exist (not found) or that does not
// take applications (conflict), before it reads the file.
//
// Audit: every record created or changed gets its own entry, as if it had
// been made by hand (enterprise.create, enterprise.rename,
// enterprise.update, application.create, application.save), so that an
// enterprise's history reads the same whichever way its data came; then
// one entry application.import on the cycle names the file, its SHA-256
// and the counts.
func (s *Service) ImportApplications(ctx context.Context, actor Actor, cycleID int64, path string, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	if err := actor.check(); err != nil {
		return res, err
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 50
	}
	// Refuse a wrong cycle before reading a large file for nothing; the
	// transaction checks it again under its lock.
	var p *program.Program
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		if err := s.needOpen(c, "import_applications", &journal{now: s.clock()}); err != nil {
			return err
		}
		p, err = s.program(ctx, tx, c.ProgramVersionID)
		return err
	})
	if err != nil {
		return res, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return res, invalidf("import: %v", err)
	}
	res.SHA256 = sum

	rows, err := readImport(p, path, opts)
	if err != nil {
		return res, err
	}
	res.Rows = len(rows)

	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		res = ImportResult{Rows: len(rows), SHA256: sum}
		c, err := s.openCycle(ctx, tx, cycleID, "import_applications", j)
		if err != nil {
			return err
		}
		w := importWriter{s: s, tx: tx, j: j, c: c, p: p, path: path, opts: opts, res: &res,
			problems: &ingest.Errors{File: path}, channels: map[string]store.Channel{}}
		if err := w.load(ctx); err != nil {
			return err
		}
		for i := range rows {
			if err := w.row(ctx, &rows[i]); err != nil {
				return err
			}
			if opts.Progress != nil && (i+1)%1024 == 0 {
				opts.Progress("write", i+1, float64(i+1)/float64(len(rows)))
			}
		}
		if n := len(w.problems.List) + w.problems.Extra; n > 0 {
			code := errs.Invalid
			if w.conflicts == n {
				code = errs.Conflict
			}
			return &errs.Error{Code: code, Msg: "import refused, nothing written: " + w.problems.Error(), Err: w.problems}
		}
		j.record("application.import", "cycle", c.ID, nil, map[string]any{
			"file": filepath.Base(path), "sha256": sum, "rows": res.Rows,
			"enterprises_created": res.EnterprisesCreated, "enterprises_updated": res.EnterprisesUpdated,
			"applications_created": res.ApplicationsCreated, "applications_updated": res.ApplicationsUpdated,
			"unchanged": res.Unchanged,
		})
		return nil
	})
	if err != nil {
		return ImportResult{Rows: res.Rows, SHA256: sum}, err
	}
	if opts.Progress != nil {
		opts.Progress("write", len(rows), 1)
	}
	return res, nil
}

// importRow is one checked row of an import file.
type importRow struct {
	row     int    // in the file, 1-based, as people see it
	code    string // normalised unified social credit code
	name    string // "" when the file gives none
	channel string // channel code
	inputs  []byte // canonical inputs JSON
}

// importColumns says where the identifying, name and channel inputs are
// in the file, for problems found after the file was read.
type importColumns struct{ code, name, channel int }

// readImport reads and checks path under p with ingest.Read, which
// reports every bad cell by row and column, then lays each row out as an
// application's inputs. A second, light pass over the file recovers each
// row's number in the file (ingest skips blank and hint rows) and where
// the identifying columns are, so that the transaction's problems can
// name them too.
func readImport(p *program.Program, path string, opts ImportOptions) ([]importRow, error) {
	var progress func(int, float64)
	if opts.Progress != nil {
		progress = func(n int, f float64) { opts.Progress("read", n, f) }
	}
	t, err := ingest.Read(p, path, ingest.Options{Sheet: opts.Sheet, MaxErrors: opts.MaxErrors, Progress: progress})
	var list *ingest.Errors
	switch {
	case errors.As(err, &list):
		return nil, &errs.Error{Code: errs.Invalid, Msg: "import refused, nothing written: " + list.Error(), Err: list}
	case err != nil:
		return nil, &errs.Error{Code: errs.Invalid, Msg: "import refused, nothing written: " + err.Error(), Err: err}
	}
	numbers, cols, err := rowNumbers(p, path, opts.Sheet)
	if err != nil {
		return nil, invalidf("import: %v", err)
	}
	if len(numbers) != t.N {
		return nil, internalf("import %s: %d rows read but %d checked", path, len(numbers), t.N)
	}
	if t.N == 0 {
		return nil, invalidf("import %s: the file has no rows of data below its header", path)
	}
	problems := &ingest.Errors{File: path}
	add := func(err error) {
		if len(problems.List) < opts.MaxErrors {
			problems.List = append(problems.List, err)
		} else {
			problems.Extra++
		}
	}
	nameIn, _ := p.Input("name")
	if nameIn != nil && nameIn.Kind != program.KindText {
		nameIn = nil
	}
	out := make([]importRow, t.N)
	for i := range out {
		r := importRow{row: numbers[i]}
		if p.IDInput != nil {
			r.code = t.Text[p.IDInput.TextCol][i]
		}
		if nameIn != nil {
			r.name = strings.TrimSpace(t.Text[nameIn.TextCol][i])
			if utf8.RuneCountInString(r.name) > maxName {
				add(cellProblem(path, opts.Sheet, r.row, cols.name, fmt.Errorf("name: at most %d characters", maxName)))
			}
		}
		r.channel = tableChannel(p, t, i)
		if r.code == "" {
			add(cellProblem(path, opts.Sheet, r.row, cols.code, errors.New("the unified social credit code is required")))
		}
		if r.channel == "" {
			r.channel = opts.Channel
		}
		switch {
		case r.channel == "":
			add(cellProblem(path, opts.Sheet, r.row, cols.channel, errors.New("no channel: give the row's channel, or say which with the channel option")))
		case opts.Channel != "" && r.channel != opts.Channel:
			add(cellProblem(path, opts.Sheet, r.row, cols.channel, fmt.Errorf("channel %q: this import is for channel %q only", r.channel, opts.Channel)))
		}
		raw, err := json.Marshal(tableInputs(p, t, i))
		if err != nil {
			return nil, err
		}
		canonical, msgs := parseInputs(p, raw)
		for _, m := range msgs {
			add(cellProblem(path, opts.Sheet, r.row, -1, errors.New(m)))
		}
		r.inputs = canonical
		out[i] = r
	}
	if len(problems.List) > 0 {
		return nil, &errs.Error{Code: errs.Invalid, Msg: "import refused, nothing written: " + problems.Error(), Err: problems}
	}
	return out, nil
}

// rowNumbers lists the file row of each data row, in order, as ingest
// reads them, and where the identifying, name and channel columns are (-1
// when absent).
func rowNumbers(p *program.Program, path, sheetName string) ([]int, importColumns, error) {
	cols := importColumns{-1, -1, -1}
	r, err := sheet.Open(path, sheet.Options{Sheet: sheetName})
	if err != nil {
		return nil, cols, err
	}
	defer r.Close()
	nameIn, _ := p.Input("name")
	for c, h := range r.Header() {
		switch {
		case p.IDInput != nil && namesInput(p.IDInput, h) && cols.code < 0:
			cols.code = c
		case p.ChannelInput != nil && namesInput(p.ChannelInput, h) && cols.channel < 0:
			cols.channel = c
		case nameIn != nil && namesInput(nameIn, h) && cols.name < 0:
			cols.name = c
		}
	}
	var rows []int
	for {
		_, row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, cols, nil
		}
		if err != nil {
			return nil, cols, err
		}
		rows = append(rows, row)
	}
}

// namesInput reports whether header h names input in the way the
// template writes it or by one of the input's names and aliases.
func namesInput(in *program.InputInfo, h string) bool {
	h = strings.TrimSpace(h)
	names := append([]string{in.ID, in.Name.Zh, in.Name.En, ingest.Header(in, 0),
		in.Name.Zh + " " + in.Name.En, in.Name.Zh + " / " + in.Name.En}, in.Aliases...)
	for _, n := range names {
		if n != "" && strings.EqualFold(strings.TrimSpace(n), h) {
			return true
		}
	}
	return false
}

// cellProblem is a problem at row and column c (-1: the row as a whole).
func cellProblem(path, sheetName string, row, c int, err error) error {
	e := &sheet.Error{File: path, Sheet: sheetName, Row: row, Err: err}
	if c >= 0 {
		e.Column = sheet.ColumnName(c)
	}
	return e
}

// tableChannel is row i's channel code in t ("" when missing).
func tableChannel(p *program.Program, t *scoring.Table, i int) string {
	in := p.ChannelInput
	if in == nil {
		return ""
	}
	if in.Kind == program.KindText {
		return strings.TrimSpace(t.Text[in.TextCol][i])
	}
	v := t.Num[in.Col][i]
	if math.IsNaN(v) || int(v) < 0 || int(v) >= len(in.Options) {
		return ""
	}
	return in.Options[int(v)].Value
}

// tableInputs turns row i of t back into an application's inputs (see
// inputs.go): the inverse of buildTable. Missing values are left out.
func tableInputs(p *program.Program, t *scoring.Table, i int) map[string]any {
	m := map[string]any{}
	for _, in := range p.Inputs {
		if in.Kind == program.KindText {
			if v := t.Text[in.TextCol][i]; v != "" {
				m[in.ID] = v
			}
			continue
		}
		vals := make([]any, in.Years)
		have := false
		for y := range vals {
			if v := inputValue(in, t.Num[in.Col+y][i]); v != nil {
				vals[y], have = v, true
			}
		}
		switch {
		case !have:
		case in.Yearly:
			m[in.ID] = vals
		default:
			m[in.ID] = vals[0]
		}
	}
	return m
}

// inputValue is the inputs value of the engine's cell v: nil when missing.
func inputValue(in *program.InputInfo, v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	switch in.Kind {
	case program.KindYesNo:
		return v != 0
	case program.KindChoice:
		if k := int(v); k >= 0 && k < len(in.Options) {
			return in.Options[k].Value
		}
		return nil
	}
	return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
}

// importWriter writes checked rows inside the import's transaction.
type importWriter struct {
	s         *Service
	tx        *store.Tx
	j         *journal
	c         store.Cycle
	p         *program.Program
	path      string
	opts      ImportOptions
	res       *ImportResult
	problems  *ingest.Errors
	conflicts int // problems that are conflicts with the database's state

	channels map[string]store.Channel
	apps     map[int64]store.Application // the cycle's applications, by enterprise
}

func (w *importWriter) load(ctx context.Context) error {
	chs, err := w.tx.Channels(ctx)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		w.channels[ch.Code] = ch
	}
	apps, err := w.tx.Applications(ctx, w.c.ID)
	if err != nil {
		return err
	}
	w.apps = make(map[int64]store.Application, len(apps))
	for _, a := range apps {
		w.apps[a.EnterpriseID] = a
	}
	return nil
}

func (w *importWriter) problem(r *importRow, conflict bool, format string, args ...any) {
	if conflict {
		w.conflicts++
	}
	err := &sheet.Error{File: w.path, Sheet: w.opts.Sheet, Row: r.row, Err: fmt.Errorf(format, args...)}
	if len(w.problems.List) < w.opts.MaxErrors {
		w.problems.List = append(w.problems.List, err)
	} else {
		w.problems.Extra++
	}
}

// row writes one row; problems with it are collected, and any other
// error ends the import.
func (w *importWriter) row(ctx context.Context, r *importRow) error {
	tx, j := w.tx, w.j
	changed := false
	defer func() {
		if !changed && len(w.problems.List)+w.problems.Extra == 0 {
			w.res.Unchanged++
		}
	}()
	ch, ok := w.channels[r.channel]
	if !ok {
		w.problem(r, false, "channel %q is not registered: add the channel first", r.channel)
		return nil
	}
	if err := channelInProgram(w.p, ch.Code); err != nil {
		w.problem(r, false, "%v", err)
		return nil
	}
	if err := uscc.Validate(r.code); err != nil {
		w.problem(r, false, "unified social credit code: %v", err)
		return nil
	}
	e, err := tx.EnterpriseByUSCC(ctx, r.code)
	switch {
	case errs.Is(err, errs.NotFound):
		if r.name == "" {
			w.problem(r, false, "enterprise %s is new: give its name", r.code)
			return nil
		}
		e = store.Enterprise{USCC: r.code, Name: r.name, ChannelID: ch.ID, CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertEnterprise(ctx, &e); err != nil {
			return err
		}
		if err := tx.RecordEnterpriseName(ctx, e.ID, w.s.today(j.now), r.name); err != nil {
			return err
		}
		j.record("enterprise.create", "enterprise", e.ID, nil, e)
		w.res.EnterprisesCreated++
		changed = true
	case err != nil:
		return err
	default:
		name := r.name
		if name == "" {
			name = e.Name
		}
		if name != e.Name || ch.ID != e.ChannelID {
			before := e
			e.Name, e.ChannelID, e.UpdatedAt = name, ch.ID, j.now
			if err := tx.UpdateEnterprise(ctx, &e); err != nil {
				return err
			}
			action := "enterprise.update"
			if before.Name != name {
				action = "enterprise.rename"
				if err := tx.RecordEnterpriseName(ctx, e.ID, w.s.today(j.now), name); err != nil {
					return err
				}
			}
			j.record(action, "enterprise", e.ID, before, e)
			w.res.EnterprisesUpdated++
			changed = true
		}
	}
	if bad := checkOwnInputs(w.p, r.inputs, e.USCC, ch.Code); len(bad) > 0 {
		w.problem(r, false, "%s", strings.Join(bad, "; "))
		return nil
	}

	a, exists := w.apps[e.ID]
	if !exists {
		rec, err := tx.CurrentRecognition(ctx, e.ID, w.c.ProgramID)
		holds := err == nil
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		switch {
		case w.c.Kind == KindIdentification && holds:
			w.problem(r, true, "enterprise %s already holds the title (recognition %d, granted %d): it is reviewed, not identified again",
				e.USCC, rec.ID, rec.GrantedYear)
			return nil
		case w.c.Kind == KindReview && !holds:
			w.problem(r, true, "enterprise %s holds no standing title: a review cycle examines holders only", e.USCC)
			return nil
		}
		a = store.Application{CycleID: w.c.ID, EnterpriseID: e.ID, ChannelID: ch.ID, Status: StatusDraft,
			Inputs: r.inputs, Declarations: json.RawMessage("{}"), CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertApplication(ctx, &a); err != nil {
			return err
		}
		j.record("application.create", "application", a.ID, nil, a)
		w.apps[e.ID] = a
		w.res.ApplicationsCreated++
		changed = true
		w.res.ApplicationIDs = append(w.res.ApplicationIDs, a.ID)
		return nil
	}
	w.res.ApplicationIDs = append(w.res.ApplicationIDs, a.ID)
	if a.ChannelID != ch.ID {
		w.problem(r, true, "application %d of enterprise %s came through another channel than %q: withdraw it first", a.ID, e.USCC, ch.Code)
		return nil
	}
	if a.Status != StatusDraft && a.Status != StatusReturned {
		w.problem(r, true, "application %d of enterprise %s is %q: only a draft or returned application can be replaced by an import", a.ID, e.USCC, a.Status)
		return nil
	}
	if string(a.Inputs) == string(r.inputs) {
		return nil
	}
	before := a
	a.Inputs, a.UpdatedAt = r.inputs, j.now
	if err := tx.UpdateApplication(ctx, &a); err != nil {
		return err
	}
	j.record("application.save", "application", a.ID, before, a)
	w.apps[e.ID] = a
	w.res.ApplicationsUpdated++
	changed = true
	return nil
}

// fileSHA256 is the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
