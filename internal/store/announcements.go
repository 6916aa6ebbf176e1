package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
)

// Announcement is a published page: news, or the results of a cycle. It
// is a draft until IssuedAt is set; Views counts its readers.
type Announcement struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"` // news or results
	CycleID   int64      `json:"cycle_id,omitempty"`
	TitleZh   string     `json:"title_zh"`
	TitleEn   string     `json:"title_en"`
	BodyZh    string     `json:"body_zh"`
	BodyEn    string     `json:"body_en"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	Views     int64      `json:"views"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

const announcementColumns = "id, kind, cycle_id, title_zh, title_en, body_zh, body_en, issued_at, views, version, created_at, updated_at"

func scanAnnouncement(row interface{ Scan(...any) error }) (Announcement, error) {
	var a Announcement
	var cycle sql.NullInt64
	var issued sql.NullTime
	err := row.Scan(&a.ID, &a.Kind, &cycle, &a.TitleZh, &a.TitleEn, &a.BodyZh, &a.BodyEn, &issued, &a.Views, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	a.CycleID, a.IssuedAt = cycle.Int64, timePtr(issued)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// InsertAnnouncement stores a (its Version is 1, its Views 0) and sets a.ID.
func (tx *Tx) InsertAnnouncement(ctx context.Context, a *Announcement) error {
	a.Version, a.Views = 1, 0
	err := tx.QueryRow(ctx, `INSERT INTO announcements (kind, cycle_id, title_zh, title_en, body_zh, body_en, issued_at, views, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?) RETURNING id`,
		a.Kind, nullID(a.CycleID), a.TitleZh, a.TitleEn, a.BodyZh, a.BodyEn, nullTime(a.IssuedAt), ts(a.CreatedAt), ts(a.UpdatedAt)).Scan(&a.ID)
	return tx.db.wrap(err, "create announcement %q", a.TitleZh)
}

// Announcement returns announcement id.
func (tx *Tx) Announcement(ctx context.Context, id int64) (Announcement, error) {
	a, err := scanAnnouncement(tx.QueryRow(ctx, "SELECT "+announcementColumns+" FROM announcements WHERE id = ?", id))
	return a, tx.db.wrap(err, "fetch announcement %d", id)
}

// UpdateAnnouncement writes a's texts and time of issue if a.Version is
// still current, and bumps a.Version. It leaves the view count alone:
// readers add to it concurrently.
func (tx *Tx) UpdateAnnouncement(ctx context.Context, a *Announcement) error {
	res, err := tx.Exec(ctx, `UPDATE announcements SET title_zh = ?, title_en = ?, body_zh = ?, body_en = ?, issued_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, a.TitleZh, a.TitleEn, a.BodyZh, a.BodyEn, nullTime(a.IssuedAt), ts(a.UpdatedAt), a.ID, a.Version)
	if err == nil {
		err = checkOne(res, a.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update announcement %d", a.ID)
	}
	a.Version++
	return nil
}

// AnnouncementFilter selects announcements for a list.
type AnnouncementFilter struct {
	IssuedOnly bool   // leave out drafts (the public's list)
	Kind       string // "" for every kind
	CycleID    int64  // 0 for every cycle
	Search     string // words the title (either language) contains
	Limit      int    // at most this many (0: 50)
	Offset     int
}

// Announcements returns the announcements f selects, newest issue first
// (drafts, which have none, before them), and how many f selects in all.
func (tx *Tx) Announcements(ctx context.Context, f AnnouncementFilter) ([]Announcement, int, error) {
	var where []string
	var args []any
	if f.IssuedOnly {
		where = append(where, "issued_at IS NOT NULL")
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, f.Kind)
	}
	if f.CycleID != 0 {
		where = append(where, "cycle_id = ?")
		args = append(args, f.CycleID)
	}
	for _, w := range strings.Fields(f.Search) {
		where = append(where, "(title_zh LIKE ? ESCAPE '\\' OR title_en LIKE ? ESCAPE '\\')")
		p := "%" + likeEscaper.Replace(w) + "%"
		args = append(args, p, p)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM announcements"+cond, args...).Scan(&total); err != nil {
		return nil, 0, tx.db.wrap(err, "count announcements")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query(ctx, "SELECT "+announcementColumns+" FROM announcements"+cond+
		" ORDER BY CASE WHEN issued_at IS NULL THEN 0 ELSE 1 END, issued_at DESC, id DESC LIMIT ? OFFSET ?",
		append(slices.Clip(args), limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, tx.db.wrap(err, "list announcements")
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		a, err := scanAnnouncement(rows)
		if err != nil {
			return nil, 0, tx.db.wrap(err, "list announcements")
		}
		out = append(out, a)
	}
	return out, total, tx.db.wrap(rows.Err(), "list announcements")
}

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// AddAnnouncementViews adds counts[id] to the view count of each
// announcement, in one statement per announcement (views = views + n is
// atomic on both databases, so servers adding concurrently lose nothing).
// Ids of announcements that no longer exist are skipped.
func (tx *Tx) AddAnnouncementViews(ctx context.Context, counts map[int64]int64) error {
	ids := make([]int64, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	// A fixed order: two servers flushing at once lock rows in the same
	// order and cannot deadlock on PostgreSQL.
	slices.Sort(ids)
	for _, id := range ids {
		if counts[id] <= 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE announcements SET views = views + ? WHERE id = ?`, counts[id], id); err != nil {
			return tx.db.wrap(err, "count views of announcement %d", id)
		}
	}
	return nil
}
