package store

import "context"

// EnterpriseAccounts counts the users who act for enterprise id.
func (tx *Tx) EnterpriseAccounts(ctx context.Context, id int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM user_roles WHERE role = 'enterprise' AND enterprise_id = ?`, id).Scan(&n)
	return n, tx.db.wrap(err, "count the accounts of enterprise %d", id)
}
