package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
)

// statusOf maps an error's code to its HTTP status. It is the only place
// that does.
func statusOf(err error) int {
	switch errs.CodeOf(err) {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorised:
		return http.StatusUnauthorized
	case errTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errTooMany is the code of a throttled request (the web's own: the
// workflow never throttles).
const errTooMany errs.Code = "too_many_requests"

// fail answers a request that went wrong: a page in the caller's language,
// or {"error": {"code", "message", "field"}} for scripts (field only when
// the error names one, see errs.WithField). An internal error is
// logged in full and shown to the caller only as a reference to the log:
// its message may name files or SQL.
func (s *Server) fail(w http.ResponseWriter, r *request, err error) {
	status := statusOf(err)
	code := errs.CodeOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = r.t("error.internal")
	}
	if status == http.StatusTooManyRequests {
		if ra := retryAfterOf(err); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
	}
	if wantsJSON(r.Request) {
		body := map[string]any{"code": code, "message": msg}
		if f := errs.FieldOf(err); f != "" && status != http.StatusInternalServerError {
			body["field"] = f // the request member or parameter at fault
		}
		writeJSON(w, status, map[string]any{"error": body})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error", map[string]any{"Status": status, "Code": string(code), "Message": msg})
}

// notFound answers a path no route matches.
func (s *Server) notFound(w http.ResponseWriter, hr *http.Request) {
	r := &request{Request: hr, lang: languageOf(hr)}
	s.fail(w, r, errs.New(errs.NotFound, "%s", r.t("error.no_page")))
}

// wantsJSON reports whether the caller is a script rather than a browser:
// an API path, or an Accept header asking for JSON and not HTML.
func wantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
