package store

import (
	"context"
	"time"
)

// Notice is the public notice of a cycle's proposed decisions, open for
// objections from StartsAt until EndsAt.
type Notice struct {
	ID          int64     `json:"id"`
	CycleID     int64     `json:"cycle_id"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	WorkingDays int       `json:"working_days"`
	TitleZh     string    `json:"title_zh"`
	TitleEn     string    `json:"title_en"`
	CreatedAt   time.Time `json:"created_at"`
}

const noticeColumns = "id, cycle_id, starts_at, ends_at, working_days, title_zh, title_en, created_at"

func scanNotice(row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	err := row.Scan(&n.ID, &n.CycleID, &n.StartsAt, &n.EndsAt, &n.WorkingDays, &n.TitleZh, &n.TitleEn, &n.CreatedAt)
	n.StartsAt, n.EndsAt, n.CreatedAt = n.StartsAt.UTC(), n.EndsAt.UTC(), n.CreatedAt.UTC()
	return n, err
}

// Notice returns notice id.
func (tx *Tx) Notice(ctx context.Context, id int64) (Notice, error) {
	n, err := scanNotice(tx.QueryRow(ctx, "SELECT "+noticeColumns+" FROM notices WHERE id = ?", id))
	return n, tx.db.wrap(err, "fetch notice %d", id)
}

// LatestNotice returns cycleID's newest notice.
func (tx *Tx) LatestNotice(ctx context.Context, cycleID int64) (Notice, error) {
	n, err := scanNotice(tx.QueryRow(ctx, "SELECT "+noticeColumns+" FROM notices WHERE cycle_id = ? ORDER BY id DESC LIMIT 1", cycleID))
	return n, tx.db.wrap(err, "fetch notice of cycle %d", cycleID)
}

// InsertNotice stores n and sets n.ID.
func (tx *Tx) InsertNotice(ctx context.Context, n *Notice) error {
	err := tx.QueryRow(ctx, `INSERT INTO notices (cycle_id, starts_at, ends_at, working_days, title_zh, title_en, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.CycleID, ts(n.StartsAt), ts(n.EndsAt), n.WorkingDays,
		n.TitleZh, n.TitleEn, ts(n.CreatedAt)).Scan(&n.ID)
	return tx.db.wrap(err, "create notice of cycle %d", n.CycleID)
}

// CalendarDay is an exception to "Monday to Friday are working days": a
// public holiday (Working false) or a weekend day made a working day by a
// holiday swap (调休, Working true).
type CalendarDay struct {
	Day     time.Time `json:"day"` // the date; its time of day and zone are ignored
	Working bool      `json:"working"`
	NameZh  string    `json:"name_zh,omitempty"`
	NameEn  string    `json:"name_en,omitempty"`
}

// SetCalendarDay records d, replacing what the calendar said of that day.
func (tx *Tx) SetCalendarDay(ctx context.Context, d CalendarDay) error {
	_, err := tx.Exec(ctx, `INSERT INTO calendar_days (day, working, name_zh, name_en) VALUES (?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET working = excluded.working, name_zh = excluded.name_zh, name_en = excluded.name_en`,
		day(d.Day), d.Working, d.NameZh, d.NameEn)
	return tx.db.wrap(err, "set calendar day %s", day(d.Day))
}

// CalendarDays returns the calendar's exceptions from the day of from to
// the day of to, both included, in date order. Days come back as midnight
// UTC.
func (tx *Tx) CalendarDays(ctx context.Context, from, to time.Time) ([]CalendarDay, error) {
	rows, err := tx.Query(ctx, "SELECT day, working, name_zh, name_en FROM calendar_days WHERE day >= ? AND day <= ? ORDER BY day",
		day(from), day(to))
	if err != nil {
		return nil, tx.db.wrap(err, "read calendar")
	}
	defer rows.Close()
	var out []CalendarDay
	for rows.Next() {
		var d CalendarDay
		if err := rows.Scan(&d.Day, &d.Working, &d.NameZh, &d.NameEn); err != nil {
			return nil, tx.db.wrap(err, "read calendar")
		}
		d.Day = dayOf(d.Day)
		out = append(out, d)
	}
	return out, tx.db.wrap(rows.Err(), "read calendar")
}
