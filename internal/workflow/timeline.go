package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/exemplar/exemplar/internal/store"
)

// TimelineEvent is one thing that happened to an enterprise.
type TimelineEvent struct {
	At time.Time `json:"at"`
	// Kind is the audit action that recorded it ("enterprise.rename",
	// "application.submit", "decision.finalise", "recognition.revoke",
	// "annual_report.submit", …), or, for what only the tables tell,
	// "enterprise.name" (a name in the name history), "decision.final" (a
	// decision made final by its cycle's announcement) and
	// "recognition.grant" / "annual_report.submit" rows without an entry.
	Kind      string `json:"kind"`
	Entity    string `json:"entity"` // enterprise, application, decision, recognition, annual_report
	EntityID  int64  `json:"entity_id"`
	CycleID   int64  `json:"cycle_id,omitempty"`
	Actor     string `json:"actor,omitempty"`
	SummaryZh string `json:"summary_zh"`
	SummaryEn string `json:"summary_en"`
	Seq       int64  `json:"seq,omitempty"` // the audit entry, 0 when read from a table
}

// Timeline returns everything that happened to enterprise id, oldest
// first: its registration, names and changes; its applications and every
// change of their status; the decisions on it; the recognitions it was
// granted, and their confirmations and revocations; its annual reports.
// Events come from the audit log (which says who did what and when) and,
// for what the log keeps only at the cycle's level (decisions made final
// by an announcement) or what was loaded without it, from the tables.
// Events at the same instant keep the order they were recorded in, except
// that a decision made final comes before what it did to the title. It
// refuses an unknown enterprise (not found).
func (s *Service) Timeline(ctx context.Context, id int64) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Enterprise(ctx, id); err != nil {
			return missing(err, "enterprise %d", id)
		}
		entries, err := tx.EnterpriseAudit(ctx, id)
		if err != nil {
			return err
		}
		t := timeline{s: s, ctx: ctx, tx: tx, cycles: map[int64]store.Cycle{}}
		seen := map[string]bool{} // "entity/id/kind" of events the log has
		names := map[string]bool{}
		for _, e := range entries {
			ev, err := t.fromAudit(e)
			if err != nil {
				return err
			}
			seen[fmt.Sprintf("%s/%d/%s", ev.Entity, ev.EntityID, ev.Kind)] = true
			if ev.Entity == "enterprise" {
				var after struct{ Name string }
				_ = json.Unmarshal(e.After, &after)
				names[after.Name] = true
			}
			out = append(out, ev)
		}
		// What the tables know and the log does not.
		ns, err := tx.EnterpriseNames(ctx, id)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if !names[n.Name] {
				from := time.Date(n.ValidFrom.Year(), n.ValidFrom.Month(), n.ValidFrom.Day(), 0, 0, 0, 0, s.loc).UTC()
				out = append(out, TimelineEvent{At: from, Kind: "enterprise.name", Entity: "enterprise", EntityID: id,
					SummaryZh: fmt.Sprintf("名称：“%s”", n.Name), SummaryEn: fmt.Sprintf("named %s", n.Name)})
			}
		}
		ds, err := tx.EnterpriseDecisions(ctx, id)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.State != DecisionFinal || d.FinalisedAt == nil || seen[fmt.Sprintf("decision/%d/decision.finalise", d.ID)] {
				continue
			}
			c, err := t.cycle(d.CycleID)
			if err != nil {
				return err
			}
			zh, en := outcomeText(d.Outcome)
			out = append(out, TimelineEvent{At: *d.FinalisedAt, Kind: "decision.final", Entity: "decision", EntityID: d.ID, CycleID: d.CycleID,
				SummaryZh: fmt.Sprintf("%s结论公布：%s%s", cycleZh(c), zh, because(d.ReasonZh, "（%s）")),
				SummaryEn: fmt.Sprintf("decision of %s announced: %s%s", cycleEn(c), en, because(d.ReasonEn, " (%s)"))})
		}
		recs, err := tx.Recognitions(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if seen[fmt.Sprintf("recognition/%d/recognition.grant", r.ID)] {
				continue
			}
			out = append(out, TimelineEvent{At: r.CreatedAt, Kind: "recognition.grant", Entity: "recognition", EntityID: r.ID, CycleID: r.GrantedCycleID,
				SummaryZh: fmt.Sprintf("获得称号（%d年认定，有效期至%s）", r.GrantedYear, r.ValidUntil.Format(time.DateOnly)),
				SummaryEn: fmt.Sprintf("title granted (recognised in %d, valid until %s)", r.GrantedYear, r.ValidUntil.Format(time.DateOnly))})
		}
		reports, err := tx.EnterpriseAnnualReports(ctx, id)
		if err != nil {
			return err
		}
		for _, a := range reports {
			if a.SubmittedAt == nil || seen[fmt.Sprintf("annual_report/%d/annual_report.submit", a.ID)] {
				continue
			}
			out = append(out, TimelineEvent{At: *a.SubmittedAt, Kind: "annual_report.submit", Entity: "annual_report", EntityID: a.ID,
				SummaryZh: fmt.Sprintf("提交%d年度报告", a.Year), SummaryEn: fmt.Sprintf("annual report on %d filed", a.Year)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// At the same instant (one transaction), a decision made final comes
	// before its effect on the title; otherwise the order recorded stays.
	first := func(e TimelineEvent) bool { return e.Kind == "decision.final" }
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].At.Equal(out[b].At) {
			return out[a].At.Before(out[b].At)
		}
		return first(out[a]) && !first(out[b])
	})
	return out, nil
}

