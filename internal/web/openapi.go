package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// The OpenAPI 3.1 document of the API, built from the route table (which
// routes exist, and who may call them) and the documentation kept beside
// each route in api.go (what they take and give). The schemas of bodies
// are derived from the Go types the handlers encode and decode, so they
// cannot drift from what is sent.

// apiOpenAPI serves the OpenAPI document of /api/v1.
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *request) {
	doc, err := openAPIDocument(s.routes, s.apiEndpoints())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// apiPrefix is where the API's routes live.
const apiPrefix = "/api/v1/"

// openAPIDocument describes every route of routes under /api/v1, from
// the documentation of eps. A route without documentation, or
// documentation of no route, is an error (internal: a programming
// mistake that the tests catch).
func openAPIDocument(routes []route, eps []apiEndpoint) (map[string]any, error) {
	docs := map[string]apiDoc{}
	for _, ep := range eps {
		docs[ep.pattern] = ep.doc
	}
	sc := &schemaSet{defs: map[string]any{}, types: map[string]reflect.Type{}}
	paths := map[string]map[string]any{}
	ops := map[string]string{}
	seen := map[string]bool{}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if !strings.HasPrefix(path, apiPrefix) {
			continue
		}
		d, ok := docs[rt.pattern]
		if !ok {
			return nil, errs.New(errs.Internal, "openapi: route %q has no documentation in apiEndpoints", rt.pattern)
		}
		if d.op == "" || d.summary == "" || d.status == 0 {
			return nil, errs.New(errs.Internal, "openapi: route %q lacks an operationId, a summary or a status", rt.pattern)
		}
		if other, dup := ops[d.op]; dup {
			return nil, errs.New(errs.Internal, "openapi: routes %q and %q share the operationId %q", other, rt.pattern, d.op)
		}
		ops[d.op], seen[rt.pattern] = rt.pattern, true
		op, err := operation(sc, method, path, rt.who, d)
		if err != nil {
			return nil, errs.New(errs.Internal, "openapi: route %q: %w", rt.pattern, err)
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	for _, ep := range eps {
		if !seen[ep.pattern] {
			return nil, errs.New(errs.Internal, "openapi: %q is documented but not in the route table", ep.pattern)
		}
	}
	errSchema, err := sc.of(reflect.TypeFor[apiError]())
	if err != nil {
		return nil, errs.New(errs.Internal, "openapi: %w", err)
	}
	responses := map[string]any{}
	for _, st := range errorStatuses {
		responses[errorResponseName(st)] = map[string]any{
			"description": errorDescriptions[st],
			"content":     map[string]any{"application/json": map[string]any{"schema": errSchema}},
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Exemplar API",
			"version": "1",
			"description": "The JSON API of Exemplar, under /api/v1. Sign in with an API token " +
				"(`Authorization: Bearer <token>`, made with POST /api/v1/me/tokens) or, from the site's own pages, " +
				"the session cookie; cookie callers send the anti-forgery token (`csrf_token` of GET /api/v1/me) as " +
				"`X-CSRF-Token` with every request that changes something. Lists take `limit` (1–500, default 50) and " +
				"`offset`, and sortable ones `sort` (a key, or -key for descending); they answer with `items`, `total`, " +
				"`limit` and `offset`. Every refusal is `{\"error\": {\"code\", \"message\", \"field\"}}`, " +
				"`field` naming the member or parameter at fault when there is one.",
		},
		"tags": []any{
			map[string]any{"name": "account", "description": "The caller: account, roles, API tokens"},
			map[string]any{"name": "announcements", "description": "Published pages: news and results"},
			map[string]any{"name": "cycles", "description": "Runs of a program: phases, results, decisions and objections (administrators; anyone files an objection)"},
			map[string]any{"name": "applications", "description": "Enterprises' applications, each seen only by those it concerns"},
			map[string]any{"name": "enterprise", "description": "An enterprise's account (sign-up), its own titles, certificates, annual reports and timeline"},
			map[string]any{"name": "public", "description": "What anyone reads: certificates, notices and result lists, programs"},
			map[string]any{"name": "setup", "description": "The administrator's set-up: programs, channels, users, annual reports, the audit log"},
			map[string]any{"name": "meta", "description": "About the API itself"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":   sc.defs,
			"responses": responses,
			"securitySchemes": map[string]any{
				"bearerToken": map[string]any{"type": "http", "scheme": "bearer",
					"description": "An API token of the caller (POST /api/v1/me/tokens)."},
				"sessionCookie": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie,
					"description": "The browser's session; requests that change something also need the X-CSRF-Token header."},
			},
		},
	}, nil
}

// apiError is the shape of every refusal of the API (see Server.fail).
type apiError struct {
	Error apiErrorDetail `json:"error"`
}

// apiErrorDetail says what went wrong.
type apiErrorDetail struct {
	// Code is one of errs' codes, or too_many_requests.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the request member or parameter at fault, when the
	// error is about one.
	Field string `json:"field,omitempty"`
}

// errorStatuses are the refusals the document describes, each a reusable
// response.
var errorStatuses = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
	http.StatusUnprocessableEntity, http.StatusInternalServerError}

var errorDescriptions = map[int]string{
	http.StatusUnauthorized:        "Not signed in, or the API token is unknown, revoked or of a disabled user (code unauthorised)",
	http.StatusForbidden:           "The caller's roles do not allow this route, or a cookie caller sent no valid X-CSRF-Token (code forbidden)",
	http.StatusNotFound:            "No such record, or none the caller may see (code not_found)",
	http.StatusConflict:            "The request clashes with the record's state: a stale version, a wrong phase or status (code conflict)",
	http.StatusUnprocessableEntity: "A bad body or parameter; field names it when it can (code invalid)",
	http.StatusInternalServerError: "Something broke on the server; the message refers to its log (code internal)",
}

func errorResponseName(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// operation is the OpenAPI Operation Object of one route.
func operation(sc *schemaSet, method, path string, who *access, d apiDoc) (map[string]any, error) {
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		p := map[string]any{"name": m[1], "in": "path", "required": true,
			"description": "the id of the record the path names",
			"schema":      map[string]any{"type": "integer", "format": "int64", "minimum": 1}}
		for _, named := range d.path {
			if named.name == m[1] {
				p["description"], p["schema"] = named.desc, named.schema
			}
		}
		params = append(params, p)
	}
	for _, q := range d.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": q.schema})
	}
	for _, h := range d.header {
		params = append(params, map[string]any{"name": h.name, "in": "header", "description": h.desc, "schema": h.schema})
	}
	if d.list || len(d.sorts) > 0 {
		params = append(params,
			map[string]any{"name": "limit", "in": "query", "description": "how many items at most",
				"schema": map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}},
			map[string]any{"name": "offset", "in": "query", "description": "how many items to skip",
				"schema": map[string]any{"type": "integer", "minimum": 0, "default": 0}})
	}
	if len(d.sorts) > 0 {
		params = append(params, map[string]any{"name": "sort", "in": "query",
			"description": "the order: a key, or -key for descending", "schema": map[string]any{"type": "string", "enum": d.sorts}})
	}
	desc := d.desc
	if desc != "" {
		desc += "\n\n"
	}
	desc += "Who may call it: " + who.name + "."
	op := map[string]any{"operationId": d.op, "tags": []string{d.tag}, "summary": d.summary, "description": desc}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if d.body != nil {
		s, err := sc.of(reflect.TypeOf(d.body))
		if err != nil {
			return nil, err
		}
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"application/json": map[string]any{"schema": s}}}
	}
	if d.upload {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
			"schema": map[string]any{"type": "object", "required": []string{"file"}, "properties": map[string]any{
				"file": map[string]any{"type": "string", "contentMediaType": "application/octet-stream",
					"description": "the file, with its name"}}}}}}
	}
	ok := map[string]any{"description": http.StatusText(d.status)}
	if d.download != "" {
		ok["content"] = map[string]any{d.download: map[string]any{"schema": map[string]any{"type": "string",
			"description": "the file's bytes; Content-Disposition gives its name"}}}
	}
	if d.response != nil {
		s, err := sc.of(reflect.TypeOf(d.response))
		if err != nil {
			return nil, err
		}
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": s}}
	}
	responses := map[string]any{fmt.Sprint(d.status): ok}
	if d.again != 0 {
		again := maps.Clone(ok)
		again["description"] = http.StatusText(d.again) + ": the record was there already"
		responses[fmt.Sprint(d.again)] = again
	}
	// Every route may refuse a bad API token (401), and break (500).
	refusals := []int{http.StatusUnauthorized, http.StatusInternalServerError}
	if len(who.roles) > 0 || !safeMethod(method) {
		refusals = append(refusals, http.StatusForbidden)
	}
	if d.body != nil || d.upload || len(d.query) > 0 || d.list || len(d.sorts) > 0 {
		refusals = append(refusals, http.StatusUnprocessableEntity)
	}
	refusals = append(refusals, d.errors...)
	for _, st := range refusals {
		if !slices.Contains(errorStatuses, st) {
			return nil, fmt.Errorf("no error response for status %d", st)
		}
		responses[fmt.Sprint(st)] = map[string]any{"$ref": "#/components/responses/" + errorResponseName(st)}
	}
	op["responses"] = responses
	if who.signIn {
		op["security"] = []any{map[string]any{"bearerToken": []string{}}, map[string]any{"sessionCookie": []string{}}}
	} else {
		op["security"] = []any{map[string]any{}, map[string]any{"bearerToken": []string{}}, map[string]any{"sessionCookie": []string{}}}
	}
	return op, nil
}

