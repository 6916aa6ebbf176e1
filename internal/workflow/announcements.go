package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/store"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// The kinds of announcement.
const (
	AnnouncementNews    = "news"
	AnnouncementResults = "results"
)

// maxBody bounds an announcement's body (in characters): a results list
// of ten thousand names fits.
const maxBody = 1 << 20

// AnnouncementSpec is what an administrator writes of an announcement.
type AnnouncementSpec struct {
	TitleZh, TitleEn string
	BodyZh, BodyEn   string
}

func (a AnnouncementSpec) check() (AnnouncementSpec, error) {
	a.TitleZh, a.TitleEn = strings.TrimSpace(a.TitleZh), strings.TrimSpace(a.TitleEn)
	a.BodyZh, a.BodyEn = strings.TrimSpace(a.BodyZh), strings.TrimSpace(a.BodyEn)
	switch {
	case a.TitleZh == "":
		return a, invalidf("title_zh: an announcement needs a Chinese title")
	case utf8.RuneCountInString(a.TitleZh) > maxName || utf8.RuneCountInString(a.TitleEn) > maxName:
		return a, invalidf("title: at most %d characters", maxName)
	case utf8.RuneCountInString(a.BodyZh) > maxBody || utf8.RuneCountInString(a.BodyEn) > maxBody:
		return a, invalidf("body: at most %d characters", maxBody)
	}
	return a, nil
}

// CreateAnnouncement writes a news announcement as a draft.
func (s *Service) CreateAnnouncement(ctx context.Context, actor Actor, spec AnnouncementSpec) (store.Announcement, error) {
	spec, err := spec.check()
	if err != nil {
		return store.Announcement{}, err
	}
	var a store.Announcement
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		a = store.Announcement{Kind: AnnouncementNews, TitleZh: spec.TitleZh, TitleEn: spec.TitleEn, BodyZh: spec.BodyZh, BodyEn: spec.BodyEn,
			CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertAnnouncement(ctx, &a); err != nil {
			return err
		}
		j.record("announcement.create", "announcement", a.ID, nil, a)
		return nil
	})
	return result(a, err)
}

// UpdateAnnouncement rewrites announcement id's texts, if version is
// current. An issued announcement may be corrected; the audit log keeps
// what it said before.
func (s *Service) UpdateAnnouncement(ctx context.Context, actor Actor, id, version int64, spec AnnouncementSpec) (store.Announcement, error) {
	spec, err := spec.check()
	if err != nil {
		return store.Announcement{}, err
	}
	var a store.Announcement
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var err error
		if a, err = tx.Announcement(ctx, id); err != nil {
			return missing(err, "announcement %d", id)
		}
		if a.Version != version {
			return needVersion("announcement", id, a.Version, version)
		}
		before := a
		a.TitleZh, a.TitleEn, a.BodyZh, a.BodyEn, a.UpdatedAt = spec.TitleZh, spec.TitleEn, spec.BodyZh, spec.BodyEn, j.now
		if err := tx.UpdateAnnouncement(ctx, &a); err != nil {
			return err
		}
		j.record("announcement.update", "announcement", id, before, a)
		return nil
	})
	return result(a, err)
}

// IssueAnnouncement publishes draft announcement id now: from then on the
// public sees it, with this time of issue. Issuing twice is a conflict.
func (s *Service) IssueAnnouncement(ctx context.Context, actor Actor, id, version int64) (store.Announcement, error) {
	var a store.Announcement
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		var err error
		if a, err = tx.Announcement(ctx, id); err != nil {
			return missing(err, "announcement %d", id)
		}
		if a.Version != version {
			return needVersion("announcement", id, a.Version, version)
		}
		if a.IssuedAt != nil {
			return conflictf("announcement %d was issued already, at %s", id, s.when(*a.IssuedAt))
		}
		before := a
		now := j.now
		a.IssuedAt, a.UpdatedAt = &now, now
		if err := tx.UpdateAnnouncement(ctx, &a); err != nil {
			return err
		}
		j.record("announcement.issue", "announcement", id, before, a)
		return nil
	})
	return result(a, err)
}

