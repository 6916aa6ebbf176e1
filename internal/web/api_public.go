package web

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// What the public reads in the API, as the public pages show it: a
// certificate's verification (certificates.go), a cycle's notice and
// final result list (public_cycles.go), and the programs with a summary
// of each version's definition. Everyone may call these, signed in or
// not, and they show what the pages show, nothing more.

// apiCertificate answers with the certificate {number} and its status
// today (valid, expired or revoked, with the revocation's reasons), as
// its verification page shows it. Letters may be in any case. A number
// never issued is not found: the certificate may be forged.
func (s *Server) apiCertificate(w http.ResponseWriter, r *request) {
	c, err := s.svc.Certificate(r.Context(), r.PathValue("number"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// apiPublicDecision is one enterprise of a public list: what the notice
// and result pages show of a decision.
type apiPublicDecision struct {
	EnterpriseID   int64    `json:"enterprise_id"`
	EnterpriseName string   `json:"enterprise_name"`
	USCC           string   `json:"uscc"`
	ChannelCode    string   `json:"channel_code,omitempty"`
	ChannelNameZh  string   `json:"channel_name_zh,omitempty"`
	ChannelNameEn  string   `json:"channel_name_en,omitempty"`
	Rank           *int64   `json:"rank,omitempty"`
	Score          *float64 `json:"score,omitempty"`
	Outcome        string   `json:"outcome"`
	ReasonZh       string   `json:"reason_zh"`
	ReasonEn       string   `json:"reason_en"`
	State          string   `json:"state"` // proposed or final
}

// apiPublicList is a page of a cycle's public list, with its notice.
type apiPublicList struct {
	Notice store.Notice `json:"notice"`
	// Phase is the cycle's phase; Open says whether the notice takes
	// objections now.
	Phase string `json:"phase"`
	Open  bool   `json:"open"`
	apiList[apiPublicDecision]
}

// apiPublicListSorts are the orders of a public list: the store's (its
// comparisons are never called: the store sorts and pages).
var apiPublicListSorts = &sorter[apiPublicDecision]{def: "rank", keys: map[string]func(a, b apiPublicDecision) int{
	"rank": nil, "name": nil, "uscc": nil, "channel": nil, "score": nil, "outcome": nil,
}}

// apiPublicDecisions answers with a page of cycle {id}'s decisions in
// states, as the public pages list them: ?q= searches the enterprise's
// name and code, ?outcome= selects, ?sort= orders (rank by default).
// final says the list is the final one, which exists only once the cycle
// is announced.
func (s *Server) apiPublicDecisions(w http.ResponseWriter, r *request, final bool) {
	lq, err := parseList(r, apiPublicListSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	outcome := r.URL.Query().Get("outcome")
	if outcome != "" && outcome != workflow.OutcomePass && outcome != workflow.OutcomeFail {
		s.fail(w, r, errs.WithField("outcome", errs.New(errs.Invalid, "outcome: %q or %q, not %q", workflow.OutcomePass, workflow.OutcomeFail, outcome)))
		return
	}
	c, n, err := s.publicCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	states := []string{workflow.DecisionProposed, workflow.DecisionFinal}
	if final {
		if c.Phase != workflow.PhaseAnnounced && c.Phase != workflow.PhaseClosed {
			s.fail(w, r, errs.New(errs.NotFound, "cycle %d is not announced yet: see its notice", c.ID))
			return
		}
		states = []string{workflow.DecisionFinal}
	}
	key, desc := strings.CutPrefix(lq.sort, "-")
	rows, total, err := s.svc.DecisionRows(r.Context(), store.DecisionQuery{CycleID: c.ID, States: states, Outcome: outcome,
		Search: r.URL.Query().Get("q"), Sort: key, Desc: desc, Limit: lq.limit, Offset: lq.offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]apiPublicDecision, len(rows))
	for i, d := range rows {
		items[i] = apiPublicDecision{EnterpriseID: d.EnterpriseID, EnterpriseName: d.EnterpriseName, USCC: d.USCC,
			ChannelCode: d.ChannelCode, ChannelNameZh: d.ChannelNameZh, ChannelNameEn: d.ChannelNameEn, Rank: d.Rank,
			Score: d.Score, Outcome: d.Outcome, ReasonZh: d.ReasonZh, ReasonEn: d.ReasonEn, State: d.State}
	}
	writeJSON(w, http.StatusOK, apiPublicList{Notice: n, Phase: c.Phase, Open: noticeOpen(c, n, s.svc.Now()),
		apiList: apiList[apiPublicDecision]{Items: items, Total: total, Limit: lq.limit, Offset: lq.offset, Sort: lq.sort}})
}

// apiCycleNotice is the public notice of cycle {id}: the proposed (and,
// once announced, final) decisions. A cycle without a notice is not
// found.
func (s *Server) apiCycleNotice(w http.ResponseWriter, r *request) { s.apiPublicDecisions(w, r, false) }

// apiCycleFinalResults is the final result list of announced cycle {id}.
// A cycle not announced yet is not found.
func (s *Server) apiCycleFinalResults(w http.ResponseWriter, r *request) {
	s.apiPublicDecisions(w, r, true)
}

// apiProgram is a program with its registered versions, newest first.
type apiProgram struct {
	store.Program
	Versions []store.ProgramVersion `json:"versions"`
}

var apiProgramSorts = &sorter[apiProgram]{def: "name", keys: map[string]func(a, b apiProgram) int{
	"name":       func(a, b apiProgram) int { return cmp.Compare(a.Name, b.Name) },
	"updated_at": func(a, b apiProgram) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
}}

// apiListPrograms lists the programs, each with its versions, by name.
func (s *Server) apiListPrograms(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiProgramSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := make([]apiProgram, len(progs))
	for i, p := range progs {
		list[i] = apiProgram{Program: p.Program, Versions: p.Versions}
		if list[i].Versions == nil {
			list[i].Versions = []store.ProgramVersion{}
		}
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiProgramSorts))
}

// apiProgramSummary is what a program version's definition says, in
// short: its titles, the years of data it asks for, how long a title
// lasts, its inputs and its gates.
type apiProgramSummary struct {
	Version       store.ProgramVersion `json:"version"`
	Title         apiBilingual         `json:"title"`
	Summary       apiBilingual         `json:"summary"`
	Years         int                  `json:"years"`
	ValidityYears int                  `json:"validity_years"`
	Model         string               `json:"scoring_model"`
	Inputs        []apiProgramInput    `json:"inputs"`
	Gates         []apiProgramGate     `json:"gates"`
}

// apiProgramInput is one input a program asks an enterprise for.
type apiProgramInput struct {
	ID       string       `json:"id"`
	Name     apiBilingual `json:"name"`
	Kind     string       `json:"kind"`
	Unit     string       `json:"unit,omitempty"`
	Yearly   bool         `json:"yearly"`
	Required bool         `json:"required"`
	Min      *float64     `json:"min,omitempty"`
	Max      *float64     `json:"max,omitempty"`
	// Options are the values of a choice's options.
	Options []string `json:"options,omitempty"`
}

// apiProgramGate is one eligibility rule of a program.
type apiProgramGate struct {
	ID      string       `json:"id"`
	Name    apiBilingual `json:"name"`
	Rule    string       `json:"rule"`
	Message apiBilingual `json:"message"`
}

// apiGetProgramVersion answers with a summary of program version {id}'s
// definition. The definition's text is for administrators (its page).
func (s *Server) apiGetProgramVersion(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "program version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, p, err := s.svc.ProgramVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, programSummary(v, p))
}

// programSummary is apiProgramSummary of version v, whose definition is p.
func programSummary(v store.ProgramVersion, p *program.Program) apiProgramSummary {
	d := p.Def
	out := apiProgramSummary{Version: v, Title: bilingual(d.Title), Summary: bilingual(d.Summary), Years: d.Years,
		ValidityYears: d.ValidityYears, Model: d.Scoring.Model, Inputs: []apiProgramInput{}, Gates: []apiProgramGate{}}
	for _, in := range p.Inputs {
		kind := in.Kind
		if kind == "" {
			kind = program.KindNumber
		}
		ai := apiProgramInput{ID: in.ID, Name: bilingual(in.Name), Kind: kind, Unit: in.Unit, Yearly: in.Yearly,
			Required: in.Required, Min: in.Min, Max: in.Max}
		for _, o := range in.Options {
			ai.Options = append(ai.Options, o.Value)
		}
		out.Inputs = append(out.Inputs, ai)
	}
	for _, g := range d.Gates {
		out.Gates = append(out.Gates, apiProgramGate{ID: g.ID, Name: bilingual(g.Name), Rule: g.Rule, Message: bilingual(g.Message)})
	}
	return out
}
