package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
)

// The JSON of the API: request bodies in, results out. Errors go through
// Server.fail, which answers API paths with
// {"error": {"code", "message", "field"}}.

// maxAPIBody is the largest request body the API reads, unless a route
// says otherwise.
const maxAPIBody = 1 << 20

// decodeJSON reads r's body, which must be one JSON object of type T with
// no member T does not have, into v; at most limit bytes. A refusal is
// invalid and names the offending member when it can.
func decodeJSON(w http.ResponseWriter, r *request, limit int64, v any) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		return errs.New(errs.Invalid, "send the request body as JSON, with Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return errs.New(errs.Invalid, "the request body holds more than one JSON value")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errs.New(errs.Invalid, "the request needs a JSON object as its body")
	case errors.As(err, &tooBig):
		return errs.New(errs.Invalid, "the request body is larger than %d bytes", tooBig.Limit)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return errs.WithField(typeErr.Field, errs.New(errs.Invalid, "%s: expected %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value))
	}
	// encoding/json has no error type for an unknown member; its message
	// is stable: `json: unknown field "x"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(name); uerr == nil {
			return errs.WithField(name, errs.New(errs.Invalid, "%s: this request has no such member", name))
		}
	}
	return errs.New(errs.Invalid, "the request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// namedField gives an invalid err that names no field the field its
// message begins with, as workflow writes them ("title_zh: an
// announcement needs a Chinese title"), when that prefix is one of
// fields' keys; the value is the member's name in the API. Prefixes that
// could mean several members ("title: at most 200 characters") are left
// out of fields, so a field is named only when it is certain.
func namedField(err error, fields map[string]string) error {
	if err == nil || !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "" {
		return err
	}
	prefix, _, ok := strings.Cut(err.Error(), ": ")
	if !ok {
		return err
	}
	if f, ok := fields[prefix]; ok {
		return errs.WithField(f, err)
	}
	return err
}

// writeCreated answers a request that created v at location.
func writeCreated(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

// pathID reads the {id} of the path; a malformed one is not found, named
// as what, so that "abc" and an id that does not exist read alike.
func pathID(r *request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "%s %q does not exist", what, r.PathValue("id"))
	}
	return id, nil
}

// queryID reads an optional id from the query string (0 when absent).
func queryID(r *request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.WithField(name, errs.New(errs.Invalid, "%s: a positive whole number, not %q", name, v))
	}
	return id, nil
}