// DraftResultsAnnouncement writes the draft announcement of cycle id's
// results from its final decisions: how many were decided, and the names
// (in pinyin order) of the enterprises that passed (granted the title, or confirmed by the
// review) and, in a review, of those whose title was revoked, with the
// reason. It needs the cycle announced (or closed).
func (s *Service) DraftResultsAnnouncement(ctx context.Context, actor Actor, id int64) (store.Announcement, error) {
	var a store.Announcement
	err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, err := tx.Cycle(ctx, id)
		if err != nil {
			return missing(err, "cycle %d", id)
		}
		if err := needPhase(id, c.Phase, "draft the results announcement", PhaseAnnounced, PhaseClosed); err != nil {
			return err
		}
		ds, err := tx.Decisions(ctx, id)
		if err != nil {
			return err
		}
		type line struct{ name, uscc, reasonZh, reasonEn string }
		var passed, failed []line
		for _, d := range ds {
			if d.State != DecisionFinal {
				continue
			}
			e, err := tx.Enterprise(ctx, d.EnterpriseID)
			if err != nil {
				return err
			}
			l := line{e.Name, e.USCC, d.ReasonZh, d.ReasonEn}
			if d.Outcome == OutcomePass {
				passed = append(passed, l)
			} else {
				failed = append(failed, l)
			}
		}
		// Names in the order a Chinese reader looks them up: by pinyin.
		col := collate.New(language.SimplifiedChinese)
		byName := func(x, y line) int { return col.CompareString(x.name, y.name) }
		slices.SortFunc(passed, byName)
		slices.SortFunc(failed, byName)
		review := c.Kind == KindReview
		var zh, en strings.Builder
		if review {
			fmt.Fprintf(&zh, "%s共复核 %d 家企业：%d 家通过复核评价，%d 家未通过、撤销称号。\n", c.TitleZh, len(passed)+len(failed), len(passed), len(failed))
			fmt.Fprintf(&en, "%s: %d enterprises reviewed; %d passed the review and %d failed it and lose the title.\n", c.TitleEn, len(passed)+len(failed), len(passed), len(failed))
			zh.WriteString("\n通过复核评价的企业：\n")
			en.WriteString("\nEnterprises that passed the review:\n")
		} else {
			fmt.Fprintf(&zh, "%s共评价 %d 家企业，%d 家获得认定。\n", c.TitleZh, len(passed)+len(failed), len(passed))
			fmt.Fprintf(&en, "%s: %d enterprises evaluated; %d recognised.\n", c.TitleEn, len(passed)+len(failed), len(passed))
			zh.WriteString("\n获得认定的企业：\n")
			en.WriteString("\nEnterprises recognised:\n")
		}
		for i, l := range passed {
			fmt.Fprintf(&zh, "%d. %s（%s）\n", i+1, l.name, l.uscc)
			fmt.Fprintf(&en, "%d. %s (%s)\n", i+1, l.name, l.uscc)
		}
		if review && len(failed) > 0 {
			zh.WriteString("\n未通过复核评价、撤销称号的企业：\n")
			en.WriteString("\nEnterprises that failed the review and lose the title:\n")
			for i, l := range failed {
				fmt.Fprintf(&zh, "%d. %s（%s）：%s\n", i+1, l.name, l.uscc, l.reasonZh)
				fmt.Fprintf(&en, "%d. %s (%s): %s\n", i+1, l.name, l.uscc, l.reasonEn)
			}
		}
		titleEn := c.TitleEn
		if titleEn != "" {
			titleEn += ": results"
		}
		a = store.Announcement{Kind: AnnouncementResults, CycleID: id, TitleZh: c.TitleZh + "结果公告", TitleEn: titleEn,
			BodyZh: strings.TrimSpace(zh.String()), BodyEn: strings.TrimSpace(en.String()), CreatedAt: j.now, UpdatedAt: j.now}
		if err := tx.InsertAnnouncement(ctx, &a); err != nil {
			return err
		}
		// The body is derived from the decisions the log holds already.
		j.record("announcement.create", "announcement", a.ID, nil, map[string]any{"kind": a.Kind, "cycle_id": id, "title_zh": a.TitleZh,
			"passed": len(passed), "failed": len(failed)})
		return nil
	})
	return result(a, err)
}

// Announcement returns announcement id.
func (s *Service) Announcement(ctx context.Context, id int64) (store.Announcement, error) {
	var a store.Announcement
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		a, err = tx.Announcement(ctx, id)
		return missing(err, "announcement %d", id)
	})
	return a, err
}

// Announcements returns the announcements f selects and how many it
// selects in all.
func (s *Service) Announcements(ctx context.Context, f store.AnnouncementFilter) ([]store.Announcement, int, error) {
	var out []store.Announcement
	var total int
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, total, err = tx.Announcements(ctx, f)
		return err
	})
	return out, total, err
}

// AddAnnouncementViews adds counted reads to announcements' view counts,
// counts[id] each, in one transaction. Reading is not a change anyone
// makes, so it is not audited.
func (s *Service) AddAnnouncementViews(ctx context.Context, counts map[int64]int64) error {
	if len(counts) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error { return tx.AddAnnouncementViews(ctx, counts) })
}
