package store

import (
	"context"
	"time"
)

// Program is a recognition program: its name and titles. Its definitions
// are ProgramVersions.
type Program struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	TitleZh   string    `json:"title_zh"`
	TitleEn   string    `json:"title_en"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProgramVersion is one definition text of a program, stored once per
// program and SHA-256. Cycles refer to the exact version they ran with.
type ProgramVersion struct {
	ID         int64     `json:"id"`
	ProgramID  int64     `json:"program_id"`
	Program    string    `json:"program"` // the program's name (read only)
	Label      string    `json:"label"`
	Definition string    `json:"-"` // the YAML text; left out of audit entries, which keep the hash
	SHA256     string    `json:"sha256"`
	CreatedAt  time.Time `json:"created_at"`
}

const programColumns = "id, name, title_zh, title_en, version, created_at, updated_at"

func scanProgram(row interface{ Scan(...any) error }) (Program, error) {
	var p Program
	err := row.Scan(&p.ID, &p.Name, &p.TitleZh, &p.TitleEn, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// ProgramByName returns the program called name, locked until the
// transaction ends when tx writes (so that two registrations of the same
// program take turns).
func (tx *Tx) ProgramByName(ctx context.Context, name string) (Program, error) {
	q := "SELECT " + programColumns + " FROM programs WHERE name = ?"
	if !tx.readOnly {
		q += tx.db.dialect.forUpdate()
	}
	p, err := scanProgram(tx.QueryRow(ctx, q, name))
	return p, tx.db.wrap(err, "fetch program %q", name)
}

// Program returns program id.
func (tx *Tx) Program(ctx context.Context, id int64) (Program, error) {
	p, err := scanProgram(tx.QueryRow(ctx, "SELECT "+programColumns+" FROM programs WHERE id = ?", id))
	return p, tx.db.wrap(err, "fetch program %d", id)
}

// InsertProgram stores p (its Version is 1) and sets p.ID.
func (tx *Tx) InsertProgram(ctx context.Context, p *Program) error {
	p.Version = 1
	err := tx.QueryRow(ctx, `INSERT INTO programs (name, title_zh, title_en, version, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, ?) RETURNING id`, p.Name, p.TitleZh, p.TitleEn, ts(p.CreatedAt), ts(p.UpdatedAt)).Scan(&p.ID)
	return tx.db.wrap(err, "create program %q", p.Name)
}

// UpdateProgram writes p's titles if p.Version is still current, and
// bumps p.Version.
func (tx *Tx) UpdateProgram(ctx context.Context, p *Program) error {
	res, err := tx.Exec(ctx, `UPDATE programs SET title_zh = ?, title_en = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, p.TitleZh, p.TitleEn, ts(p.UpdatedAt), p.ID, p.Version)
	if err == nil {
		err = checkOne(res, p.Version)
	}
	if err != nil {
		return tx.db.wrap(err, "update program %d", p.ID)
	}
	p.Version++
	return nil
}

const programVersionColumns = "v.id, v.program_id, p.name, v.label, v.definition, v.sha256, v.created_at"

func scanProgramVersion(row interface{ Scan(...any) error }) (ProgramVersion, error) {
	var v ProgramVersion
	err := row.Scan(&v.ID, &v.ProgramID, &v.Program, &v.Label, &v.Definition, &v.SHA256, &v.CreatedAt)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, err
}

// ProgramVersion returns program version id with its definition text.
func (tx *Tx) ProgramVersion(ctx context.Context, id int64) (ProgramVersion, error) {
	v, err := scanProgramVersion(tx.QueryRow(ctx, "SELECT "+programVersionColumns+
		" FROM program_versions AS v JOIN programs AS p ON p.id = v.program_id WHERE v.id = ?", id))
	return v, tx.db.wrap(err, "fetch program version %d", id)
}

// ProgramVersionByHash returns the version of program programID whose
// text has the SHA-256 sha (hex).
func (tx *Tx) ProgramVersionByHash(ctx context.Context, programID int64, sha string) (ProgramVersion, error) {
	v, err := scanProgramVersion(tx.QueryRow(ctx, "SELECT "+programVersionColumns+
		" FROM program_versions AS v JOIN programs AS p ON p.id = v.program_id WHERE v.program_id = ? AND v.sha256 = ?", programID, sha))
	return v, tx.db.wrap(err, "fetch program %d version %s", programID, sha)
}

// ProgramVersionByLabel returns the oldest version of program programID
// labelled label.
func (tx *Tx) ProgramVersionByLabel(ctx context.Context, programID int64, label string) (ProgramVersion, error) {
	v, err := scanProgramVersion(tx.QueryRow(ctx, "SELECT "+programVersionColumns+
		" FROM program_versions AS v JOIN programs AS p ON p.id = v.program_id WHERE v.program_id = ? AND v.label = ? ORDER BY v.id LIMIT 1", programID, label))
	return v, tx.db.wrap(err, "fetch program %d version %q", programID, label)
}

// InsertProgramVersion stores v and sets v.ID.
func (tx *Tx) InsertProgramVersion(ctx context.Context, v *ProgramVersion) error {
	err := tx.QueryRow(ctx, `INSERT INTO program_versions (program_id, label, definition, sha256, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, v.ProgramID, v.Label, v.Definition, v.SHA256, ts(v.CreatedAt)).Scan(&v.ID)
	return tx.db.wrap(err, "create program %d version %q", v.ProgramID, v.Label)
}