// timeline turns audit entries into events, reading the cycles they name.
type timeline struct {
	s      *Service
	ctx    context.Context
	tx     *store.Tx
	cycles map[int64]store.Cycle
}

func (t *timeline) cycle(id int64) (store.Cycle, error) {
	if c, ok := t.cycles[id]; ok {
		return c, nil
	}
	c, err := t.tx.Cycle(t.ctx, id)
	if err != nil {
		return store.Cycle{}, err
	}
	t.cycles[id] = c
	return c, nil
}

// record is the fields of an audit entry's before or after that the
// summaries use.
type record struct {
	Name         string `json:"name"`
	USCC         string `json:"uscc"`
	CycleID      int64  `json:"cycle_id"`
	Status       string `json:"status"`
	ReturnReason string `json:"return_reason"`
	Outcome      string `json:"outcome"`
	ReasonZh     string `json:"reason_zh"`
	ReasonEn     string `json:"reason_en"`
	State        string `json:"state"`
	GrantedYear  int    `json:"granted_year"`
	ValidUntil   string `json:"valid_until"`
	RevokedZh    string `json:"revoked_reason_zh"`
	RevokedEn    string `json:"revoked_reason_en"`
	Year         int    `json:"year"`
}

func (t *timeline) fromAudit(e store.AuditRecord) (TimelineEvent, error) {
	id, _ := strconv.ParseInt(e.EntityID, 10, 64)
	ev := TimelineEvent{At: e.At, Kind: e.Action, Entity: e.Entity, EntityID: id, Actor: e.Actor, Seq: e.Seq}
	var before, after record
	if e.Before != nil {
		_ = json.Unmarshal(e.Before, &before)
	}
	if e.After != nil {
		_ = json.Unmarshal(e.After, &after)
	}
	var c store.Cycle
	if after.CycleID != 0 {
		ev.CycleID = after.CycleID
		var err error
		if c, err = t.cycle(after.CycleID); err != nil {
			return ev, err
		}
	}
	until := after.ValidUntil
	if len(until) >= 10 {
		until = until[:10]
	}
	switch e.Action {
	case "enterprise.create":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("登记为“%s”（%s）", after.Name, after.USCC), fmt.Sprintf("registered as %s (%s)", after.Name, after.USCC)
	case "enterprise.rename":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("更名为“%s”（原名“%s”）", after.Name, before.Name), fmt.Sprintf("renamed %s (formerly %s)", after.Name, before.Name)
	case "enterprise.update":
		ev.SummaryZh, ev.SummaryEn = "企业信息更新（推荐渠道）", "profile updated (recommending channel)"
	case "application.create":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("创建%s申报（草稿）", cycleZh(c)), fmt.Sprintf("application to %s created (draft)", cycleEn(c))
	case "application.save":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("保存%s申报数据", cycleZh(c)), fmt.Sprintf("application to %s: inputs saved", cycleEn(c))
	case "decision.draft", "decision.update", "decision.finalise", "decision.reopen":
		zh, en := outcomeText(after.Outcome)
		verbZh, verbEn := decisionVerbs[e.Action][0], decisionVerbs[e.Action][1]
		ev.SummaryZh = fmt.Sprintf("%s%s：%s%s", cycleZh(c), verbZh, zh, because(after.ReasonZh, "（%s）"))
		ev.SummaryEn = fmt.Sprintf("%s in %s: %s%s", verbEn, cycleEn(c), en, because(after.ReasonEn, " (%s)"))
	case "recognition.grant":
		ev.SummaryZh = fmt.Sprintf("获得称号（%d年认定，有效期至%s）", after.GrantedYear, until)
		ev.SummaryEn = fmt.Sprintf("title granted (recognised in %d, valid until %s)", after.GrantedYear, until)
	case "recognition.confirm":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("复核评价通过，称号有效期至%s", until), fmt.Sprintf("passed review; title valid until %s", until)
	case "recognition.revoke":
		ev.SummaryZh, ev.SummaryEn = "撤销称号"+because(after.RevokedZh, "：%s"), "title revoked"+because(after.RevokedEn, ": %s")
	case "review.apply":
		ev.SummaryZh = fmt.Sprintf("%s申报专家评审完成，采用专家综合评分", cycleZh(c))
		ev.SummaryEn = fmt.Sprintf("application to %s: expert review complete, the experts' combined points apply", cycleEn(c))
	case "annual_report.submit":
		ev.SummaryZh, ev.SummaryEn = fmt.Sprintf("提交%d年度报告", after.Year), fmt.Sprintf("annual report on %d filed", after.Year)
	default:
		if e.Entity == "application" && after.Status != "" {
			ev.SummaryZh = fmt.Sprintf("%s申报：%s → %s%s", cycleZh(c), statusZh(before.Status), statusZh(after.Status), because(after.ReturnReason, "（%s）"))
			ev.SummaryEn = fmt.Sprintf("application to %s: %s → %s%s", cycleEn(c), before.Status, after.Status, because(after.ReturnReason, " (%s)"))
		} else {
			ev.SummaryZh, ev.SummaryEn = e.Action, e.Action
		}
	}
	return ev, nil
}

