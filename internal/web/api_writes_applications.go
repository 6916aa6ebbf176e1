package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The writes of applications in the API, as the enterprise's and the
// recommender's pages do them: an enterprise creates, fills in, submits
// and withdraws its own applications; a recommender screens and returns
// its own channel's. An application that is not the caller's is not
// found, exactly like one that does not exist.

// apiRecommenders are the callers who screen applications for their
// channel.
var apiRecommenders = &access{name: "recommenders", signIn: true, roles: []string{workflow.RoleRecommender}}

// apiApplicationRequest is the body of POST /api/v1/applications.
type apiApplicationRequest struct {
	CycleID int64 `json:"cycle_id"`
	// EnterpriseID is the enterprise applying; it may be left out when
	// the caller acts for one enterprise only.
	EnterpriseID int64 `json:"enterprise_id,omitempty"`
}

// apiInputsRequest is the body of PUT /api/v1/applications/{id}/inputs.
type apiInputsRequest struct {
	Version int64 `json:"version"`
	// Inputs is an object keyed by the program's input ids, yearly inputs
	// as arrays, oldest year first.
	Inputs json.RawMessage `json:"inputs"`
}

// apiDeclarationsRequest is the body of PUT
// /api/v1/applications/{id}/declarations.
type apiDeclarationsRequest struct {
	Version      int64           `json:"version"`
	Declarations map[string]bool `json:"declarations"`
}

