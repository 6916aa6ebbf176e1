package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	scenarios := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitOK, "Commands:"},
		{[]string{"nonsense"}, ExitUsage, `unknown command "nonsense"`},
		{[]string{"score"}, ExitUsage, "--in is required"},
		{[]string{"score", "--in", "x.csv", "--out", "x.pdf", "--program", "hnte"}, ExitUsage, ".xlsx, .csv or .json"},
		{[]string{"score", "--bogus"}, ExitUsage, "flag provided but not defined"},
		{[]string{"score", "--in", "x.csv", "--lang", "fr"}, ExitUsage, "--lang must be en or zh"},
		{[]string{"programs"}, ExitUsage, "list, show"},
		{[]string{"programs", "show"}, ExitUsage, "one program"},
		{[]string{"template", "--program", "hnte", "--out", "t.csv"}, ExitUsage, ".xlsx"},
		{[]string{"score", "--in", "x.csv"}, ExitUsage, "--program is required"},
		{[]string{"score", "--in", "x.csv", "--program", "nope"}, ExitError, `no built-in program "nope"`},
	}
	for _, s := range scenarios {
		code, out, errs := run(t, s.args...)
		if code != s.code || !strings.Contains(out+errs, s.want) {
			t.Errorf("exemplar %v: exit %d, want %d; output lacks %q:\n%s%s", s.args, code, s.code, s.want, out, errs)
		}
	}
}

func TestPrograms(t *testing.T) {
	code, out, _ := run(t, "programs", "list")
	if code != 0 || !strings.Contains(out, "hnte") || !strings.Contains(out, "miit-tide") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = run(t, "programs", "show", "hnte", "--lang", "zh")
	for _, w := range []string{"高新技术企业", "rd_intensity", "transformation", "pass when score > 70"} {
		if !strings.Contains(out, w) {
			t.Errorf("show hnte lacks %q:\n%s", w, out)
		}
	}
	if code != 0 {
		t.Errorf("show: exit %d", code)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("schema: exemplar/v1\nname: x\ntitle: {en: X}\nyears: 3\nid: code\ninputs:\n  - {id: code, kind: text}\nindicators:\n  - {id: a, expr: \"b + 1\"}\n  - {id: b, expr: \"a + 1\"}\nscoring:\n  model: bands\n  framework: {id: t, children: [{id: x, weight: -1, points: \"a\"}]}\n"), 0o644)
	code, out, _ = run(t, "programs", "validate", bad)
	if code != ExitError {
		t.Errorf("validate bad: exit %d", code)
	}
	for _, w := range []string{"cycle: a → b → a", "scoring.framework.children[0].weight: must be > 0"} {
		if !strings.Contains(out, w) {
			t.Errorf("validate output lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = run(t, "programs", "validate", "../../examples/asem.yaml")
	if code != 0 || !strings.Contains(out, "valid") {
		t.Errorf("validate asem: %d %s", code, out)
	}
}

func TestScoreWritesEveryFormat(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "demo", "--keep", dir, "--serve=false"); code != 0 {
		t.Fatal(errs)
	}
	in := filepath.Join(dir, "miit-tide-sample.csv")
	for _, ext := range []string{".csv", ".xlsx", ".json"} {
		out := filepath.Join(dir, "results"+ext)
		code, stdout, errs := run(t, "score", "--program", "miit-tide", "--in", in, "--out", out, "--lang", "zh")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ext, code, errs)
		}
		if !strings.Contains(stdout, "Wrote "+out+" (150 rows)") {
			t.Errorf("%s: %s", ext, stdout)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch ext {
		case ".json":
			var doc struct {
				Program     string `json:"program"`
				Enterprises []struct {
					ID      string `json:"id"`
					Outcome string `json:"outcome"`
					Reason  struct{ Zh, En string }
					Nodes   map[string]struct{ Score *float64 }
				} `json:"enterprises"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatalf("json: %v", err)
			}
			if doc.Program != "miit-tide" || len(doc.Enterprises) != 150 {
				t.Errorf("json: %s with %d enterprises", doc.Program, len(doc.Enterprises))
			}
			e := doc.Enterprises[0]
			if len(e.ID) != 18 || e.Reason.Zh == "" || e.Reason.En == "" || len(e.Nodes) != 32 {
				t.Errorf("json enterprise: %+v", e)
			}
		case ".csv":
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) != 151 || !strings.Contains(lines[0], "outcome") {
				t.Errorf("csv: %d lines, header %q", len(lines), lines[0])
			}
		case ".xlsx":
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(f.GetSheetName(0))
			if len(rows) != 151 {
				t.Errorf("xlsx: %d rows", len(rows))
			}
		}
	}
}

func TestScoreRefusesBadData(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.csv")
	os.WriteFile(path, []byte("uscc,sales [3]\n91110108MA01C1AB2B,-5\n"), 0o644)
	out := filepath.Join(dir, "out.csv")
	code, _, errs := run(t, "score", "--program", "hnte", "--in", path, "--out", out)
	if code != ExitError || !strings.Contains(errs, "row 2, column B") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("an output was written for refused data")
	}
}

func TestTemplate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "t.xlsx")
	code, stdout, errs := run(t, "template", "--program", "miit-tide", "--out", out)
	if code != 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(stdout, "37 columns") {
		t.Errorf("%s", stdout)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) < 3 || rows[0][0] != "统一社会信用代码 Unified social credit code" {
		t.Errorf("template rows: %q", rows)
	}
}
