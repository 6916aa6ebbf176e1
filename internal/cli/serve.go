package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/web"
	"github.com/exemplar/exemplar/internal/workflow"
)

// runServe starts the web application and serves until interrupted, then
// shuts down gracefully (requests in flight finish; counted views are
// written).
func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--addr HOST:PORT] [--database URL] [--data DIR] [--base-url URL] [--secure]")
	dbURL := databaseFlag(fs)
	addr := fs.String("addr", envOr("EXEMPLAR_ADDR", "127.0.0.1:8080"), "address to listen on (EXEMPLAR_ADDR)")
	dataDir := fs.String("data", os.Getenv(envData), "folder for evidence files ($"+envData+"); default: the SQLite database's folder")
	baseURL := fs.String("base-url", os.Getenv("EXEMPLAR_BASE_URL"), "the site's public address, for QR codes and links (EXEMPLAR_BASE_URL)")
	secure := fs.Bool("secure", os.Getenv("EXEMPLAR_SECURE") == "1", "the site is served over TLS: Secure cookies and HSTS (EXEMPLAR_SECURE=1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	db, err := store.Open(ctx, databaseURL(*dbURL))
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := startServer(db, *dataDir, web.Config{Addr: *addr, BaseURL: *baseURL, Secure: *secure,
		Logger: slog.New(slog.NewJSONHandler(env.Stderr, nil))})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Exemplar is serving %s on http://%s/ — press Ctrl-C to stop.\n", db, srv.Addr())
	<-ctx.Done()
	return stopServer(srv)
}

// startServer starts the web application on db.
func startServer(db *store.DB, dataDir string, cfg web.Config) (*web.Server, error) {
	var opts []workflow.Option
	if dataDir != "" {
		opts = append(opts, workflow.WithDataDir(dataDir))
	}
	srv, err := web.New(workflow.New(db, opts...), cfg)
	if err != nil {
		return nil, err
	}
	return srv, srv.Start()
}

// stopServer shuts srv down, giving requests in flight ten seconds.
func stopServer(srv *web.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Close(ctx)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
