package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// The reads of the administrator's cycle pages and the recommender's
// pages: lists joined with the names people recognise, and counts. They
// change nothing.

// ProgramVersionChoice is a program version as a form offers it.
type ProgramVersionChoice struct {
	ID        int64     `json:"id"`
	Program   string    `json:"program"` // the program's name, e.g. "miit-tide"
	TitleZh   string    `json:"title_zh"`
	TitleEn   string    `json:"title_en"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
}

// ProgramVersionChoices returns every program version, by program name,
// newest version first.
func (tx *Tx) ProgramVersionChoices(ctx context.Context) ([]ProgramVersionChoice, error) {
	rows, err := tx.Query(ctx, `SELECT v.id, p.name, p.title_zh, p.title_en, v.label, v.created_at
		FROM program_versions v JOIN programs p ON p.id = v.program_id ORDER BY p.name, v.id DESC`)
	if err != nil {
		return nil, tx.db.wrap(err, "list program versions")
	}
	defer rows.Close()
	var out []ProgramVersionChoice
	for rows.Next() {
		var v ProgramVersionChoice
		if err := rows.Scan(&v.ID, &v.Program, &v.TitleZh, &v.TitleEn, &v.Label, &v.CreatedAt); err != nil {
			return nil, tx.db.wrap(err, "list program versions")
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, tx.db.wrap(rows.Err(), "list program versions")
}

// ApplicationRow is an application with its enterprise's name and code
// and, when recommended, its rank in the channel's list (0 otherwise).
type ApplicationRow struct {
	Application
	EnterpriseName string `json:"enterprise_name"`
	USCC           string `json:"uscc"`
	RecommendRank  int    `json:"recommend_rank,omitempty"`
}

// ChannelApplicationRows returns the applications channelID made to
// cycleID (through it), by id.
func (tx *Tx) ChannelApplicationRows(ctx context.Context, cycleID, channelID int64) ([]ApplicationRow, error) {
	cols := aliased("a.", applicationColumns)
	rows, err := tx.Query(ctx, "SELECT "+cols+`, e.name, e.uscc, rec.rank
		FROM applications a JOIN enterprises e ON e.id = a.enterprise_id
		LEFT JOIN recommendations rec ON rec.application_id = a.id
		WHERE a.cycle_id = ? AND a.channel_id = ? ORDER BY a.id`, cycleID, channelID)
	if err != nil {
		return nil, tx.db.wrap(err, "list applications of channel %d in cycle %d", channelID, cycleID)
	}
	defer rows.Close()
	var out []ApplicationRow
	for rows.Next() {
		var ar ApplicationRow
		var rank sql.NullInt64
		a, err := scanApplication(withExtra{rows, []any{&ar.EnterpriseName, &ar.USCC, &rank}})
		if err != nil {
			return nil, tx.db.wrap(err, "list applications of channel %d in cycle %d", channelID, cycleID)
		}
		ar.Application, ar.RecommendRank = a, int(rank.Int64)
		out = append(out, ar)
	}
	return out, tx.db.wrap(rows.Err(), "list applications of channel %d in cycle %d", channelID, cycleID)
}

// StatusCount is how many applications of one channel in a cycle have
// one status.
type StatusCount struct {
	ChannelID int64  `json:"channel_id"`
	Status    string `json:"status"`
	N         int    `json:"n"`
}

// ApplicationCounts returns, for cycleID, how many applications each
// channel has in each status (only the pairs that occur).
func (tx *Tx) ApplicationCounts(ctx context.Context, cycleID int64) ([]StatusCount, error) {
	rows, err := tx.Query(ctx, `SELECT channel_id, status, COUNT(*) FROM applications WHERE cycle_id = ?
		GROUP BY channel_id, status ORDER BY channel_id, status`, cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "count applications of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []StatusCount
	for rows.Next() {
		var c StatusCount
		if err := rows.Scan(&c.ChannelID, &c.Status, &c.N); err != nil {
			return nil, tx.db.wrap(err, "count applications of cycle %d", cycleID)
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "count applications of cycle %d", cycleID)
}

// DecisionCount is how many decisions of a cycle are in one state with
// one outcome.
type DecisionCount struct {
	State   string `json:"state"`
	Outcome string `json:"outcome"`
	N       int    `json:"n"`
}

// DecisionCounts returns how many of cycleID's decisions are in each
// state with each outcome (only the pairs that occur).
func (tx *Tx) DecisionCounts(ctx context.Context, cycleID int64) ([]DecisionCount, error) {
	rows, err := tx.Query(ctx, `SELECT state, outcome, COUNT(*) FROM decisions WHERE cycle_id = ?
		GROUP BY state, outcome ORDER BY state, outcome`, cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "count decisions of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []DecisionCount
	for rows.Next() {
		var c DecisionCount
		if err := rows.Scan(&c.State, &c.Outcome, &c.N); err != nil {
			return nil, tx.db.wrap(err, "count decisions of cycle %d", cycleID)
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "count decisions of cycle %d", cycleID)
}

// ResultName is who one result of an engine run is about: the
// enterprise's current name and code, and the channel it applied
// through (the reader fills that in: see workflow.ResultTable).
type ResultName struct {
	EnterpriseID  int64  `json:"enterprise_id"`
	Name          string `json:"name"`
	USCC          string `json:"uscc"`
	ChannelID     int64  `json:"channel_id,omitempty"`
	ChannelCode   string `json:"channel_code,omitempty"`
	ChannelNameZh string `json:"channel_name_zh,omitempty"`
	ChannelNameEn string `json:"channel_name_en,omitempty"`
}

// ResultNames returns the current name and code of the enterprise of
// each result of run runID, by enterprise id. It reads the results' key
// only, never their documents, so it stays cheap for a run of many
// thousands.
func (tx *Tx) ResultNames(ctx context.Context, runID int64) ([]ResultName, error) {
	rows, err := tx.Query(ctx, `SELECT e.id, e.name, e.uscc FROM enterprises e
		WHERE e.id IN (SELECT r.enterprise_id FROM results r WHERE r.run_id = ?) ORDER BY e.id`, runID)
	if err != nil {
		return nil, tx.db.wrap(err, "list the enterprises of run %d", runID)
	}
	defer rows.Close()
	var out []ResultName
	for rows.Next() {
		var n ResultName
		if err := rows.Scan(&n.EnterpriseID, &n.Name, &n.USCC); err != nil {
			return nil, tx.db.wrap(err, "list the enterprises of run %d", runID)
		}
		out = append(out, n)
	}
	return out, tx.db.wrap(rows.Err(), "list the enterprises of run %d", runID)
}

// aliased prefixes every column of list ("id, a,\n\tb") with alias.
func aliased(alias, list string) string {
	return alias + strings.Join(strings.Fields(strings.ReplaceAll(list, ",", " ")), ", "+alias)
}
