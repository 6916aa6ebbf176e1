package web

import (
	"cmp"
	"net/http"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The caller's own account and API tokens.

// apiMe is the caller's account as GET /api/v1/me shows it.
type apiMe struct {
	workflow.Account
	// AuthenticatedBy says how the request was signed in: "token" (an API
	// token) or "session" (the browser's cookie).
	AuthenticatedBy string `json:"authenticated_by"`
	// CSRFToken is the anti-forgery token a script in a signed-in browser
	// sends as X-CSRF-Token with state-changing requests; token callers
	// need none and get none.
	CSRFToken string `json:"csrf_token,omitempty"`
}

// apiGetMe answers with the caller's account and roles.
func (s *Server) apiGetMe(w http.ResponseWriter, r *request) {
	me := apiMe{Account: *r.acc, AuthenticatedBy: "session", CSRFToken: r.csrf}
	if r.bearer {
		me.AuthenticatedBy, me.CSRFToken = "token", ""
	}
	if me.Roles == nil {
		me.Roles = []store.Role{}
	}
	writeJSON(w, http.StatusOK, me)
}

// apiTokenSorts are the orders of the token list (newest first by
// default).
var apiTokenSorts = &sorter[store.APIToken]{def: "-created_at", keys: map[string]func(a, b store.APIToken) int{
	"created_at": func(a, b store.APIToken) int { return cmpTime(a.CreatedAt, b.CreatedAt, a.ID, b.ID) },
	"name":       func(a, b store.APIToken) int { return cmp.Compare(a.Name, b.Name) },
}}

// apiListTokens lists the caller's API tokens, revoked ones included, but
// never a token itself: only its hash is kept.
func (s *Server) apiListTokens(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiTokenSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.APITokens(r.Context(), r.acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiTokenSorts))
}

// apiTokenRequest is the body of POST /api/v1/me/tokens.
type apiTokenRequest struct {
	Name string `json:"name"`
}

// apiNewToken is the answer to POST /api/v1/me/tokens: the token, shown
// this once, and its record.
type apiNewToken struct {
	Token    string         `json:"token"`
	APIToken store.APIToken `json:"api_token"`
}

// apiCreateToken gives the caller a new API token named by the body's
// name and answers 201 with it; the token is not shown again.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *request) {
	var body apiTokenRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	token, t, err := s.svc.CreateAPIToken(r.Context(), r.actor(), r.acc.ID, body.Name)
	if err != nil {
		s.fail(w, r, namedField(err, map[string]string{"token name": "name"}))
		return
	}
	writeCreated(w, "/api/v1/me/tokens", apiNewToken{Token: token, APIToken: t})
}

// apiRevokeToken revokes the caller's token {id} and answers 204: the
// token signs nobody in from then on. Another user's token, or one
// revoked already, is not found.
func (s *Server) apiRevokeToken(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "API token")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.RevokeAPIToken(r.Context(), r.actor(), r.acc.ID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// cmpTime orders by instant, then by id.
func cmpTime(a, b time.Time, ida, idb int64) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return cmp.Compare(ida, idb)
}
