package web

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the server's figures in Prometheus's text format: requests
// by route and status, their durations as a histogram, announcement views
// counted and flushed, and a few of the Go runtime's. The format is small
// and stable, so the standard library writes it; no client library is
// needed for a handful of series.
type metrics struct {
	start time.Time

	mu       sync.Mutex
	requests map[routeStatus]int64
	hist     map[string]*histogram // by route

	viewsCounted atomic.Int64
	viewsFlushed atomic.Int64
	flushErrors  atomic.Int64
}

type routeStatus struct {
	route  string
	status int
}

// buckets are the histogram's upper bounds in seconds.
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []int64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  int64
}

func newMetrics() *metrics {
	return &metrics{start: time.Now(), requests: map[routeStatus]int64{}, hist: map[string]*histogram{}}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeStatus{route, status}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]int64, len(buckets)+1)}
		m.hist[route] = h
	}
	i, _ := slices.BinarySearch(buckets, sec)
	h.counts[i]++
	h.sum += sec
	h.count++
}

// write writes every series in the text exposition format, version 0.0.4.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	keys := make([]routeStatus, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b routeStatus) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		return a.status - b.status
	})
	fmt.Fprintln(w, "# HELP exemplar_http_requests_total HTTP requests answered, by route pattern and status.")
	fmt.Fprintln(w, "# TYPE exemplar_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "exemplar_http_requests_total{route=%s,status=\"%d\"} %d\n", label(k.route), k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	fmt.Fprintln(w, "# HELP exemplar_http_request_duration_seconds Time to answer an HTTP request, by route pattern.")
	fmt.Fprintln(w, "# TYPE exemplar_http_request_duration_seconds histogram")
	for _, r := range routes {
		h := m.hist[r]
		var cum int64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "exemplar_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", label(r), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(buckets)]
		fmt.Fprintf(w, "exemplar_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", label(r), cum)
		fmt.Fprintf(w, "exemplar_http_request_duration_seconds_sum{route=%s} %s\n", label(r), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(w, "exemplar_http_request_duration_seconds_count{route=%s} %d\n", label(r), h.count)
	}
	m.mu.Unlock()

	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, strconv.FormatFloat(v, 'g', -1, 64))
	}
	counter("exemplar_announcement_views_counted_total", "Announcement reads counted by this process.", m.viewsCounted.Load())
	counter("exemplar_announcement_views_flushed_total", "Announcement reads this process has added to the database.", m.viewsFlushed.Load())
	counter("exemplar_announcement_view_flush_errors_total", "Failed attempts to add counted reads to the database (retried).", m.flushErrors.Load())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(ms.HeapAlloc))
	gauge("process_uptime_seconds", "Seconds since the server started.", time.Since(m.start).Seconds())
}

// label quotes a label value, escaping as the format requires.
func label(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(v) + `"`
}

// metricsPage serves /metrics.
func (s *Server) metricsPage(w http.ResponseWriter, r *request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.write(w)
}

// healthz answers whether the server can reach its database.
func (s *Server) healthz(w http.ResponseWriter, r *request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := s.svc.Ping(r.Context()); err != nil {
		s.log.Error("web: health check", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
