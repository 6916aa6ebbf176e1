package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// RegisterProgram validates a program definition (YAML) with program.Load
// and stores it as a version of its program: name and version label from
// the definition, the text as given, and its SHA-256. Registering the
// same text again changes nothing and returns the version stored the
// first time. It refuses an invalid definition (invalid, with every
// problem program.Load found) and a different text under a version label
// the program already has (conflict: a label names one text, because
// cycles and people refer to versions by it).
func (s *Service) RegisterProgram(ctx context.Context, actor Actor, definition []byte) (store.ProgramVersion, error) {
	p, err := program.Load(definition, "definition")
	if err != nil {
		return store.ProgramVersion{}, &errs.Error{Code: errs.Invalid, Msg: err.Error(), Err: err}
	}
	sum := sha256.Sum256(definition)
	hash := hex.EncodeToString(sum[:])
	def := p.Def
	var v store.ProgramVersion
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		prog, err := tx.ProgramByName(ctx, def.Name)
		switch {
		case errs.Is(err, errs.NotFound):
			prog = store.Program{Name: def.Name, TitleZh: def.Title.Zh, TitleEn: def.Title.En, CreatedAt: j.now, UpdatedAt: j.now}
			if err := tx.InsertProgram(ctx, &prog); err != nil {
				return err
			}
			j.record("program.create", "program", prog.ID, nil, prog)
		case err != nil:
			return err
		}
		v, err = tx.ProgramVersionByHash(ctx, prog.ID, hash)
		if err == nil {
			return nil // the same text again: nothing to do
		}
		if !errs.Is(err, errs.NotFound) {
			return err
		}
		if other, err := tx.ProgramVersionByLabel(ctx, prog.ID, def.Version); err == nil {
			return conflictf("program %s already has a version %q (program version %d, sha256 %s) with a different text: give the changed definition a new version label",
				def.Name, def.Version, other.ID, other.SHA256)
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		if prog.TitleZh != def.Title.Zh || prog.TitleEn != def.Title.En {
			before := prog
			prog.TitleZh, prog.TitleEn, prog.UpdatedAt = def.Title.Zh, def.Title.En, j.now
			if err := tx.UpdateProgram(ctx, &prog); err != nil {
				return err
			}
			j.record("program.retitle", "program", prog.ID, before, prog)
		}
		v = store.ProgramVersion{ProgramID: prog.ID, Program: prog.Name, Label: def.Version, Definition: string(definition), SHA256: hash, CreatedAt: j.now}
		if err := tx.InsertProgramVersion(ctx, &v); err != nil {
			return err
		}
		j.record("program.register", "program_version", v.ID, nil, v)
		return nil
	})
	if err != nil {
		return store.ProgramVersion{}, err
	}
	s.remember(v.ID, p)
	return v, nil
}

// RegisterBuiltinProgram registers the built-in program name (see
// program.BuiltinNames) like RegisterProgram.
func (s *Service) RegisterBuiltinProgram(ctx context.Context, actor Actor, name string) (store.ProgramVersion, error) {
	src, err := program.BuiltinSource(name)
	if err != nil {
		return store.ProgramVersion{}, &errs.Error{Code: errs.NotFound, Msg: err.Error(), Err: err}
	}
	return s.RegisterProgram(ctx, actor, src)
}

// program returns the compiled definition of program version id, from
// the cache or by loading the text the database keeps: a version's text
// never changes, so neither does its compiled form.
func (s *Service) program(ctx context.Context, tx *store.Tx, id int64) (*program.Program, error) {
	s.mu.Lock()
	p, ok := s.programs[id]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	v, err := tx.ProgramVersion(ctx, id)
	if err != nil {
		return nil, missing(err, "program version %d", id)
	}
	p, err = program.Load([]byte(v.Definition), v.Program+"@"+v.Label)
	if err != nil {
		// It was valid when registered: only a newer, stricter loader or a
		// hand-edited row gets here.
		return nil, internalf("program version %d (%s %s) no longer loads: %v", id, v.Program, v.Label, err)
	}
	s.remember(id, p)
	return p, nil
}

func (s *Service) remember(id int64, p *program.Program) {
	s.mu.Lock()
	s.programs[id] = p
	s.mu.Unlock()
}
