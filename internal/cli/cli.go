// Package cli is Exemplar's command line: it parses arguments, calls the
// packages that do the work, and prints for people.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the work failed: bad input, invalid definition
	ExitUsage = 2 // the command line was wrong
)

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Env is what a command may touch: its streams, whether stderr is a
// terminal (for progress bars), whether stdin is one (to ask before an
// irreversible change), and the clock.
type Env struct {
	Stdout, Stderr io.Writer
	Interactive    bool
	// Stdin is where confirmations and piped passwords are read;
	// StdinTerminal says whether a person is typing into it.
	Stdin         io.Reader
	StdinTerminal bool
	// Now, when set, replaces the database's clock for the lifecycle
	// commands (tests use it to move through notice periods).
	Now func() time.Time
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"annual-report", "file and list recognised enterprises' annual reports", runAnnualReport},
		{"application", "create, fill in, submit, withdraw, return, recommend and list applications", runApplication},
		{"audit", "verify the audit log's hash chain, or list its entries", runAudit},
		{"backup", "copy the SQLite database to a file, online, and verify the copy", runBackup},
		{"calendar", "set and list the public holidays and swapped working days notices count with", runCalendar},
		{"channel", "add, change and list the recommending channels", runChannel},
		{"cycle", "create cycles and move them through their phases, from draft to closed", runCycle},
		{"decision", "list, edit and finalise a cycle's decisions", runDecision},
		{"enterprise", "register enterprises, list them, show one and its timeline", runEnterprise},
		{"evidence", "attach evidence files to an application, list and fetch them", runEvidence},
		{"export", "write a cycle's results and decisions to XLSX or CSV", runExport},
		{"demo", "tell the whole story: a 2015 cohort recognised and reviewed in 2018, on an embedded database", runDemo},
		{"import", "load enterprises and applications into a cycle from XLSX or CSV, all or nothing", runImport},
		{"migrate", "bring the database schema up to date (--status lists migrations)", runMigrate},
		{"notice", "show a cycle's public notice and its objections", runNotice},
		{"objection", "file, handle and list objections to a public notice", runObjection},
		{"programs", "list, show or validate program definitions; register them in the database", runProgramsCommand},
		{"recognition", "list titles, expire those whose validity has run out", runRecognition},
		{"review", "expert review: conflicts, assignments, scoresheets, progress", runReview},
		{"restore", "replace the SQLite database with a verified backup", runRestore},
		{"serve", "run the web application: public site, every role's pages", runServe},
		{"score", "score enterprises from a spreadsheet under a program", runScore},
		{"template", "write the input spreadsheet template of a program", runTemplate},
		{"user", "add users, grant and revoke roles, disable them, list them", runUser},
	}
}

// Run runs the command line args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr, Stdin: os.Stdin, StdinTerminal: isTerminal(os.Stdin)}
	if f, ok := stderr.(*os.File); ok {
		env.Interactive = isTerminal(f)
	}
	return RunEnv(ctx, env, args)
}

// RunEnv runs the command line args (without the program name) in env
// and returns the exit code.
func RunEnv(ctx context.Context, env *Env, args []string) int {
	stdout, stderr := env.Stdout, env.Stderr
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			return exitCode(stderr, c.name, err)
		}
	}
	fmt.Fprintf(stderr, "exemplar: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return ExitUsage
}

func exitCode(stderr io.Writer, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "exemplar %s: %v\nRun 'exemplar %s -h' for help.\n", name, err, name)
		return ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "exemplar %s: interrupted\n", name)
		return ExitError
	}
	fmt.Fprintf(stderr, "exemplar %s: %v\n", name, err)
	return ExitError
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Exemplar runs enterprise recognition programs: definitions, scoring, decisions.")
	fmt.Fprintln(w, "\nUsage: exemplar COMMAND [options]\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'exemplar COMMAND -h' for a command's options.")
}

// isTerminal reports whether f is a terminal: a character device other
// than the null device (which scripts and services redirect to).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: exemplar %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseOnlyFlags parses a command that takes no positional arguments and
// checks its --lang.
func parseOnlyFlags(fs *flag.FlagSet, args []string, lang *string) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return checkLang(*lang)
}

func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", "en", "language of messages: en or zh")
}

func checkLang(lang string) error {
	if lang != "en" && lang != "zh" {
		return usagef("--lang must be en or zh, got %q", lang)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, strings.TrimSuffix(word, "s"))
}
