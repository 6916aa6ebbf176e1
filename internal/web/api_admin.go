package web

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// The administrator's set-up in the API, as the set-up pages do it
// (admin_programs.go, admin_channels.go, admin_audit.go,
// admin_reports.go, certificate_bulk.go): a cycle's certificates and
// results announcement, program definitions, channels, lapsed titles and
// the audit log. Users are in api_admin_users.go.

// apiCycleCertificates lists the certificates cycle {id} issued, with
// their status today.
func (s *Server) apiCycleCertificates(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiCertificateSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.CycleCertificates(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []workflow.Certificate{}
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiCertificateSorts))
}

// apiIssued is the answer to issuing a cycle's certificates.
type apiIssued struct {
	// Issued is how many certificates this request issued; Total how many
	// the cycle has now.
	Issued int `json:"issued"`
	Total  int `json:"total"`
}

// apiIssueCertificates issues the certificates announced cycle {id} is
// due and has not issued yet (workflow IssueCertificates), in this
// request, and says how many. It is idempotent: a second call issues
// only what is missing. The PDFs and their archive are the certificates
// page's (its background job); each certificate's PDF is also at
// /certificates/{number}/pdf. A cycle not announced is a conflict.
func (s *Server) apiIssueCertificates(w http.ResponseWriter, r *request) {
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.svc.IssueCertificates(r.Context(), r.actor(), c.ID, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.svc.CycleCertificates(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiIssued{Issued: n, Total: len(all)})
}

// apiProgramRequest is the body of POST /api/v1/programs.
type apiProgramRequest struct {
	// Definition is the program's YAML definition, as a text.
	Definition string `json:"definition"`
}

// apiRegisterProgram registers a program definition (workflow
// RegisterProgram) and answers 201 with its version, or 200 with the
// version registered already when the text is the same. An invalid
// definition is refused with every problem in the message and the path
// of the first in field (`definition.scoring.framework.children[2].weight`);
// another text under a version label taken is a conflict.
func (s *Server) apiRegisterProgram(w http.ResponseWriter, r *request) {
	src, err := readDefinition(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	before, err := s.svc.Programs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.svc.RegisterProgram(r.Context(), r.actor(), src)
	if err != nil {
		s.fail(w, r, definitionField(err))
		return
	}
	for _, p := range before {
		if slices.ContainsFunc(p.Versions, func(old store.ProgramVersion) bool { return old.ID == v.ID }) {
			writeJSON(w, http.StatusOK, v) // the same text again: nothing registered
			return
		}
	}
	writeCreated(w, "/api/v1/programs/versions/"+strconv.FormatInt(v.ID, 10), v)
}

// readDefinition reads the body of POST /api/v1/programs and
// /programs/check: a definition that is there and within the upload
// limit of the programs page.
func readDefinition(w http.ResponseWriter, r *request) ([]byte, error) {
	var body apiProgramRequest
	if err := decodeJSON(w, r, maxDefinitionUpload+maxDefinitionUpload/2, &body); err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(body.Definition) == "":
		return nil, errs.WithField("definition", errs.New(errs.Invalid, "definition: give the program's YAML definition"))
	case len(body.Definition) > maxDefinitionUpload:
		return nil, errs.WithField("definition", errs.New(errs.Invalid, "definition: at most %d KB", maxDefinitionUpload/1024))
	}
	return []byte(body.Definition), nil
}

// definitionField names, in an invalid definition's error, the path of
// its first problem (`definition.scoring.framework.weight`), or the
// definition itself.
func definitionField(err error) error {
	var ps *program.Problems
	if !errs.Is(err, errs.Invalid) || !errors.As(err, &ps) {
		return err
	}
	field := "definition"
	if len(ps.List) > 0 && ps.List[0].Path != "" {
		field += "." + ps.List[0].Path
	}
	return errs.WithField(field, err)
}

// apiCheckProgram checks a program definition without registering it,
// as the programs page's check does (program.Load), and answers with the
// summary of what it says: the version it would be (no id yet), its
// inputs and gates. Its problems are refused as registering would refuse
// them.
func (s *Server) apiCheckProgram(w http.ResponseWriter, r *request) {
	src, err := readDefinition(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := program.Load(src, "definition")
	if err != nil {
		s.fail(w, r, definitionField(&errs.Error{Code: errs.Invalid, Msg: err.Error(), Err: err}))
		return
	}
	sum := sha256.Sum256(src)
	v := store.ProgramVersion{Program: p.Def.Name, Label: p.Def.Version, SHA256: hex.EncodeToString(sum[:])}
	writeJSON(w, http.StatusOK, programSummary(v, p))
}

// apiProgramDefinition sends the YAML text of program version {id}, as
// it was registered.
func (s *Server) apiProgramDefinition(w http.ResponseWriter, r *request) {
	id, err := pathID(r, "program version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, _, err := s.svc.ProgramVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(v.Program+"-"+v.Label)+`.yaml"`)
	_, _ = io.WriteString(w, v.Definition)
}

var apiChannelSorts = &sorter[store.Channel]{def: "code", keys: map[string]func(a, b store.Channel) int{
	"code": func(a, b store.Channel) int { return cmp.Compare(a.Code, b.Code) },
	"kind": func(a, b store.Channel) int { return cmp.Compare(a.Kind, b.Kind) },
	"id":   func(a, b store.Channel) int { return cmp.Compare(a.ID, b.ID) },
}}

// apiListChannels lists the recommending channels, by code.
func (s *Server) apiListChannels(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiChannelSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Channel{}
	}
	writeJSON(w, http.StatusOK, pageItems(list, lq, apiChannelSorts))
}

// apiChannelSpec is the body of PUT /api/v1/channels/{code}.
type apiChannelSpec struct {
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	// Kind is province, city, corps or central_soe.
	Kind string `json:"kind"`
}

// apiPutChannel creates channel {code} or changes its names and kind
// (workflow UpsertChannel); a refusal names the member it concerns.
func (s *Server) apiPutChannel(w http.ResponseWriter, r *request) {
	var body apiChannelSpec
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	spec := workflow.ChannelSpec{Code: r.PathValue("code"), NameZh: body.NameZh, NameEn: body.NameEn, Kind: body.Kind}
	ch, err := s.svc.UpsertChannel(r.Context(), r.actor(), spec)
	if err != nil {
		s.fail(w, r, channelField(err, spec))
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

// channelField names the member an invalid channel spec concerns, from
// the workflow's message: the code, the kind, or the name that is empty
// (or too long).
func channelField(err error, spec workflow.ChannelSpec) error {
	if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "" {
		return err
	}
	msg := err.Error()
	field := ""
	switch {
	case strings.HasPrefix(msg, "channel code "):
		field = "code"
	case strings.Contains(msg, ": kind "):
		field = "kind"
	case strings.Contains(msg, "give its name"):
		field = "name_en"
		if strings.TrimSpace(spec.NameZh) == "" {
			field = "name_zh"
		}
	case strings.Contains(msg, "a name is limited"):
		field = "name_en"
		if utf8.RuneCountInString(spec.NameZh) > utf8.RuneCountInString(spec.NameEn) {
			field = "name_zh"
		}
	}
	if field == "" {
		return err
	}
	return errs.WithField(field, err)
}

// apiAuditEntry is one entry of the audit log.
type apiAuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	// Before and After are the record's state around the change, as
	// stored; null when there is none.
	Before   any    `json:"before"`
	After    any    `json:"after"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// apiAudit searches the audit log, newest first: ?actor= (exactly),
// ?action= (beginning with), ?entity=, ?entity_id=, ?from= and ?to=
// (days, China time, both included) and ?q= (words found anywhere in the
// entry), as the audit page does.
func (s *Server) apiAudit(w http.ResponseWriter, r *request) {
	lq, err := parseList[apiAuditEntry](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	aq := store.AuditQuery{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Entity: strings.TrimSpace(q.Get("entity")), EntityID: strings.TrimSpace(q.Get("entity_id")), Text: q.Get("q"),
		Limit: lq.limit, Offset: lq.offset}
	for _, b := range []struct {
		name string
		days int
		to   *time.Time
	}{{"from", 0, &aq.From}, {"to", 1, &aq.To}} {
		if *b.to, err = auditDay(q.Get(b.name), b.days); err != nil {
			s.fail(w, r, errs.WithField(b.name, errs.New(errs.Invalid, "%s: a day as YYYY-MM-DD, not %q", b.name, q.Get(b.name))))
			return
		}
	}
	recs, total, err := s.svc.SearchAudit(r.Context(), aq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]apiAuditEntry, len(recs))
	for i, rec := range recs {
		items[i] = apiAuditEntry{Seq: rec.Seq, At: rec.At, Actor: rec.Actor, Action: rec.Action, Entity: rec.Entity,
			EntityID: rec.EntityID, PrevHash: rec.PrevHash, Hash: rec.Hash}
		if rec.Before != nil {
			items[i].Before = rec.Before
		}
		if rec.After != nil {
			items[i].After = rec.After
		}
	}
	writeJSON(w, http.StatusOK, apiList[apiAuditEntry]{Items: items, Total: total, Limit: lq.limit, Offset: lq.offset})
}

// apiAuditVerification is the result of checking the audit log's hash
// chain.
type apiAuditVerification struct {
	OK      bool  `json:"ok"`
	Entries int64 `json:"entries"`
	// Head and HeadHash are the chain's head: keep a copy elsewhere to
	// anchor the log.
	Head     int64  `json:"head"`
	HeadHash string `json:"head_hash"`
	// BrokenSeq and Reason say where and why the chain breaks, when it
	// does.
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// apiVerifyAudit checks the hash chain of the whole audit log (workflow
// VerifyAudit). A broken chain is an answer (ok false), not an error.
func (s *Server) apiVerifyAudit(w http.ResponseWriter, r *request) {
	res, err := s.svc.VerifyAudit(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiAuditVerification{OK: res.OK, Entries: res.Entries, Head: res.Head, HeadHash: res.HeadHash,
		BrokenSeq: res.BrokenSeq, Reason: res.Reason})
}

// apiDraftResultsAnnouncement writes the draft announcement of announced
// cycle {id}'s results (workflow DraftResultsAnnouncement), to be issued
// with POST /api/v1/announcements/{id}/issue, and answers 201 with it. A
// cycle not announced is a conflict.
func (s *Server) apiDraftResultsAnnouncement(w http.ResponseWriter, r *request) {
	c, err := s.pathCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.DraftResultsAnnouncement(r.Context(), r.actor(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/announcements/"+strconv.FormatInt(a.ID, 10), a)
}

// apiLapsed is the list of the standing titles whose validity has run
// out, as of a day.
type apiLapsed struct {
	// Day is the day (China time) the list is of: send it back to expire
	// them.
	Day string `json:"day"`
	apiList[store.Recognition]
}

// apiLapsedRecognitions lists the standing titles that expiring them
// today would expire (workflow LapsedRecognitions), with the day.
func (s *Server) apiLapsedRecognitions(w http.ResponseWriter, r *request) {
	lq, err := parseList(r, apiRecognitionSorts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.svc.Now()
	list, err := s.svc.LapsedRecognitions(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Recognition{}
	}
	writeJSON(w, http.StatusOK, apiLapsed{Day: chinaDay(now), apiList: pageItems(list, lq, apiRecognitionSorts)})
}

// apiExpireRequest is the body of POST /api/v1/recognitions/expire.
type apiExpireRequest struct {
	// Day is the day of the lapsed list the caller read (YYYY-MM-DD).
	Day string `json:"day"`
}

// apiExpired is the answer to expiring the lapsed titles.
type apiExpired struct {
	Expired int `json:"expired"`
}

// apiExpireRecognitions expires the lapsed titles as of now (workflow
// ExpireRecognitions), as the reports page's confirmation does: the body
// gives the day of the list the caller read, and on another day the list
// could differ, so the request is a conflict. A second call expires
// nothing.
func (s *Server) apiExpireRecognitions(w http.ResponseWriter, r *request) {
	var body apiExpireRequest
	if err := decodeJSON(w, r, maxAPIBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Day == "" {
		s.fail(w, r, errs.WithField("day", errs.New(errs.Invalid, "day: give the day of the lapsed list you read, as GET /api/v1/recognitions/lapsed answered it")))
		return
	}
	now := s.svc.Now()
	if body.Day != chinaDay(now) {
		s.fail(w, r, errs.WithField("day", errs.New(errs.Conflict, "day: the list was of %s and today is %s: read it again", body.Day, chinaDay(now))))
		return
	}
	n, err := s.svc.ExpireRecognitions(r.Context(), r.actor(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiExpired{Expired: n})
}
