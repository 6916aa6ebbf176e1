package workflow

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/exemplar/exemplar/internal/store"
)

// maxDeclarations bounds the statements one application declares.
const maxDeclarations = 100

// checkDeclarationKey allows the identifiers program definitions use:
// 1 to 64 characters, lower-case ASCII letters, digits and '_', beginning
// with a letter (e.g. "independent_legal_person", "sound_credit").
func checkDeclarationKey(k string) bool {
	if len(k) == 0 || len(k) > 64 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// SaveDeclarations replaces the declarations of application id, at
// version: the yes/no statements the enterprise declares (that it is an
// independent legal person with sound finances and good credit, say),
// keyed by identifier. They are stored as a JSON object with sorted keys
// and the change is audited with the application before and after. It
// refuses a bad key or more than 100 of them (invalid, naming each bad
// key), and, like SaveApplication, a stale version, an application that
// is not a draft or returned, and a cycle that no longer takes
// applications (conflict).
func (s *Service) SaveDeclarations(ctx context.Context, actor Actor, id, version int64, declarations map[string]bool) (store.Application, error) {
	if len(declarations) > maxDeclarations {
		return store.Application{}, invalidf("application %d: at most %d declarations, not %d", id, maxDeclarations, len(declarations))
	}
	var bad []string
	for k := range declarations {
		if !checkDeclarationKey(k) {
			bad = append(bad, `"`+k+`"`)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return store.Application{}, invalidf("application %d: %s not a declaration identifier (1 to 64 characters: a-z, 0-9 and _, beginning with a letter): %s",
			id, count(len(bad), "key is", "keys are"), strings.Join(bad, ", "))
	}
	if declarations == nil {
		declarations = map[string]bool{}
	}
	doc, err := json.Marshal(declarations) // a map marshals with its keys sorted
	if err != nil {
		return store.Application{}, internalf("application %d: encode declarations: %v", id, err)
	}
	var a store.Application
	err = s.write(ctx, actor, func(tx *store.Tx, j *journal) error {
		c, locked, err := s.lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		a = locked
		if err := s.needEditable(c, a, "save_declarations", "save_declarations", version, j); err != nil {
			return err
		}
		before := a
		a.Declarations, a.UpdatedAt = doc, j.now
		if err := tx.UpdateApplication(ctx, &a); err != nil {
			return err
		}
		j.change("application.save_declarations", "application", a.ID, before, a)
		return nil
	})
	return result(a, err)
}
