package store

import (
	"context"
	"database/sql"
	"time"
)

// Cycle is one run of a program, identification or review, moving through
// its phases (see package workflow for the state machine).
type Cycle struct {
	ID                   int64      `json:"id"`
	ProgramID            int64      `json:"program_id"`
	ProgramVersionID     int64      `json:"program_version_id"`
	Kind                 string     `json:"kind"` // identification, review
	Year                 int        `json:"year"`
	Phase                string     `json:"phase"`
	TitleZh              string     `json:"title_zh"`
	TitleEn              string     `json:"title_en"`
	ApplicationsDueAt    *time.Time `json:"applications_due_at,omitempty"`
	RecommendationsDueAt *time.Time `json:"recommendations_due_at,omitempty"`
	NoticeWorkingDays    int        `json:"notice_working_days"`
	Version              int64      `json:"version"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

const cycleColumns = `id, program_id, program_version_id, kind, year, phase, title_zh, title_en,
	applications_due_at, recommendations_due_at, notice_working_days, version, created_at, updated_at`

func scanCycle(row interface{ Scan(...any) error }) (Cycle, error) {
	var c Cycle
	var appsDue, recsDue sql.NullTime
	err := row.Scan(&c.ID, &c.ProgramID, &c.ProgramVersionID, &c.Kind, &c.Year, &c.Phase, &c.TitleZh, &c.TitleEn,
		&appsDue, &recsDue, &c.NoticeWorkingDays, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.ApplicationsDueAt, c.RecommendationsDueAt = timePtr(appsDue), timePtr(recsDue)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// Cycle returns cycle id.
func (tx *Tx) Cycle(ctx context.Context, id int64) (Cycle, error) {
	c, err := scanCycle(tx.QueryRow(ctx, "SELECT "+cycleColumns+" FROM cycles WHERE id = ?", id))
	return c, tx.db.wrap(err, "fetch cycle %d", id)
}

// CycleForUpdate returns cycle id locked until the write transaction ends,
// so that the phase it reads stays the phase until then: transitions and
// every change that depends on the phase take their turn on this row.
func (tx *Tx) CycleForUpdate(ctx context.Context, id int64) (Cycle, error) {
	c, err := scanCycle(tx.QueryRow(ctx, "SELECT "+cycleColumns+" FROM cycles WHERE id = ?"+tx.db.dialect.forUpdate(), id))
	return c, tx.db.wrap(err, "fetch cycle %d", id)
}

// CycleForShare returns cycle id kept from changing until the write
// transaction ends, shared: other transactions may hold it alongside,
// and a CycleForUpdate (a transition) waits for all of them. It is for
// changes that only need the phase to stay put, such as an enterprise's
// work on its application, so that they run side by side.
func (tx *Tx) CycleForShare(ctx context.Context, id int64) (Cycle, error) {
	c, err := scanCycle(tx.QueryRow(ctx, "SELECT "+cycleColumns+" FROM cycles WHERE id = ?"+tx.db.dialect.forShare(), id))
	return c, tx.db.wrap(err, "fetch cycle %d", id)
}

// CycleOfApplication returns the cycle of application applicationID,
// shared as CycleForShare does, in one statement. An application that
// does not exist is errs.NotFound.
func (tx *Tx) CycleOfApplication(ctx context.Context, applicationID int64) (Cycle, error) {
	c, err := scanCycle(tx.QueryRow(ctx, "SELECT "+cycleColumns+" FROM cycles WHERE id = (SELECT cycle_id FROM applications WHERE id = ?)"+
		tx.db.dialect.forShare(), applicationID))
	return c, tx.db.wrap(err, "fetch the cycle of application %d", applicationID)
}

// InsertCycle stores c (its Version is 1) and sets c.ID.
func (tx *Tx) InsertCycle(ctx context.Context, c *Cycle) error {
	c.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO cycles (program_id, program_version_id, kind, year, phase, title_zh, title_en,
			applications_due_at, recommendations_due_at, notice_working_days, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		c.ProgramID, c.ProgramVersionID, c.Kind, c.Year, c.Phase, c.TitleZh, c.TitleEn,
		nullTime(c.ApplicationsDueAt), nullTime(c.RecommendationsDueAt), c.NoticeWorkingDays, ts(c.CreatedAt), ts(c.UpdatedAt)).Scan(&c.ID)
	return tx.db.wrap(err, "create %s cycle %d", c.Kind, c.Year)
}

// UpdateCycle writes c's phase, titles, deadlines and notice length if
// c.Version is still current, and bumps c.Version.
func (tx *Tx) UpdateCycle(ctx context.Context, c *Cycle) error {
	res, err := tx.Exec(ctx, `UPDATE cycles SET phase = ?, title_zh = ?, title_en = ?, applications_due_at = ?,
			recommendations_due_at = ?, notice_working_days = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, c.Phase, c.TitleZh, c.TitleEn, nullTime(c.ApplicationsDueAt),
		nullTime(c.RecommendationsDueAt), c.NoticeWorkingDays, ts(c.UpdatedAt), c.ID, c.Version)
	if err == nil {
		err = checkOne(res, c.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update cycle %d", c.ID)
	}
	c.Version++
	return nil
}

// SetCycleQuota sets how many applications channelID may recommend to
// cycleID.
func (tx *Tx) SetCycleQuota(ctx context.Context, cycleID, channelID int64, quota int) error {
	_, err := tx.Exec(ctx, `INSERT INTO cycle_quotas (cycle_id, channel_id, quota) VALUES (?, ?, ?)
		ON CONFLICT (cycle_id, channel_id) DO UPDATE SET quota = excluded.quota, version = cycle_quotas.version + 1`,
		cycleID, channelID, quota)
	return tx.db.wrap(err, "set quota of channel %d in cycle %d", channelID, cycleID)
}

// CycleQuota returns channelID's quota in cycleID, and false when the
// cycle sets none for it.
func (tx *Tx) CycleQuota(ctx context.Context, cycleID, channelID int64) (int, bool, error) {
	var q int
	err := tx.QueryRow(ctx, "SELECT quota FROM cycle_quotas WHERE cycle_id = ? AND channel_id = ?", cycleID, channelID).Scan(&q)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return q, err == nil, tx.db.wrap(err, "fetch quota of channel %d in cycle %d", channelID, cycleID)
}

// CycleQuotas returns the quotas cycleID sets, by channel id.
func (tx *Tx) CycleQuotas(ctx context.Context, cycleID int64) (map[int64]int, error) {
	rows, err := tx.Query(ctx, "SELECT channel_id, quota FROM cycle_quotas WHERE cycle_id = ?", cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "list quotas of cycle %d", cycleID)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var ch int64
		var q int
		if err := rows.Scan(&ch, &q); err != nil {
			return nil, tx.db.wrap(err, "list quotas of cycle %d", cycleID)
		}
		out[ch] = q
	}
	return out, tx.db.wrap(rows.Err(), "list quotas of cycle %d", cycleID)
}
