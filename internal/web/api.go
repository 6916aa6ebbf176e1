package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
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
	// path are the path parameters that are not integer ids.
	path []apiParam
	// header are the request headers the operation reads.
	header []apiParam
	sorts  []string // the values ?sort= accepts
	list   bool     // paginated with ?limit= and ?offset=
	// body is a value of the request body's type; nil: none.
	body any
	// status is the status of success, and response a value of its body's
	// type (nil: no body).
	status   int
	response any
	// again is a second status of success, with the same body: 200 for a
	// create that found the record made already (0: none).
	again int
	// errors are the statuses of refusals the handler gives beyond those
	// every route may (the rule's 401 and 403, a bad parameter's 422).
	errors []int
	// upload: the request body is a multipart form carrying a file in
	// its part "file" (instead of a JSON body).
	upload bool
	// download is the media type of a success body that is a file rather
	// than JSON ("*/*": whatever type the file has).
	download string
}

// apiParam is a query, path or header parameter.
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
	reportStatus := apiParam{"status", "only reports in this status", enum(reportStatuses...)}
	year := apiParam{"year", "the year reported on", map[string]any{"type": "integer", "minimum": 1990, "maximum": 2200}}
	publicListQuery := []apiParam{{"q", "words the enterprise's name or code contains", str},
		{"outcome", "only decisions with this outcome", enum("pass", "fail")}}
	eps := []apiEndpoint{
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

		// The enterprise's writes: its own applications only; another's
		// is not found.
		{route{"POST /api/v1/applications", apiEnterprises, s.apiCreateApplication}, apiDoc{
			op: "createApplication", tag: "applications", summary: "Start an application to an open cycle, as a draft",
			desc: "enterprise_id may be left out by a caller who acts for one enterprise. An enterprise the caller does not act for " +
				"is not found. A cycle that is not open, whose applications are due, or that the enterprise applied to already is a conflict.",
			body: apiApplicationRequest{}, status: http.StatusCreated, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"PUT /api/v1/applications/{id}/inputs", apiEnterprises, s.apiSaveInputs}, apiDoc{
			op: "saveApplicationInputs", tag: "applications", summary: "Replace the inputs of a draft or returned application",
			desc: "inputs is an object keyed by the program's input ids, yearly inputs as arrays, oldest year first. A draft may be " +
				"incomplete. A bad input is refused naming it in field (`inputs.sales[2]`); a stale version is a conflict.",
			body: apiInputsRequest{}, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"PUT /api/v1/applications/{id}/declarations", apiEnterprises, s.apiSaveDeclarations}, apiDoc{
			op: "saveApplicationDeclarations", tag: "applications", summary: "Replace the declarations of a draft or returned application",
			desc: "declarations are yes/no statements keyed by identifier (a-z, 0-9 and _). A stale version is a conflict.",
			body: apiDeclarationsRequest{}, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/applications/{id}/submit", apiEnterprises, s.apiSubmitApplication}, apiDoc{
			op: "submitApplication", tag: "applications", summary: "Submit an application: it is locked until its channel returns it",
			desc: "Give an idempotency key, in the `Idempotency-Key` header or as idempotency_key, the same on every retry: " +
				"a retry of a submission that succeeded returns the application as it is and submits nothing twice. " +
				"A missing required input is refused naming it; a stale version, or a key that submitted another application, is a conflict.",
			header: []apiParam{{name: "Idempotency-Key", desc: "the key of this submission, the same on every retry " +
				"(or idempotency_key in the body; if both are given they must be equal)", schema: map[string]any{"type": "string", "minLength": 1}}},
			body: apiSubmitRequest{}, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/applications/{id}/withdraw", apiEnterprises, s.apiWithdrawApplication}, apiDoc{
			op: "withdrawApplication", tag: "applications", summary: "Withdraw an application while its cycle is open",
			desc: "A stale version, or an application that cannot be withdrawn any more, is a conflict.",
			body: apiVersionRequest{}, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// The recommender's writes: its own channel's applications only.
		{route{"POST /api/v1/applications/recommend", apiRecommenders, s.apiRecommend}, apiDoc{
			op: "recommendApplications", tag: "applications", summary: "Put submitted applications forward, in the order given",
			desc: "All or none. An application of another channel is not found, naming it (`application_ids[1]`). " +
				"Beyond the channel's quota for the cycle the request is a conflict whose message gives the count and the quota.",
			body: apiScreenRequest{}, status: http.StatusOK, response: apiScreened{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/applications/not-recommend", apiRecommenders, s.apiNotRecommend}, apiDoc{
			op: "notRecommendApplications", tag: "applications", summary: "Do not put applications forward (a recommendation is withdrawn)",
			desc: "All or none; an application of another channel is not found, naming it.",
			body: apiScreenRequest{}, status: http.StatusOK, response: apiScreened{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/applications/{id}/return", apiRecommenders, s.apiReturnApplication}, apiDoc{
			op: "returnApplication", tag: "applications", summary: "Send a submitted application back to its enterprise for correction",
			desc: "Only while the cycle is open, with the reason the enterprise reads. A stale version is a conflict.",
			body: apiReturnRequest{}, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// The administrator's writes of cycles.
		{route{"POST /api/v1/cycles", admins, s.apiCreateCycle}, apiDoc{
			op: "createCycle", tag: "cycles", summary: "Create a cycle of a program version, in phase draft",
			desc: "A second cycle of the same program, kind and year is a conflict.",
			body: apiCycleSpec{}, status: http.StatusCreated, response: store.Cycle{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/cycles/{id}/transitions/{action}", admins, s.apiCycleTransition}, apiDoc{
			op: "transitionCycle", tag: "cycles", summary: "Move a cycle on to its next phase",
			desc: "draft –open→ open –close-applications→ recommendation –start-evaluation→ evaluation –start-deliberation→ " +
				"deliberation –publish-notice→ notice –announce→ announced –close→ closed, as the administrator's pages do. " +
				"A transition from another phase is a conflict that names the phase it needs. No body.",
			path:   []apiParam{{"action", "the transition", enum(cycleActions()...)}},
			status: http.StatusOK, response: store.Cycle{}, errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"PUT /api/v1/decisions/{id}", admins, s.apiUpdateDecision}, apiDoc{
			op: "updateDecision", tag: "cycles", summary: "Change a drafted decision's outcome and reasons",
			desc: "At the version the caller read: a stale version, or a decision that is proposed or final, is a conflict.",
			body: apiDecisionRequest{}, status: http.StatusOK, response: store.Decision{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/decisions/{id}/finalise", admins, s.apiFinaliseDecision}, apiDoc{
			op: "finaliseDecision", tag: "cycles", summary: "Settle a decision an upheld objection reopened",
			desc: "During the notice it is proposed again; after the announcement it becomes final and takes effect at once. " +
				"A stale version is a conflict.",
			body: apiVersionRequest{}, status: http.StatusOK, response: store.Decision{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/cycles/{id}/objections", admins, s.apiObjections}, apiDoc{
			op: "listObjections", tag: "cycles", summary: "The objections to a cycle's notice",
			desc:  "Not found before the notice was published.",
			query: []apiParam{{"status", "only objections in this status", enum("filed", "upheld", "dismissed")}},
			sorts: apiObjectionSorts.values(), list: true, status: http.StatusOK, response: apiList[store.Objection]{},
			errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/objections/{id}/handle", admins, s.apiHandleObjection}, apiDoc{
			op: "handleObjection", tag: "cycles", summary: "Uphold or dismiss an objection, with the reason",
			desc: "An upheld objection sends the enterprise's decision back to deliberation (drafted), to be re-decided and " +
				"finalised. An objection handled already, or a cycle out of its notice, is a conflict.",
			body: apiHandlingRequest{}, status: http.StatusOK, response: store.Objection{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// The public's write.
		{route{"POST /api/v1/enterprises/sign-up", everyone, s.apiSignUp}, apiDoc{
			op: "signUpEnterprise", tag: "enterprise", summary: "Open an enterprise's account, as the register page does",
			desc: "The credit code is checked (its check character too); an enterprise that has an account already, or a " +
				"username taken, is a conflict. The answer carries an API token of the new user, shown once. An anonymous " +
				"caller sends the `exemplar_csrf` cookie the site set on its first request back as `X-CSRF-Token`.",
			body: apiSignUpRequest{}, status: http.StatusCreated, response: apiSignedUp{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/cycles/{id}/objections", everyone, s.apiFileObjection}, apiDoc{
			op: "fileObjection", tag: "cycles", summary: "Object to a listed enterprise's proposed decision while the notice runs",
			desc: "Anyone may, signed in or not. An anonymous caller sends the `exemplar_csrf` cookie the site set on its " +
				"first request back as `X-CSRF-Token`. Outside the notice period it is a conflict; a cycle without a notice is not found.",
			body: apiObjectionRequest{}, status: http.StatusCreated, response: store.Objection{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// What the pages do beyond the above (api_enterprise.go,
		// api_reports.go, api_evidence.go, api_public.go, api_admin.go,
		// api_admin_users.go, api_admin_cohort.go, api_recommender.go).
		// The enterprise's own records: its titles, certificates, reports,
		// timeline, and its applications' self-check and evidence.
		{route{"GET /api/v1/me/enterprises", apiEnterprises, s.apiMyEnterprises}, apiDoc{
			op: "listMyEnterprises", tag: "enterprise", summary: "The enterprises the caller acts for, with their names over time and channel",
			desc: "Only an administrator renames an enterprise or moves it to another channel.",
			list: true, status: http.StatusOK, response: apiList[apiEnterpriseProfile]{}}},
		{route{"GET /api/v1/me/recognitions", apiEnterprises, s.apiMyRecognitions}, apiDoc{
			op: "listMyRecognitions", tag: "enterprise", summary: "The titles the caller's enterprises hold or held",
			sorts: apiRecognitionSorts.values(), list: true, status: http.StatusOK, response: apiList[store.Recognition]{}}},
		{route{"GET /api/v1/me/certificates", apiEnterprises, s.apiMyCertificates}, apiDoc{
			op: "listMyCertificates", tag: "enterprise", summary: "The certificates issued to the caller's enterprises, with their status today",
			sorts: apiCertificateSorts.values(), list: true, status: http.StatusOK, response: apiList[workflow.Certificate]{}}},
		{route{"GET /api/v1/me/timeline", apiEnterprises, s.apiMyTimeline}, apiDoc{
			op: "listMyTimeline", tag: "enterprise", summary: "Everything that happened to the caller's enterprises, newest first",
			list: true, status: http.StatusOK, response: apiList[workflow.TimelineEvent]{}}},
		{route{"GET /api/v1/me/reports", apiEnterprises, s.apiMyReports}, apiDoc{
			op: "listMyReports", tag: "enterprise", summary: "The annual reports the caller's enterprises filed and owe",
			desc:  "One item per title and year that is over: submitted, due (up to its due day) or overdue.",
			query: []apiParam{reportStatus}, sorts: apiReportSorts.values(), list: true,
			status: http.StatusOK, response: apiList[workflow.AnnualReportItem]{}}},
		{route{"GET /api/v1/recognitions/{id}/reports/{year}", apiReportReaders, s.apiGetReport}, apiDoc{
			op: "getReport", tag: "enterprise", summary: "An annual report as filed",
			desc: "An administrator reads any; an enterprise its own titles' only. A report not filed, or of another " +
				"enterprise's title, is not found.",
			path: []apiParam{year}, status: http.StatusOK, response: apiFiledReport{}, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/recognitions/{id}/reports/{year}", apiEnterprises, s.apiFileReport}, apiDoc{
			op: "fileReport", tag: "enterprise", summary: "File the annual report on a year of a title",
			desc: "figures are the year's values of the program's yearly numbers and head counts, keyed by input id (see the " +
				"program version's inputs); summary is needed. A bad figure or summary is refused naming it (`figures.employees`). " +
				"A year not over is invalid; a title no longer standing, or a report filed already, is a conflict. " +
				"Another enterprise's title is not found.",
			path: []apiParam{year}, body: apiReportRequest{}, status: http.StatusCreated, response: store.AnnualReport{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/applications/{id}/check", apiEnterprises, s.apiApplicationCheck}, apiDoc{
			op: "checkApplication", tag: "applications", summary: "The self-check of an application: whether its saved inputs pass each gate",
			desc:   "The verdict the cycle's evaluation will give on the same inputs. Another enterprise's application is not found.",
			status: http.StatusOK, response: apiSelfCheck{}, errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/applications/{id}/evidence", apiEnterprises, s.apiListEvidence}, apiDoc{
			op: "listEvidence", tag: "applications", summary: "The evidence files of an application",
			list: true, status: http.StatusOK, response: apiList[store.Evidence]{}, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/applications/{id}/evidence", apiEnterprises, s.apiAttachEvidence}, apiDoc{
			op: "attachEvidence", tag: "applications", summary: "Attach an evidence file to a draft or returned application",
			desc: "A multipart/form-data body with the file in the part `file`. A PDF, PNG, JPEG or XLSX file, by its content " +
				"and matching its name, within the size limit; anything else is refused naming `file`. An application that " +
				"can no longer change, or the same content attached already, is a conflict.",
			upload: true, status: http.StatusCreated, response: store.Evidence{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/applications/{id}/evidence/{sha}", apiEnterprises, s.apiDownloadEvidence}, apiDoc{
			op: "downloadEvidence", tag: "applications", summary: "Download an evidence file of an application",
			desc: "The file as attached, with its content type, and its name in Content-Disposition. A file not attached " +
				"to this application is not found.",
			path:   []apiParam{{"sha", "the file's SHA-256, 64 hexadecimal digits", map[string]any{"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}},
			status: http.StatusOK, download: "*/*", errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/applications/{id}/template.xlsx", apiEnterprises, s.apiApplicationTemplate}, apiDoc{
			op: "downloadApplicationTemplate", tag: "applications", summary: "Download the input template of an application's program (XLSX)",
			query:  []apiParam{{"lang", "the template's language (by default the caller's)", enum("zh", "en")}},
			status: http.StatusOK, download: xlsxType, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/applications/{id}/sheet", apiEnterprises, s.apiUploadSheet}, apiDoc{
			op: "uploadApplicationSheet", tag: "applications", summary: "Save an application's inputs from a filled-in template",
			desc: "A multipart/form-data body with the workbook in the part `file`; ?version= is the version the caller read. " +
				"Values the file gives replace the saved ones. Any problem with the file (not an XLSX workbook, too large, a " +
				"bad cell, named by row and column) refuses it whole, naming `file`. A stale version, or an application that " +
				"can no longer change, is a conflict.",
			query:  []apiParam{{"version", "the application's version, as GET answered it", map[string]any{"type": "integer", "minimum": 1}}},
			upload: true, status: http.StatusOK, response: store.Application{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},

		// The recommender's quotas.
		{route{"GET /api/v1/cycles/{id}/quotas", apiRecommenders, s.apiCycleQuotas}, apiDoc{
			op: "listCycleQuotas", tag: "applications", summary: "The quota of each of the caller's channels in a cycle, and how much is used",
			desc: "As Recommend counts them: beyond the quota a recommendation is a conflict. A draft cycle is not found.",
			list: true, status: http.StatusOK, response: apiList[apiChannelQuota]{}, errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/screening", apiRecommenders, s.apiCycleScreening}, apiDoc{
			op: "listCycleScreening", tag: "applications", summary: "The caller's channels' applications to a cycle, with the check of the program's gates",
			desc: "As the recommender's screening page shows them: status, key inputs (values in the order of inputs; a yearly " +
				"input's latest year) and the gates each application's saved inputs fail, checked by the engine as the evaluation " +
				"will. Drafts are left out. A draft cycle is not found.",
			sorts: apiScreeningSorts.values(), list: true, status: http.StatusOK, response: apiScreening{}, errors: []int{http.StatusNotFound}}},

		// The public's reads.
		{route{"GET /api/v1/certificates/{number}", everyone, s.apiCertificate}, apiDoc{
			op: "verifyCertificate", tag: "public", summary: "Verify a certificate by its number: valid, expired or revoked",
			desc: "As the certificate's verification page (its QR code) shows it. A number never issued is not found: the " +
				"certificate may be forged.",
			path:   []apiParam{{"number", "the certificate's number, as printed (e.g. MIIT-TIDE-2018-R-0001)", map[string]any{"type": "string", "minLength": 1}}},
			status: http.StatusOK, response: workflow.Certificate{}, errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/certificates/{number}/pdf", everyone, s.certificatePDF}, apiDoc{
			op: "downloadCertificatePDF", tag: "public", summary: "A certificate as a PDF, whose QR code opens its verification page",
			desc:   "The very file of the certificate's page. A number never issued is not found.",
			path:   []apiParam{{"number", "the certificate's number, as printed", map[string]any{"type": "string", "minLength": 1}}},
			status: http.StatusOK, download: "application/pdf", errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/notice", everyone, s.apiCycleNotice}, apiDoc{
			op: "getCycleNotice", tag: "public", summary: "A cycle's public notice: the proposed decisions, open for objections",
			desc: "A cycle that published no notice is not found.", query: publicListQuery,
			sorts: apiPublicListSorts.values(), list: true, status: http.StatusOK, response: apiPublicList{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/final-results", everyone, s.apiCycleFinalResults}, apiDoc{
			op: "getCycleFinalResults", tag: "public", summary: "An announced cycle's final result list",
			desc: "A cycle not announced yet is not found.", query: publicListQuery,
			sorts: apiPublicListSorts.values(), list: true, status: http.StatusOK, response: apiPublicList{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/programs", everyone, s.apiListPrograms}, apiDoc{
			op: "listPrograms", tag: "public", summary: "The recognition programs, each with its registered versions",
			sorts: apiProgramSorts.values(), list: true, status: http.StatusOK, response: apiList[apiProgram]{}}},
		{route{"GET /api/v1/programs/versions/{id}", everyone, s.apiGetProgramVersion}, apiDoc{
			op: "getProgramVersion", tag: "public", summary: "What a program version's definition says: its inputs and gates",
			status: http.StatusOK, response: apiProgramSummary{}, errors: []int{http.StatusNotFound}}},

		// The administrator's set-up.
		{route{"GET /api/v1/reports", admins, s.apiReports}, apiDoc{
			op: "listReports", tag: "setup", summary: "The annual reports on a year: filed, due and overdue",
			desc: "Every report filed on the year, and one item for each standing title that owes one. " +
				"The year is by default the last one that is over.",
			query: []apiParam{{"year", "the year reported on (1990–2200)", map[string]any{"type": "integer"}}, reportStatus,
				{"program_id", "only the titles of this program", id}},
			sorts: apiReportSorts.values(), list: true, status: http.StatusOK, response: apiList[workflow.AnnualReportItem]{}}},
		{route{"GET /api/v1/cycles/{id}/certificates", admins, s.apiCycleCertificates}, apiDoc{
			op: "listCycleCertificates", tag: "cycles", summary: "The certificates a cycle issued",
			sorts: apiCertificateSorts.values(), list: true, status: http.StatusOK, response: apiList[workflow.Certificate]{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/cycles/{id}/certificates/archive", admins, s.certificateArchive}, apiDoc{
			op: "downloadCertificateArchive", tag: "cycles", summary: "The ZIP archive of a cycle's certificate PDFs",
			desc:   "The archive the certificates page generates (its background job). Not found until it was generated.",
			status: http.StatusOK, download: "application/zip", errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/cycles/{id}/certificates", admins, s.apiIssueCertificates}, apiDoc{
			op: "issueCertificates", tag: "cycles", summary: "Issue the certificates an announced cycle is due",
			desc: "One per passing final decision not yet certified; a second call issues only what is missing. No body. " +
				"A cycle not announced is a conflict.",
			status: http.StatusOK, response: apiIssued{}, errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/programs", admins, s.apiRegisterProgram}, apiDoc{
			op: "registerProgram", tag: "setup", summary: "Register a program definition (YAML) as a new version",
			desc: "201 with the new version; 200 with the version registered already when the text is the same. An invalid " +
				"definition is refused with every problem in message and the path of the first in field " +
				"(`definition.scoring.framework.weight`). Another text under a version label the program has is a conflict.",
			body: apiProgramRequest{}, status: http.StatusCreated, again: http.StatusOK, response: store.ProgramVersion{},
			errors: []int{http.StatusConflict}}},
		{route{"POST /api/v1/programs/check", admins, s.apiCheckProgram}, apiDoc{
			op: "checkProgram", tag: "setup", summary: "Check a program definition (YAML) without registering it",
			desc: "The summary of what it says, as the version it would be (no id yet). Its problems are refused as " +
				"registering refuses them, the path of the first in field.",
			body: apiProgramRequest{}, status: http.StatusOK, response: apiProgramSummary{}}},
		{route{"GET /api/v1/programs/versions/{id}/definition.yaml", admins, s.apiProgramDefinition}, apiDoc{
			op: "downloadProgramDefinition", tag: "setup", summary: "The YAML text of a program version, as registered",
			status: http.StatusOK, download: "application/yaml", errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/channels", admins, s.apiListChannels}, apiDoc{
			op: "listChannels", tag: "setup", summary: "The recommending channels",
			sorts: apiChannelSorts.values(), list: true, status: http.StatusOK, response: apiList[store.Channel]{}}},
		{route{"PUT /api/v1/channels/{code}", admins, s.apiPutChannel}, apiDoc{
			op: "putChannel", tag: "setup", summary: "Create a channel, or change its names and kind",
			path: []apiParam{{"code", "the channel's code, as programs name it (a-z, 0-9 and _)",
				map[string]any{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}}},
			body: apiChannelSpec{}, status: http.StatusOK, response: store.Channel{}}},
		{route{"GET /api/v1/users", admins, s.apiListUsers}, apiDoc{
			op: "listUsers", tag: "setup", summary: "The users, with their roles",
			query: []apiParam{{"q", "words the username or display name contains", str}, {"role", "only holders of this role", enum(roleNames...)}},
			sorts: apiUserSorts.values(), list: true, status: http.StatusOK, response: apiList[workflow.Account]{}}},
		{route{"POST /api/v1/users", admins, s.apiCreateUser}, apiDoc{
			op: "createUser", tag: "setup", summary: "Create a user, with no roles",
			desc: "A refusal names the member; a username taken is a conflict.",
			body: apiUserRequest{}, status: http.StatusCreated, response: workflow.Account{}, errors: []int{http.StatusConflict}}},
		{route{"POST /api/v1/users/{id}/roles", admins, s.apiGrantRole}, apiDoc{
			op: "grantRole", tag: "setup", summary: "Give a user a role, with its scope",
			desc: "A recommender needs channel_id, an enterprise user enterprise_id. A role held already is a conflict.",
			body: apiRoleRequest{}, status: http.StatusOK, response: workflow.Account{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/users/{id}/roles/revoke", admins, s.apiRevokeRole}, apiDoc{
			op: "revokeRole", tag: "setup", summary: "Take a role, with its scope, from a user",
			desc: "A role the user does not hold is not found.",
			body: apiRoleRequest{}, status: http.StatusOK, response: workflow.Account{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/users/{id}", admins, s.apiGetUser}, apiDoc{
			op: "getUser", tag: "setup", summary: "One user, with its roles",
			status: http.StatusOK, response: workflow.Account{}, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/users/{id}/disable", admins, s.apiDisableUser}, apiDoc{
			op: "disableUser", tag: "setup", summary: "Disable a user: it can no longer sign in, nor its API tokens",
			desc: "It cannot be undone. The body gives the version the caller read; a stale version, or a user disabled " +
				"already, is a conflict.",
			body: apiVersionRequest{}, status: http.StatusOK, response: workflow.Account{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/users/{id}/tokens", admins, s.apiUserTokens}, apiDoc{
			op: "listUserTokens", tag: "setup", summary: "A user's API tokens (never the tokens themselves)",
			sorts: apiTokenSorts.values(), list: true, status: http.StatusOK, response: apiList[store.APIToken]{},
			errors: []int{http.StatusNotFound}}},
		{route{"DELETE /api/v1/users/{id}/tokens/{token}", admins, s.apiRevokeUserToken}, apiDoc{
			op: "revokeUserToken", tag: "setup", summary: "Revoke a user's API token",
			desc:   "A token of another user, or one revoked already, is not found.",
			status: http.StatusNoContent, errors: []int{http.StatusNotFound}}},
		{route{"POST /api/v1/cycles/{id}/announcement", admins, s.apiDraftResultsAnnouncement}, apiDoc{
			op: "draftResultsAnnouncement", tag: "cycles", summary: "Draft the announcement of an announced cycle's results",
			desc: "From its final decisions; issue it with POST /api/v1/announcements/{id}/issue. No body. A cycle not " +
				"announced is a conflict.",
			status: http.StatusCreated, response: store.Announcement{}, errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/recognitions/lapsed", admins, s.apiLapsedRecognitions}, apiDoc{
			op: "listLapsedRecognitions", tag: "setup", summary: "The standing titles whose validity has run out, as of today",
			sorts: apiRecognitionSorts.values(), list: true, status: http.StatusOK, response: apiLapsed{}}},
		{route{"POST /api/v1/recognitions/expire", admins, s.apiExpireRecognitions}, apiDoc{
			op: "expireRecognitions", tag: "setup", summary: "Expire the lapsed titles",
			desc: "day is the day of the lapsed list the caller read; on another day the list could differ, and the " +
				"request is a conflict. A second call expires nothing.",
			body: apiExpireRequest{}, status: http.StatusOK, response: apiExpired{}, errors: []int{http.StatusConflict}}},
		{route{"GET /api/v1/cycles/{id}/cohort", admins, s.apiCycleCohort}, apiDoc{
			op: "listCycleCohort", tag: "cycles", summary: "The cohort a review cycle re-examines",
			desc: "The titles granted, or passed review, in its basis year, each with why it is in. " +
				"An identification cycle has no cohort (not found).",
			sorts: apiCohortSorts.values(), list: true, status: http.StatusOK, response: apiCohort{},
			errors: []int{http.StatusNotFound}}},
		{route{"GET /api/v1/calendar", admins, s.apiCalendar}, apiDoc{
			op: "listCalendar", tag: "setup", summary: "The working-day calendar's exceptions of a year: holidays and working weekend days",
			query: []apiParam{{"year", "the year (1990–2200; this year by default)", map[string]any{"type": "integer"}}},
			list:  true, status: http.StatusOK, response: apiList[store.CalendarDay]{}}},
		{route{"POST /api/v1/calendar", admins, s.apiSetCalendar}, apiDoc{
			op: "setCalendar", tag: "setup", summary: "Record days as holidays or working days",
			desc: "Notices count working days with them. from..to is at most a month; a refusal names the member.",
			body: apiCalendarRequest{}, status: http.StatusOK, response: apiList[store.CalendarDay]{}}},
		{route{"GET /api/v1/audit", admins, s.apiAudit}, apiDoc{
			op: "searchAudit", tag: "setup", summary: "Search the audit log, newest first",
			query: []apiParam{{"actor", "exactly this actor", str}, {"action", "actions beginning with this (user. or user.create)", str},
				{"entity", "exactly this entity", str}, {"entity_id", "exactly this entity id", str},
				{"from", "on or after this day (China time)", map[string]any{"type": "string", "format": "date"}},
				{"to", "on or before this day (China time)", map[string]any{"type": "string", "format": "date"}},
				{"q", "words found in the actor, action, entity id or the states", str}},
			list: true, status: http.StatusOK, response: apiList[apiAuditEntry]{}}},
		{route{"GET /api/v1/audit/verify", admins, s.apiVerifyAudit}, apiDoc{
			op: "verifyAudit", tag: "setup", summary: "Check the audit log's hash chain",
			desc:   "A broken chain is an answer (ok false, with the first broken entry and why), not an error.",
			status: http.StatusOK, response: apiAuditVerification{}}},
	}
	// The expert review keeps its endpoints in api_review.go.
	return append(eps, s.reviewAPIEndpoints()...)
}
