package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates: each page is the layout plus its own
// file, which defines "title" and "content".
type pages struct {
	byName map[string]*template.Template
}

func loadPages(a *assets) (*pages, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": a.url,
		"add":   func(a, b int) int { return a + b },
		"ptr":   func(t time.Time) *time.Time { return &t },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// page is what every template gets: the caller, the language and its
// helpers, and the page's own Data.
type page struct {
	Lang  string
	User  *workflow.Account
	CSRF  string
	Path  string
	Flash string
	Data  any
}

// T is the message key in the page's language.
func (p page) T(key string) string { return message(p.Lang, key) }

// Tf is the message key with arguments filled in.
func (p page) Tf(key string, args ...any) string { return fmt.Sprintf(message(p.Lang, key), args...) }

// Pick is zh or en in the page's language.
func (p page) Pick(zh, en string) string { return pick(p.Lang, zh, en) }

// Time shows an instant for the page's language.
func (p page) Time(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return formatTime(p.Lang, *t)
}

// Date shows a calendar day for the page's language.
func (p page) Date(t time.Time) string { return formatDate(p.Lang, t) }

// Int shows a count with thousands separators.
func (p page) Int(n int64) string { return formatInt(n) }

// Score shows a score to two decimals, or a dash when there is none (not
// eligible, not scored).
func (p page) Score(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// Amount shows a sum of yuan for the page's language.
func (p page) Amount(yuan float64) string { return formatAmount(p.Lang, yuan) }

// Has reports whether the signed-in user holds role.
func (p page) Has(role string) bool {
	if p.User == nil {
		return false
	}
	for _, r := range p.User.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// Paragraphs splits text at blank lines and line breaks for display: the
// template escapes each line.
func (p page) Paragraphs(text string) [][]string {
	var out [][]string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out = append(out, strings.Split(para, "\n"))
		}
	}
	return out
}

// render writes page name with data and status. Rendering goes to a
// buffer first, so a template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *request, status int, name string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("web: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p := page{Lang: r.lang, User: r.acc, CSRF: r.csrf, Path: r.URL.RequestURI(), Data: data}
	if c, err := r.Cookie("exemplar_flash"); err == nil {
		p.Flash = flashText(r.lang, c.Value)
		http.SetCookie(w, &http.Cookie{Name: "exemplar_flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("web: render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// flash sets a one-time message (a message key) shown on the next page.
func flash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: "exemplar_flash", Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// flashText turns a flash cookie back into text; only known message keys
// are shown, so the cookie cannot inject words.
func flashText(lang, key string) string {
	if _, ok := messages[key]; !ok {
		return ""
	}
	return message(lang, key)
}

// assets are the embedded static files under names that carry their
// content hash (app.css → app.1a2b3c4d5e.css), so browsers may keep them
// for a year and still see a new version at once.
type assets struct {
	byHashed map[string]asset // "app.1a2b3c4d5e.css" → file
	byName   map[string]string
}

type asset struct {
	body  []byte
	ctype string
}

func loadAssets() (*assets, error) {
	a := &assets{byHashed: map[string]asset{}, byName: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.byHashed[hashed] = asset{body: body, ctype: ctype}
		a.byName[name] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static files: %w", err)
	}
	return a, nil
}

// url is the address of static file name, for templates.
func (a *assets) url(name string) (string, error) {
	u, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return u, nil
}

// static serves an embedded file by its hashed name.
func (s *Server) static(w http.ResponseWriter, r *request) {
	f, ok := s.assets.byHashed[r.PathValue("file")]
	if !ok {
		s.notFound(w, r.Request)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}
