package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The administrator's list of cycles and the form that creates one.

// cycleSorts are the orders of the cycle list (?sort=); "" is newest
// year first. Ties fall back to the newest cycle first.
var cycleSorts = map[string]func(a, b store.Cycle) int{
	"":      func(a, b store.Cycle) int { return cmp.Compare(b.Year, a.Year) },
	"year":  func(a, b store.Cycle) int { return cmp.Compare(a.Year, b.Year) },
	"title": func(a, b store.Cycle) int { return strings.Compare(a.TitleZh, b.TitleZh) },
	"kind":  func(a, b store.Cycle) int { return strings.Compare(a.Kind, b.Kind) },
	"phase": func(a, b store.Cycle) int {
		return cmp.Compare(slices.Index(workflow.Phases, a.Phase), slices.Index(workflow.Phases, b.Phase))
	},
}

// adminCycles lists the cycles: ?q= searches the titles and the year,
// ?phase= and ?kind= select, ?sort= and ?desc=1 order, ?page= pages.
func (s *Server) adminCycles(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	by, ok := cycleSorts[q.Get("sort")]
	if !ok {
		s.fail(w, r, errs.New(errs.Invalid, "sort %q: sort by year, title, kind or phase", q.Get("sort")))
		return
	}
	all, err := s.svc.Cycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	phase, kind := q.Get("phase"), q.Get("kind")
	words := strings.Fields(strings.ToLower(q.Get("q")))
	list := slices.DeleteFunc(all, func(c store.Cycle) bool {
		if phase != "" && c.Phase != phase || kind != "" && c.Kind != kind {
			return true
		}
		text := strings.ToLower(c.TitleZh + " " + c.TitleEn + " " + strconv.Itoa(c.Year))
		for _, w := range words {
			if !strings.Contains(text, w) {
				return true
			}
		}
		return false
	})
	desc := q.Get("desc") == "1"
	slices.SortStableFunc(list, func(a, b store.Cycle) int {
		n := by(a, b)
		if desc {
			n = -n
		}
		if n == 0 {
			n = cmp.Compare(b.ID, a.ID)
		}
		return n
	})
	page := pageOf(r)
	from := min((page-1)*pageSize, len(list))
	s.render(w, r, http.StatusOK, "admin_cycles", map[string]any{"Cycles": list[from:min(from+pageSize, len(list))],
		"Pager": newPager(r, page, len(list)), "Phase": phase, "Kind": kind, "Phases": workflow.Phases, "Next": nextTransitions})
}

// cycleForm is the create-cycle form as typed, to show again when it is
// refused.
type cycleForm struct {
	ProgramVersionID                    int64
	Kind                                string
	Year                                string
	TitleZh, TitleEn                    string
	ApplicationsDue, RecommendationsDue string // datetime-local values
	NoticeDays                          string
	Quotas                              map[string]string // by channel code
}

// newCycleForm shows the form that creates a cycle.
func (s *Server) newCycleForm(w http.ResponseWriter, r *request) {
	f := cycleForm{Kind: workflow.KindIdentification, Year: strconv.Itoa(s.svc.Now().In(workflow.ChinaTime).Year()), Quotas: map[string]string{}}
	s.renderCycleForm(w, r, http.StatusOK, f, "")
}

func (s *Server) renderCycleForm(w http.ResponseWriter, r *request, status int, f cycleForm, problem string) {
	versions, err := s.svc.ProgramVersionChoices(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	channels, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin_cycle_new", map[string]any{"Form": f, "Versions": versions, "Channels": channels, "Error": problem})
}

// localTimeLayout is how an <input type="datetime-local"> sends a time.
const localTimeLayout = "2006-01-02T15:04"

// createCycle creates a draft cycle from the form and opens its page; a
// refused one comes back in its form with the reason.
func (s *Server) createCycle(w http.ResponseWriter, r *request) {
	f := cycleForm{ProgramVersionID: parseID(r.PostFormValue("program_version")), Kind: r.PostFormValue("kind"),
		Year: strings.TrimSpace(r.PostFormValue("year")), TitleZh: r.PostFormValue("title_zh"), TitleEn: r.PostFormValue("title_en"),
		ApplicationsDue: r.PostFormValue("applications_due"), RecommendationsDue: r.PostFormValue("recommendations_due"),
		NoticeDays: strings.TrimSpace(r.PostFormValue("notice_days")), Quotas: map[string]string{}}
	for k, v := range r.PostForm {
		if code, ok := strings.CutPrefix(k, "quota_"); ok && len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			f.Quotas[code] = strings.TrimSpace(v[0])
		}
	}
	spec, err := f.spec()
	if err == nil {
		var c store.Cycle
		if c, err = s.svc.CreateCycle(r.Context(), r.actor(), spec); err == nil {
			flash(w, "cyc.created")
			http.Redirect(w, r.Request, cyclePath(c.ID), http.StatusSeeOther)
			return
		}
	}
	if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict || code == errs.NotFound {
		s.renderCycleForm(w, r, statusOf(err), f, err.Error())
		return
	}
	s.fail(w, r, err)
}

// spec reads the form into a CycleSpec; numbers and times that do not
// parse are refused, naming the field.
func (f cycleForm) spec() (workflow.CycleSpec, error) {
	spec := workflow.CycleSpec{ProgramVersionID: f.ProgramVersionID, Kind: f.Kind, TitleZh: f.TitleZh, TitleEn: f.TitleEn}
	if f.ProgramVersionID == 0 {
		return spec, errs.WithField("program_version", errs.New(errs.Invalid, "program version: choose the definition the cycle runs with"))
	}
	year, err := strconv.Atoi(f.Year)
	if err != nil {
		return spec, errs.WithField("year", errs.New(errs.Invalid, "year: %q is not a year", f.Year))
	}
	spec.Year = year
	if f.NoticeDays != "" {
		if spec.NoticeWorkingDays, err = strconv.Atoi(f.NoticeDays); err != nil {
			return spec, errs.WithField("notice_days", errs.New(errs.Invalid, "notice working days: %q is not a whole number", f.NoticeDays))
		}
	}
	for field, pair := range map[string]struct {
		text string
		to   *time.Time
	}{"applications_due": {f.ApplicationsDue, &spec.ApplicationsDueAt}, "recommendations_due": {f.RecommendationsDue, &spec.RecommendationsDueAt}} {
		if pair.text == "" {
			continue
		}
		t, err := time.ParseInLocation(localTimeLayout, pair.text, workflow.ChinaTime)
		if err != nil {
			return spec, errs.WithField(field, errs.New(errs.Invalid, "%s: %q is not a date and time (YYYY-MM-DDTHH:MM)", field, pair.text))
		}
		*pair.to = t
	}
	if len(f.Quotas) > 0 {
		spec.Quotas = map[string]int{}
		for code, v := range f.Quotas {
			n, err := strconv.Atoi(v)
			if err != nil {
				return spec, errs.WithField("quota_"+code, errs.New(errs.Invalid, "quota of channel %s: %q is not a whole number", code, v))
			}
			spec.Quotas[code] = n
		}
	}
	return spec, nil
}

// cyclePath is the address of cycle id's administration page.
func cyclePath(id int64) string { return "/admin/cycles/" + strconv.FormatInt(id, 10) }
