package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// testDefinition is miit-tide renamed (so that it registers as a program
// of its own) with edit applied to its text.
func testDefinition(t *testing.T, edit func(string) string) string {
	t.Helper()
	src, err := program.BuiltinSource("miit-tide")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "name: miit-tide", "name: web-test", 1)
	if edit != nil {
		text = edit(text)
	}
	return text
}

// TestUploadInvalidDefinition: each problem comes back with its path and,
// where the path is in the text, its line highlighted; nothing is
// registered.
func TestUploadInvalidDefinition(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	admin := s.as("admin")
	bad := testDefinition(t, func(text string) string {
		text = strings.Replace(text, "weight: 30 #", "weight: -30 #", 1)
		return strings.Replace(text, `rule: "employees >= 300"`, `rule: "staff >= 300"`, 1)
	})
	resp, body := admin.postSetupFile("/admin/programs/check", map[string]string{"text": bad}, "", nil)
	setupStatus(t, "check an invalid definition", resp, body, http.StatusUnprocessableEntity)
	_, err := program.Load([]byte(bad), "definition")
	ps, ok := err.(*program.Problems)
	if !ok || len(ps.List) < 2 {
		t.Fatalf("the test definition should have several problems: %v", err)
	}
	for _, p := range ps.List {
		setupHas(t, "problem list", body, "<code>"+p.Path+"</code>")
	}
	// The lines the problems are on are marked in the listing, and the
	// problems link to them.
	for _, needle := range []string{"weight: -30", `rule: "staff`} {
		line := 0
		for i, l := range strings.Split(bad, "\n") {
			if strings.Contains(l, needle) {
				line = i + 1
			}
		}
		if !strings.Contains(body, `<tr id="L`+strconv.Itoa(line)+`" class="error">`) || !strings.Contains(body, `href="#L`+strconv.Itoa(line)+`"`) {
			t.Errorf("line %d (%s) is not highlighted and linked", line, needle)
		}
	}
	progs, err := s.svc.Programs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		if p.Name == "web-test" {
			t.Fatal("an invalid definition was registered")
		}
	}

	// YAML that does not parse: the parser's line is the problem's.
	broken := "schema: exemplar/v1\nname: x\n\tversion: 1\n"
	_, err = program.Load([]byte(broken), "definition")
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("the parser names no line: %v", err)
	}
	resp, body = admin.postSetupFile("/admin/programs/check", nil, "broken.yaml", []byte(broken))
	setupStatus(t, "check broken YAML", resp, body, http.StatusUnprocessableEntity)
	setupHas(t, "broken YAML", body, `<tr id="L`+m[1]+`" class="error">`)
}

// TestRegisterDefinition: a valid upload is shown as it reads, with its
// free text escaped, and registered only on confirmation.
func TestRegisterDefinition(t *testing.T) {
	s := newSite(t, storetest.Open(t, "sqlite"), Config{})
	admin := s.as("admin")
	good := testDefinition(t, func(text string) string {
		return strings.Replace(text, `title: {zh: 国家技术创新示范企业, en: "National Technological Innovation Demonstration Enterprise"}`,
			`title: {zh: "<script>alert(1)</script>示范", en: "<b>Test</b> program"}`, 1)
	})
	resp, body := admin.postSetupFile("/admin/programs/check", nil, "web-test.yaml", []byte(good))
	setupStatus(t, "check a valid definition", resp, body, http.StatusOK)
	setupHas(t, "confirmation", body, "&lt;script&gt;alert(1)&lt;/script&gt;", `name="encoded"`, "employees", "persons")
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the title's HTML reached the page unescaped")
	}
	progs, _ := s.svc.Programs(context.Background())
	for _, p := range progs {
		if p.Name == "web-test" {
			t.Fatal("checking registered the definition")
		}
	}
	resp, body = admin.postForm("/admin/programs", url.Values{"encoded": {encodedDefinition(t, body)}})
	setupStatus(t, "register", resp, body, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	resp, body = admin.get(loc)
	setupStatus(t, "version page", resp, body, http.StatusOK)
	setupHas(t, "version page", body, "&lt;script&gt;", "2010.2", "sound_credit", "名额")
	resp, body = admin.get(loc + "/definition.yaml")
	setupStatus(t, "download", resp, body, http.StatusOK)
	if body != good {
		t.Error("the downloaded definition differs from the uploaded file")
	}
	resp, body = admin.get("/admin/programs")
	setupStatus(t, "programs", resp, body, http.StatusOK)
	setupHas(t, "programs", body, "web-test", "&lt;script&gt;alert(1)&lt;/script&gt;示范")

	// The same label with another text is refused in the form.
	changed := strings.Replace(good, "validity_years: 3", "validity_years: 4", 1)
	resp, body = admin.postSetupFile("/admin/programs/check", map[string]string{"text": changed}, "", nil)
	setupStatus(t, "check a changed text", resp, body, http.StatusOK)
	resp, body = admin.postForm("/admin/programs", url.Values{"encoded": {encodedDefinition(t, body)}})
	setupStatus(t, "register under a taken label", resp, body, http.StatusConflict)
	setupHas(t, "conflict", body, "already has a version")
}

// encodedDefinition is the definition a confirmation page carries, as
// the browser sends it back.
func encodedDefinition(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="encoded" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no encoded definition in the confirmation")
	}
	return html.UnescapeString(m[1])
}

// TestLineOfPath maps validation paths to lines of the text.
func TestLineOfPath(t *testing.T) {
	src := "a: 1\nscoring:\n  framework:\n    children:\n      - id: x\n        weight: -1\n      - id: y\n"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"a": 1, "scoring.framework.children[0].weight": 6, "scoring.framework.children[1]": 7,
		"scoring.framework.children[1].weight": 7, // missing: where it belongs
		"nothing":                              0,
	} {
		if got := lineOfPath(&root, path); got != want {
			t.Errorf("%s: line %d, want %d", path, got, want)
		}
	}
}
