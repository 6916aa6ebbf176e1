package workflow

// Export of a cycle's results and decisions to a spreadsheet.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/store"
)

// ExportColumns are the columns ExportCycle writes, in order.
var ExportColumns = []string{
	"uscc", "name", "channel", "application_status", "engine_outcome", "total_score", "rank",
	"decision_outcome", "decision_reason_zh", "decision_reason_en", "decision_state",
}

// exportNotes explain the columns, in Chinese and English (XLSX header
// comments).
var exportNotes = []string{
	"统一社会信用代码 / Unified social credit code",
	"企业名称 / Enterprise name",
	"推荐渠道 / Recommending channel",
	"申报状态 / Application status: draft, submitted, withdrawn, returned, recommended, not_recommended",
	"评价结果 / The engine's outcome in the cycle's latest run: pass, fail, not_eligible…",
	"总分 / Total score (empty: not scored)",
	"排名 / Rank (empty: not ranked)",
	"结论 / Decision: pass or fail",
	"结论理由（中文）/ Reason, in Chinese",
	"结论理由（英文）/ Reason, in English",
	"结论状态 / Decision state: drafted, proposed, final",
}

// ExportResult says what ExportCycle wrote.
type ExportResult struct {
	Rows  int   `json:"rows"`
	RunID int64 `json:"run_id,omitempty"` // the engine run the results are from; 0: none yet
}

// ExportCycle writes cycle cycleID's results and decisions to path (.xlsx
// or .csv): one row per enterprise that applied to the cycle, was
// evaluated in it or has a decision in it, with its code, name, channel,
// application status, the engine's outcome, total score and rank in the
// cycle's latest run, and its decision's outcome, reasons and state;
// cells the cycle has not reached yet are empty. Rows are ranked first, in
// rank order, then by code. Everything is read in one read transaction,
// so the file is one consistent picture, and written through sheet.Create,
// so it appears whole or not at all.
//
// It refuses a cycle that does not exist (not found) and a file name that
// is neither .xlsx nor .csv (invalid). It changes nothing and records
// nothing in the audit log.
func (s *Service) ExportCycle(ctx context.Context, cycleID int64, path string) (ExportResult, error) {
	var res ExportResult
	var rows [][]any
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Cycle(ctx, cycleID); err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		apps, err := tx.Applications(ctx, cycleID)
		if err != nil {
			return err
		}
		var results []store.Result
		run, err := tx.LatestEngineRun(ctx, cycleID)
		switch {
		case err == nil:
			res.RunID = run.ID
			if results, err = tx.Results(ctx, run.ID); err != nil {
				return err
			}
		case !errs.Is(err, errs.NotFound):
			return err
		}
		decisions, err := tx.Decisions(ctx, cycleID)
		if err != nil {
			return err
		}
		rows, err = exportRows(ctx, tx, apps, results, decisions)
		return err
	})
	if err != nil {
		return res, err
	}
	w, err := sheet.Create(path)
	if err != nil {
		return res, &errs.Error{Code: errs.Invalid, Msg: err.Error(), Err: err}
	}
	if err := w.WriteHeader(ExportColumns, exportNotes); err != nil {
		w.Abort()
		return res, err
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			w.Abort()
			return res, err
		}
	}
	if err := w.Close(); err != nil {
		return res, err
	}
	res.Rows = len(rows)
	return res, nil
}

// exportLine is what the export knows of one enterprise.
type exportLine struct {
	e   store.Enterprise
	app *store.Application
	res *store.Result
	dec *store.Decision
}

func exportRows(ctx context.Context, tx *store.Tx, apps []store.Application, results []store.Result, decisions []store.Decision) ([][]any, error) {
	lines := map[int64]*exportLine{}
	line := func(id int64) *exportLine {
		l := lines[id]
		if l == nil {
			l = &exportLine{}
			lines[id] = l
		}
		return l
	}
	for i := range apps {
		line(apps[i].EnterpriseID).app = &apps[i]
	}
	for i := range results {
		line(results[i].EnterpriseID).res = &results[i]
	}
	for i := range decisions {
		line(decisions[i].EnterpriseID).dec = &decisions[i]
	}
	channels := map[int64]string{}
	chs, err := tx.Channels(ctx)
	if err != nil {
		return nil, err
	}
	for _, ch := range chs {
		channels[ch.ID] = ch.Code
	}
	out := make([]*exportLine, 0, len(lines))
	for id, l := range lines {
		if l.e, err = tx.Enterprise(ctx, id); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	rank := func(l *exportLine) int {
		if l.res == nil || l.res.Rank <= 0 {
			return int(^uint(0) >> 1)
		}
		return l.res.Rank
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i].e.USCC < out[j].e.USCC
	})
	rows := make([][]any, len(out))
	for i, l := range out {
		chID := l.e.ChannelID
		status := ""
		if l.app != nil {
			chID, status = l.app.ChannelID, l.app.Status
		}
		r := []any{l.e.USCC, l.e.Name, channels[chID], status, "", nil, nil, "", "", "", ""}
		if l.res != nil {
			var doc struct {
				Outcome string `json:"outcome"`
			}
			if err := json.Unmarshal(l.res.Result, &doc); err != nil {
				return nil, internalf("the stored result of enterprise %s in run %d is not readable: %v", l.e.USCC, l.res.RunID, err)
			}
			r[4] = doc.Outcome
			if l.res.Score != nil {
				r[5] = *l.res.Score
			}
			if l.res.Rank > 0 {
				r[6] = l.res.Rank
			}
		}
		if d := l.dec; d != nil {
			r[7], r[8], r[9], r[10] = d.Outcome, d.ReasonZh, d.ReasonEn, d.State
		}
		rows[i] = r
	}
	return rows, nil
}

// String is for messages: "12 rows (engine run 3)".
func (r ExportResult) String() string {
	if r.RunID == 0 {
		return fmt.Sprintf("%s (not evaluated yet)", count(r.Rows, "row", "rows"))
	}
	return fmt.Sprintf("%s (engine run %d)", count(r.Rows, "row", "rows"), r.RunID)
}
