package store

import (
	"context"
	"database/sql"
	"strings"
)

// DecisionRow is a decision as lists show it: with its enterprise's name
// and code, its channel, and the engine's score and rank from the run the
// decision was drafted from.
type DecisionRow struct {
	Decision
	EnterpriseName string   `json:"enterprise_name"`
	USCC           string   `json:"uscc"`
	ChannelCode    string   `json:"channel_code,omitempty"`
	ChannelNameZh  string   `json:"channel_name_zh,omitempty"`
	ChannelNameEn  string   `json:"channel_name_en,omitempty"`
	Score          *float64 `json:"score,omitempty"`
	Rank           *int64   `json:"rank,omitempty"`
}

// DecisionQuery selects and orders a cycle's decisions for a list.
type DecisionQuery struct {
	CycleID   int64
	States    []string // only these states; none: every state
	Outcome   string   // "pass", "fail" or "" for both
	ChannelID int64    // 0: every channel
	Search    string   // words the enterprise's name or code contains
	// Sort is one of "name", "uscc", "channel", "outcome", "score", "rank"
	// ("" is by rank, then name); Desc reverses it.
	Sort   string
	Desc   bool
	Limit  int // 0: 50
	Offset int
}

// decisionSorts maps DecisionQuery.Sort to SQL. Ties always fall back to
// the enterprise's code, so pages do not shuffle between requests.
var decisionSorts = map[string]string{
	"name":    "e.name",
	"uscc":    "e.uscc",
	"channel": "c.code",
	"outcome": "d.outcome",
	"score":   "r.score",
	"rank":    "r.rank",
	"":        "r.rank",
}

// DecisionRows returns the decisions q selects, ordered and paged, and how
// many q selects in all. An unknown sort is invalid.
func (tx *Tx) DecisionRows(ctx context.Context, q DecisionQuery) ([]DecisionRow, int, error) {
	order, ok := decisionSorts[q.Sort]
	if !ok {
		return nil, 0, invalid("sort %q: sort by name, uscc, channel, outcome, score or rank", q.Sort)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	// NULL scores and ranks (not eligible) go last either way.
	orderBy := " ORDER BY CASE WHEN " + order + " IS NULL THEN 1 ELSE 0 END, " + order + dir + ", e.uscc"
	where := []string{"d.cycle_id = ?"}
	args := []any{q.CycleID}
	if len(q.States) > 0 {
		where = append(where, "d.state IN (?"+strings.Repeat(", ?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, s)
		}
	}
	if q.Outcome != "" {
		where = append(where, "d.outcome = ?")
		args = append(args, q.Outcome)
	}
	if q.ChannelID != 0 {
		where = append(where, "e.channel_id = ?")
		args = append(args, q.ChannelID)
	}
	for _, w := range strings.Fields(q.Search) {
		where = append(where, "(e.name LIKE ? ESCAPE '\\' OR e.uscc LIKE ? ESCAPE '\\')")
		p := "%" + likeEscaper.Replace(w) + "%"
		args = append(args, p, p)
	}
	from := ` FROM decisions d
		JOIN enterprises e ON e.id = d.enterprise_id
		LEFT JOIN channels c ON c.id = e.channel_id
		LEFT JOIN results r ON r.run_id = d.run_id AND r.enterprise_id = d.enterprise_id
		WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*)"+from, args...).Scan(&total); err != nil {
		return nil, 0, tx.db.wrap(err, "count decisions of cycle %d", q.CycleID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	cols := "d." + strings.Join(strings.Fields(strings.ReplaceAll(decisionColumns, ",", " ")), ", d.")
	rows, err := tx.Query(ctx, "SELECT "+cols+", e.name, e.uscc, c.code, c.name_zh, c.name_en, r.score, r.rank"+from+orderBy+" LIMIT ? OFFSET ?",
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, tx.db.wrap(err, "list decisions of cycle %d", q.CycleID)
	}
	defer rows.Close()
	var out []DecisionRow
	for rows.Next() {
		var dr DecisionRow
		var code, zh, en sql.NullString
		var score sql.NullFloat64
		var rank sql.NullInt64
		d, err := scanDecision(withExtra{rows, []any{&dr.EnterpriseName, &dr.USCC, &code, &zh, &en, &score, &rank}})
		if err != nil {
			return nil, 0, tx.db.wrap(err, "list decisions of cycle %d", q.CycleID)
		}
		dr.Decision, dr.ChannelCode, dr.ChannelNameZh, dr.ChannelNameEn = d, code.String, zh.String, en.String
		if score.Valid {
			dr.Score = &score.Float64
		}
		if rank.Valid {
			dr.Rank = &rank.Int64
		}
		out = append(out, dr)
	}
	return out, total, tx.db.wrap(rows.Err(), "list decisions of cycle %d", q.CycleID)
}

// withExtra scans a row's leading columns with a record's scanner and its
// trailing ones into extra.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }
