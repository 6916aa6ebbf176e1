package web

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The administrator's writes of cycles in the API — create one, move it
// through its phases, edit and settle its decisions, handle objections —
// and the public's one write: an objection to a notice.

// apiCycleSpec is the body of POST /api/v1/cycles.
type apiCycleSpec struct {
	ProgramVersionID int64  `json:"program_version_id"`
	Kind             string `json:"kind"`
	Year             int    `json:"year"`
	TitleZh          string `json:"title_zh"`
	TitleEn          string `json:"title_en,omitempty"`
	// The deadlines; left out, none.
	ApplicationsDueAt    *time.Time `json:"applications_due_at,omitempty"`
	RecommendationsDueAt *time.Time `json:"recommendations_due_at,omitempty"`
	// NoticeWorkingDays is the length of the notice; left out, the
	// program's default.
	NoticeWorkingDays int `json:"notice_working_days,omitempty"`
	// Quotas caps, by channel code, how many applications a channel may
	// recommend.
	Quotas map[string]int `json:"quotas,omitempty"`
}

// cycleSpecFields names the member of a refusal of CreateCycle by the
// beginning of its message.
var cycleSpecFields = []struct {
	prefix *regexp.Regexp
	field  string
}{
	{regexp.MustCompile(`^cycle kind `), "kind"},
	{regexp.MustCompile(`^cycle year `), "year"},
	{regexp.MustCompile(`^a notice of `), "notice_working_days"},
	{regexp.MustCompile(`^recommendations are due `), "recommendations_due_at"},
	{regexp.MustCompile(`^quota of channel |^channel \S+ is not a channel of program `), "quotas"},
	{regexp.MustCompile(`^title_zh: |^title: `), "title_zh"},
}

// apiCreateCycle creates a cycle in phase draft and answers 201 with it.
func (s *Server) apiCreateCycle(w http.ResponseWriter, r *request) {
	var body apiCycleSpec
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case body.ProgramVersionID <= 0:
		s.fail(w, r, errs.WithField("program_version_id", errs.New(errs.Invalid, "program_version_id: give the program version the cycle runs")))
		return
	case strings.TrimSpace(body.TitleZh) == "":
		s.fail(w, r, errs.WithField("title_zh", errs.New(errs.Invalid, "title_zh: a cycle needs a Chinese title")))
		return
	}
	spec := workflow.CycleSpec{ProgramVersionID: body.ProgramVersionID, Kind: body.Kind, Year: body.Year,
		TitleZh: body.TitleZh, TitleEn: body.TitleEn, NoticeWorkingDays: body.NoticeWorkingDays, Quotas: body.Quotas}
	if body.ApplicationsDueAt != nil {
		spec.ApplicationsDueAt = *body.ApplicationsDueAt
	}
	if body.RecommendationsDueAt != nil {
		spec.RecommendationsDueAt = *body.RecommendationsDueAt
	}
	c, err := s.svc.CreateCycle(r.Context(), r.actor(), spec)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			for _, f := range cycleSpecFields {
				if f.prefix.MatchString(err.Error()) {
					err = errs.WithField(f.field, err)
					break
				}
			}
		}
		if errs.Is(err, errs.NotFound) && strings.HasPrefix(err.Error(), "program") {
			err = errs.WithField("program_version_id", err)
		}
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/cycles/"+strconv.FormatInt(c.ID, 10), c)
}

// cycleActions are the actions of the cycle's transitions, in the order
// of the phases: those of the administrator's pages (cycleTransitions).
func cycleActions() []string {
	out := make([]string, len(cycleTransitions))
	for i, t := range cycleTransitions {
		out[i] = t.Action
	}
	return out
}

// apiCycleTransition moves cycle {id} on by {action} and answers with the
// cycle as it is now. A transition from a phase that does not allow it
// is a conflict that says which phase it needs.
func (s *Server) apiCycleTransition(w http.ResponseWriter, r *request) {
	t, err := transitionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := t.run(r.Context(), s.svc, r.actor(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	if c, err = s.svc.Cycle(r.Context(), c.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// apiDecisionRequest is the body of PUT /api/v1/decisions/{id}.
type apiDecisionRequest struct {
	Version  int64  `json:"version"`
	Outcome  string `json:"outcome"`
	ReasonZh string `json:"reason_zh"`
	ReasonEn string `json:"reason_en"`
}

// apiUpdateDecision changes drafted decision {id}'s outcome and reasons at
// the body's version; a stale version is a conflict.
func (s *Server) apiUpdateDecision(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "decision")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiDecisionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := needVersion(body.Version, "decision"); err != nil {
		s.fail(w, r, err)
		return
	}
	var bad string
	switch {
	case body.Outcome != workflow.OutcomePass && body.Outcome != workflow.OutcomeFail:
		bad = "outcome: " + strconv.Quote(workflow.OutcomePass) + " or " + strconv.Quote(workflow.OutcomeFail)
	case strings.TrimSpace(body.ReasonZh) == "":
		bad = "reason_zh: give the reason in Chinese"
	case strings.TrimSpace(body.ReasonEn) == "":
		bad = "reason_en: give the reason in English"
	}
	if bad != "" {
		field, _, _ := strings.Cut(bad, ":")
		s.fail(w, r, errs.WithField(field, errs.New(errs.Invalid, "%s", bad)))
		return
	}
	d, err := s.svc.UpdateDecision(r.Context(), r.actor(), id, body.Version, body.Outcome, body.ReasonZh, body.ReasonEn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiFinaliseDecision settles decision {id}, reopened by an upheld
// objection and re-decided, at the body's version.
func (s *Server) apiFinaliseDecision(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "decision")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiVersionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := needVersion(body.Version, "decision"); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.svc.FinaliseDecision(r.Context(), r.actor(), id, body.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiHandlingRequest is the body of POST /api/v1/objections/{id}/handle.
type apiHandlingRequest struct {
	// Outcome is "upheld" (the enterprise's decision goes back to
	// deliberation) or "dismissed".
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// apiHandleObjection upholds or dismisses objection {id}, with the
// reason the filer is told.
func (s *Server) apiHandleObjection(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "objection")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiHandlingRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Outcome != workflow.ObjectionUpheld && body.Outcome != workflow.ObjectionDismissed {
		s.fail(w, r, errs.WithField("outcome", errs.New(errs.Invalid, "outcome: %q or %q, not %q",
			workflow.ObjectionUpheld, workflow.ObjectionDismissed, body.Outcome)))
		return
	}
	if strings.TrimSpace(body.Reason) == "" {
		s.fail(w, r, errs.WithField("reason", errs.New(errs.Invalid, "reason: give the reason for the handling: the filer is told it")))
		return
	}
	o, err := s.svc.HandleObjection(r.Context(), r.actor(), id, body.Outcome == workflow.ObjectionUpheld, body.Reason)
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			err = errs.WithField("reason", err)
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// apiObjectionRequest is the body of POST /api/v1/cycles/{id}/objections.
type apiObjectionRequest struct {
	// EnterpriseID is the enterprise whose proposed decision is objected
	// to: one the notice lists.
	EnterpriseID int64 `json:"enterprise_id"`
	// FilerName is who objects (a person or an organisation), and
	// FilerContact how to reach them with the outcome.
	FilerName    string `json:"filer_name"`
	FilerContact string `json:"filer_contact"`
	Grounds      string `json:"grounds"`
}

// objectionFields names the member of a refusal of FileObjection.
var objectionFields = map[string]string{"filer name": "filer_name", "filer contact": "filer_contact", "grounds": "grounds"}

var objectionField = regexp.MustCompile(`^objection: the (filer name|filer contact|grounds) is`)

// apiFileObjection files an objection to a listed enterprise's proposed
// decision while cycle {id}'s notice runs, and answers 201 with it.
// Anyone may, signed in or not.
func (s *Server) apiFileObjection(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "cycle")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiObjectionRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.EnterpriseID <= 0 {
		s.fail(w, r, errs.WithField("enterprise_id", errs.New(errs.Invalid, "enterprise_id: give the enterprise the notice lists that you object to")))
		return
	}
	n, err := s.svc.Notice(r.Context(), id)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.New(errs.NotFound, "cycle %d has no public notice", id)
		}
		s.fail(w, r, err)
		return
	}
	o, err := s.svc.FileObjection(r.Context(), workflow.Filing{NoticeID: n.ID, EnterpriseID: body.EnterpriseID,
		FilerName: body.FilerName, FilerContact: body.FilerContact, Grounds: body.Grounds})
	if err != nil {
		if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "" {
			if m := objectionField.FindStringSubmatch(err.Error()); m != nil {
				err = errs.WithField(objectionFields[m[1]], err)
			} else if strings.Contains(err.Error(), "does not list enterprise") {
				err = errs.WithField("enterprise_id", err)
			}
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

// apiObjectionSorts are the orders of a notice's objections.
var apiObjectionSorts = &sorter[store.Objection]{def: "id", keys: map[string]func(a, b store.Objection) int{
	"id":            func(a, b store.Objection) int { return cmp.Compare(a.ID, b.ID) },
	"enterprise_id": func(a, b store.Objection) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) },
	"status":        func(a, b store.Objection) int { return cmp.Compare(a.Status, b.Status) },
}}

// apiObjections lists the objections to cycle {id}'s notice, for the
// administrator who handles them; ?status= selects. Before the notice
// there is none to list: not found.
func (s *Server) apiObjections(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiObjectionSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	if sts := []string{workflow.ObjectionFiled, workflow.ObjectionUpheld, workflow.ObjectionDismissed}; status != "" && !slices.Contains(sts, status) {
		s.fail(w, r, errs.WithField("status", errs.New(errs.Invalid, "status: one of %v, not %q", sts, status)))
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.svc.Notice(r.Context(), c.ID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.New(errs.NotFound, "cycle %d has no public notice", c.ID)
		}
		s.fail(w, r, err)
		return
	}
	all, err := s.svc.Objections(r.Context(), n.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := slices.DeleteFunc(all, func(o store.Objection) bool { return status != "" && o.Status != status })
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiObjectionSorts))
}
