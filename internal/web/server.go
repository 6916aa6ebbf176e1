// Package web is Exemplar's web application: server-rendered pages for
// every role and the public site, on top of workflow. Every route is
// declared in routes.go with the rule that says who may use it; handlers
// parse the request, call workflow and render, and hold no business rules.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/workflow"
)

// Config is how a Server runs.
type Config struct {
	// Addr is the address to listen on, such as "127.0.0.1:8080"; ":0"
	// picks a free port (see Server.Addr).
	Addr string
	// BaseURL is the public address of the site, such as
	// "https://exemplar.example.gov.cn"; QR codes and certificate links
	// point there. Empty: the address the request came to.
	BaseURL string
	// Secure marks cookies Secure and sends HSTS: set it when the site is
	// served over TLS (directly or behind a proxy).
	Secure bool
	// ViewFlushInterval is how often counted announcement views are added
	// to the database (default one second).
	ViewFlushInterval time.Duration
	// Logger receives one line per request and the server's events
	// (default slog.Default()).
	Logger *slog.Logger
}

// Server is the web application. Create it with New, start it with Start
// (or mount Handler in a test), stop it with Close.
type Server struct {
	svc     *workflow.Service
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	routes  []route

	pages    *pages
	assets   *assets
	metrics  *metrics
	views    *viewCounter
	throttle *throttle

	mu     sync.Mutex
	ln     net.Listener
	srv    *http.Server
	done   chan struct{}
	cancel context.CancelFunc
}

// New returns a server for svc. It fails only when the embedded templates
// or the route table are broken — a programming error that tests catch.
func New(svc *workflow.Service, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ViewFlushInterval <= 0 {
		cfg.ViewFlushInterval = time.Second
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{svc: svc, cfg: cfg, log: cfg.Logger, throttle: newThrottle(), metrics: newMetrics()}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets); err != nil {
		return nil, err
	}
	s.views = newViewCounter(svc, s.log, s.metrics, cfg.ViewFlushInterval)
	s.routes = s.routeTable()
	if s.handler, err = s.buildHandler(s.routes); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the whole site as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on Config.Addr and serves in the background until Close.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.cfg.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.ln, s.cancel, s.done = ln, cancel, make(chan struct{})
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large spreadsheets
		WriteTimeout:      5 * time.Minute, // exports
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv, done := s.srv, s.done
	s.mu.Unlock()
	go s.views.run(ctx, s.cfg.ViewFlushInterval)
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web: serve", "err", err)
		}
	}()
	s.log.Info("web: listening", "addr", ln.Addr().String())
	return nil
}

// Addr is the address the server listens on (after Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the server gracefully: it stops accepting connections, lets
// requests in flight finish (up to ctx's deadline), cancels certificate
// jobs still running, and adds the views counted since the last flush to
// the database, so none is lost.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srv, done, cancel := s.srv, s.done, s.cancel
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
		<-done
		cancel()
	}
	s.stopCertificateJobs(ctx)
	if ferr := s.views.flush(context.WithoutCancel(ctx)); ferr != nil && err == nil {
		err = ferr
	}
	return err
}
