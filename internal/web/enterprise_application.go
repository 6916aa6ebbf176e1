package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// appView is what the application page shows besides its form.
type appView struct {
	App       store.Application
	Stage     string // workflow.ApplicationStage: what the status line says
	Cycle     store.Cycle
	Form      appForm
	Editable  bool // the form may be saved, files attached, the application submitted
	Withdraw  bool // it may be withdrawn
	Evidence  []store.Evidence
	Events    []workflow.TimelineEvent
	SubmitKey string // the idempotency key of this page's submit button
	Error     string // a refusal that names no field
	Stale     bool   // the save was based on an older version
	MaxUpload string // the evidence size limit, for people
}

// applicationPage shows one of the enterprise's applications: its status
// and history, the form (to fill in while it is a draft or returned, read
// only after), its evidence, and what can be done with it next.
func (s *Server) applicationPage(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderApplication(w, r, http.StatusOK, a, c, nil, "", false)
}

// renderApplication renders application a's page. form, when not nil, is
// the form as the enterprise sent it (with the workflow's problems placed
// beside its fields); otherwise the form shows what is saved.
func (s *Server) renderApplication(w http.ResponseWriter, r *request, status int, a store.Application, c store.Cycle, form *appForm, problem string, stale bool) {
	ctx := r.Context()
	v := appView{App: a, Cycle: c, Editable: s.editable(a, c), Withdraw: withdrawable(a, c), Error: problem, Stale: stale,
		MaxUpload: bytesText(workflow.DefaultMaxEvidenceSize)}
	if form != nil {
		v.Form = *form
	} else {
		p, err := s.svc.CycleProgram(ctx, c.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Form = newAppForm(p, c.Year, a.Inputs, a.Declarations)
	}
	e, _, err := s.svc.Enterprise(ctx, a.EnterpriseID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.channelOf(r, a.ChannelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i, f := range v.Form.Fields {
		switch {
		case !f.Own:
		case f.Kind == program.KindText:
			v.Form.Fields[i].OwnValue = e.USCC
		default:
			v.Form.Fields[i].OwnValue = pick(r.lang, ch.NameZh, ch.NameEn)
		}
	}
	if v.Stage, err = s.applicationStage(r, a, c); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Evidence, err = s.svc.Evidence(ctx, a.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	events, err := s.svc.Timeline(ctx, a.EnterpriseID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range newestFirst(events) {
		if e.Entity == "application" && e.EntityID == a.ID || e.CycleID == a.CycleID && e.Entity != "application" {
			v.Events = append(v.Events, e)
		}
	}
	if v.Editable {
		if v.SubmitKey, err = newToken(); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if status == http.StatusOK || status == http.StatusCreated {
		w.Header().Set("Cache-Control", "no-store") // the submit key is for one page view
	}
	s.render(w, r, status, "enterprise_application", v)
}

// postedVersion reads the optimistic version the form carries.
func postedVersion(r *request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// saveApplication saves the form as the application's draft: its inputs,
// then its declarations. Inputs the workflow refuses come back in the
// form as typed, each problem beside its field, and nothing is saved. A
// save based on an older version than the stored one (someone else saved
// in between) is refused and says so.
func (s *Server) saveApplication(w http.ResponseWriter, r *request) {
	a, c, err := s.ownApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.CycleProgram(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version := postedVersion(r)
	form := newAppForm(p, c.Year, a.Inputs, a.Declarations)
	inputs := form.readForm(r.PostFormValue)
	saved, err := s.svc.SaveApplication(r.Context(), r.actor(), a.ID, version, inputs)
	if err == nil && !sameDeclarations(saved.Declarations, form.declared()) {
		saved, err = s.svc.SaveDeclarations(r.Context(), r.actor(), a.ID, saved.Version, form.declared())
	}
	if err != nil {
		s.refuseApplicationChange(w, r, a, c, &form, version, err)
		return
	}
	flash(w, "ent.saved")
	http.Redirect(w, r.Request, applicationPath(saved.ID), http.StatusSeeOther)
}

// refuseApplicationChange answers a refused change of application a that
// was based on version: the form comes back (as typed, when given) with
// the reason — beside the fields it names, or above the form; a stale
// version says someone else changed the application.
func (s *Server) refuseApplicationChange(w http.ResponseWriter, r *request, a store.Application, c store.Cycle, form *appForm, version int64, err error) {
	switch errs.CodeOf(err) {
	case errs.Invalid:
		msg := err.Error()
		if form == nil || !form.placeErrors(msg) {
			s.renderApplication(w, r, statusOf(err), a, c, form, msg, false)
			return
		}
		s.renderApplication(w, r, statusOf(err), a, c, form, r.t("ent.fix_fields"), false)
	case errs.Conflict:
		now, rerr := s.svc.Application(r.Context(), a.ID)
		if rerr != nil {
			s.fail(w, r, rerr)
			return
		}
		if now.Version != version {
			// Show what is stored now: typing over it again is safer than
			// saving the older picture on top of someone's change.
			s.renderApplication(w, r, statusOf(err), now, c, nil, "", true)
			return
		}
		s.renderApplication(w, r, statusOf(err), now, c, form, err.Error(), false)
	default:
		s.fail(w, r, err)
	}
}

// sameDeclarations reports whether the stored declarations JSON says the
// same as want (a statement left out counts as not declared).
func sameDeclarations(stored json.RawMessage, want map[string]bool) bool {
	have := map[string]bool{}
	_ = json.Unmarshal(stored, &have)
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	for k, v := range have {
		if v && !want[k] {
			return false
		}
	}
	return true
}
