package workflow

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// Certificates (证书/牌匾). Every passing final decision of a cycle — a
// title granted in an identification cycle, a title confirmed in a review
// cycle — issues one numbered certificate. A certificate records what was
// printed; whether it still counts is derived, each time it is read, from
// the title (recognition) it attests and the day: so a revocation or an
// expiry shows on every certificate at once, with no second record to
// keep in step.

// The statuses of a certificate.
const (
	CertificateValid   = "valid"   // the title stands and the certificate's validity has not run out
	CertificateExpired = "expired" // past its valid-until day, or the title expired
	CertificateRevoked = "revoked" // the title was revoked
)

// The awards a certificate comes with, as the program's definition names
// them (its certificate section): a plaque (牌匾) by default, or a medal,
// in the tier the decision's score earns when the program has tiers.
const (
	AwardPlaque = program.AwardPlaque
	AwardMedal  = program.AwardMedal
)

// maxCertificateNumber is the longest number a certificate prints
// (report.MaxCertNumber; the certificates table checks it too).
const maxCertificateNumber = 40

// certificateBatch is how many certificates one transaction issues: small
// enough that the single SQLite writer is never held long and progress
// moves visibly, large enough that a cycle of thousands takes few
// transactions.
const certificateBatch = 100

// Certificate is a certificate with its status as of the service's clock.
type Certificate struct {
	store.Certificate
	// Status is CertificateValid, CertificateExpired or CertificateRevoked.
	Status string `json:"status"`
	// ProgramName is the program's identifier, e.g. "miit-tide".
	ProgramName string `json:"program"`
	// CycleKind and CycleYear are those of the cycle that issued it.
	CycleKind string `json:"cycle_kind"`
	CycleYear int    `json:"cycle_year"`
	// RevokedAt and the reasons are set when Status is revoked.
	RevokedAt       *time.Time `json:"revoked_at,omitempty"`
	RevokedReasonZh string     `json:"revoked_reason_zh,omitempty"`
	RevokedReasonEn string     `json:"revoked_reason_en,omitempty"`
	// CurrentName is the enterprise's name today when it differs from the
	// name printed on the certificate, else "".
	CurrentName string `json:"current_name,omitempty"`
}

// CertificateNumber is the number of certificate seq (1-based) of the
// cycle of kind and year of program name: the program's name in upper
// case (at most 24 characters of it), the year, I for identification or R
// for review, and seq in at least four digits, e.g.
// "MIIT-TIDE-2018-R-0001". Numbers are unique because (program, kind,
// year) names one cycle; two programs whose names agree in their first 24
// characters would collide, and the database refuses the second number.
func CertificateNumber(name string, year int, kind string, seq int) string {
	code := strings.ToUpper(strings.ReplaceAll(name, "_", "-"))
	if len(code) > 24 {
		code = strings.TrimRight(code[:24], "-")
	}
	k := "I"
	if kind == KindReview {
		k = "R"
	}
	return fmt.Sprintf("%s-%d-%s-%04d", code, year, k, seq)
}

// certificateIssuer is the authority certificates of def name: the
// definition's certificate issuer, or else the program office of its
// title.
func certificateIssuer(def *program.Definition) program.Text {
	if t := def.Certificate.Issuer; t.Zh != "" || t.En != "" {
		return t
	}
	return program.Text{Zh: strings.TrimSpace(def.Title.Zh + "认定管理机构"), En: strings.TrimSpace(def.Title.En + " programme office")}
}

// certificateStatus derives a certificate's status from its recognition
// on day today (midnight UTC of the service's calendar day). Revoked wins
// over expired: a revoked title is the stronger thing to tell whoever
// scans the code, even when the certificate had run out anyway. A
// certificate is valid through its valid-until day.
func certificateStatus(c store.Certificate, r store.Recognition, today time.Time) string {
	switch {
	case r.Status == RecognitionRevoked:
		return CertificateRevoked
	case r.Status == RecognitionExpired, today.After(c.ValidUntil):
		return CertificateExpired
	}
	return CertificateValid
}

// due is a passing final decision of a cycle, which is due a certificate.
type due struct {
	d   store.Decision
	has bool // its certificate exists
}

