package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The public pages of the programs: what each program is, what an
// enterprise must meet, how it is evaluated and decided, its deadlines and
// what it confers — from its newest registered definition — and its
// cycles, with their notices and result lists once published.

// publicProgram is a program as the public list shows it.
type publicProgram struct {
	Name, Title, Summary string
}

// programList lists the programs that have a registered definition.
func (s *Server) programList(w http.ResponseWriter, r *request) {
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var list []publicProgram
	for _, pv := range progs {
		if len(pv.Versions) == 0 {
			continue
		}
		_, p, err := s.svc.ProgramVersion(r.Context(), pv.Versions[0].ID) // newest first
		if err != nil {
			s.fail(w, r, err)
			return
		}
		list = append(list, publicProgram{Name: pv.Name, Title: p.Def.Title.In(r.lang), Summary: p.Def.Summary.In(r.lang)})
	}
	s.render(w, r, http.StatusOK, "programs", map[string]any{"Programs": list})
}

// publicCycleLink is one of a program's cycles on its public page.
type publicCycleLink struct {
	store.Cycle
	Notice, Results bool // the notice, the final list, are published
}

// programPage is the public page of program {name}.
func (s *Server) programPage(w http.ResponseWriter, r *request) {
	progs, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(progs, func(pv workflow.ProgramVersions) bool { return pv.Name == r.PathValue("name") })
	if i < 0 || len(progs[i].Versions) == 0 {
		s.fail(w, r, errs.New(errs.NotFound, "program %q does not exist", r.PathValue("name")))
		return
	}
	v, p, err := s.svc.ProgramVersion(r.Context(), progs[i].Versions[0].ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cycles, err := s.svc.Cycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var links []publicCycleLink
	for _, c := range cycles {
		if c.ProgramID != progs[i].ID || c.Phase == workflow.PhaseDraft {
			continue
		}
		announced := c.Phase == workflow.PhaseAnnounced || c.Phase == workflow.PhaseClosed
		links = append(links, publicCycleLink{Cycle: c, Notice: announced || c.Phase == workflow.PhaseNotice, Results: announced})
	}
	slices.SortFunc(links, func(a, b publicCycleLink) int { return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(b.ID, a.ID)) })
	d := p.Def
	issuer := d.Certificate.Issuer.In(r.lang)
	s.render(w, r, http.StatusOK, "program", map[string]any{"P": viewProgram(p, r.lang), "V": v, "Cycles": links,
		"NoticeDays": d.Procedure.NoticeDays(), "ReportDue": reportDueText(d.Procedure, r.lang), "Issuer": issuer,
		"Award": d.Certificate.AwardOf(), "Tiers": tierNames(d.Certificate, r.lang), "Review": d.Review})
}

// reportDueText says the day of the year after by which an annual
// report is due: "次年4月30日", "30 April of the following year".
func reportDueText(p program.Procedure, lang string) string {
	due := p.ReportDueOn(2001)
	return fmt.Sprintf(message(lang, "prog.report_due_on"), int(due.Month()), due.Day(), due.Month().String())
}

// tierNames says each medal tier of c: "Gold: from 90".
func tierNames(c program.Certificate, lang string) []string {
	var out []string
	for _, t := range c.Tiers {
		out = append(out, t.Name.In(lang)+" ≥ "+num(*t.AtLeast))
	}
	return out
}
