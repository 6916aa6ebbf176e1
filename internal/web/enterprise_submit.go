package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
	"github.com/exemplar/exemplar/internal/workflow"
)

// applicationSelfCheck is the instant eligibility check: every gate of
// the program, passed or failed, with the enterprise's own saved values
// that the gate reads and, for a failed gate, the program's message.
func (s *Server) applicationSelfCheck(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	check, err := s.svc.SelfCheck(r.Context(), a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enterprise_check", map[string]any{"App": a, "Cycle": c, "Check": check})
}

// ShowValue formats a value a gate read, for the page's language: a
// yes/no as yes or no, a choice as its option's name, a number with its
// unit.
func (p page) ShowValue(v workflow.CheckValue) string {
	switch {
	case math.IsNaN(v.Value.Value):
	case v.Kind == program.KindYesNo:
		if v.Value.Value != 0 {
			return p.T("ent.yes")
		}
		return p.T("ent.no")
	case v.Kind == program.KindChoice && v.Option != (program.Text{}):
		return v.Option.In(p.Lang)
	}
	// The engine writes the units it knows in each language, and others
	// (money, points) as the program names them.
	s := scoring.FormatValue(v.Value.Value, v.Unit, p.Lang)
	if v.Unit != "" && strings.HasSuffix(s, " "+v.Unit) {
		s = strings.TrimSuffix(s, v.Unit) + p.UnitName(v.Unit)
	}
	return s
}

// ValueName names a value a gate read, for the page's language: the
// input's or indicator's name, with the year of a yearly input's value.
func (p page) ValueName(v workflow.CheckValue) string {
	name := v.Label.In(p.Lang)
	if name == "" {
		name = v.Name
	}
	if v.Year > 0 {
		name += " " + strconv.Itoa(v.Year)
	}
	return name
}

// submitApplication submits the application with the idempotency key of
// the page's submit button: pressing it twice, or the browser sending the
// form again, submits once and shows the submitted application. Missing
// required inputs and other refusals come back on the page.
func (s *Server) submitApplication(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version := postedVersion(r)
	done, err := s.svc.SubmitApplication(r.Context(), r.actor(), a.ID, version, r.PostFormValue("key"))
	if err != nil {
		s.refuseApplicationChange(w, r, a, c, nil, version, err)
		return
	}
	flash(w, "ent.submitted")
	http.Redirect(w, r.Request, applicationPath(done.ID), http.StatusSeeOther)
}

// confirmWithdrawApplication asks before withdrawing: a withdrawn
// application cannot be submitted again.
func (s *Server) confirmWithdrawApplication(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enterprise_withdraw", map[string]any{"App": a, "Cycle": c, "Possible": withdrawable(a, c)})
}

// withdrawApplication withdraws the application once the confirmation box
// is ticked; without it, the confirmation page comes back.
func (s *Server) withdrawApplication(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusUnprocessableEntity, "enterprise_withdraw", map[string]any{"App": a, "Cycle": c,
			"Possible": withdrawable(a, c), "Error": r.t("ent.withdraw.tick")})
		return
	}
	if _, err := s.svc.WithdrawApplication(r.Context(), r.actor(), a.ID, postedVersion(r)); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			now, rerr := s.svc.Application(r.Context(), a.ID)
			if rerr != nil {
				s.fail(w, r, rerr)
				return
			}
			s.render(w, r, statusOf(err), "enterprise_withdraw", map[string]any{"App": now, "Cycle": c,
				"Possible": withdrawable(now, c), "Error": err.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "ent.withdrawn")
	http.Redirect(w, r.Request, applicationPath(a.ID), http.StatusSeeOther)
}
