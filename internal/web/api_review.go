package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The expert review in the API: an expert's assignments, scoresheets and
// conflicts under /api/v1/expert (its own only: another expert's
// assignment is not found), and the administrator's assignment and
// progress of a cycle's review.

// reviewAPIEndpoints are the review's routes of the API with their
// documentation (see apiEndpoints).
func (s *Server) reviewAPIEndpoints() []apiEndpoint {
	return []apiEndpoint{
		{route{"GET /api/v1/expert/assignments", experts, s.apiExpertAssignments}, apiDoc{
			op: "listMyAssignments", tag: "review", summary: "The caller's review assignments, across cycles, newest cycle first",
			list: true, status: http.StatusOK, response: apiList[apiExpertAssignment]{}}},
		{route{"GET /api/v1/expert/assignments/{id}", experts, s.apiExpertSheet}, apiDoc{
			op: "getScoresheet", tag: "review", summary: "One of the caller's assignments as its scoresheet",
			desc: "items give, per review item, the range the expert may give on this application (the band the engine computed, " +
				"for an item with bands). others is null until the caller has submitted its own scoresheet; then it holds the other " +
				"experts' submitted scores, anonymous. Another expert's assignment is not found.",
			status: http.StatusOK, response: apiScoresheet{}, errors: []int{http.StatusNotFound}}},
		{route{"PUT /api/v1/expert/assignments/{id}/scores", experts, s.apiSaveScores}, apiDoc{
			op: "saveScoresheet", tag: "review", summary: "Save the caller's scores on an assignment as a draft",
			desc: "scores maps review item ids to values and replaces the draft's; items left out stay blank. A value outside its " +
				"range is refused naming the item and the range; a submitted scoresheet, or a stale version, is a conflict.",
			body: apiScoresRequest{}, status: http.StatusOK, response: store.ReviewAssignment{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/expert/assignments/{id}/submit", experts, s.apiSubmitScores}, apiDoc{
			op: "submitScoresheet", tag: "review", summary: "Submit the caller's scores on an assignment: it is locked from then on",
			desc: "As saveScoresheet, and every item needs a value.",
			body: apiScoresRequest{}, status: http.StatusOK, response: store.ReviewAssignment{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/expert/conflicts", experts, s.apiMyConflicts}, apiDoc{
			op: "listMyConflicts", tag: "review", summary: "The conflicts of interest the caller declared",
			list: true, status: http.StatusOK, response: apiList[store.ReviewConflict]{}}},
		{route{"POST /api/v1/expert/conflicts", experts, s.apiDeclareConflict}, apiDoc{
			op: "declareConflict", tag: "review", summary: "Declare a conflict of interest with an enterprise or a channel",
			desc: "Give enterprise_uscc or channel, and the reason. The caller's unsubmitted assignments to the enterprise's (or " +
				"channel's) applications are withdrawn. The same declaration twice is a conflict.",
			body: apiConflictRequest{}, status: http.StatusCreated, response: store.ReviewConflict{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"GET /api/v1/cycles/{id}/review", admins, s.apiReviewProgress}, apiDoc{
			op: "getReviewProgress", tag: "review", summary: "A cycle's expert review: assignments and submissions per application, combined values",
			desc:   "A cycle whose program has no expert review is a conflict.",
			status: http.StatusOK, response: apiReviewProgress{}, errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/cycles/{id}/review/assign", admins, s.apiAssignReviewers}, apiDoc{
			op: "assignReviewers", tag: "review", summary: "Assign experts to every application under review, automatically",
			desc: "Until each application has per_application experts (default: the program's min_experts), leaving out experts " +
				"with a conflict and favouring the least loaded; the same seed draws the same experts. A pool too small is a " +
				"conflict naming the application, and nothing is assigned.",
			body: apiAssignRequest{}, status: http.StatusOK, response: apiAssigned{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/review-assignments", admins, s.apiAddReviewer}, apiDoc{
			op: "addReviewer", tag: "review", summary: "Assign one expert to one application by hand",
			desc: "An expert with a conflict, or assigned already, is a conflict.",
			body: apiAddReviewerRequest{}, status: http.StatusCreated, response: store.ReviewAssignment{},
			errors: []int{http.StatusNotFound, http.StatusConflict}}},
		{route{"POST /api/v1/review-assignments/{id}/remove", admins, s.apiRemoveReviewer}, apiDoc{
			op: "removeReviewer", tag: "review", summary: "Remove an assignment whose scoresheet is not submitted",
			desc: "At the version the caller read; a stale version or a submitted scoresheet is a conflict.",
			body: apiVersionRequest{}, status: http.StatusNoContent, errors: []int{http.StatusNotFound, http.StatusConflict}}},
	}
}

// apiExpertAssignment is one of an expert's assignments with its cycle
// and enterprise.
type apiExpertAssignment struct {
	store.ReviewAssignment
	CycleTitleZh   string `json:"cycle_title_zh"`
	CycleTitleEn   string `json:"cycle_title_en"`
	CyclePhase     string `json:"cycle_phase"`
	EnterpriseName string `json:"enterprise_name"`
	USCC           string `json:"uscc"`
}

func (s *Server) apiExpertAssignments(w http.ResponseWriter, r *request) {
	lq, err := parseList[apiExpertAssignment](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, total, err := s.svc.ExpertAssignments(r.Context(), r.acc.ID, lq.limit, lq.offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiList[apiExpertAssignment]{Items: []apiExpertAssignment{}, Total: total, Limit: lq.limit, Offset: lq.offset}
	for _, x := range rows {
		out.Items = append(out.Items, apiExpertAssignment{ReviewAssignment: x.Assignment, CycleTitleZh: x.Cycle.TitleZh,
			CycleTitleEn: x.Cycle.TitleEn, CyclePhase: x.Cycle.Phase, EnterpriseName: x.Enterprise.Name, USCC: x.Enterprise.USCC})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiScoresheet is an expert's scoresheet (see workflow.Scoresheet).
type apiScoresheet struct {
	Assignment     store.ReviewAssignment `json:"assignment"`
	CycleID        int64                  `json:"cycle_id"`
	CyclePhase     string                 `json:"cycle_phase"`
	EnterpriseName string                 `json:"enterprise_name"`
	USCC           string                 `json:"uscc"`
	// Inputs are the application's inputs, as the enterprise gave them.
	Inputs json.RawMessage `json:"inputs"`
	Items  []apiSheetItem  `json:"items"`
	// Others is null until the caller has submitted.
	Others  *[]apiOtherSheet `json:"others"`
	Pending int              `json:"pending"`
}

// apiSheetItem is one review item of a scoresheet.
type apiSheetItem struct {
	ID     string  `json:"id"`
	NameZh string  `json:"name_zh"`
	NameEn string  `json:"name_en"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	// Band is the band the engine computed, for an item with bands.
	Band     string   `json:"band,omitempty"`
	Declared *float64 `json:"declared"`
	Value    *float64 `json:"value"`
}

// apiOtherSheet is another expert's submitted scores, anonymous.
type apiOtherSheet struct {
	Label   string             `json:"label"`
	Scores  map[string]float64 `json:"scores"`
	Comment string             `json:"comment"`
}

func sheetJSON(sh workflow.Scoresheet) apiScoresheet {
	out := apiScoresheet{Assignment: sh.Assignment, CycleID: sh.Cycle.ID, CyclePhase: sh.Cycle.Phase,
		EnterpriseName: sh.Enterprise.Name, USCC: sh.Enterprise.USCC, Inputs: sh.Application.Inputs, Items: []apiSheetItem{}, Pending: sh.Pending}
	for _, it := range sh.Items {
		out.Items = append(out.Items, apiSheetItem{ID: it.ID, NameZh: it.Name.Zh, NameEn: it.Name.En, Lo: it.Range.Lo, Hi: it.Range.Hi,
			Band: it.Range.Band, Declared: it.Declared, Value: it.Value})
	}
	if sh.Others != nil {
		others := []apiOtherSheet{}
		for _, o := range sh.Others {
			others = append(others, apiOtherSheet{Label: o.Label, Scores: o.Scores, Comment: o.Comment})
		}
		out.Others = &others
	}
	return out
}

func (s *Server) apiExpertSheet(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "review assignment")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sh, err := s.svc.ExpertScoresheet(r.Context(), r.actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sheetJSON(sh))
}

// apiScoresRequest is the body that saves or submits a scoresheet.
type apiScoresRequest struct {
	Version int64              `json:"version"`
	Scores  map[string]float64 `json:"scores"`
	Comment string             `json:"comment,omitempty"`
}

func (s *Server) apiSaveScores(w http.ResponseWriter, r *request)   { s.apiChangeScores(w, r, false) }
func (s *Server) apiSubmitScores(w http.ResponseWriter, r *request) { s.apiChangeScores(w, r, true) }

func (s *Server) apiChangeScores(w http.ResponseWriter, r *request, submit bool) {
	id, err := pathID(r, "review assignment")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiScoresRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Scores == nil {
		body.Scores = map[string]float64{}
	}
	var a store.ReviewAssignment
	if submit {
		a, err = s.svc.SubmitScoresheet(r.Context(), r.actor(), id, body.Version, body.Scores, body.Comment)
	} else {
		a, err = s.svc.SaveScoresheet(r.Context(), r.actor(), id, body.Version, body.Scores, body.Comment)
	}
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			field := "scores"
			if strings.Contains(err.Error(), "the comment is limited") {
				field = "comment"
			}
			err = errs.WithField(field, err)
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiMyConflicts(w http.ResponseWriter, r *request) {
	lq, err := parseList[store.ReviewConflict](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.svc.Conflicts(r.Context(), r.acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from := min(lq.offset, len(cs))
	page := append([]store.ReviewConflict{}, cs[from:min(from+lq.limit, len(cs))]...)
	writeJSON(w, http.StatusOK, apiList[store.ReviewConflict]{Items: page, Total: len(cs), Limit: lq.limit, Offset: lq.offset})
}

// apiConflictRequest declares a conflict: enterprise_uscc or channel.
type apiConflictRequest struct {
	EnterpriseUSCC string `json:"enterprise_uscc,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Reason         string `json:"reason"`
}

func (s *Server) apiDeclareConflict(w http.ResponseWriter, r *request) {
	var body apiConflictRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.svc.DeclareConflict(r.Context(), r.actor(), workflow.ConflictSpec{EnterpriseCode: body.EnterpriseUSCC,
		ChannelCode: body.Channel, Reason: body.Reason})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/expert/conflicts", c)
}

// apiReviewProgress is a cycle's expert review.
type apiReviewProgress struct {
	CycleID      int64          `json:"cycle_id"`
	MinExperts   int            `json:"min_experts"`
	Assigned     int            `json:"assigned"`
	Submitted    int            `json:"submitted"`
	Complete     int            `json:"complete"`
	Applications []apiReviewRow `json:"applications"`
}

// apiReviewRow is the review of one application.
type apiReviewRow struct {
	ApplicationID  int64                   `json:"application_id"`
	EnterpriseID   int64                   `json:"enterprise_id"`
	EnterpriseName string                  `json:"enterprise_name"`
	USCC           string                  `json:"uscc"`
	Submitted      int                     `json:"submitted"`
	Complete       bool                    `json:"complete"`
	Combined       map[string]float64      `json:"combined,omitempty"`
	Assignments    []apiReviewerAssignment `json:"assignments"`
}

// apiReviewerAssignment is an assignment with its expert's username.
type apiReviewerAssignment struct {
	store.ReviewAssignment
	Expert string `json:"expert"`
}

func (s *Server) apiReviewProgress(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "cycle")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pr, err := s.svc.ReviewProgress(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiReviewProgress{CycleID: id, MinExperts: pr.MinExperts, Assigned: pr.Assigned, Submitted: pr.Submitted,
		Complete: pr.Complete, Applications: []apiReviewRow{}}
	for _, row := range pr.Rows {
		ar := apiReviewRow{ApplicationID: row.Application.ID, EnterpriseID: row.Enterprise.ID, EnterpriseName: row.Enterprise.Name,
			USCC: row.Enterprise.USCC, Submitted: row.Submitted, Complete: row.Complete, Combined: row.Combined,
			Assignments: []apiReviewerAssignment{}}
		for _, a := range row.Assignments {
			ar.Assignments = append(ar.Assignments, apiReviewerAssignment{ReviewAssignment: a, Expert: row.Experts[a.ExpertID]})
		}
		out.Applications = append(out.Applications, ar)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiAssignRequest is the body of automatic assignment.
type apiAssignRequest struct {
	PerApplication int   `json:"per_application,omitempty"`
	Seed           int64 `json:"seed,omitempty"`
}

// apiAssigned lists the assignments made.
type apiAssigned struct {
	Assignments []store.ReviewAssignment `json:"assignments"`
}

func (s *Server) apiAssignReviewers(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "cycle")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiAssignRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	made, err := s.svc.AssignReviewers(r.Context(), r.actor(), id, workflow.AssignSpec{PerApplication: body.PerApplication, Seed: body.Seed})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if made == nil {
		made = []store.ReviewAssignment{}
	}
	writeJSON(w, http.StatusOK, apiAssigned{Assignments: made})
}

// apiAddReviewerRequest assigns one expert by hand.
type apiAddReviewerRequest struct {
	ApplicationID int64 `json:"application_id"`
	ExpertID      int64 `json:"expert_id"`
}

func (s *Server) apiAddReviewer(w http.ResponseWriter, r *request) {
	var body apiAddReviewerRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.AddReviewer(r.Context(), r.actor(), body.ApplicationID, body.ExpertID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/review-assignments/"+strconv.FormatInt(a.ID, 10), a)
}

func (s *Server) apiRemoveReviewer(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "review assignment")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiVersionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.RemoveReviewer(r.Context(), r.actor(), id, body.Version); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