// schemaSet derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go
// types, the way encoding/json encodes them, and keeps each named struct
// once under components/schemas.
type schemaSet struct {
	defs  map[string]any
	types map[string]reflect.Type
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// of returns the schema of t: a $ref for a named struct.
func (sc *schemaSet) of(t reflect.Type) (map[string]any, error) {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case rawType:
		return map[string]any{"description": "any JSON value, as stored"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}, nil
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Pointer:
		return sc.of(t.Elem())
	case reflect.Slice, reflect.Array:
		items, err := sc.of(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("schema of %s: map keys must be strings", t)
		}
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}, nil
		}
		v, err := sc.of(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": v}, nil
	case reflect.Struct:
		name := schemaName(t)
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if prev, ok := sc.types[name]; ok {
			if prev != t {
				return nil, fmt.Errorf("types %s and %s both make the schema %s", prev, t, name)
			}
			return ref, nil
		}
		sc.types[name] = t
		obj := map[string]any{"type": "object", "properties": map[string]any{}, "additionalProperties": false}
		if err := sc.fields(t, obj); err != nil {
			return nil, err
		}
		sc.defs[name] = obj
		return ref, nil
	}
	return nil, fmt.Errorf("no schema for %s", t)
}

// fields adds the members t encodes to obj, flattening embedded structs
// as encoding/json does.
func (sc *schemaSet) fields(t reflect.Type, obj map[string]any) error {
	props := obj["properties"].(map[string]any)
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			if err := sc.fields(f.Type, obj); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s, err := sc.of(f.Type)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		omitempty := slices.Contains(strings.Split(opts, ","), "omitempty")
		if f.Type.Kind() == reflect.Pointer && !omitempty {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		props[name] = s
		if !omitempty {
			req, _ := obj["required"].([]string)
			obj["required"] = append(req, name)
		}
	}
	return nil
}

// schemaName names the schema of struct t: its Go name without the api
// prefix, and for a list (apiList[T]) the name of T and "List".
func schemaName(t reflect.Type) string {
	name := t.Name()
	if base, arg, ok := strings.Cut(name, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndex(arg, ".")+1:]
		name = arg + strings.TrimPrefix(base, "api")
	}
	name = strings.TrimPrefix(name, "api")
	return strings.ToUpper(name[:1]) + name[1:]
}