// certificateWork returns cycle c's passing final decisions, by
// enterprise id, each marked when it has its certificate, and the
// certificates the cycle has.
func certificateWork(ctx context.Context, tx *store.Tx, c store.Cycle) ([]due, []store.Certificate, error) {
	ds, err := tx.Decisions(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	have, err := tx.CycleCertificates(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	issued := make(map[int64]bool, len(have))
	for _, cert := range have {
		issued[cert.DecisionID] = true
	}
	var out []due
	for _, d := range ds {
		if d.State == DecisionFinal && d.Outcome == OutcomePass {
			out = append(out, due{d: d, has: issued[d.ID]})
		}
	}
	slices.SortFunc(out, func(a, b due) int { return cmp.Compare(a.d.EnterpriseID, b.d.EnterpriseID) })
	return out, have, nil
}

// IssueCertificates issues the certificates cycleID is due and has not
// issued yet: one per passing final decision, numbered on from the
// cycle's last (see CertificateNumber) in enterprise id order, each with
// a "certificate.issue" audit entry. It returns how many it issued.
//
// It is idempotent: a second run issues only what is missing (a decision
// finalised later, after an upheld objection; a run that stopped half-way)
// and, when nothing is, changes and records nothing. Certificates are
// issued in transactions of up to 100; progress, when not nil, is called
// after each with the number of certificates the cycle has and the number
// it is due. On an error the certificates of the transactions committed
// before it stay issued, and n counts them.
//
// A certificate is dated the day its decision took effect and is valid
// for the program's validity_years from then (the term of the title it
// attests); it prints the enterprise's name as of that day, its unified
// social credit code, the program's title and the issuing authority.
//
// It refuses a cycle outside the announced and closed phases (conflict)
// and a cycle that does not exist (not found).
func (s *Service) IssueCertificates(ctx context.Context, actor Actor, cycleID int64, progress func(done, total int)) (n int, err error) {
	for {
		var added, done, total int
		err := s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
			added = 0
			c, err := tx.CycleForUpdate(ctx, cycleID) // numbers are handed out under the cycle's lock
			if err != nil {
				return missing(err, "cycle %d", cycleID)
			}
			if err := needPhase(c.ID, c.Phase, "issue_certificates", PhaseAnnounced, PhaseClosed); err != nil {
				return err
			}
			work, have, err := certificateWork(ctx, tx, c)
			if err != nil {
				return err
			}
			total, done = len(work), len(have)
			seq := 0
			for _, cert := range have {
				seq = max(seq, cert.Seq)
			}
			var todo []store.Decision
			for _, w := range work {
				if !w.has && len(todo) < certificateBatch {
					todo = append(todo, w.d)
				}
			}
			if len(todo) == 0 {
				return nil
			}
			p, err := s.program(ctx, tx, c.ProgramVersionID)
			if err != nil {
				return err
			}
			recs, err := tx.CycleRecognitions(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, d := range todo {
				seq++
				cert, err := s.newCertificate(ctx, tx, c, p, d, recs, seq)
				if err != nil {
					return err
				}
				cert.CreatedAt = j.now
				if err := tx.InsertCertificate(ctx, &cert); err != nil {
					return err
				}
				j.record("certificate.issue", "certificate", cert.ID, nil, cert)
			}
			added = len(todo)
			done += added
			return nil
		})
		if err != nil {
			return n, err
		}
		n += added
		if progress != nil {
			progress(done, total)
		}
		if added == 0 || done >= total {
			return n, nil
		}
	}
}

// newCertificate makes certificate seq of cycle c for passing final
// decision d. recs are the recognitions of the cycle.
func (s *Service) newCertificate(ctx context.Context, tx *store.Tx, c store.Cycle, p *program.Program, d store.Decision,
	recs []store.Recognition, seq int) (store.Certificate, error) {
	if d.FinalisedAt == nil {
		return store.Certificate{}, internalf("decision %d is final but has no time of finalisation", d.ID)
	}
	r, err := attestedRecognition(ctx, tx, c, d, recs)
	if err != nil {
		return store.Certificate{}, err
	}
	e, err := tx.Enterprise(ctx, d.EnterpriseID)
	if err != nil {
		return store.Certificate{}, err
	}
	names, err := tx.EnterpriseNames(ctx, e.ID)
	if err != nil {
		return store.Certificate{}, err
	}
	// The term of the title the decision gave (see takeEffect): from the
	// day it took effect, for validity_years.
	issued := dateOnly(s.today(*d.FinalisedAt))
	until := issued.AddDate(p.Def.ValidityYears, 0, 0)
	number := CertificateNumber(p.Def.Name, c.Year, c.Kind, seq)
	if len(number) > maxCertificateNumber {
		return store.Certificate{}, internalf("certificate number %q is longer than %d characters", number, maxCertificateNumber)
	}
	issuer := certificateIssuer(p.Def)
	var tier program.Tier
	if len(p.Def.Certificate.Tiers) > 0 && d.RunID != 0 {
		score, err := tx.ResultScore(ctx, d.RunID, d.EnterpriseID)
		if err != nil {
			return store.Certificate{}, err
		}
		tier, _ = p.Def.Certificate.TierOf(score)
	}
	return store.Certificate{
		Number: number, CycleID: c.ID, Seq: seq, DecisionID: d.ID, EnterpriseID: e.ID, RecognitionID: r.ID,
		Award: p.Def.Certificate.AwardOf(), TierZh: tier.Name.Zh, TierEn: tier.Name.En,
		EnterpriseName: nameOn(e.Name, names, issued), USCC: e.USCC,
		TitleZh: p.Def.Title.Zh, TitleEn: p.Def.Title.En, IssuerZh: issuer.Zh, IssuerEn: issuer.En,
		IssuedOn: issued, ValidUntil: until,
	}, nil
}

// attestedRecognition is the title that decision d of cycle c granted
// (identification) or confirmed (review).
func attestedRecognition(ctx context.Context, tx *store.Tx, c store.Cycle, d store.Decision, recs []store.Recognition) (store.Recognition, error) {
	for _, r := range recs {
		if r.EnterpriseID != d.EnterpriseID {
			continue
		}
		if c.Kind == KindIdentification && r.GrantedCycleID == c.ID || c.Kind == KindReview && r.ConfirmedCycleID == c.ID {
			return r, nil
		}
	}
	if c.Kind == KindReview {
		// A later review confirmed (or revoked) it since: it is the
		// enterprise's newest title of the program granted before this
		// review's year.
		all, err := tx.Recognitions(ctx, d.EnterpriseID)
		if err != nil {
			return store.Recognition{}, err
		}
		for _, r := range all { // newest grant first
			if r.ProgramID == c.ProgramID && r.GrantedYear < c.Year {
				return r, nil
			}
		}
	}
	return store.Recognition{}, internalf("cycle %d passed enterprise %d, which holds no title the decision gave", c.ID, d.EnterpriseID)
}

// nameOn is the name an enterprise carried on day: the newest of names
// (oldest first) from that day or before, else current.
func nameOn(current string, names []store.EnterpriseName, day time.Time) string {
	name := ""
	for _, n := range names {
		if !n.ValidFrom.After(day) {
			name = n.Name
		}
	}
	if name == "" {
		return current
	}
	return name
}

// withStatus adds c's status, as of today, and what the reader needs to
// know about it.
func withStatus(c store.Certificate, r store.Recognition, e store.Enterprise, cy store.Cycle, programName string, today time.Time) Certificate {
	out := Certificate{Certificate: c, Status: certificateStatus(c, r, today), ProgramName: programName,
		CycleKind: cy.Kind, CycleYear: cy.Year}
	if out.Status == CertificateRevoked {
		out.RevokedAt, out.RevokedReasonZh, out.RevokedReasonEn = r.RevokedAt, r.RevokedReasonZh, r.RevokedReasonEn
	}
	if e.Name != "" && e.Name != c.EnterpriseName {
		out.CurrentName = e.Name
	}
	return out
}

// todayUTC is the service's calendar day now, as midnight UTC (the form
// days are kept in).
func (s *Service) todayUTC() time.Time { return dateOnly(s.today(s.clock())) }

// Certificate returns the certificate numbered number with its status as
// of the service's clock. Surrounding spaces are ignored and letters
// compared in upper case, as people type numbers off a plaque; any other
// number is not found.
func (s *Service) Certificate(ctx context.Context, number string) (Certificate, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if number == "" || len(number) > maxCertificateNumber {
		// No such number was ever issued: spare the database the look-up.
		return Certificate{}, errs.New(errs.NotFound, "certificate %q does not exist", number)
	}
	var out Certificate
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.CertificateByNumber(ctx, number)
		if err != nil {
			return missing(err, "certificate %q", number)
		}
		r, err := tx.Recognition(ctx, c.RecognitionID)
		if err != nil {
			return err
		}
		e, err := tx.Enterprise(ctx, c.EnterpriseID)
		if err != nil {
			return err
		}
		cy, err := tx.Cycle(ctx, c.CycleID)
		if err != nil {
			return err
		}
		p, err := tx.Program(ctx, cy.ProgramID)
		if err != nil {
			return err
		}
		out = withStatus(c, r, e, cy, p.Name, s.todayUTC())
		return nil
	})
	return result(out, err)
}

