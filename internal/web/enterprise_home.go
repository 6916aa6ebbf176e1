package web

import (
	"net/http"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// enterpriseApp is one of the enterprise's applications as its pages
// list it: with its cycle.
type enterpriseApp struct {
	store.Application
	Cycle store.Cycle
	Stage string // workflow.ApplicationStage
}

// openCycle is a cycle that takes applications now, with the
// enterprise's application to it when it has one.
type openCycle struct {
	store.Cycle
	AppID int64 // 0: none yet
}

// enterpriseHome is the enterprise's dashboard: who it is, its
// applications, the cycles it can apply to, its titles and certificates,
// and the annual reports it owes. A refused application to a cycle comes
// back on this page with the reason above the lists (renderEnterpriseHome).
func (s *Server) enterpriseHome(w http.ResponseWriter, r *request) {
	s.renderEnterpriseHome(w, r, http.StatusOK, "")
}

func (s *Server) renderEnterpriseHome(w http.ResponseWriter, r *request, status int, problem string) {
	ctx := r.Context()
	e, names, err := s.ownEnterprise(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channel, err := s.channelOf(r, e.ChannelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cycles, err := s.svc.Cycles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := make(map[int64]store.Cycle, len(cycles))
	for _, c := range cycles {
		byID[c.ID] = c
	}
	list, err := s.svc.EnterpriseApplications(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	decisions, err := s.svc.EnterpriseDecisions(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	decided := make(map[int64]*store.Decision, len(decisions)) // cycle → decision
	for i := range decisions {
		decided[decisions[i].CycleID] = &decisions[i]
	}
	apps := make([]enterpriseApp, 0, len(list))
	applied := map[int64]int64{}          // cycle → application
	for i := len(list) - 1; i >= 0; i-- { // newest first
		c := byID[list[i].CycleID]
		apps = append(apps, enterpriseApp{Application: list[i], Cycle: c,
			Stage: workflow.ApplicationStage(list[i], c, decided[c.ID])})
		applied[list[i].CycleID] = list[i].ID
	}
	var open []openCycle
	for _, c := range cycles {
		if s.cycleTakesApplications(c) {
			open = append(open, openCycle{Cycle: c, AppID: applied[c.ID]})
		}
	}
	recs, err := s.svc.Recognitions(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	certs, err := s.svc.EnterpriseCertificates(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reports, err := s.svc.EnterpriseAnnualReports(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var owed []workflow.AnnualReportItem
	for _, it := range reports {
		if it.Status != workflow.ReportSubmitted {
			owed = append(owed, it)
		}
	}
	s.render(w, r, status, "enterprise_home", map[string]any{"E": e, "Names": names, "Channel": channel, "Apps": apps,
		"Open": open, "Recognitions": recs, "Cycles": byID, "Certificates": certs, "Owed": owed, "Error": problem})
}

// applicationStage returns where application a of cycle c stands
// (workflow.ApplicationStage), reading the enterprise's decision in c
// only when the stage depends on it.
func (s *Server) applicationStage(r *request, a store.Application, c store.Cycle) (string, error) {
	if a.Status != workflow.StatusRecommended {
		return a.Status, nil
	}
	ds, err := s.svc.EnterpriseDecisions(r.Context(), a.EnterpriseID)
	if err != nil {
		return "", err
	}
	for i := range ds {
		if ds[i].CycleID == c.ID {
			return workflow.ApplicationStage(a, c, &ds[i]), nil
		}
	}
	return workflow.ApplicationStage(a, c, nil), nil
}

// channelOf returns channel id (the zero channel for 0).
func (s *Server) channelOf(r *request, id int64) (store.Channel, error) {
	if id == 0 {
		return store.Channel{}, nil
	}
	chs, err := s.svc.Channels(r.Context())
	if err != nil {
		return store.Channel{}, err
	}
	for _, ch := range chs {
		if ch.ID == id {
			return ch, nil
		}
	}
	return store.Channel{}, nil
}

// enterpriseProfile shows the enterprise as the register has it, with its
// names over time. Only an administrator renames an enterprise or moves
// it to another channel (it must match the national credit register), so
// the page says so rather than offering a form.
func (s *Server) enterpriseProfile(w http.ResponseWriter, r *request) {
	e, names, err := s.ownEnterprise(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channel, err := s.channelOf(r, e.ChannelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Newest name first: the history reads back from today.
	rev := make([]store.EnterpriseName, 0, len(names))
	for i := len(names) - 1; i >= 0; i-- {
		rev = append(rev, names[i])
	}
	s.render(w, r, http.StatusOK, "enterprise_profile", map[string]any{"E": e, "Names": rev, "Channel": channel})
}

// enterpriseTimeline is everything that happened to the enterprise, newest
// first.
func (s *Server) enterpriseTimeline(w http.ResponseWriter, r *request) {
	id, err := ownEnterpriseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	events, err := s.svc.Timeline(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enterprise_timeline", map[string]any{"Events": newestFirst(events)})
}

func newestFirst(events []workflow.TimelineEvent) []workflow.TimelineEvent {
	out := make([]workflow.TimelineEvent, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, events[i])
	}
	return out
}

// enterpriseApply starts the enterprise's application to cycle {id} and
// opens it; a refusal (the cycle closed, a title already held, a second
// application) comes back on the dashboard with the reason.
func (s *Server) enterpriseApply(w http.ResponseWriter, r *request) {
	eid, err := ownEnterpriseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cid, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil || cid <= 0 {
		s.fail(w, r, errs.New(errs.NotFound, "cycle %q does not exist", r.PathValue("id")))
		return
	}
	a, err := s.svc.CreateApplication(r.Context(), r.actor(), cid, eid)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			s.renderEnterpriseHome(w, r, statusOf(err), err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "ent.created")
	http.Redirect(w, r.Request, applicationPath(a.ID), http.StatusSeeOther)
}
