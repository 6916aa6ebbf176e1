package web

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// viewCounter counts announcement reads without writing on every read: a
// read adds one to an in-memory counter, and a background loop adds the
// counts to the database every flush interval in one transaction
// (views = views + n, so several server processes on one database lose
// no increment). Close flushes what is left. A process killed outright
// loses at most the reads of its last interval; it never counts one
// twice.
//
// It also caches announcements for the same interval, so a busy page is
// served from memory; the count shown is the database's as last read
// plus this process's reads since.
type viewCounter struct {
	svc     *workflow.Service
	log     *slog.Logger
	metrics *metrics

	counts sync.Map // int64 → *atomic.Int64: reads not yet flushed

	mu    sync.Mutex // orders cache refreshes against flushes
	cache map[int64]*cachedAnnouncement
	ttl   time.Duration
}

type cachedAnnouncement struct {
	a       store.Announcement
	fetched time.Time
	// flushed is this process's reads added to the database since a was
	// read from it.
	flushed atomic.Int64
}

func newViewCounter(svc *workflow.Service, log *slog.Logger, m *metrics, ttl time.Duration) *viewCounter {
	return &viewCounter{svc: svc, log: log, metrics: m, cache: map[int64]*cachedAnnouncement{}, ttl: ttl}
}

// counter returns the pending counter of announcement id.
func (v *viewCounter) counter(id int64) *atomic.Int64 {
	if c, ok := v.counts.Load(id); ok {
		return c.(*atomic.Int64)
	}
	c, _ := v.counts.LoadOrStore(id, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// read returns announcement id for one more reader, counting the read,
// with Views as this reader sees it (the read included).
func (v *viewCounter) read(ctx context.Context, id int64) (store.Announcement, error) {
	a, flushed, err := v.get(ctx, id)
	if err != nil {
		return a, err
	}
	if a.IssuedAt == nil {
		return a, nil // drafts are not counted
	}
	pending := v.counter(id).Add(1)
	v.metrics.viewsCounted.Add(1)
	a.Views += flushed + pending
	return a, nil
}

// get returns the cached announcement id, reading it again when the cache
// is older than the flush interval.
func (v *viewCounter) get(ctx context.Context, id int64) (store.Announcement, int64, error) {
	v.mu.Lock()
	c := v.cache[id]
	v.mu.Unlock()
	if c != nil && time.Since(c.fetched) < v.ttl {
		return c.a, c.flushed.Load(), nil
	}
	// Hold the lock across the read so that no flush lands between the
	// database's count and the cache entry (it would be counted twice).
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := v.cache[id]; c != nil && time.Since(c.fetched) < v.ttl {
		return c.a, c.flushed.Load(), nil
	}
	a, err := v.svc.Announcement(ctx, id)
	if err != nil {
		delete(v.cache, id)
		return a, 0, err
	}
	if len(v.cache) > 10000 { // bound memory: drop everything, refill on demand
		clear(v.cache)
	}
	v.cache[id] = &cachedAnnouncement{a: a, fetched: time.Now()}
	return a, 0, nil
}

// forget drops announcement id from the cache (after an edit here).
func (v *viewCounter) forget(id int64) {
	v.mu.Lock()
	delete(v.cache, id)
	v.mu.Unlock()
}

// flush adds the pending reads to the database. On failure the counts go
// back to pending and are tried again at the next flush.
func (v *viewCounter) flush(ctx context.Context) error {
	batch := map[int64]int64{}
	v.counts.Range(func(k, c any) bool {
		if n := c.(*atomic.Int64).Swap(0); n > 0 {
			batch[k.(int64)] = n
		}
		return true
	})
	if len(batch) == 0 {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.svc.AddAnnouncementViews(ctx, batch); err != nil {
		for id, n := range batch {
			v.counter(id).Add(n)
		}
		v.metrics.flushErrors.Add(1)
		return err
	}
	var total int64
	for id, n := range batch {
		total += n
		if c := v.cache[id]; c != nil {
			c.flushed.Add(n)
		}
	}
	v.metrics.viewsFlushed.Add(total)
	return nil
}

// run flushes every interval until ctx ends.
func (v *viewCounter) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := v.flush(ctx); err != nil && ctx.Err() == nil {
				v.log.Warn("web: add announcement views", "err", err)
			}
		}
	}
}
