package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache keeps the statements the store runs on SQLite prepared, one
// set per pool. modernc.org/sqlite prepares (parses and plans) every
// statement anew on each call, which costs more than running most of the
// store's small statements; PostgreSQL needs no cache here, as pgx keeps
// its own per connection.
//
// A statement cannot be prepared on a pool from inside a transaction of
// that pool: the writer pool holds one connection, which the
// transaction has, so DB.Prepare would wait for it forever. A query is
// therefore run unprepared the first time, noted, and prepared on the
// pool once the transaction has ended (after); from then on transactions
// use it through sql.Tx.StmtContext, which finds the statement already
// prepared on its connection.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache: the store's fixed statements number
// about a hundred; queries built with a variable number of placeholders
// (bulk inserts, IN lists) are not cached (see cacheable) and would not
// grow it past this anyway.
const maxCachedStmts = 512

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// cacheable says whether query is worth preparing once: a single
// statement (a script with ";" is run as it is) of at most a few dozen
// placeholders (bulk statements prepare once per hundreds of rows anyway,
// and their lengths vary).
func cacheable(query string) bool {
	return !strings.Contains(query, ";") && strings.Count(query, "?") <= 64
}

// get returns the prepared statement of query, or nil when it is not
// prepared yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepare prepares the queries a transaction ran unprepared. It runs
// after the transaction has ended, outside any transaction of the pool;
// a query that fails to prepare is simply left unprepared.
func (c *stmtCache) prepare(ctx context.Context, queries []string) {
	if c == nil {
		return
	}
	for _, q := range queries {
		c.mu.Lock()
		_, have := c.m[q]
		full := len(c.m) >= maxCachedStmts
		c.mu.Unlock()
		if have || full {
			continue
		}
		s, err := c.pool.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, have := c.m[q]; have || len(c.m) >= maxCachedStmts {
			s.Close()
		} else {
			c.m[q] = s
		}
		c.mu.Unlock()
	}
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

// stmt returns query's statement prepared for tx, or nil when it is to
// be run unprepared (and is noted to prepare after the transaction).
//
// A bulk statement (hundreds of rows' placeholders: too many to keep
// prepared for good) is prepared once per transaction and used for every
// chunk of the same size: a transition of 10,000 rows runs the same
// 400-row INSERT 25 times, and preparing it costs about what running it
// does.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if tx.cache == nil {
		return nil
	}
	if !cacheable(query) {
		if strings.Contains(query, ";") {
			return nil
		}
		if s, ok := tx.bulk[query]; ok {
			return s
		}
		s, err := tx.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil // run unprepared: the error, if any, comes from there
		}
		if tx.bulk == nil {
			tx.bulk = map[string]*sql.Stmt{}
		}
		tx.bulk[query] = s // closed by the transaction's end
		return s
	}
	if s := tx.cache.get(query); s != nil {
		return tx.tx.StmtContext(ctx, s)
	}
	tx.unprepared = append(tx.unprepared, query)
	return nil
}
