package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/sheet"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The pages of an expert (专家), under /expert: the applications assigned
// to it across cycles, its declared conflicts, and one scoresheet per
// assignment. Every page shows only the signed-in expert's own
// assignments: another expert's is answered exactly like one that does
// not exist (404), and the other experts' scores of an application only
// appear once the expert has submitted its own (workflow.ExpertScoresheet
// decides both).

// experts may use the expert pages: holders of the expert role.
var experts = &access{name: "experts", signIn: true, roles: []string{workflow.RoleExpert}}

// expertRoutes are the pages of experts, under /expert.
func (s *Server) expertRoutes() []route {
	return []route{
		{"GET /expert", experts, s.expertHome},
		{"GET /expert/conflicts", experts, s.expertConflicts},
		{"POST /expert/conflicts", experts, s.declareConflict},
		{"GET /expert/assignments/{id}", experts, s.expertSheet},
		{"POST /expert/assignments/{id}", experts, s.saveExpertSheet},
		{"POST /expert/assignments/{id}/submit", experts, s.submitExpertSheet},
	}
}

// expertHome lists the expert's assignments across cycles, newest cycle
// first, with their status; ?page= pages.
func (s *Server) expertHome(w http.ResponseWriter, r *request) {
	page := pageOf(r)
	rows, total, err := s.svc.ExpertAssignments(r.Context(), r.acc.ID, pageSize, (page-1)*pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "expert_home", map[string]any{"Rows": rows, "Pager": newPager(r, page, total)})
}

// expertConflicts lists the expert's declared conflicts with the form
// that declares one more.
func (s *Server) expertConflicts(w http.ResponseWriter, r *request) {
	s.renderConflicts(w, r, http.StatusOK, "", workflow.ConflictSpec{})
}

func (s *Server) renderConflicts(w http.ResponseWriter, r *request, status int, problem string, form workflow.ConflictSpec) {
	cs, err := s.svc.Conflicts(r.Context(), r.acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chs, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	var ids []int64
	for _, c := range cs {
		if c.EnterpriseID != 0 {
			ids = append(ids, c.EnterpriseID)
		}
	}
	ents, err := s.svc.EnterprisesByID(r.Context(), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for id, e := range ents {
		names[id] = e.Name + " " + e.USCC
	}
	s.render(w, r, status, "expert_conflicts", map[string]any{"Conflicts": cs, "Channels": chs, "Enterprises": names,
		"Error": problem, "Form": form})
}

// declareConflict declares a conflict from the form: with an enterprise
// by credit code, or with a channel.
func (s *Server) declareConflict(w http.ResponseWriter, r *request) {
	spec := workflow.ConflictSpec{EnterpriseCode: r.PostFormValue("enterprise"), ChannelCode: r.PostFormValue("channel"),
		Reason: r.PostFormValue("reason")}
	if _, err := s.svc.DeclareConflict(r.Context(), r.actor(), spec); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict || code == errs.NotFound {
			s.renderConflicts(w, r, statusOf(err), err.Error(), spec)
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "exp.conflict_declared")
	http.Redirect(w, r.Request, "/expert/conflicts", http.StatusSeeOther)
}

// sheetForm is what the scoresheet form sent: the values as typed (for
// showing again), those that read as numbers, the comment and version.
type sheetForm struct {
	Typed   map[string]string
	Scores  map[string]float64
	Comment string
	Version int64
	// Bad names the items whose value is not a number.
	Bad []string
}

// readSheetForm reads the scoresheet's fields: score.<item> per item,
// comment and version. An empty box is a blank item.
func readSheetForm(r *request, sh workflow.Scoresheet) sheetForm {
	f := sheetForm{Typed: map[string]string{}, Scores: map[string]float64{}, Comment: r.PostFormValue("comment"), Version: postedVersion(r)}
	for _, it := range sh.Items {
		typed := strings.TrimSpace(r.PostFormValue("score." + it.ID))
		f.Typed[it.ID] = typed
		if typed == "" {
			continue
		}
		v, err := sheet.ParseNumber(typed)
		if err != nil {
			f.Bad = append(f.Bad, it.ID)
			continue
		}
		f.Scores[it.ID] = v
	}
	return f
}

// formOf is the form as a saved scoresheet fills it.
func formOf(sh workflow.Scoresheet) sheetForm {
	f := sheetForm{Typed: map[string]string{}, Comment: sh.Assignment.Comment, Version: sh.Assignment.Version}
	for _, it := range sh.Items {
		if it.Value != nil {
			f.Typed[it.ID] = strconv.FormatFloat(*it.Value, 'f', -1, 64)
		}
	}
	return f
}

// expertSheet shows the scoresheet of assignment {id}: the application's
// data, the items with the range each allows and, once submitted, the
// other experts' submitted scores.
func (s *Server) expertSheet(w http.ResponseWriter, r *request) {
	sh, err := s.svc.ExpertScoresheet(r.Context(), r.actor(), parseID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, s.sheetMissing(r, err))
		return
	}
	s.renderSheet(w, r, http.StatusOK, sh, formOf(sh), "")
}

// sheetMissing keeps the id as typed in a not-found message.
func (s *Server) sheetMissing(r *request, err error) error {
	if errs.Is(err, errs.NotFound) {
		return errs.New(errs.NotFound, "review assignment %q does not exist", r.PathValue("id"))
	}
	return err
}

func (s *Server) renderSheet(w http.ResponseWriter, r *request, status int, sh workflow.Scoresheet, f sheetForm, problem string) {
	s.render(w, r, status, "expert_sheet", map[string]any{"S": sh, "F": f, "Error": problem,
		"App":      newAppForm(sh.Program, sh.Cycle.Year, sh.Application.Inputs, sh.Application.Declarations),
		"Editable": sh.Assignment.Status != workflow.AssignmentSubmitted && sh.Cycle.Phase == workflow.PhaseEvaluation})
}

// saveExpertSheet saves the form as a draft. A refused value comes back
// on the form with the workflow's reason, naming the item and its range.
func (s *Server) saveExpertSheet(w http.ResponseWriter, r *request) {
	sh, err := s.svc.ExpertScoresheet(r.Context(), r.actor(), parseID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, s.sheetMissing(r, err))
		return
	}
	f := readSheetForm(r, sh)
	if len(f.Bad) > 0 {
		s.renderSheet(w, r, http.StatusUnprocessableEntity, sh, f, r.t("exp.not_numbers")+" "+strings.Join(f.Bad, ", "))
		return
	}
	if _, err := s.svc.SaveScoresheet(r.Context(), r.actor(), sh.Assignment.ID, f.Version, f.Scores, f.Comment); err != nil {
		s.refuseSheet(w, r, sh, f, err)
		return
	}
	flash(w, "exp.saved")
	http.Redirect(w, r.Request, "/expert/assignments/"+strconv.FormatInt(sh.Assignment.ID, 10), http.StatusSeeOther)
}

