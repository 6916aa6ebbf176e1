package store

import (
	"context"
	"strconv"
)

// EnterpriseAudit returns the audit entries about enterprise id and the
// records that belong to it — its applications, decisions, recognitions
// and their annual reports — oldest first.
func (tx *Tx) EnterpriseAudit(ctx context.Context, id int64) ([]AuditRecord, error) {
	key := strconv.FormatInt(id, 10)
	rows, err := tx.Query(ctx, "SELECT "+auditColumns+` FROM audit_log WHERE
		(entity = 'enterprise' AND entity_id = ?)
		OR (entity = 'application' AND entity_id IN (SELECT CAST(id AS TEXT) FROM applications WHERE enterprise_id = ?))
		OR (entity = 'decision' AND entity_id IN (SELECT CAST(id AS TEXT) FROM decisions WHERE enterprise_id = ?))
		OR (entity = 'recognition' AND entity_id IN (SELECT CAST(id AS TEXT) FROM recognitions WHERE enterprise_id = ?))
		OR (entity = 'annual_report' AND entity_id IN (SELECT CAST(a.id AS TEXT) FROM annual_reports a
			JOIN recognitions r ON r.id = a.recognition_id WHERE r.enterprise_id = ?))
		ORDER BY seq`, key, id, id, id, id)
	if err != nil {
		return nil, tx.db.wrap(err, "list the audit entries of enterprise %d", id)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list the audit entries of enterprise %d", id)
		}
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list the audit entries of enterprise %d", id)
}

// EnterpriseDecisions returns every decision on enterprise id, in any
// cycle, oldest first.
func (tx *Tx) EnterpriseDecisions(ctx context.Context, id int64) ([]Decision, error) {
	rows, err := tx.Query(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE enterprise_id = ? ORDER BY created_at, id", id)
	if err != nil {
		return nil, tx.db.wrap(err, "list decisions on enterprise %d", id)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list decisions on enterprise %d", id)
		}
		out = append(out, d)
	}
	return out, tx.db.wrap(rows.Err(), "list decisions on enterprise %d", id)
}

// EnterpriseAnnualReports returns every annual report filed under
// enterprise id's recognitions, by year.
func (tx *Tx) EnterpriseAnnualReports(ctx context.Context, id int64) ([]AnnualReport, error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.recognition_id, a.year, a.due_on, a.submitted_at, a.data, a.version, a.created_at, a.updated_at
		FROM annual_reports a JOIN recognitions r ON r.id = a.recognition_id WHERE r.enterprise_id = ? ORDER BY a.year, a.id`, id)
	if err != nil {
		return nil, tx.db.wrap(err, "list annual reports of enterprise %d", id)
	}
	defer rows.Close()
	var out []AnnualReport
	for rows.Next() {
		a, err := scanAnnualReport(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list annual reports of enterprise %d", id)
		}
		out = append(out, a)
	}
	return out, tx.db.wrap(rows.Err(), "list annual reports of enterprise %d", id)
}
