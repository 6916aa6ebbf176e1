package store

import "context"

// The reads of an enterprise's own pages.

// EnterpriseCertificates returns the certificates issued to enterpriseID,
// newest first (by issue day, then number).
func (tx *Tx) EnterpriseCertificates(ctx context.Context, enterpriseID int64) ([]Certificate, error) {
	rows, err := tx.Query(ctx, "SELECT "+certificateColumns+" FROM certificates WHERE enterprise_id = ? ORDER BY issued_on DESC, number",
		enterpriseID)
	if err != nil {
		return nil, tx.db.wrap(err, "list certificates of enterprise %d", enterpriseID)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list certificates of enterprise %d", enterpriseID)
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list certificates of enterprise %d", enterpriseID)
}