// refuseSheet shows the form again with a refusal the expert can act on
// (a bad value, a stale version, a locked sheet); other errors fail.
func (s *Server) refuseSheet(w http.ResponseWriter, r *request, sh workflow.Scoresheet, f sheetForm, err error) {
	if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
		s.renderSheet(w, r, statusOf(err), sh, f, err.Error())
		return
	}
	s.fail(w, r, err)
}

// submitExpertSheet submits the form: without confirm=yes it shows the
// values on a page that asks first (nothing changes); with it, the
// scoresheet is submitted and locked.
func (s *Server) submitExpertSheet(w http.ResponseWriter, r *request) {
	sh, err := s.svc.ExpertScoresheet(r.Context(), r.actor(), parseID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, s.sheetMissing(r, err))
		return
	}
	f := readSheetForm(r, sh)
	if len(f.Bad) > 0 {
		s.renderSheet(w, r, http.StatusUnprocessableEntity, sh, f, r.t("exp.not_numbers")+" "+strings.Join(f.Bad, ", "))
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "expert_submit", map[string]any{"S": sh, "F": f})
		return
	}
	if _, err := s.svc.SubmitScoresheet(r.Context(), r.actor(), sh.Assignment.ID, f.Version, f.Scores, f.Comment); err != nil {
		s.refuseSheet(w, r, sh, f, err)
		return
	}
	flash(w, "exp.submitted")
	http.Redirect(w, r.Request, "/expert/assignments/"+strconv.FormatInt(sh.Assignment.ID, 10), http.StatusSeeOther)
}

// Num shows a number as people write it: no trailing zeros, at most four
// decimals.
func (p page) Num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// NumPtr is Num, or a dash for no value.
func (p page) NumPtr(v *float64) string {
	if v == nil {
		return "—"
	}
	return p.Num(*v)
}
