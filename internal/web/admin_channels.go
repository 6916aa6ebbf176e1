package web

import (
	"net/http"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The channels pages: the recommending channels, and a form that adds
// one or edits its names and kind (UpsertChannel, keyed by the code,
// which programs refer to and so never changes). The working-day
// calendar is in admin_channels_calendar.go.

// channelKinds are the kinds a channel may be, in the order the form
// offers them.
var channelKinds = []string{"province", "city", "corps", "central_soe"}

// adminChannels lists the channels.
func (s *Server) adminChannels(w http.ResponseWriter, r *request) {
	list, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_channels", map[string]any{"Channels": list})
}

// newChannelForm shows the form for a new channel.
func (s *Server) newChannelForm(w http.ResponseWriter, r *request) {
	s.renderChannelForm(w, r, http.StatusOK, workflow.ChannelSpec{Kind: "province"}, false, "")
}

// editChannelForm shows channel {code} in the form.
func (s *Server) editChannelForm(w http.ResponseWriter, r *request) {
	c, err := s.channelByCode(r, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderChannelForm(w, r, http.StatusOK, workflow.ChannelSpec{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn, Kind: c.Kind}, true, "")
}

// saveChannel creates or updates the channel of the form's code; a
// refused form comes back with the reason.
func (s *Server) saveChannel(w http.ResponseWriter, r *request) {
	spec := workflow.ChannelSpec{Code: r.PostFormValue("code"), NameZh: r.PostFormValue("name_zh"),
		NameEn: r.PostFormValue("name_en"), Kind: r.PostFormValue("kind")}
	editing := r.PostFormValue("editing") == "1"
	if !editing {
		// A new channel must not silently overwrite one with the same code.
		if _, err := s.channelByCode(r, spec.Code); err == nil {
			s.renderChannelForm(w, r, http.StatusConflict, spec, false, r.t("setup.chan.code_taken"))
			return
		}
	}
	if _, err := s.svc.UpsertChannel(r.Context(), r.actor(), spec); err != nil {
		if errs.Is(err, errs.Invalid) {
			s.renderChannelForm(w, r, statusOf(err), spec, editing, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.chan.saved")
	http.Redirect(w, r.Request, "/admin/channels", http.StatusSeeOther)
}

func (s *Server) renderChannelForm(w http.ResponseWriter, r *request, status int, spec workflow.ChannelSpec, editing bool, problem string) {
	s.render(w, r, status, "admin_channels_form", map[string]any{"Spec": spec, "Editing": editing, "Kinds": channelKinds, "Error": problem})
}

// channelByCode finds the channel called code; not found when none is.
func (s *Server) channelByCode(r *request, code string) (store.Channel, error) {
	list, err := s.svc.Channels(r.Context())
	if err != nil {
		return store.Channel{}, err
	}
	for _, c := range list {
		if c.Code == code {
			return c, nil
		}
	}
	return store.Channel{}, errs.New(errs.NotFound, "channel %q does not exist", code)
}