// CycleCertificates returns the certificates cycleID issued, by number,
// each with its status as of the service's clock; none before
// IssueCertificates ran.
func (s *Service) CycleCertificates(ctx context.Context, cycleID int64) ([]Certificate, error) {
	var out []Certificate
	err := s.read(ctx, func(tx *store.Tx) error {
		cy, err := tx.Cycle(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		p, err := tx.Program(ctx, cy.ProgramID)
		if err != nil {
			return err
		}
		certs, err := tx.CycleCertificates(ctx, cycleID)
		if err != nil {
			return err
		}
		recs, err := tx.CycleRecognitions(ctx, cycleID)
		if err != nil {
			return err
		}
		byID := make(map[int64]store.Recognition, len(recs))
		for _, r := range recs {
			byID[r.ID] = r
		}
		today := s.todayUTC()
		out = make([]Certificate, 0, len(certs))
		for _, c := range certs {
			r, ok := byID[c.RecognitionID]
			if !ok {
				return internalf("certificate %s refers to recognition %d, which its cycle's recognitions lack", c.Number, c.RecognitionID)
			}
			e, err := tx.Enterprise(ctx, c.EnterpriseID)
			if err != nil {
				return err
			}
			out = append(out, withStatus(c, r, e, cy, p.Name, today))
		}
		return nil
	})
	return result(out, err)
}

// CertificatePlan is what IssueCertificates would do for a cycle, for a
// page that asks before doing it.
type CertificatePlan struct {
	Cycle store.Cycle
	// Due is the number of certificates the cycle is due (its passing
	// final decisions); Issued how many it has.
	Due, Issued int
	// Refusal says why IssueCertificates would refuse the cycle now; ""
	// when it would not.
	Refusal string
}

// Missing is how many certificates IssueCertificates would issue.
func (p CertificatePlan) Missing() int { return p.Due - p.Issued }

// PlanCertificates returns cycleID's CertificatePlan. A cycle outside
// the announced and closed phases has a Refusal (it may have no passing
// final decision yet); a cycle that does not exist is not found.
func (s *Service) PlanCertificates(ctx context.Context, cycleID int64) (CertificatePlan, error) {
	var p CertificatePlan
	err := s.read(ctx, func(tx *store.Tx) error {
		c, err := tx.Cycle(ctx, cycleID)
		if err != nil {
			return missing(err, "cycle %d", cycleID)
		}
		p.Cycle = c
		if err := needPhase(c.ID, c.Phase, "issue_certificates", PhaseAnnounced, PhaseClosed); err != nil {
			p.Refusal = err.Error()
		}
		work, have, err := certificateWork(ctx, tx, c)
		if err != nil {
			return err
		}
		p.Due, p.Issued = len(work), len(have)
		return nil
	})
	return result(p, err)
}

// CertificatesDir is the folder under the service's data folder where
// the archives of a cycle's certificate PDFs are kept
// (<data>/certificates). It is not created here.
func (s *Service) CertificatesDir() (string, error) {
	dir, err := s.dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "certificates"), nil
}