// decisionVerbs say, in Chinese and English, what a decision's audit
// action did.
var decisionVerbs = map[string][2]string{
	"decision.draft":    {"拟定结论", "decision drafted"},
	"decision.update":   {"修改结论", "decision changed"},
	"decision.finalise": {"结论生效", "decision final"},
	"decision.reopen":   {"异议成立，结论退回审议", "objection upheld, decision reopened"},
}

func cycleZh(c store.Cycle) string {
	if c.ID == 0 {
		return ""
	}
	if c.Kind == KindReview {
		return fmt.Sprintf("%d年复核评价", c.Year)
	}
	return fmt.Sprintf("%d年认定", c.Year)
}

func cycleEn(c store.Cycle) string {
	if c.ID == 0 {
		return "a cycle"
	}
	return fmt.Sprintf("the %d %s cycle", c.Year, c.Kind)
}

func outcomeText(outcome string) (zh, en string) {
	switch outcome {
	case OutcomePass:
		return "通过", "pass"
	case OutcomeFail:
		return "不通过", "fail"
	}
	return outcome, outcome
}

// because formats reason with format, or is "" when there is none.
func because(reason, format string) string {
	if reason == "" {
		return ""
	}
	return fmt.Sprintf(format, reason)
}

var statusNamesZh = map[string]string{
	StatusDraft: "草稿", StatusSubmitted: "已提交", StatusWithdrawn: "已撤回", StatusReturned: "退回修改",
	StatusRecommended: "已推荐", StatusNotRecommended: "未推荐",
}

func statusZh(s string) string {
	if z, ok := statusNamesZh[s]; ok {
		return z
	}
	return s
}