// apiSubmitRequest is the body of POST /api/v1/applications/{id}/submit.
type apiSubmitRequest struct {
	Version int64 `json:"version"`
	// IdempotencyKey names this submission: a retry with the same key
	// returns the application and submits nothing twice. It may come in
	// the Idempotency-Key header instead.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// apiReturnRequest is the body of POST /api/v1/applications/{id}/return.
type apiReturnRequest struct {
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

// apiScreenRequest is the body of POST /api/v1/applications/recommend and
// /not-recommend.
type apiScreenRequest struct {
	ApplicationIDs []int64 `json:"application_ids"`
}

// apiScreened is the answer to a screening: the applications as they are
// now, in the order asked.
type apiScreened struct {
	Applications []store.Application `json:"applications"`
}

// needVersion refuses a missing version, naming the member.
func needVersion(v int64, what string) error {
	if v <= 0 {
		return errs.WithField("version", errs.New(errs.Invalid, "version: give the %s's version, as GET answered it", what))
	}
	return nil
}

// inputField finds the first input a workflow message names
// ("inputs.sales[2]: must be at least 0 万元, got -5").
var inputField = regexp.MustCompile(`\binputs\.[a-z][a-z0-9_]*(?:\[\d+\])?`)

// namedInput gives an invalid err that names no field the first input its
// message names, or else fallback (when not "").
func namedInput(err error, fallback string) error {
	if err == nil || !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "" {
		return err
	}
	if f := inputField.FindString(err.Error()); f != "" {
		return errs.WithField(f, err)
	}
	if fallback != "" {
		return errs.WithField(fallback, err)
	}
	return err
}

// apiOwnApplication returns application {id} when it belongs to an
// enterprise the caller acts for; any other is not found.
func (s *Server) apiOwnApplication(r *request) (store.Application, error) {
	id, err := pathID(r, "application")
	if err != nil {
		return store.Application{}, err
	}
	a, err := s.svc.Application(r.Context(), id)
	_, enterprises := scopes(r)
	if err == nil && enterprises[a.EnterpriseID] {
		return a, nil
	}
	if err == nil || errs.Is(err, errs.NotFound) {
		return store.Application{}, errs.New(errs.NotFound, "application %d does not exist", id)
	}
	return store.Application{}, err
}

// apiChannelApplication returns application id when it belongs to a channel
// the caller recommends for; any other is not found.
func (s *Server) apiChannelApplication(r *request, id int64) (store.Application, error) {
	a, err := s.svc.Application(r.Context(), id)
	channels, _ := scopes(r)
	if err == nil && channels[a.ChannelID] {
		return a, nil
	}
	if err == nil || errs.Is(err, errs.NotFound) {
		return store.Application{}, errs.New(errs.NotFound, "application %d does not exist", id)
	}
	return store.Application{}, err
}

// apiCreateApplication starts an application of the caller's enterprise
// to an open cycle, as a draft, and answers 201 with it.
func (s *Server) apiCreateApplication(w http.ResponseWriter, r *request) {
	var body apiApplicationRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.CycleID <= 0 {
		s.fail(w, r, errs.WithField("cycle_id", errs.New(errs.Invalid, "cycle_id: give the id of an open cycle")))
		return
	}
	_, enterprises := scopes(r)
	ent := body.EnterpriseID
	if ent == 0 {
		if len(enterprises) != 1 {
			s.fail(w, r, errs.WithField("enterprise_id", errs.New(errs.Invalid, "enterprise_id: you act for %d enterprises; say which one applies", len(enterprises))))
			return
		}
		for id := range enterprises {
			ent = id
		}
	}
	if !enterprises[ent] {
		s.fail(w, r, errs.WithField("enterprise_id", errs.New(errs.NotFound, "enterprise %d does not exist", ent)))
		return
	}
	a, err := s.svc.CreateApplication(r.Context(), r.actor(), body.CycleID, ent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/applications/"+strconv.FormatInt(a.ID, 10), a)
}

// apiSaveInputs replaces the inputs of the caller's application {id} at
// the body's version. A bad input is refused naming it
// ("inputs.sales[2]").
func (s *Server) apiSaveInputs(w http.ResponseWriter, r *request) {
	var body apiInputsRequest
	a, ok := s.apiOwnWrite(w, r, &body, &body.Version)
	if !ok {
		return
	}
	if len(body.Inputs) == 0 || string(body.Inputs) == "null" {
		s.fail(w, r, errs.WithField("inputs", errs.New(errs.Invalid, "inputs: give the inputs, an object keyed by input id")))
		return
	}
	a, err := s.svc.SaveApplication(r.Context(), r.actor(), a.ID, body.Version, body.Inputs)
	if err != nil {
		s.fail(w, r, namedInput(err, "inputs"))
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiSaveDeclarations replaces the declarations of the caller's
// application {id} at the body's version.
func (s *Server) apiSaveDeclarations(w http.ResponseWriter, r *request) {
	var body apiDeclarationsRequest
	a, ok := s.apiOwnWrite(w, r, &body, &body.Version)
	if !ok {
		return
	}
	if body.Declarations == nil {
		body.Declarations = map[string]bool{}
	}
	a, err := s.svc.SaveDeclarations(r.Context(), r.actor(), a.ID, body.Version, body.Declarations)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("declarations", err)
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiSubmitApplication submits the caller's application {id} with an
// idempotency key (the Idempotency-Key header or the body's
// idempotency_key): a retry with the key returns the application as it
// is, and submits nothing twice.
func (s *Server) apiSubmitApplication(w http.ResponseWriter, r *request) {
	var body apiSubmitRequest
	a, ok := s.apiOwnWrite(w, r, &body, &body.Version)
	if !ok {
		return
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	switch {
	case key != "" && body.IdempotencyKey != "" && key != body.IdempotencyKey:
		s.fail(w, r, errs.WithField("idempotency_key", errs.New(errs.Invalid,
			"idempotency_key: the body's key and the Idempotency-Key header differ; send one key")))
		return
	case key == "":
		key = body.IdempotencyKey
	}
	if key == "" {
		s.fail(w, r, errs.WithField("idempotency_key", errs.New(errs.Invalid,
			"idempotency_key: give a key of this submission (or the Idempotency-Key header), the same on every retry")))
		return
	}
	a, err := s.svc.SubmitApplication(r.Context(), r.actor(), a.ID, body.Version, key)
	if err != nil {
		s.fail(w, r, namedInput(err, ""))
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiWithdrawApplication takes back the caller's application {id} at the
// body's version.
func (s *Server) apiWithdrawApplication(w http.ResponseWriter, r *request) {
	var body apiVersionRequest
	a, ok := s.apiOwnWrite(w, r, &body, &body.Version)
	if !ok {
		return
	}
	a, err := s.svc.WithdrawApplication(r.Context(), r.actor(), a.ID, body.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiReturnApplication sends application {id} of the caller's channel
// back to its enterprise for correction, with the reason.
func (s *Server) apiReturnApplication(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "application")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.apiChannelApplication(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiReturnRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := needVersion(body.Version, "application"); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(body.Reason) == "" {
		s.fail(w, r, errs.WithField("reason", errs.New(errs.Invalid, "reason: say what the enterprise should correct")))
		return
	}
	a, err = s.svc.ReturnApplication(r.Context(), r.actor(), a.ChannelID, a.ID, body.Version, body.Reason)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("reason", err)
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// apiRecommend puts the body's applications forward for the caller's
// channel, in the order given.
func (s *Server) apiRecommend(w http.ResponseWriter, r *request) { s.apiScreen(w, r, true) }

// apiNotRecommend marks the body's applications as not put forward.
func (s *Server) apiNotRecommend(w http.ResponseWriter, r *request) { s.apiScreen(w, r, false) }

// apiScreen recommends (or not) the applications of the body, all of the
// caller's channel: one of another channel, or none at all, is not found
// (naming it). A quota exceeded is a conflict that gives the count and
// the quota.
func (s *Server) apiScreen(w http.ResponseWriter, r *request, recommend bool) {
	var body apiScreenRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(body.ApplicationIDs) == 0 {
		s.fail(w, r, errs.WithField("application_ids", errs.New(errs.Invalid, "application_ids: name at least one application")))
		return
	}
	var channel int64
	for i, id := range body.ApplicationIDs {
		a, err := s.apiChannelApplication(r, id)
		if err != nil {
			s.fail(w, r, errs.WithField("application_ids["+strconv.Itoa(i)+"]", err))
			return
		}
		if channel == 0 {
			channel = a.ChannelID
		} else if a.ChannelID != channel {
			s.fail(w, r, errs.WithField("application_ids["+strconv.Itoa(i)+"]",
				errs.New(errs.Invalid, "application_ids[%d]: application %d is of another of your channels: screen each channel's on its own", i, id)))
			return
		}
	}
	screen := s.svc.NotRecommend
	if recommend {
		screen = s.svc.Recommend
	}
	list, err := screen(r.Context(), r.actor(), channel, body.ApplicationIDs)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("application_ids", err)
		}
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Application{}
	}
	writeJSON(w, http.StatusOK, apiScreened{Applications: list})
}

// apiOwnWrite begins a write to the caller's application {id}: it finds
// the application (another enterprise's is not found), reads the JSON
// body into body and checks that the body gives the version the write is
// based on (version points into body). On a refusal it has answered, and
// ok is false.
func (s *Server) apiOwnWrite(w http.ResponseWriter, r *request, body any, version *int64) (a store.Application, ok bool) {
	a, err := s.apiOwnApplication(r)
	if err == nil {
		err = decodeJSON(w, r, maxAPIBody, body)
	}
	if err == nil {
		err = needVersion(*version, "application")
	}
	if err != nil {
		s.fail(w, r, err)
		return store.Application{}, false
	}
	return a, true
}
