package store

import (
	"context"
	"time"
)

// EvidenceFile is one stored file, identified by the SHA-256 of its
// content (lower-case hex): the same content is stored once, however many
// applications attach it. StoredPath is where it lies, relative to the
// data folder, with forward slashes ("evidence/ab/ab12…").
type EvidenceFile struct {
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	StoredPath  string    `json:"stored_path"`
	CreatedAt   time.Time `json:"created_at"`
}

// Evidence is a file attached to an application, under the name the
// enterprise gave it, with the stored file's size and type.
type Evidence struct {
	ApplicationID int64     `json:"application_id"`
	SHA256        string    `json:"sha256"`
	Filename      string    `json:"filename"`
	Purpose       string    `json:"purpose,omitempty"`
	Size          int64     `json:"size"`
	ContentType   string    `json:"content_type"`
	AddedAt       time.Time `json:"added_at"`
}

// EvidenceFile returns the stored file with content hash sha256.
func (tx *Tx) EvidenceFile(ctx context.Context, sha256 string) (EvidenceFile, error) {
	var f EvidenceFile
	err := tx.QueryRow(ctx, "SELECT sha256, size, content_type, stored_path, created_at FROM evidence_files WHERE sha256 = ?", sha256).
		Scan(&f.SHA256, &f.Size, &f.ContentType, &f.StoredPath, &f.CreatedAt)
	f.CreatedAt = f.CreatedAt.UTC()
	return f, tx.db.wrap(err, "fetch evidence file %s", sha256)
}

// InsertEvidenceFile stores f unless a file with its hash is stored
// already, and reports whether it inserted it. Two transactions storing
// the same content at once both succeed: the second inserts nothing.
func (tx *Tx) InsertEvidenceFile(ctx context.Context, f EvidenceFile) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO evidence_files (sha256, size, content_type, stored_path, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, f.ContentType, f.StoredPath, ts(f.CreatedAt))
	if err != nil {
		return false, tx.db.wrap(err, "store evidence file %s", f.SHA256)
	}
	n, err := res.RowsAffected()
	return n == 1, tx.db.wrap(err, "store evidence file %s", f.SHA256)
}

// InsertEvidence attaches stored file e.SHA256 to application
// e.ApplicationID under e.Filename. The same content attached twice to one
// application is a conflict.
func (tx *Tx) InsertEvidence(ctx context.Context, e Evidence) error {
	_, err := tx.Exec(ctx, `INSERT INTO application_evidence (application_id, sha256, filename, purpose, added_at)
		VALUES (?, ?, ?, ?, ?)`, e.ApplicationID, e.SHA256, e.Filename, e.Purpose, ts(e.AddedAt))
	return tx.db.wrap(err, "attach evidence %s to application %d", e.Filename, e.ApplicationID)
}

// ApplicationEvidence returns the files attached to application
// applicationID, by the time they were added, then by name.
func (tx *Tx) ApplicationEvidence(ctx context.Context, applicationID int64) ([]Evidence, error) {
	rows, err := tx.Query(ctx, `SELECT ae.application_id, ae.sha256, ae.filename, ae.purpose, f.size, f.content_type, ae.added_at
		FROM application_evidence ae JOIN evidence_files f ON f.sha256 = ae.sha256
		WHERE ae.application_id = ? ORDER BY ae.added_at, ae.filename, ae.sha256`, applicationID)
	if err != nil {
		return nil, tx.db.wrap(err, "list evidence of application %d", applicationID)
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ApplicationID, &e.SHA256, &e.Filename, &e.Purpose, &e.Size, &e.ContentType, &e.AddedAt); err != nil {
			return nil, tx.db.wrap(err, "list evidence of application %d", applicationID)
		}
		e.AddedAt = e.AddedAt.UTC()
		out = append(out, e)
	}
	return out, tx.db.wrap(rows.Err(), "list evidence of application %d", applicationID)
}
