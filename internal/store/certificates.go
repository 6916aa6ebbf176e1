package store

import (
	"context"
	"time"
)

// Certificate is a numbered certificate (证书/牌匾) that a passing final
// decision issued. It keeps the texts as they were printed; its status is
// derived from its recognition (see workflow.Certificate) and is not
// stored. Certificates are inserted once and never changed.
type Certificate struct {
	ID            int64  `json:"id"`
	Number        string `json:"number"` // unique, e.g. MIIT-TIDE-2018-R-0001
	CycleID       int64  `json:"cycle_id"`
	Seq           int    `json:"seq"` // 1, 2, … in its cycle
	DecisionID    int64  `json:"decision_id"`
	EnterpriseID  int64  `json:"enterprise_id"`
	RecognitionID int64  `json:"recognition_id"`
	Award         string `json:"award"` // plaque or medal
	TierZh        string `json:"tier_zh,omitempty"`
	TierEn        string `json:"tier_en,omitempty"`
	// EnterpriseName and USCC are the enterprise's as printed.
	EnterpriseName string `json:"enterprise_name"`
	USCC           string `json:"uscc"`
	// TitleZh and TitleEn are the title the certificate confers (the
	// program's), IssuerZh and IssuerEn who confers it.
	TitleZh    string    `json:"title_zh"`
	TitleEn    string    `json:"title_en"`
	IssuerZh   string    `json:"issuer_zh"`
	IssuerEn   string    `json:"issuer_en"`
	IssuedOn   time.Time `json:"issued_on"`   // a day, midnight UTC
	ValidUntil time.Time `json:"valid_until"` // the last valid day, midnight UTC
	CreatedAt  time.Time `json:"created_at"`
}

const certificateColumns = `id, number, cycle_id, seq, decision_id, enterprise_id, recognition_id, award, tier_zh, tier_en,
	enterprise_name, uscc, title_zh, title_en, issuer_zh, issuer_en, issued_on, valid_until, created_at`

func scanCertificate(row interface{ Scan(...any) error }) (Certificate, error) {
	var c Certificate
	err := row.Scan(&c.ID, &c.Number, &c.CycleID, &c.Seq, &c.DecisionID, &c.EnterpriseID, &c.RecognitionID, &c.Award,
		&c.TierZh, &c.TierEn, &c.EnterpriseName, &c.USCC, &c.TitleZh, &c.TitleEn, &c.IssuerZh, &c.IssuerEn,
		&c.IssuedOn, &c.ValidUntil, &c.CreatedAt)
	c.IssuedOn, c.ValidUntil, c.CreatedAt = dayOf(c.IssuedOn), dayOf(c.ValidUntil), c.CreatedAt.UTC()
	return c, err
}

// InsertCertificate stores c and sets c.ID. A number, a (cycle, seq) or a
// (cycle, enterprise) already taken is a Conflict.
func (tx *Tx) InsertCertificate(ctx context.Context, c *Certificate) error {
	err := tx.QueryRow(ctx, `INSERT INTO certificates (number, cycle_id, seq, decision_id, enterprise_id, recognition_id, award,
			tier_zh, tier_en, enterprise_name, uscc, title_zh, title_en, issuer_zh, issuer_en, issued_on, valid_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Number, c.CycleID, c.Seq, c.DecisionID, c.EnterpriseID, c.RecognitionID, c.Award, c.TierZh, c.TierEn,
		c.EnterpriseName, c.USCC, c.TitleZh, c.TitleEn, c.IssuerZh, c.IssuerEn, day(c.IssuedOn), day(c.ValidUntil),
		ts(c.CreatedAt)).Scan(&c.ID)
	return tx.db.wrap(err, "issue certificate %s", c.Number)
}

// CertificateByNumber returns the certificate numbered number (exactly:
// numbers are compared as stored).
func (tx *Tx) CertificateByNumber(ctx context.Context, number string) (Certificate, error) {
	c, err := scanCertificate(tx.QueryRow(ctx, "SELECT "+certificateColumns+" FROM certificates WHERE number = ?", number))
	return c, tx.db.wrap(err, "fetch certificate %q", number)
}

// CycleCertificates returns the certificates of cycleID by seq.
func (tx *Tx) CycleCertificates(ctx context.Context, cycleID int64) ([]Certificate, error) {
	rows, err := tx.Query(ctx, "SELECT "+certificateColumns+" FROM certificates WHERE cycle_id = ? ORDER BY seq", cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "list certificates of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list certificates of cycle %d", cycleID)
		}
		out = append(out, c)
	}
	return out, tx.db.wrap(rows.Err(), "list certificates of cycle %d", cycleID)
}

// Recognition returns recognition id.
func (tx *Tx) Recognition(ctx context.Context, id int64) (Recognition, error) {
	r, err := scanRecognition(tx.QueryRow(ctx, "SELECT "+recognitionColumns+" FROM recognitions WHERE id = ?", id))
	return r, tx.db.wrap(err, "fetch recognition %d", id)
}

// CycleRecognitions returns the recognitions that cycleID granted, last
// confirmed or revoked, and those that its certificates refer to (a
// later review may since have confirmed them), by id.
func (tx *Tx) CycleRecognitions(ctx context.Context, cycleID int64) ([]Recognition, error) {
	rows, err := tx.Query(ctx, "SELECT "+recognitionColumns+` FROM recognitions
		WHERE granted_cycle_id = ? OR confirmed_cycle_id = ? OR revoked_cycle_id = ?
			OR id IN (SELECT recognition_id FROM certificates WHERE cycle_id = ?)
		ORDER BY id`, cycleID, cycleID, cycleID, cycleID)
	if err != nil {
		return nil, tx.db.wrap(err, "list recognitions of cycle %d", cycleID)
	}
	defer rows.Close()
	var out []Recognition
	for rows.Next() {
		r, err := scanRecognition(rows)
		if err != nil {
			return nil, tx.db.wrap(err, "list recognitions of cycle %d", cycleID)
		}
		out = append(out, r)
	}
	return out, tx.db.wrap(rows.Err(), "list recognitions of cycle %d", cycleID)
}
