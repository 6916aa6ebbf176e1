package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store/storetest"
)

// servedOpenAPI fetches the document the site serves.
func servedOpenAPI(t *testing.T, s *site) []byte {
	t.Helper()
	resp, body := s.client().get("/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return []byte(body)
}

// TestOpenAPIMatchesRoutes: the document describes exactly the /api/v1
// routes the server has, each method of each path, no more and no less.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(servedOpenAPI(t, s), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented, registered []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range s.srv.routes {
		if _, path, _ := strings.Cut(rt.pattern, " "); strings.HasPrefix(path, "/api/") {
			registered = append(registered, rt.pattern)
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in the OpenAPI document", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("the OpenAPI document describes %s, which is no route", d)
		}
	}
	// The submission documents the header that carries its key.
	var submit struct {
		Parameters []struct{ Name, In string } `json:"parameters"`
	}
	if err := json.Unmarshal(doc.Paths["/api/v1/applications/{id}/submit"]["post"], &submit); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(submit.Parameters, struct{ Name, In string }{"Idempotency-Key", "header"}) {
		t.Errorf("submitApplication does not document the Idempotency-Key header: %+v", submit.Parameters)
	}
	if len(registered) < 16 {
		t.Errorf("only %d API routes registered: %v", len(registered), registered)
	}
}

// TestOpenAPINeedsDocumentation: a route under /api/v1 without its
// documentation, or documentation of a route that is not in the table,
// stops the document from being built.
func TestOpenAPINeedsDocumentation(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	eps := s.srv.apiEndpoints()
	if _, err := openAPIDocument(s.srv.routes, eps); err != nil {
		t.Fatalf("the real table: %v", err)
	}
	extra := append(slices.Clone(s.srv.routes), route{"GET /api/v1/secrets", admins, func(http.ResponseWriter, *request) {}})
	if _, err := openAPIDocument(extra, eps); err == nil || !strings.Contains(err.Error(), `"GET /api/v1/secrets" has no documentation`) {
		t.Errorf("an undocumented route: %v", err)
	}
	fewer := slices.DeleteFunc(slices.Clone(s.srv.routes), func(r route) bool { return r.pattern == "GET /api/v1/me" })
	if _, err := openAPIDocument(fewer, eps); err == nil || !strings.Contains(err.Error(), "not in the route table") {
		t.Errorf("documentation of a missing route: %v", err)
	}
	dup := slices.Clone(eps)
	dup[1].doc.op = dup[0].doc.op
	if _, err := openAPIDocument(s.srv.routes, dup); err == nil || !strings.Contains(err.Error(), "share the operationId") {
		t.Errorf("a repeated operationId: %v", err)
	}
}

// TestSchemaOf: schemas follow encoding/json: tags, omitempty, embedded
// structs flattened, "-" left out, pointers without omitempty nullable.
func TestSchemaOf(t *testing.T) {
	type inner struct {
		A int `json:"a"`
	}
	type outer struct {
		inner
		B      *string  `json:"b"`
		C      []string `json:"c,omitempty"`
		Secret string   `json:"-"`
	}
	sc := &schemaSet{defs: map[string]any{}, types: map[string]reflect.Type{}}
	ref, err := sc.of(reflect.TypeFor[outer]())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(map[string]any{"ref": ref, "defs": sc.defs})
	want := `{"defs":{"Outer":{"additionalProperties":false,"properties":{"a":{"type":"integer"},` +
		`"b":{"anyOf":[{"type":"string"},{"type":"null"}]},"c":{"items":{"type":"string"},"type":"array"}},` +
		`"required":["a","b"],"type":"object"}},"ref":{"$ref":"#/components/schemas/Outer"}}`
	if string(got) != want {
		t.Errorf("schema\n got %s\nwant %s", got, want)
	}
	if name := schemaName(reflect.TypeFor[apiList[apiMe]]()); name != "MeList" {
		t.Errorf("the list of apiMe is named %q", name)
	}
}
