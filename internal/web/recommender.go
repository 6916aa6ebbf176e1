package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The pages of a channel's recommenders, under /recommender. Every page
// shows only the signed-in user's own channel: its id comes from the
// user's recommender role, never from the address, and an application of
// another channel is answered exactly like one that does not exist (404),
// so that nobody learns which ids exist by trying them.

// recommenders may use the recommender pages: holders of the recommender
// role.
var recommenders = &access{name: "recommenders", signIn: true, roles: []string{workflow.RoleRecommender}}

// recommenderRoutes are the pages of a channel's recommenders, under
// /recommender.
func (s *Server) recommenderRoutes() []route {
	return []route{
		{"GET /recommender", recommenders, s.recommenderHome},
		{"GET /recommender/cycles/{id}", recommenders, s.recommenderCycle},
		{"POST /recommender/cycles/{id}/recommend", recommenders, s.recommendApplications},
		{"POST /recommender/cycles/{id}/not-recommend", recommenders, s.notRecommendApplications},
		{"GET /recommender/applications/{id}/return", recommenders, s.returnApplicationForm},
		{"POST /recommender/applications/{id}/return", recommenders, s.returnApplication},
	}
}

// ownChannelID is the channel the caller recommends for: the scope of
// its recommender role (the one with the lowest channel id, should it
// hold several). The route's rule guarantees the role; a role without a
// channel is refused.
func ownChannelID(r *request) (int64, error) {
	var id int64
	if r.acc != nil {
		for _, ro := range r.acc.Roles {
			if ro.Role == workflow.RoleRecommender && ro.ChannelID != 0 && (id == 0 || ro.ChannelID < id) {
				id = ro.ChannelID
			}
		}
	}
	if id == 0 {
		return 0, errs.New(errs.Forbidden, "your account recommends for no channel: ask an administrator")
	}
	return id, nil
}

// screeningPhases are the phases in which a channel screens its
// applications; a cycle in another phase is shown read-only, and a draft
// cycle not at all.
var screeningPhases = []string{workflow.PhaseOpen, workflow.PhaseRecommendation}

// recommenderCycleRow is one cycle on the recommender's home page.
type recommenderCycleRow struct {
	Cycle store.Cycle
	Quota workflow.Quota
}

