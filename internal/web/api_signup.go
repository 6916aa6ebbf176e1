package web

import (
	"net/http"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// An enterprise opens its account through the API as through the
// register page (register.go): workflow.SignUpEnterprise, then, instead
// of a session cookie, an API token for the new user, shown once.

// apiSignUpRequest is the body of POST /api/v1/enterprises/sign-up.
type apiSignUpRequest struct {
	// USCC, Name and Channel (a channel code) are the enterprise's.
	USCC    string `json:"uscc"`
	Name    string `json:"name"`
	Channel string `json:"channel,omitempty"`
	// Username and Password are its first user's; DisplayName the name of
	// the person signing up.
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name,omitempty"`
	// TokenName names the API token the answer carries ("sign-up" when
	// left out).
	TokenName string `json:"token_name,omitempty"`
}

// apiSignedUp is the answer to a sign-up: the account, the enterprise and
// an API token of the new user (the token is not shown again).
type apiSignedUp struct {
	User       store.User       `json:"user"`
	Enterprise store.Enterprise `json:"enterprise"`
	Token      string           `json:"token"`
	APIToken   store.APIToken   `json:"api_token"`
}

// apiSignUp opens an enterprise's account and answers 201 with a token of
// its first user. A refusal names the member at fault.
func (s *Server) apiSignUp(w http.ResponseWriter, r *request) {
	var body apiSignUpRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(body.TokenName)
	if name == "" {
		name = "sign-up"
	}
	u, e, err := s.svc.SignUpEnterprise(r.Context(), workflow.SignUp{USCC: body.USCC, Name: body.Name, Channel: body.Channel,
		Username: body.Username, Password: body.Password, DisplayName: body.DisplayName})
	if err != nil {
		switch {
		case errs.Is(err, errs.NotFound): // the channel code
			err = errs.WithField("channel", err)
		case errs.Is(err, errs.Invalid) && strings.Contains(err.Error(), ": the password "): // "user x: the password …"
			err = errs.WithField("password", err)
		}
		s.fail(w, r, namedField(err, map[string]string{"unified social credit code": "uscc", "enterprise name": "name",
			"username": "username", "password": "password", "your name": "display_name"}))
		return
	}
	token, t, err := s.svc.CreateAPIToken(r.Context(), workflow.Actor{UserID: u.ID, Name: u.Username}, u.ID, name)
	if err != nil {
		s.fail(w, r, namedField(err, map[string]string{"token name": "token_name"}))
		return
	}
	writeCreated(w, "/api/v1/me", apiSignedUp{User: u, Enterprise: e, Token: token, APIToken: t})
}
