package workflow

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/store"
)

// SetCalendarDays records exceptions to the working week: public holidays
// (Working false) and swapped working weekend days (Working true), each
// replacing what the calendar said of its day. Notices count working days
// with them. It refuses an empty list, a day given twice and an overlong
// name (invalid).
func (s *Service) SetCalendarDays(ctx context.Context, actor Actor, days ...store.CalendarDay) error {
	if len(days) == 0 {
		return invalidf("calendar: give at least one day")
	}
	seen := map[string]bool{}
	for _, d := range days {
		key := d.Day.Format(time.DateOnly)
		if seen[key] {
			return invalidf("calendar: %s is given twice", key)
		}
		seen[key] = true
		if utf8.RuneCountInString(d.NameZh) > maxName || utf8.RuneCountInString(d.NameEn) > maxName {
			return invalidf("calendar: the name of %s is limited to %d characters", key, maxName)
		}
	}
	return s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		for _, d := range days {
			if err := tx.SetCalendarDay(ctx, d); err != nil {
				return err
			}
		}
		j.entries = append(j.entries, store.Entry{At: j.now, Actor: j.actor, Action: "calendar.set", Entity: "calendar",
			EntityID: days[0].Day.Format(time.DateOnly), After: days})
		return nil
	})
}

// Calendar returns the calendar's exceptions from the day of from to the
// day of to.
func (s *Service) Calendar(ctx context.Context, from, to time.Time) (Calendar, error) {
	var cal Calendar
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		cal, err = calendar(ctx, tx, from, to)
		return err
	})
	return cal, err
}

func calendar(ctx context.Context, tx *store.Tx, from, to time.Time) (Calendar, error) {
	days, err := tx.CalendarDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	cal := Calendar{}
	for _, d := range days {
		cal[d.Day.Format(time.DateOnly)] = d.Working
	}
	return cal, nil
}

// PublishNotice publishes the cycle's proposed decisions for objections
// (deliberation → notice). The notice starts now and runs for the cycle's
// number of working days, counting today when it is a working day, with
// weekends skipped and the calendar's holidays and swapped working days
// counted as they fall; it ends at midnight (in the service's time zone)
// after its last working day. Every drafted decision becomes proposed:
// the public has seen it, so it is frozen.
//
// It refuses a cycle in another phase, and one without decisions
// (conflict).
func (s *Service) PublishNotice(ctx context.Context, actor Actor, id int64) (store.Notice, error) {
	var n store.Notice
	_, err := s.advance(ctx, actor, id, "publish_notice", PhaseDeliberation, PhaseNotice, func(tx *store.Tx, j *journal, c *store.Cycle) error {
		ds, err := tx.Decisions(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return conflictf("cycle %d has no decisions to publish", c.ID)
		}
		today := s.today(j.now)
		// Generous: 60 working days span at most about three months, even
		// around the Spring Festival.
		cal, err := calendar(ctx, tx, today, today.AddDate(0, 6, 0))
		if err != nil {
			return err
		}
		last := AddWorkingDays(today.AddDate(0, 0, -1), c.NoticeWorkingDays, cal)
		n = store.Notice{CycleID: c.ID, StartsAt: j.now, EndsAt: last.AddDate(0, 0, 1), WorkingDays: c.NoticeWorkingDays,
			TitleZh: c.TitleZh + "公示", TitleEn: strings.TrimSpace("Public notice: " + c.TitleEn), CreatedAt: j.now}
		if err := tx.InsertNotice(ctx, &n); err != nil {
			return err
		}
		n.EndsAt = n.EndsAt.UTC()
		j.record("notice.publish", "notice", n.ID, nil, struct {
			store.Notice
			LastDay string `json:"last_day"`
		}{n, last.Format(time.DateOnly)})
		var ids []int64
		for i := range ds {
			d := &ds[i]
			if d.State != DecisionDrafted {
				continue
			}
			d.State, d.UpdatedAt = DecisionProposed, j.now
			if err := tx.UpdateDecision(ctx, d); err != nil {
				return err
			}
			ids = append(ids, d.ID)
		}
		// One entry for the decisions: the state is all that changes.
		j.record("cycle.propose_decisions", "cycle", c.ID, stateOf(ids, DecisionDrafted), stateOf(ids, DecisionProposed))
		return nil
	})
	return result(n, err)
}

// stateChange is the audit record of many decisions moving to one state.
type stateChange struct {
	Decisions []int64 `json:"decisions"`
	State     string  `json:"state"`
}

func stateOf(ids []int64, state string) stateChange { return stateChange{Decisions: ids, State: state} }
