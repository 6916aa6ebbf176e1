package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store"
)

// runProgramsCommand is 'exemplar programs': register and versions work
// on the database; list, show and validate on definitions (runPrograms).
func runProgramsCommand(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("say list, show NAME|FILE, validate FILE, register NAME|FILE or versions")
	}
	if len(args) > 0 {
		switch args[0] {
		case "register":
			return programsRegister(ctx, env, args[1:])
		case "versions":
			return programsVersions(ctx, env, args[1:])
		}
	}
	return runPrograms(ctx, env, args)
}

// programsRegister stores a built-in program or a definition file as a
// version of its program (workflow.RegisterBuiltinProgram,
// RegisterProgram). Registering the same text again changes nothing.
func programsRegister(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "programs register", "programs register NAME|FILE.yaml [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("register takes one program: a built-in name (%s) or a YAML file", strings.Join(program.BuiltinNames(), ", "))
	}
	ref := pos[0]
	var def []byte
	if strings.ContainsAny(ref, "/\\.") {
		if def, err = os.ReadFile(ref); err != nil {
			return err
		}
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	var v store.ProgramVersion
	if def == nil {
		v, err = a.s.RegisterBuiltinProgram(ctx, a.actor, ref)
	} else {
		v, err = a.s.RegisterProgram(ctx, a.actor, def)
	}
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, v)
	}
	fmt.Fprintf(env.Stdout, "program %s version %q is program version %d (sha256 %s)\n", v.Program, v.Label, v.ID, v.SHA256[:12])
	return nil
}

// programsVersions lists the program versions the database holds.
func programsVersions(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "programs versions", "programs versions [--json] [--database URL]")
	c := readFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	vs, err := a.programVersions(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, vs)
	}
	if len(vs) == 0 {
		fmt.Fprintln(env.Stdout, "no programs registered: run 'exemplar programs register NAME|FILE'")
		return nil
	}
	tw := newTable(env.Stdout, "VERSION ID\tPROGRAM\tLABEL\tSHA256\tREGISTERED")
	for _, v := range vs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.ID, v.Program, v.Label, v.SHA256[:12], showTime(v.CreatedAt))
	}
	return tw.Flush()
}

// programVersions reads every program version, oldest first. Neither
// workflow nor store lists them, so the ids come from one portable query.
func (a *app) programVersions(ctx context.Context) ([]store.ProgramVersion, error) {
	var vs []store.ProgramVersion
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM program_versions ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			v, err := tx.ProgramVersion(ctx, id)
			if err != nil {
				return err
			}
			v.Definition = ""
			vs = append(vs, v)
		}
		return nil
	})
	return vs, err
}

// programVersionRef finds the program version ref names: a version id,
// NAME@LABEL, or NAME for its newest version.
func (a *app) programVersionRef(ctx context.Context, ref string) (store.ProgramVersion, error) {
	if ref == "" {
		return store.ProgramVersion{}, usagef("say which program with --program NAME[@LABEL] or a program version id")
	}
	if id, err := parseID("--program", ref); err == nil {
		var v store.ProgramVersion
		err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
			v, err = tx.ProgramVersion(ctx, id)
			return err
		})
		return v, err
	}
	name, label, hasLabel := strings.Cut(ref, "@")
	vs, err := a.programVersions(ctx)
	if err != nil {
		return store.ProgramVersion{}, err
	}
	var found *store.ProgramVersion
	for i := range vs {
		if vs[i].Program == name && (!hasLabel || vs[i].Label == label) {
			found = &vs[i] // the newest matching one wins
		}
	}
	if found == nil {
		return store.ProgramVersion{}, usagef("--program %s: the database holds no such program version (register it with 'exemplar programs register', list them with 'exemplar programs versions')", ref)
	}
	return *found, nil
}

// queryIDs runs a query that selects one id column.
func queryIDs(ctx context.Context, tx *store.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// loadVersion compiles a stored program version's definition.
func (a *app) loadVersion(ctx context.Context, id int64) (*program.Program, error) {
	var v store.ProgramVersion
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		v, err = tx.ProgramVersion(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return program.Load([]byte(v.Definition), v.Program+"@"+v.Label)
}
