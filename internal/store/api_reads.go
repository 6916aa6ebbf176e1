package store

import "context"

// The reads the JSON API needs beyond the pages'.

// Cycles returns every cycle, newest year first, then newest first.
func (tx *Tx) Cycles(ctx context.Context) ([]Cycle, error) {
	rows, err := tx.Query(ctx, "SELECT "+cycleColumns+" FROM cycles ORDER BY year DESC, id DESC")
	if err != nil {
		return nil, tx.db.wrap(err, "list cycles")
	}
	defer rows.Close()
	var out []Cycle
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list cycles")
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list cycles")
}

// EnterpriseApplications returns enterpriseID's applications to every
// cycle, by id.
func (tx *Tx) EnterpriseApplications(ctx context.Context, enterpriseID int64) ([]Application, error) {
	rows, err := tx.Query(ctx, "SELECT "+applicationColumns+" FROM applications WHERE enterprise_id = ? ORDER BY id", enterpriseID)
	if err != nil {
		return nil, tx.db.wrap(err, "list applications of enterprise %d", enterpriseID)
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list applications of enterprise %d", enterpriseID)
		}
		out = append(out, a)
	}
	return out, tx.db.wrap(rows.Err(), "list applications of enterprise %d", enterpriseID)
}
