package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

func runEvidence(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "evidence", []subcommand{
		{"add", "attach files (PDF, PNG, JPEG, XLSX) to a draft or returned application", evidenceAdd},
		{"list", "list an application's evidence", evidenceList},
		{"get", "copy a stored evidence file out, after checking it is undamaged", evidenceGet},
	}, args)
}

// dataFlag adds --data: where evidence files are kept.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "", "the data folder evidence is kept in, as 'exemplar serve' keeps it (default $"+envData+", else the SQLite database's folder)")
}

// dataOption is the service option --data, else $EXEMPLAR_DATA, asks
// for; neither leaves the workflow's default (the SQLite database's
// folder).
func dataOption(dir string) []workflow.Option {
	if dir == "" {
		dir = os.Getenv(envData)
	}
	if dir == "" {
		return nil
	}
	return []workflow.Option{workflow.WithDataDir(dir)}
}

// evidenceAdd attaches each FILE in turn (workflow.AttachEvidence, one
// transaction each); it stops at the first refusal, saying which files
// were attached before it.
func evidenceAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "evidence add", "evidence add APP FILE... [--name NAME] [--data DIR] [--as NAME] [--json] [--database URL]")
	c := writeFlags(fs)
	name := fs.String("name", "", "the name to attach it under (one FILE only; default: the file's name)")
	data := dataFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("say APP and one or more FILEs")
	}
	id, err := parseID("APP", pos[0])
	if err != nil {
		return err
	}
	files := pos[1:]
	if *name != "" && len(files) > 1 {
		return usagef("--name names one file; %d were given", len(files))
	}
	a, err := c.open(ctx, env, dataOption(*data)...)
	if err != nil {
		return err
	}
	defer a.Close()
	var added []store.Evidence
	for _, path := range files {
		e, err := attach(ctx, a, id, path, *name)
		if err != nil {
			if len(added) > 0 {
				return fmt.Errorf("%s: %w (attached before it: %s)", path, err, plural(len(added), "file"))
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		added = append(added, e)
		if !a.json {
			fmt.Fprintf(env.Stdout, "attached %s to application %d (%s, %s, sha256 %s)\n", e.Filename, id, e.ContentType, sizeText(e.Size), e.SHA256[:12])
		}
	}
	if a.json {
		return printJSON(env.Stdout, added)
	}
	return nil
}

func attach(ctx context.Context, a *app, id int64, path, name string) (store.Evidence, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Evidence{}, err
	}
	defer f.Close()
	if name == "" {
		name = filepath.Base(path)
	}
	return a.s.AttachEvidence(ctx, a.actor, id, name, f)
}

func evidenceList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "evidence list", "evidence list APP [--json] [--database URL]")
	c := readFlags(fs)
	a, id, err := c.openOne(ctx, env, fs, args, "APP")
	if err != nil {
		return err
	}
	defer a.Close()
	es, err := a.s.Evidence(ctx, id)
	if err != nil {
		return err
	}
	if a.json {
		return printJSON(env.Stdout, nonNil(es))
	}
	if len(es) == 0 {
		fmt.Fprintf(env.Stdout, "application %d has no evidence\n", id)
		return nil
	}
	tw := newTable(env.Stdout, "FILE\tTYPE\tSIZE\tSHA256\tADDED")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Filename, e.ContentType, sizeText(e.Size), e.SHA256, showTime(e.AddedAt))
	}
	return tw.Flush()
}

// evidenceGet copies the stored file with a content hash to --out
// (workflow.OpenEvidence checks it first); the file appears whole or not
// at all.
func evidenceGet(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "evidence get", "evidence get SHA256 --out FILE [--force] [--data DIR] [--database URL]")
	c := readFlags(fs)
	out := fs.String("out", "", "the file to write")
	force := fs.Bool("force", false, "replace --out if it exists")
	data := dataFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("say which file: its SHA256 (see 'exemplar evidence list APP')")
	}
	if *out == "" {
		return usagef("say where to write it with --out FILE")
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		return usagef("%s exists: say --force to replace it", *out)
	}
	a, err := c.open(ctx, env, dataOption(*data)...)
	if err != nil {
		return err
	}
	defer a.Close()
	r, ef, err := a.s.OpenEvidence(ctx, pos[0])
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".evidence-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("writing %s", *out), err)
	}
	if a.json {
		return printJSON(env.Stdout, ef)
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s, %s)\n", *out, ef.ContentType, sizeText(ef.Size))
	return nil
}
