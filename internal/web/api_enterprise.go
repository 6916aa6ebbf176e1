package web

import (
	"cmp"
	"math"
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The enterprise's own records in the API, as its dashboard and timeline
// pages show them: its titles, its certificates, everything that
// happened to it, and the self-check of an application. Every list is of
// the enterprises the caller acts for (its enterprise roles' scopes),
// never of an enterprise named in the request.

var apiRecognitionSorts = &sorter[store.Recognition]{def: "-valid_from", keys: map[string]func(a, b store.Recognition) int{
	"id":          func(a, b store.Recognition) int { return cmp.Compare(a.ID, b.ID) },
	"valid_from":  func(a, b store.Recognition) int { return a.ValidFrom.Compare(b.ValidFrom) },
	"valid_until": func(a, b store.Recognition) int { return a.ValidUntil.Compare(b.ValidUntil) },
	"status":      func(a, b store.Recognition) int { return cmp.Compare(a.Status, b.Status) },
}}

var apiCertificateSorts = &sorter[workflow.Certificate]{def: "-issued_on", keys: map[string]func(a, b workflow.Certificate) int{
	"number":      func(a, b workflow.Certificate) int { return cmp.Compare(a.Number, b.Number) },
	"issued_on":   func(a, b workflow.Certificate) int { return a.IssuedOn.Compare(b.IssuedOn) },
	"valid_until": func(a, b workflow.Certificate) int { return a.ValidUntil.Compare(b.ValidUntil) },
}}

// ownEnterpriseIDs are the enterprises r's caller acts for, in id order.
func ownEnterpriseIDs(r *request) []int64 {
	_, enterprises := scopes(r)
	ids := make([]int64, 0, len(enterprises))
	for id := range enterprises {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// eachOwnEnterprise gathers what read returns for each enterprise the
// caller acts for, in enterprise order.
func eachOwnEnterprise[T any](r *request, read func(id int64) ([]T, error)) ([]T, error) {
	out := []T{}
	for _, id := range ownEnterpriseIDs(r) {
		items, err := read(id)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// apiMyRecognitions lists the titles the caller's enterprises hold or
// held (active, passed review, revoked, expired), newest first by default.
func (s *Server) apiMyRecognitions(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiRecognitionSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := eachOwnEnterprise(r, func(id int64) ([]store.Recognition, error) { return s.svc.Recognitions(r.Context(), id) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiRecognitionSorts))
}

// apiMyCertificates lists the certificates issued to the caller's
// enterprises, each with its status today (valid, expired, revoked),
// newest first by default.
func (s *Server) apiMyCertificates(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiCertificateSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := eachOwnEnterprise(r, func(id int64) ([]workflow.Certificate, error) {
		return s.svc.EnterpriseCertificates(r.Context(), id)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiCertificateSorts))
}

// apiMyTimeline lists everything that happened to the caller's
// enterprises (workflow.Service.Timeline), newest first, as the timeline
// page shows it.
func (s *Server) apiMyTimeline(w http.ResponseWriter, r *request) {
	lq, err := parseList[workflow.TimelineEvent](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := eachOwnEnterprise(r, func(id int64) ([]workflow.TimelineEvent, error) {
		events, err := s.svc.Timeline(r.Context(), id)
		return newestFirst(events), err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Several enterprises' events interleave by time, newest first; the
	// sort is stable, so each keeps the order its timeline gave.
	slices.SortStableFunc(list, func(a, b workflow.TimelineEvent) int { return b.At.Compare(a.At) })
	writeJSON(w, http.StatusOK, pageItems(list, lq, nil))
}

// apiBilingual is a text in Chinese and English.
type apiBilingual struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

func bilingual(t program.Text) apiBilingual { return apiBilingual{Zh: t.Zh, En: t.En} }

// apiSelfCheck is the engine's verdict on an application's saved inputs
// (workflow.SelfCheck): every gate of the program, in definition order.
type apiSelfCheck struct {
	Eligible bool           `json:"eligible"`
	Gates    []apiGateCheck `json:"gates"`
}

// apiGateCheck is one gate of a self-check.
type apiGateCheck struct {
	ID   string       `json:"id"`
	Name apiBilingual `json:"name"`
	// Passed: the rule holds. Missing: it failed because a value it
	// needs is missing.
	Passed  bool            `json:"passed"`
	Missing bool            `json:"missing"`
	Values  []apiCheckValue `json:"values"`
	// Message says why it failed; empty when it passed.
	Message apiBilingual `json:"message"`
}

// apiCheckValue is one value a gate read.
type apiCheckValue struct {
	// Name is the input's or indicator's id, Label its name.
	Name  string       `json:"name"`
	Label apiBilingual `json:"label"`
	// Year is the year of a yearly input's value.
	Year int `json:"year,omitempty"`
	// Kind is the input's kind (number, yesno, choice); none for an
	// indicator.
	Kind string `json:"kind,omitempty"`
	// Value is null when the value is missing.
	Value *float64 `json:"value"`
	Unit  string   `json:"unit,omitempty"`
	// Option is the name of the chosen option of a choice input.
	Option *apiBilingual `json:"option,omitempty"`
}

// apiSelfCheckOf is c as the API sends it: a missing value (NaN, which
// JSON cannot carry) is null.
func apiSelfCheckOf(c workflow.SelfCheck) apiSelfCheck {
	out := apiSelfCheck{Eligible: c.Eligible, Gates: make([]apiGateCheck, 0, len(c.Gates))}
	for _, g := range c.Gates {
		ag := apiGateCheck{ID: g.ID, Name: bilingual(g.Name), Passed: g.Passed, Missing: g.Missing,
			Message: bilingual(g.Message), Values: make([]apiCheckValue, 0, len(g.Values))}
		for _, v := range g.Values {
			av := apiCheckValue{Name: v.Name, Label: bilingual(v.Label), Year: v.Year, Kind: v.Kind, Unit: v.Unit}
			if !math.IsNaN(v.Value.Value) && !math.IsInf(v.Value.Value, 0) {
				x := v.Value.Value
				av.Value = &x
			}
			if v.Option != (program.Text{}) {
				o := bilingual(v.Option)
				av.Option = &o
			}
			ag.Values = append(ag.Values, av)
		}
		out.Gates = append(out.Gates, ag)
	}
	return out
}

// apiApplicationCheck answers with the self-check of the caller's
// application {id} (workflow.Service.SelfCheck): whether its saved
// inputs pass each gate. Another enterprise's application is not found.
func (s *Server) apiApplicationCheck(w http.ResponseWriter, r *request) {
	a, err := s.apiOwnApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.svc.SelfCheck(r.Context(), a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiSelfCheckOf(c))
}

// apiEnterpriseProfile is an enterprise as the register has it, with its
// names over time and its channel.
type apiEnterpriseProfile struct {
	store.Enterprise
	// Names are the names it carried, newest first.
	Names   []store.EnterpriseName `json:"names"`
	Channel *store.Channel         `json:"channel,omitempty"`
}

// apiMyEnterprises lists the enterprises the caller acts for, each with
// its names over time and its channel, as the profile page shows it.
// Only an administrator renames an enterprise or moves it.
func (s *Server) apiMyEnterprises(w http.ResponseWriter, r *request) {
	lq, err := parseList[apiEnterpriseProfile](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := eachOwnEnterprise(r, func(id int64) ([]apiEnterpriseProfile, error) {
		e, names, err := s.svc.Enterprise(r.Context(), id)
		if err != nil {
			return nil, err
		}
		p := apiEnterpriseProfile{Enterprise: e, Names: make([]store.EnterpriseName, 0, len(names))}
		for i := len(names) - 1; i >= 0; i-- {
			p.Names = append(p.Names, names[i])
		}
		if ch, err := s.channelOf(r, e.ChannelID); err != nil {
			return nil, err
		} else if ch.ID != 0 {
			p.Channel = &ch
		}
		return []apiEnterpriseProfile{p}, nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, nil))
}
