package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// AnnualReport is the report a recognised enterprise files for a year
// under its recognition: free-form JSON data, due on a day.
type AnnualReport struct {
	ID            int64           `json:"id"`
	RecognitionID int64           `json:"recognition_id"`
	Year          int             `json:"year"`
	DueOn         time.Time       `json:"due_on"` // a day, midnight UTC
	SubmittedAt   *time.Time      `json:"submitted_at,omitempty"`
	Data          json.RawMessage `json:"data,omitempty"`
	Version       int64           `json:"version"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

const annualReportColumns = "id, recognition_id, year, due_on, submitted_at, data, version, created_at, updated_at"

func scanAnnualReport(row interface{ Scan(...any) error }) (AnnualReport, error) {
	var a AnnualReport
	var submitted sql.NullTime
	var data sql.NullString
	err := row.Scan(&a.ID, &a.RecognitionID, &a.Year, &a.DueOn, &submitted, &data, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	a.DueOn, a.SubmittedAt = dayOf(a.DueOn), timePtr(submitted)
	if data.Valid {
		a.Data = json.RawMessage(data.String)
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// AnnualReport returns recognitionID's report for year.
func (tx *Tx) AnnualReport(ctx context.Context, recognitionID int64, year int) (AnnualReport, error) {
	a, err := scanAnnualReport(tx.QueryRow(ctx, "SELECT "+annualReportColumns+
		" FROM annual_reports WHERE recognition_id = ? AND year = ?", recognitionID, year))
	return a, tx.db.wrap(err, "fetch annual report %d of recognition %d", year, recognitionID)
}

// InsertAnnualReport stores a (its Version is 1) and sets a.ID. A second
// report of the same recognition and year is refused (conflict).
func (tx *Tx) InsertAnnualReport(ctx context.Context, a *AnnualReport) error {
	a.Version = 1
	var data any
	if a.Data != nil {
		data = string(a.Data)
	}
	err := tx.QueryRow(ctx, `INSERT INTO annual_reports (recognition_id, year, due_on, submitted_at, data, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		a.RecognitionID, a.Year, day(a.DueOn), nullTime(a.SubmittedAt), data, ts(a.CreatedAt), ts(a.UpdatedAt)).Scan(&a.ID)
	return tx.db.wrap(err, "file annual report %d of recognition %d", a.Year, a.RecognitionID)
}

// AnnualReportFilter selects the rows of AnnualReportRows.
type AnnualReportFilter struct {
	Year         int   // the year reported on; required
	ProgramID    int64 // 0 for every program
	EnterpriseID int64 // 0 for every enterprise
}

// AnnualReportRow is a recognition that owes or filed the report of a
// year, with its enterprise and program, and the report when filed.
type AnnualReportRow struct {
	Recognition    Recognition   `json:"recognition"`
	EnterpriseUSCC string        `json:"enterprise_uscc"`
	EnterpriseName string        `json:"enterprise_name"`
	ProgramName    string        `json:"program_name"`
	Report         *AnnualReport `json:"report,omitempty"`
}

// AnnualReportRows returns, for f.Year, every recognition that filed a
// report of that year, and every standing one (active or passed review)
// valid at some time in that year — which owes one — ordered by program,
// then enterprise code.
func (tx *Tx) AnnualReportRows(ctx context.Context, f AnnualReportFilter) ([]AnnualReportRow, error) {
	first := time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(f.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	q := `SELECT r.id, r.enterprise_id, r.program_id, r.granted_year, r.valid_from, r.valid_until, r.status,
			r.granted_cycle_id, r.confirmed_cycle_id, r.revoked_cycle_id, r.revoked_reason_zh, r.revoked_reason_en, r.revoked_at,
			r.version, r.created_at, r.updated_at, e.uscc, e.name, p.name,
			a.id, a.due_on, a.submitted_at, a.data, a.version, a.created_at, a.updated_at
		FROM recognitions r
		JOIN enterprises e ON e.id = r.enterprise_id
		JOIN programs p ON p.id = r.program_id
		LEFT JOIN annual_reports a ON a.recognition_id = r.id AND a.year = ?
		WHERE (a.id IS NOT NULL OR (r.status IN ('active', 'passed_review') AND r.valid_from <= ? AND r.valid_until > ?))`
	args := []any{f.Year, day(last), day(first)}
	if f.ProgramID != 0 {
		q += " AND r.program_id = ?"
		args = append(args, f.ProgramID)
	}
	if f.EnterpriseID != 0 {
		q += " AND r.enterprise_id = ?"
		args = append(args, f.EnterpriseID)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY p.name, e.uscc, r.id", args...)
	if err != nil {
		return nil, tx.db.wrap(err, "list annual reports of %d", f.Year)
	}
	defer rows.Close()
	var out []AnnualReportRow
	for rows.Next() {
		var row AnnualReportRow
		var id, version sql.NullInt64
		var due, submitted, created, updated sql.NullTime
		var data sql.NullString
		rec, err := scanRecognition(scanWith(rows, &row.EnterpriseUSCC, &row.EnterpriseName, &row.ProgramName,
			&id, &due, &submitted, &data, &version, &created, &updated))
		if err != nil {
			return nil, tx.db.wrap(err, "list annual reports of %d", f.Year)
		}
		row.Recognition = rec
		if id.Valid {
			a := &AnnualReport{ID: id.Int64, RecognitionID: rec.ID, Year: f.Year, DueOn: dayOf(due.Time),
				SubmittedAt: timePtr(submitted), Version: version.Int64, CreatedAt: created.Time.UTC(), UpdatedAt: updated.Time.UTC()}
			if data.Valid {
				a.Data = json.RawMessage(data.String)
			}
			row.Report = a
		}
		out = append(out, row)
	}
	return out, tx.db.wrap(rows.Err(), "list annual reports of %d", f.Year)
}

// RecognitionForUpdate returns recognition id, locked until the write
// transaction ends (a revocation and a report filed under it take turns).
func (tx *Tx) RecognitionForUpdate(ctx context.Context, id int64) (Recognition, error) {
	q := "SELECT " + recognitionColumns + " FROM recognitions WHERE id = ?"
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	r, err := scanRecognition(tx.QueryRow(ctx, q, id))
	return r, tx.db.wrap(err, "fetch recognition %d", id)
}
