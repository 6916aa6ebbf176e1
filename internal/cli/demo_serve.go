package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/web"
)

// demoServe serves the story's database at path and prints the address
// and the accounts of each role; with check it fetches the main pages
// once, prints what they answered, and stops — failing if one did not
// answer 200.
func demoServe(ctx context.Context, env *Env, path, addr string, logins []demo.Login, check bool) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := startServer(db, "", web.Config{Addr: addr, Logger: logger})
	if err != nil {
		return err
	}
	base := "http://" + srv.Addr()
	out := env.Stdout
	fmt.Fprintf(out, "\n3. The web site, on the story's database: %s/\n", base)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "   role\tusername\tpassword\tacts for")
	for _, l := range logins {
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\n", l.Role, l.Username, l.Password, l.Scope)
	}
	tw.Flush()
	if check {
		err := demoCheck(ctx, out, base)
		if cerr := stopServer(srv); err == nil {
			err = cerr
		}
		return err
	}
	fmt.Fprintln(out, "\n   Press Ctrl-C to stop.")
	<-ctx.Done()
	return stopServer(srv)
}

var firstAnnouncement = regexp.MustCompile(`href="(/announcements/[0-9]+)"`)

// demoCheck fetches the site's main pages once.
func demoCheck(ctx context.Context, out io.Writer, base string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		fmt.Fprintf(out, "   GET %-28s %d %s, %d bytes\n", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		return string(b), err
	}
	home, err := get("/")
	if err != nil {
		return err
	}
	m := firstAnnouncement.FindStringSubmatch(home)
	if m == nil {
		return fmt.Errorf("the home page lists no announcement")
	}
	for _, p := range []string{"/announcements", m[1], m[1] + "/qr.svg", "/login", "/healthz"} {
		if _, err := get(p); err != nil {
			return err
		}
	}
	return nil
}
