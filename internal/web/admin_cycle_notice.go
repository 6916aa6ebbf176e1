package web

import (
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// A cycle's notice and its objections for administrators: every objection
// with the filer's contact (which the public never sees), and the form
// that upholds or dismisses one with a reason. An upheld objection
// reopens the enterprise's decision; the pages say so before and after.

// objectionItem is an objection with the enterprise it concerns.
type objectionItem struct {
	store.Objection
	EnterpriseName, USCC string
}

// noticeObjections returns cycle c's notice and its objections (newest
// filed last), each with its enterprise; a cycle without a notice has
// none (nil notice).
func (s *Server) noticeObjections(r *request, c store.Cycle) (*store.Notice, []objectionItem, error) {
	n, err := s.svc.Notice(r.Context(), c.ID)
	if errs.Is(err, errs.NotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	os, err := s.svc.Objections(r.Context(), n.ID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.EnterpriseID
	}
	ents, err := s.svc.EnterprisesByID(r.Context(), ids)
	if err != nil {
		return nil, nil, err
	}
	items := make([]objectionItem, len(os))
	for i, o := range os {
		items[i] = objectionItem{Objection: o, EnterpriseName: ents[o.EnterpriseID].Name, USCC: ents[o.EnterpriseID].USCC}
	}
	return &n, items, nil
}

// adminObjections lists the objections to cycle {id}'s notice, those
// still to handle first; ?status= selects one status.
func (s *Server) adminObjections(w http.ResponseWriter, r *request) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, items, err := s.noticeObjections(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	if status != "" {
		items = slices.DeleteFunc(items, func(o objectionItem) bool { return o.Status != status })
	}
	slices.SortStableFunc(items, func(a, b objectionItem) int {
		return boolOrder(a.Status != workflow.ObjectionFiled) - boolOrder(b.Status != workflow.ObjectionFiled)
	})
	s.render(w, r, http.StatusOK, "admin_cycle_objections", map[string]any{"Cycle": c, "Notice": n, "Objections": items,
		"Status": status, "Handling": c.Phase == workflow.PhaseNotice})
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cycleObjectionOf reads cycle {id} and the objection {objection} to its
// notice; an objection to another cycle's notice is not found.
func (s *Server) cycleObjectionOf(r *request) (store.Cycle, objectionItem, error) {
	c, err := s.adminCycleOf(r)
	if err != nil {
		return c, objectionItem{}, err
	}
	_, items, err := s.noticeObjections(r, c)
	if err != nil {
		return c, objectionItem{}, err
	}
	id := parseID(r.PathValue("objection"))
	for _, o := range items {
		if o.ID == id {
			return c, o, nil
		}
	}
	return c, objectionItem{}, errs.New(errs.NotFound, "objection %q to cycle %d does not exist", r.PathValue("objection"), c.ID)
}

// objectionHandlingForm shows an objection with the form that handles it.
func (s *Server) objectionHandlingForm(w http.ResponseWriter, r *request) {
	c, o, err := s.cycleObjectionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderObjectionHandling(w, r, http.StatusOK, c, o, "", "", "")
}

func (s *Server) renderObjectionHandling(w http.ResponseWriter, r *request, status int, c store.Cycle, o objectionItem, verdict, reason, problem string) {
	s.render(w, r, status, "admin_cycle_objection", map[string]any{"Cycle": c, "O": o, "Verdict": verdict, "Reason": reason,
		"Error": problem, "Handling": c.Phase == workflow.PhaseNotice && o.Status == workflow.ObjectionFiled})
}

// handleObjection upholds or dismisses an objection with the reason, once
// the form's confirm box is ticked; without it, or refused, the form
// comes back with what was typed. Upholding reopens the decision: the
// page of the decision then says so and offers its edit.
func (s *Server) handleObjection(w http.ResponseWriter, r *request) {
	c, o, err := s.cycleObjectionOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	verdict, reason := r.PostFormValue("verdict"), r.PostFormValue("reason")
	if verdict != "upheld" && verdict != "dismissed" {
		s.renderObjectionHandling(w, r, http.StatusUnprocessableEntity, c, o, verdict, reason, r.t("cyc.obj_verdict_needed"))
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.renderObjectionHandling(w, r, http.StatusUnprocessableEntity, c, o, verdict, reason, r.t("cyc.confirm_needed"))
		return
	}
	if _, err := s.svc.HandleObjection(r.Context(), r.actor(), o.ID, verdict == "upheld", reason); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderObjectionHandling(w, r, statusOf(err), c, o, verdict, reason, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	if verdict == "upheld" {
		flash(w, "cyc.obj_upheld_done")
	} else {
		flash(w, "cyc.obj_dismissed_done")
	}
	http.Redirect(w, r.Request, cyclePath(c.ID)+"/objections", http.StatusSeeOther)
}
