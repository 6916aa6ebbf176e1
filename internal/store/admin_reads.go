package store

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The reads the administrator's set-up pages need: programs and their
// versions, users and enterprises found by search, and the audit log
// searched by its fields.

// Programs returns every program, by name.
func (tx *Tx) Programs(ctx context.Context) ([]Program, error) {
	rows, err := tx.Query(ctx, "SELECT "+programColumns+" FROM programs ORDER BY name")
	if err != nil {
		return nil, tx.db.wrap(err, "list programs")
	}
	defer rows.Close()
	var out []Program
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list programs")
		}
		out = append(out, p)
	}
	return out, tx.db.wrap(rows.Err(), "list programs")
}

// ProgramVersions returns the versions of program programID, newest
// first, each with its definition text.
func (tx *Tx) ProgramVersions(ctx context.Context, programID int64) ([]ProgramVersion, error) {
	rows, err := tx.Query(ctx, "SELECT "+programVersionColumns+
		" FROM program_versions AS v JOIN programs AS p ON p.id = v.program_id WHERE v.program_id = ? ORDER BY v.id DESC", programID)
	if err != nil {
		return nil, tx.db.wrap(err, "list versions of program %d", programID)
	}
	defer rows.Close()
	var out []ProgramVersion
	for rows.Next() {
		v, err := scanProgramVersion(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list versions of program %d", programID)
		}
		out = append(out, v)
	}
	return out, tx.db.wrap(rows.Err(), "list versions of program %d", programID)
}

// UserQuery selects users for the administrator's list.
type UserQuery struct {
	Search string // words the username or display name contains (any case)
	Role   string // only holders of this role; "" for all
	// Sort is "username" (the default), "name" (display name) or
	// "created"; Desc reverses it. Ties go by id.
	Sort   string
	Desc   bool
	Limit  int // at most this many (0: 50)
	Offset int
}

// SearchUsers returns the users q selects, in q's order and page, and
// how many q selects in all.
func (tx *Tx) SearchUsers(ctx context.Context, q UserQuery) ([]User, int, error) {
	var where []string
	var args []any
	for _, w := range strings.Fields(q.Search) {
		where = append(where, "(LOWER(username) LIKE ? ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\')")
		p := "%" + likeEscaper.Replace(strings.ToLower(w)) + "%"
		args = append(args, p, p)
	}
	if q.Role != "" {
		where = append(where, "EXISTS (SELECT 1 FROM user_roles AS r WHERE r.user_id = users.id AND r.role = ?)")
		args = append(args, q.Role)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users"+cond, args...).Scan(&total); err != nil {
		return nil, 0, tx.db.wrap(err, "count users")
	}
	order := "username"
	switch q.Sort {
	case "name":
		order = "display_name"
	case "created":
		order = "created_at"
	}
	if q.Desc {
		order += " DESC, id DESC"
	} else {
		order += ", id"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query(ctx, "SELECT "+userColumns+" FROM users"+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(slices.Clip(args), limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, tx.db.wrap(err, "list users")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, tx.db.wrap(err, "list users")
		}
		out = append(out, u)
	}
	return out, total, tx.db.wrap(rows.Err(), "list users")
}

// SearchEnterprises returns at most limit enterprises whose name or
// credit code contains every word of search, by name.
func (tx *Tx) SearchEnterprises(ctx context.Context, search string, limit int) ([]Enterprise, error) {
	var where []string
	var args []any
	for _, w := range strings.Fields(search) {
		where = append(where, "(name LIKE ? ESCAPE '\\' OR uscc LIKE ? ESCAPE '\\')")
		esc := likeEscaper.Replace(w)
		args = append(args, "%"+esc+"%", "%"+strings.ToUpper(esc)+"%")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query(ctx, "SELECT "+enterpriseColumns+" FROM enterprises"+cond+" ORDER BY name, id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, tx.db.wrap(err, "search enterprises")
	}
	defer rows.Close()
	var out []Enterprise
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "search enterprises")
		}
		out = append(out, e)
	}
	return out, tx.db.wrap(rows.Err(), "search enterprises")
}

// AuditQuery selects audit entries for the administrator's search.
type AuditQuery struct {
	Seq      int64     // exactly this entry; 0 for all
	Actor    string    // exactly this actor; "" for all
	Action   string    // actions beginning with this ("user." or "user.create"); "" for all
	Entity   string    // exactly this entity; "" for all
	EntityID string    // exactly this entity id; "" for all
	From     time.Time // at or after this instant; zero for no bound
	To       time.Time // before this instant; zero for no bound
	// Text: words each found (in any case) in the actor, action, entity
	// id, or the JSON of the state before or after.
	Text   string
	Limit  int // at most this many (0: 50)
	Offset int
}

// SearchAudit returns the entries q selects, newest first, and how many
// q selects in all.
func (tx *Tx) SearchAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, int, error) {
	var where []string
	var args []any
	if q.Seq != 0 {
		where = append(where, "seq = ?")
		args = append(args, q.Seq)
	}
	if q.Actor != "" {
		where = append(where, "actor = ?")
		args = append(args, q.Actor)
	}
	if q.Action != "" {
		where = append(where, "action LIKE ? ESCAPE '\\'")
		args = append(args, likeEscaper.Replace(q.Action)+"%")
	}
	if q.Entity != "" {
		where = append(where, "entity = ?")
		args = append(args, q.Entity)
	}
	if q.EntityID != "" {
		where = append(where, "entity_id = ?")
		args = append(args, q.EntityID)
	}
	if !q.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, ts(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, ts(q.To))
	}
	for _, w := range strings.Fields(q.Text) {
		// JSON is a column type of its own on PostgreSQL: read it as text.
		where = append(where, "(LOWER(actor) LIKE ? ESCAPE '\\' OR LOWER(action) LIKE ? ESCAPE '\\' OR LOWER(entity_id) LIKE ? ESCAPE '\\'"+
			" OR LOWER(CAST(before AS TEXT)) LIKE ? ESCAPE '\\' OR LOWER(CAST(after AS TEXT)) LIKE ? ESCAPE '\\')")
		p := "%" + likeEscaper.Replace(strings.ToLower(w)) + "%"
		args = append(args, p, p, p, p, p)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log"+cond, args...).Scan(&total); err != nil {
		return nil, 0, tx.db.wrap(err, "count audit entries")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query(ctx, "SELECT "+auditColumns+" FROM audit_log"+cond+" ORDER BY seq DESC LIMIT ? OFFSET ?",
		append(slices.Clip(args), limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, tx.db.wrap(err, "search audit log")
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, 0, tx.db.wrap(err, "search audit log")
		}
		out = append(out, r)
	}
	return out, total, tx.db.wrap(rows.Err(), "search audit log")
}
