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
// plus this process's reads since. With each cached announcement it keeps
// its public page as rendered for anonymous readers (see
// announcementPage), which goes when the announcement is read again.
type viewCounter struct {
	svc     *workflow.Service
	log     *slog.Logger
	metrics *metrics

	counts sync.Map // int64 → *atomic.Int64: reads not yet flushed

	mu    sync.Mutex // orders cache refreshes against flushes
	cache map[int64]*cachedAnnouncement
	ttl   time.Duration

	// pageBytes is the size of every rendered page kept, bounded by
	// maxPageBytes.
	pageBytes atomic.Int64
}

// Bounds of the rendered pages kept: a page past them is rendered for
// each reader, as if not kept.
const (
	maxPageBytes            = 32 << 20 // in all
	maxPagesPerAnnouncement = 4        // per announcement: languages × site addresses
)

type cachedAnnouncement struct {
	a       store.Announcement
	fetched time.Time
	// flushed is this process's reads added to the database since a was
	// read from it.
	flushed atomic.Int64

	pmu   sync.Mutex
	pages map[string]*splitPage // by language and address
	bytes int64
	gone  bool // dropped from the cache: keep no more pages
}

// splitPage is a rendered page cut around its view count.
type splitPage struct{ head, tail []byte }

// page returns the kept page key, or nil.
func (c *cachedAnnouncement) page(key string) *splitPage {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	return c.pages[key]
}

// keepPage keeps p as c's page key, within the bounds.
func (v *viewCounter) keepPage(c *cachedAnnouncement, key string, p *splitPage) {
	size := int64(len(p.head) + len(p.tail))
	c.pmu.Lock()
	defer c.pmu.Unlock()
	if c.gone || c.pages[key] != nil || len(c.pages) >= maxPagesPerAnnouncement || v.pageBytes.Load()+size > maxPageBytes {
		return
	}
	if c.pages == nil {
		c.pages = map[string]*splitPage{}
	}
	c.pages[key] = p
	c.bytes += size
	v.pageBytes.Add(size)
}

// drop lets go of the pages of c, which has left the cache. The caller
// holds v.mu.
func (v *viewCounter) drop(c *cachedAnnouncement) {
	if c == nil {
		return
	}
	c.pmu.Lock()
	defer c.pmu.Unlock()
	c.gone = true
	v.pageBytes.Add(-c.bytes)
	c.pages, c.bytes = nil, 0
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
	a, _, err := v.readEntry(ctx, id)
	return a, err
}

// readEntry is read that also returns the cache entry the announcement
// came from, for its kept pages.
func (v *viewCounter) readEntry(ctx context.Context, id int64) (store.Announcement, *cachedAnnouncement, error) {
	c, err := v.entry(ctx, id)
	if err != nil {
		return store.Announcement{}, nil, err
	}
	a := c.a
	if a.IssuedAt == nil {
		return a, c, nil // drafts are not counted
	}
	flushed := c.flushed.Load()
	pending := v.counter(id).Add(1)
	v.metrics.viewsCounted.Add(1)
	a.Views += flushed + pending
	return a, c, nil
}

// get returns the cached announcement id, reading it again when the cache
// is older than the flush interval, and this process's reads added to the
// database since.
func (v *viewCounter) get(ctx context.Context, id int64) (store.Announcement, int64, error) {
	c, err := v.entry(ctx, id)
	if err != nil {
		return store.Announcement{}, 0, err
	}
	return c.a, c.flushed.Load(), nil
}

// entry returns the cache entry of announcement id, reading it again when
// it is older than the flush interval.
func (v *viewCounter) entry(ctx context.Context, id int64) (*cachedAnnouncement, error) {
	v.mu.Lock()
	c := v.cache[id]
	v.mu.Unlock()
	if c != nil && time.Since(c.fetched) < v.ttl {
		return c, nil
	}
	// Hold the lock across the read so that no flush lands between the
	// database's count and the cache entry (it would be counted twice).
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := v.cache[id]; c != nil && time.Since(c.fetched) < v.ttl {
		return c, nil
	}
	a, err := v.svc.Announcement(ctx, id)
	if err != nil {
		v.drop(v.cache[id])
		delete(v.cache, id)
		return nil, err
	}
	if len(v.cache) > 10000 { // bound memory: drop everything, refill on demand
		for _, old := range v.cache {
			v.drop(old)
		}
		clear(v.cache)
	}
	v.drop(v.cache[id])
	c = &cachedAnnouncement{a: a, fetched: time.Now()}
	v.cache[id] = c
	return c, nil
}

// forget drops announcement id from the cache (after an edit here).
func (v *viewCounter) forget(id int64) {
	v.mu.Lock()
	v.drop(v.cache[id])
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
