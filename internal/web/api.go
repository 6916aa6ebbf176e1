package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/store"
)

// apiEndpoint is one route of the JSON API with its documentation, from
// which /api/v1/openapi.json is built (openapi.go). A route of the table
// under /api/v1 without an entry here makes the document fail to build,
// and so its tests.
type apiEndpoint struct {
	route
	doc apiDoc
}

// apiDoc is what the OpenAPI document says of a route. Its path
// parameters come from the pattern: every {name} is an integer id.
type apiDoc struct {
	op      string // operationId
	tag     string
	summary string
	desc    string
	// query are its query parameters, besides limit, offset and sort,
	// which sorts (a sortable list) or list (a list in one order) add.
	query []apiParam
	sorts []string // the values ?sort= accepts
	list  bool     // paginated with ?limit= and ?offset=
	// body is a value of the request body's type; nil: none.
	body any
	// status is the status of success, and response a value of its body's
	// type (nil: no body).
	status   int
	response any
	// errors are the statuses of refusals the handler gives beyond those
	// every route may (the rule's 401 and 403, a bad parameter's 422).
	errors []int
}

// apiParam is a query parameter.
type apiParam struct {
	name, desc string
	schema     map[string]any
}

// apiRoutes are the routes of the JSON API under /api/v1.
func (s *Server) apiRoutes() []route {
	eps := s.apiEndpoints()
	out := make([]route, len(eps))
	for i, ep := range eps {
		out[i] = ep.route
	}
	return out
}

