package store

import "context"

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.wrap(db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one), "ping")
}
