package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// access says who may use a route: everyone, anyone signed in, or the
// holders of one of some roles. Finer rules — an enterprise sees only its
// own applications, a recommender only its channel's — are checked by the
// handler against the record, through workflow.
type access struct {
	name   string
	signIn bool     // anonymous callers are sent to sign in
	roles  []string // when set, the caller needs one of them
}

var (
	everyone = &access{name: "everyone"}
	signedIn = &access{name: "signed in", signIn: true}
	admins   = &access{name: "administrators", signIn: true, roles: []string{workflow.RoleAdmin}}
)

// allows reports whether the caller of r may use a route guarded by a.
func (a *access) allows(r *request) bool {
	if !a.signIn {
		return true
	}
	if r.acc == nil {
		return false
	}
	if len(a.roles) == 0 {
		return true
	}
	for _, role := range r.acc.Roles {
		if slices.Contains(a.roles, role.Role) {
			return true
		}
	}
	return false
}

// request is an incoming request with what the server knows of its
// caller.
type request struct {
	*http.Request
	acc  *workflow.Account // nil: anonymous
	sess *store.Session    // the browser session, when signed in by cookie
	lang string            // "zh" or "en"
	// csrf is the anti-forgery token the forms of this page carry: the
	// session's when signed in, otherwise the visitor's cookie value.
	csrf string
	// bearer: signed in with an API token (no cookie, so no forgery to
	// guard against).
	bearer bool
	route  string
}

// actor is how the audit log names the caller.
func (r *request) actor() workflow.Actor {
	if r.acc == nil {
		return workflow.Actor{Name: "public"}
	}
	return workflow.Actor{UserID: r.acc.ID, Name: r.acc.Username}
}

// The cookies the site sets.
const (
	sessionCookie = "exemplar_session"
	visitorCookie = "exemplar_csrf" // anti-forgery token of anonymous forms
	langCookie    = "exemplar_lang"
)

// Bounds of a request's body: a form or JSON document, and a multipart
// upload (an evidence file, a filled-in template, a program definition;
// the workflow checks each kind's own, smaller limit).
const (
	maxFormBody   = 4 << 20
	maxUploadBody = 32 << 20
)

// csrfField is the form field that carries the anti-forgery token.
const csrfField = "csrf"

// wrap turns a route into a handler: it identifies the caller, applies
// the route's rule, checks the anti-forgery token of state-changing
// requests, and calls the route's handler.
func (s *Server) wrap(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		r := &request{Request: hr, lang: languageOf(hr), route: rt.pattern}
		setRoute(hr.Context(), rt.pattern)
		if err := s.identify(w, r); err != nil {
			s.fail(w, r, err)
			return
		}
		if !rt.who.allows(r) {
			if r.acc == nil {
				s.needSignIn(w, r)
				return
			}
			s.fail(w, r, errs.New(errs.Forbidden, "this page is for %s; you are signed in as %s", rt.who.name, r.acc.Username))
			return
		}
		// Bound the body before anything reads it (the CSRF check parses
		// the form): uploads may be large, everything else is small.
		limit := int64(maxFormBody)
		if strings.HasPrefix(hr.Header.Get("Content-Type"), "multipart/") {
			limit = maxUploadBody
		}
		hr.Body = http.MaxBytesReader(w, hr.Body, limit)
		if err := parseBody(hr, limit); err != nil {
			s.fail(w, r, err)
			return
		}
		if !safeMethod(hr.Method) && !r.bearer {
			if err := s.checkCSRF(r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		rt.handle(w, r)
	}
}

// parseBody reads a form body (urlencoded or multipart; other bodies are
// left to their handler), so that a body over its limit is refused as such
// rather than looking like a form without its anti-forgery token.
func parseBody(hr *http.Request, limit int64) error {
	var err error
	switch ct := hr.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "multipart/form-data"):
		err = hr.ParseMultipartForm(8 << 20) // larger parts go to temporary files
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		err = hr.ParseForm()
	default:
		return nil
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errs.New(errs.Invalid, "the request is larger than %d MB: send a smaller file", limit>>20)
	case err != nil:
		return errs.New(errs.Invalid, "the form could not be read: %v", err)
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// identify finds the caller from an API token or the session cookie, and
// gives an anonymous browser its anti-forgery cookie.
func (s *Server) identify(w http.ResponseWriter, r *request) error {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return errs.New(errs.Unauthorised, "the Authorization header must be \"Bearer <API token>\"")
		}
		acc, err := s.svc.TokenAccount(r.Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		r.acc, r.bearer = &acc, true
		return nil
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		acc, sess, err := s.svc.SessionAccount(r.Context(), c.Value)
		switch {
		case err == nil:
			r.acc, r.sess, r.csrf = &acc, &sess, sess.CSRF
			return nil
		case errs.Is(err, errs.Unauthorised):
			// Expired or signed out elsewhere: carry on as anonymous and
			// drop the dead cookie.
			s.clearCookie(w, sessionCookie)
		default:
			return err
		}
	}
	if c, err := r.Cookie(visitorCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 100 {
		r.csrf = c.Value
		return nil
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	r.csrf = token
	http.SetCookie(w, &http.Cookie{Name: visitorCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// checkCSRF refuses a state-changing browser request whose form does not
// carry the page's anti-forgery token. (http.CrossOriginProtection in
// front of every route refuses cross-site requests too; the token also
// covers browsers that send neither Sec-Fetch-Site nor Origin.)
func (s *Server) checkCSRF(r *request) error {
	got := r.FormValue(csrfField)
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	if r.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(r.csrf)) != 1 {
		return errs.New(errs.Forbidden, "this form has expired or did not come from this site: reload the page and send it again")
	}
	return nil
}

// needSignIn answers an anonymous caller of a signed-in route: pages send
// the browser to the sign-in form and back; scripts get 401.
func (s *Server) needSignIn(w http.ResponseWriter, r *request) {
	if r.Method != http.MethodGet || wantsJSON(r.Request) {
		s.fail(w, r, errs.New(errs.Unauthorised, "sign in first"))
		return
	}
	http.Redirect(w, r.Request, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// setSessionCookie gives the browser its session token.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: expires, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// buildHandler puts the routes on a ServeMux behind the middleware every
// response goes through.
func (s *Server) buildHandler(routes []route) (http.Handler, error) {
	mux := http.NewServeMux()
	seen := map[string]bool{}
	for _, rt := range routes {
		if rt.who == nil || rt.handle == nil {
			return nil, fmt.Errorf("web: route %q has no access rule or no handler", rt.pattern)
		}
		if seen[rt.pattern] {
			return nil, fmt.Errorf("web: route %q is declared twice", rt.pattern)
		}
		seen[rt.pattern] = true
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	mux.HandleFunc("/", s.notFound)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		s.fail(w, &request{Request: hr, lang: languageOf(hr)}, errs.New(errs.Forbidden, "cross-site request refused: send the form from this site's own page"))
	}))
	return s.observe(s.recoverPanics(securityHeaders(s.cfg.Secure, cop.Handler(mux)))), nil
}

// routeKey is the context key under which observe learns the route
// pattern a request matched, for metrics.
type routeKey struct{}

type routeSlot struct{ pattern string }

func setRoute(ctx context.Context, pattern string) {
	if slot, ok := ctx.Value(routeKey{}).(*routeSlot); ok {
		slot.pattern = pattern
	}
}
