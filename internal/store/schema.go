package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Schema describes a database's tables in terms that are the same on
// SQLite and PostgreSQL, for comparing the two dialects' migrations and for
// checking that a file about to be restored is one of ours.
type Schema struct {
	// Columns are "table.column" with " NOT NULL" when so, tables in name
	// order and columns in table order.
	Columns []string
	// ForeignKeys are "table.column -> referenced_table", sorted.
	ForeignKeys []string
	// Indexes are "table.index" for the named indexes (ix_*, ux_*), sorted.
	Indexes []string
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Schema reads the database's schema (the current schema on PostgreSQL).
func (db *DB) Schema(ctx context.Context) (Schema, error) {
	s, err := readSchema(ctx, db.read, db.dialect)
	return s, db.wrap(err, "read schema")
}

func readSchema(ctx context.Context, q queryer, d Dialect) (Schema, error) {
	var s Schema
	err := eachRow(ctx, q, d.columnsQuery(), func(rows *sql.Rows) error {
		var table, column string
		var notNull bool
		if err := rows.Scan(&table, &column, &notNull); err != nil {
			return err
		}
		c := table + "." + column
		if notNull {
			c += " NOT NULL"
		}
		s.Columns = append(s.Columns, c)
		return nil
	})
	if err != nil {
		return s, err
	}
	err = eachRow(ctx, q, d.foreignKeysQuery(), func(rows *sql.Rows) error {
		var table, column, ref string
		if err := rows.Scan(&table, &column, &ref); err != nil {
			return err
		}
		s.ForeignKeys = append(s.ForeignKeys, table+"."+column+" -> "+ref)
		return nil
	})
	if err != nil {
		return s, err
	}
	err = eachRow(ctx, q, d.indexesQuery(), func(rows *sql.Rows) error {
		var table, index string
		if err := rows.Scan(&table, &index); err != nil {
			return err
		}
		s.Indexes = append(s.Indexes, table+"."+index)
		return nil
	})
	slices.Sort(s.ForeignKeys)
	s.ForeignKeys = slices.Compact(s.ForeignKeys)
	slices.Sort(s.Indexes)
	return s, err
}

func eachRow(ctx context.Context, q queryer, query string, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Tables lists the schema's tables, sorted.
func (s Schema) Tables() []string {
	var ts []string
	for _, c := range s.Columns {
		t, _, _ := strings.Cut(c, ".")
		if len(ts) == 0 || ts[len(ts)-1] != t {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// Diff lists the differences between s and other as "-x" (only in s) and
// "+x" (only in other) lines; none when they are equivalent.
func (s Schema) Diff(other Schema) []string {
	var out []string
	for _, p := range []struct {
		what string
		a, b []string
	}{{"column", s.Columns, other.Columns}, {"foreign key", s.ForeignKeys, other.ForeignKeys}, {"index", s.Indexes, other.Indexes}} {
		for _, x := range p.a {
			if !slices.Contains(p.b, x) {
				out = append(out, fmt.Sprintf("-%s %s", p.what, x))
			}
		}
		for _, x := range p.b {
			if !slices.Contains(p.a, x) {
				out = append(out, fmt.Sprintf("+%s %s", p.what, x))
			}
		}
	}
	if len(out) == 0 && !slices.Equal(s.Columns, other.Columns) {
		out = append(out, "columns are the same but in a different order")
	}
	return out
}