// apiEndpoints is the JSON API: every route under /api/v1, its rule, its
// handler and its documentation.
func (s *Server) apiEndpoints() []apiEndpoint {
	str := map[string]any{"type": "string"}
	boolean := map[string]any{"type": "boolean"}
	id := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
	enum := func(values ...string) map[string]any { return map[string]any{"type": "string", "enum": values} }
	appStatus := apiParam{"status", "only applications in this status", enum(applicationStatuses...)}
	return []apiEndpoint{
		{route{"GET /api/v1/openapi.json", everyone, s.apiOpenAPI}, apiDoc{
			op: "getOpenAPI", tag: "meta", summary: "This document: the API described in OpenAPI 3.1",
			status: http.StatusOK, response: map[string]any{}}},

		// The caller.
		{route{"GET /api/v1/me", signedIn, s.apiGetMe}, apiDoc{
			op: "getMe", tag: "account", summary: "The caller's account and roles",
			status: http.StatusOK, response: apiMe{}}},
		{route{"GET /api/v1/me/tokens", signedIn, s.apiListTokens}, apiDoc{
			op: "listTokens", tag: "account", summary: "The caller's API tokens (never the tokens themselves)",
			sorts: apiTokenSorts.values(), list: true,
			status: http.StatusOK, response: apiList[store.APIToken]{}}},
		{route{"POST /api/v1/me/tokens", signedIn, s.apiCreateToken}, apiDoc{
			op: "createToken", tag: "account", summary: "Create an API token",
			desc: "The answer holds the token, shown this once: only its hash is kept. " +
				"Send it as `Authorization: Bearer <token>`.",
			body: apiTokenRequest{}, status: http.StatusCreated, response: apiNewToken{}}},
		{route{"DELETE /api/v1/me/tokens/{id}", signedIn, s.apiRevokeToken}, apiDoc{
			op: "revokeToken", tag: "account", summary: "Revoke one of the caller's API tokens",
			desc:   "From then on the token signs nobody in. Another user's token, or one revoked already, is not found.",
			status: http.StatusNoContent, errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/me/applications", apiEnterprises, s.apiMyApplications}, apiDoc{
			op: "listMyApplications", tag: "applications", summary: "The applications of the enterprises the caller acts for",
			query: []apiParam{{"cycle_id", "only applications to this cycle", id}, appStatus},
			sorts: apiApplicationSorts.values(), list: true,
			status: http.StatusOK, response: apiList[store.Application]{}}},

		// Announcements.
		{route{"GET /api/v1/announcements", everyone, s.apiListAnnouncements}, apiDoc{
			op: "listAnnouncements", tag: "announcements", summary: "Announcements, newest issue first",
			desc: "The public sees issued announcements only; an administrator sees drafts too, before them.",
			query: []apiParam{{"q", "words the title (in either language) contains", str},
				{"kind", "only announcements of this kind", enum("news", "results")},
				{"cycle_id", "only the announcements of this cycle", id}},
			list: true, status: http.StatusOK, response: apiList[store.Announcement]{}}},
		{route{"POST /api/v1/announcements", admins, s.apiCreateAnnouncement}, apiDoc{
			op: "createAnnouncement", tag: "announcements", summary: "Write a news announcement, as a draft",
			body: apiAnnouncementSpec{}, status: http.StatusCreated, response: store.Announcement{}}},
		{route{"GET /api/v1/announcements/{id}", everyone, s.apiGetAnnouncement}, apiDoc{
			op: "getAnnouncement", tag: "announcements", summary: "One announcement",
			desc:   "A draft is not found for anyone but an administrator. Reading it here does not count as a view.",
			status: http.StatusOK, response: store.Announcement{}, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/announcements/{id}/issue", admins, s.apiIssueAnnouncement}, apiDoc{
			op: "issueAnnouncement", tag: "announcements", summary: "Issue a draft announcement: the public sees it from now on",
			desc: "The body gives the version the caller read; a stale version, or an announcement issued already, is a conflict.",
			body: apiVersionRequest{}, status: http.StatusOK, response: store.Announcement{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// Cycles.
		{route{"GET /api/v1/cycles", admins, s.apiListCycles}, apiDoc{
			op: "listCycles", tag: "cycles", summary: "Every cycle, newest year first",
			query: []apiParam{{"phase", "only cycles in this phase", enum("draft", "open", "recommendation", "evaluation",
				"deliberation", "notice", "announced", "closed")},
				{"kind", "only cycles of this kind", enum("identification", "review")}},
			sorts: apiCycleSorts.values(), list: true, status: http.StatusOK, response: apiList[store.Cycle]{}}},
		{route{"GET /api/v1/cycles/{id}", admins, s.apiGetCycle}, apiDoc{
			op: "getCycle", tag: "cycles", summary: "One cycle",
			status: http.StatusOK, response: store.Cycle{}, errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/results", admins, s.apiCycleResults}, apiDoc{
			op: "listCycleResults", tag: "cycles", summary: "The engine's results of a cycle's latest run",
			desc: "Not found before the cycle was evaluated. Unranked results sort after the ranked ones.",
			query: []apiParam{{"eligible", "only results that passed (true) or failed (false) the gates", boolean},
				{"pass", "only passing (true) or failing (false) results", boolean}},
			sorts: apiResultSorts.values(), list: true, status: http.StatusOK, response: apiResults{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/decisions", admins, s.apiCycleDecisions}, apiDoc{
			op: "listCycleDecisions", tag: "cycles", summary: "A cycle's decisions, with their reasons",
			query: []apiParam{{"outcome", "only decisions with this outcome", enum("pass", "fail")},
				{"state", "only decisions in this state", enum("drafted", "proposed", "final")}},
			sorts: apiDecisionSorts.values(), list: true, status: http.StatusOK, response: apiList[store.Decision]{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/applications", apiScreeners, s.apiCycleApplications}, apiDoc{
			op: "listCycleApplications", tag: "applications", summary: "A cycle's applications",
			desc:  "An administrator sees every one; a recommender only its own channel's.",
			query: []apiParam{appStatus}, sorts: apiApplicationSorts.values(), list: true,
			status: http.StatusOK, response: apiList[store.Application]{}, errors: []int{http.StatusNotFound}}},

		// Applications.
		{route{"GET /api/v1/applications/{id}", apiApplicationReaders, s.apiGetApplication}, apiDoc{
			op: "getApplication", tag: "applications", summary: "One application",
			desc: "For an administrator, the recommender of its channel and the users of its enterprise. " +
				"To anyone else it does not exist (404, not 403), so that ids cannot be probed.",
			status: http.StatusOK, response: store.Application{}, errors: []int{http.StatusNotFound}}},
	}
}
