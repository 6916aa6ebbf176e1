package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The working-day calendar: the exceptions to "Monday to Friday are
// working days" that notice periods count with — public holidays and
// weekend days swapped into working days — listed by year and set a day
// or a run of days at a time.

// maxCalendarRun bounds the days one form sets (the longest holiday, the
// Spring Festival, is about nine days).
const maxCalendarRun = 31

// calendarIn is the calendar form as sent.
type calendarIn struct {
	From, To, Kind, NameZh, NameEn string
}

// adminCalendar lists the calendar's exceptions of ?year= (this year by
// default).
func (s *Server) adminCalendar(w http.ResponseWriter, r *request) {
	s.renderCalendar(w, r, http.StatusOK, calendarIn{Kind: "holiday"}, "")
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *request, status int, in calendarIn, problem string) {
	year := s.svc.Now().In(workflow.ChinaTime).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 1990 && y <= 2200 {
		year = y
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	days, err := s.svc.CalendarDays(r.Context(), from, from.AddDate(1, 0, -1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin_calendar", map[string]any{"Year": year, "Prev": year - 1, "Next": year + 1,
		"Days": days, "In": in, "Error": problem})
}

// setCalendarDays records the day (or the days from From to To) as
// holidays or as working days, with their names.
func (s *Server) setCalendarDays(w http.ResponseWriter, r *request) {
	in := calendarIn{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Kind: r.PostFormValue("kind"),
		NameZh: r.PostFormValue("name_zh"), NameEn: r.PostFormValue("name_en")}
	days, err := calendarRun(r, in)
	if err == nil {
		err = s.svc.SetCalendarDays(r.Context(), r.actor(), days...)
	}
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			s.renderCalendar(w, r, statusOf(err), in, err.Error())
			return
		}
		s.fail(w, r, err)
		return
	}
	flash(w, "setup.cal.saved")
	http.Redirect(w, r.Request, "/admin/calendar?year="+strconv.Itoa(days[0].Day.Year()), http.StatusSeeOther)
}

// calendarRun turns the form into the days it sets.
func calendarRun(r *request, in calendarIn) ([]store.CalendarDay, error) {
	from, err := time.Parse(time.DateOnly, in.From)
	if err != nil {
		return nil, errs.New(errs.Invalid, "from: %s", r.t("setup.cal.bad_date"))
	}
	to := from
	if in.To != "" {
		if to, err = time.Parse(time.DateOnly, in.To); err != nil {
			return nil, errs.New(errs.Invalid, "to: %s", r.t("setup.cal.bad_date"))
		}
	}
	if to.Before(from) || to.Sub(from) >= maxCalendarRun*24*time.Hour {
		return nil, errs.New(errs.Invalid, "to: "+r.t("setup.cal.bad_run"), maxCalendarRun)
	}
	var working bool
	switch in.Kind {
	case "holiday":
	case "working":
		working = true
	default:
		return nil, errs.New(errs.Invalid, "kind: %s", r.t("setup.cal.bad_kind"))
	}
	var days []store.CalendarDay
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, store.CalendarDay{Day: d, Working: working, NameZh: in.NameZh, NameEn: in.NameEn})
	}
	return days, nil
}