// recommenderHome lists the cycles the channel screens in now (open and
// in recommendation), each with the channel's quota and how much of it is
// used, and the cycles it screened before.
func (s *Server) recommenderHome(w http.ResponseWriter, r *request) {
	chID, err := ownChannelID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(ch, func(c store.Channel) bool { return c.ID == chID })
	if i < 0 {
		s.fail(w, r, errs.New(errs.Forbidden, "your account's channel %d does not exist: ask an administrator", chID))
		return
	}
	cycles, err := s.svc.Cycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var now, past []recommenderCycleRow
	for _, c := range cycles {
		if c.Phase == workflow.PhaseDraft {
			continue
		}
		q, err := s.svc.ChannelQuota(r.Context(), c.ID, chID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if slices.Contains(screeningPhases, c.Phase) {
			now = append(now, recommenderCycleRow{Cycle: c, Quota: q})
		} else if q.Used > 0 {
			past = append(past, recommenderCycleRow{Cycle: c, Quota: q})
		}
	}
	s.render(w, r, http.StatusOK, "recommender_home", map[string]any{"Channel": ch[i], "Now": now, "Past": past})
}

// recommenderCycleOf reads the cycle {id} of a recommender's path with
// the caller's channel. A draft cycle is not found: nobody sees it yet.
func (s *Server) recommenderCycleOf(r *request) (store.Cycle, int64, error) {
	chID, err := ownChannelID(r)
	if err != nil {
		return store.Cycle{}, 0, err
	}
	id := parseID(r.PathValue("id"))
	c, err := s.svc.Cycle(r.Context(), id)
	if err == nil && c.Phase == workflow.PhaseDraft || errs.Is(err, errs.NotFound) {
		return c, chID, errs.New(errs.NotFound, "cycle %q does not exist", r.PathValue("id"))
	}
	return c, chID, err
}

// selectedApplications returns the applications the form's "app" fields name
// after checking that each is one of the channel's in cycle c; any other
// id is not found, with the message of an id that does not exist.
func (s *Server) selectedApplications(r *request, c store.Cycle, chID int64) ([]int64, error) {
	var ids []int64
	for _, v := range r.PostForm["app"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, errs.New(errs.NotFound, "application %q does not exist", v)
		}
		a, err := s.svc.Application(r.Context(), id)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		if err != nil || a.ChannelID != chID || a.CycleID != c.ID {
			return nil, errs.New(errs.NotFound, "application %d does not exist", id)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errs.New(errs.Invalid, "%s", r.t("rec.select_some"))
	}
	return ids, nil
}

// recommendApplications recommends the selected applications, in the
// order listed. A refusal — beyond the quota, say, with the count and
// the quota — comes back on the list with the selection kept.
func (s *Server) recommendApplications(w http.ResponseWriter, r *request) {
	c, chID, err := s.recommenderCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.selectedApplications(r, c, chID)
	if err == nil {
		_, err = s.svc.Recommend(r.Context(), r.actor(), chID, ids)
	}
	if err != nil {
		s.screeningAgain(w, r, c, chID, err)
		return
	}
	flash(w, "rec.recommended")
	http.Redirect(w, r.Request, "/recommender/cycles/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// notRecommendApplications asks first — a page naming the selected
// applications — and, once confirmed (confirm=yes), marks them not
// recommended.
func (s *Server) notRecommendApplications(w http.ResponseWriter, r *request) {
	c, chID, err := s.recommenderCycleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.selectedApplications(r, c, chID)
	if err != nil {
		s.screeningAgain(w, r, c, chID, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		sc, err := s.svc.Screening(r.Context(), c.ID, chID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rows := slices.DeleteFunc(sc.Rows, func(x workflow.ScreeningRow) bool { return !slices.Contains(ids, x.ID) })
		s.render(w, r, http.StatusOK, "recommender_confirm", map[string]any{"Cycle": c, "Rows": rows})
		return
	}
	if _, err := s.svc.NotRecommend(r.Context(), r.actor(), chID, ids); err != nil {
		s.screeningAgain(w, r, c, chID, err)
		return
	}
	flash(w, "rec.not_recommended")
	http.Redirect(w, r.Request, "/recommender/cycles/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// screeningAgain shows the screening list with the refusal err and the
// selection kept; an error that is not the caller's to fix is failed.
func (s *Server) screeningAgain(w http.ResponseWriter, r *request, c store.Cycle, chID int64, err error) {
	if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	s.renderScreening(w, r, statusOf(err), c, chID, err.Error())
}

// channelApplication returns application {id} of the path when it is one of
// the caller's channel's, with its cycle; any other is not found, like
// one that does not exist.
func (s *Server) channelApplication(r *request) (store.Application, store.Cycle, int64, error) {
	chID, err := ownChannelID(r)
	if err != nil {
		return store.Application{}, store.Cycle{}, 0, err
	}
	id := parseID(r.PathValue("id"))
	a, err := s.svc.Application(r.Context(), id)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return a, store.Cycle{}, chID, err
	}
	if err != nil || a.ChannelID != chID {
		return a, store.Cycle{}, chID, errs.New(errs.NotFound, "application %q does not exist", r.PathValue("id"))
	}
	c, err := s.svc.Cycle(r.Context(), a.CycleID)
	return a, c, chID, err
}

// returnApplicationForm asks for the reason before sending an application
// back to its enterprise for correction.
func (s *Server) returnApplicationForm(w http.ResponseWriter, r *request) {
	a, c, _, err := s.channelApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderReturn(w, r, http.StatusOK, a, c, "", "")
}

// returnApplication sends the application back with the reason; a
// refused one comes back in its form with the reason typed.
func (s *Server) returnApplication(w http.ResponseWriter, r *request) {
	a, c, chID, err := s.channelApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	if r.PostFormValue("confirm") != "yes" {
		s.renderReturn(w, r, http.StatusUnprocessableEntity, a, c, reason, r.t("rec.confirm_needed"))
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := s.svc.ReturnApplication(r.Context(), r.actor(), chID, a.ID, version, reason); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderReturn(w, r, statusOf(err), a, c, reason, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "rec.returned")
	http.Redirect(w, r.Request, "/recommender/cycles/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func (s *Server) renderReturn(w http.ResponseWriter, r *request, status int, a store.Application, c store.Cycle, reason, problem string) {
	var name, code string
	if e, _, err := s.svc.Enterprise(r.Context(), a.EnterpriseID); err == nil {
		name, code = e.Name, e.USCC
	}
	s.render(w, r, status, "recommender_return", map[string]any{"App": a, "Cycle": c, "Name": name, "USCC": code,
		"Reason": reason, "Error": problem})
}
