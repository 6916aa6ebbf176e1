package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

// recognise grants code the mini title through a 2018 identification
// cycle run with the Go API on l's database and clock, which it leaves
// just after the announcement.
func recognise(t *testing.T, l *lifecycleDB, code string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, l.path, store.WithClock(l.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := workflow.New(db, workflow.WithClock(l.clock.Now))
	admin := workflow.Actor{Name: "admin"}
	var versionID int64
	err = db.Read(ctx, func(tx *store.Tx) error {
		p, err := tx.ProgramByName(ctx, "mini")
		if err != nil {
			return err
		}
		v, err := tx.ProgramVersionByLabel(ctx, p.ID, "1")
		versionID = v.ID
		return err
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(err)
	e, err := s.RegisterEnterprise(ctx, admin, code, "老企业", "jiangsu")
	must(err)
	c, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: versionID, Kind: workflow.KindIdentification, Year: 2018, TitleZh: "2018", TitleEn: "2018"})
	must(err)
	_, err = s.OpenCycle(ctx, admin, c.ID)
	must(err)
	ap, err := s.CreateApplication(ctx, admin, c.ID, e.ID)
	must(err)
	ap, err = s.SaveApplication(ctx, admin, ap.ID, ap.Version, json.RawMessage(`{"staff": 40, "sales": [10, 200]}`))
	must(err)
	_, err = s.SubmitApplication(ctx, admin, ap.ID, ap.Version, "k")
	must(err)
	_, err = s.CloseApplications(ctx, admin, c.ID)
	must(err)
	ch, err := l.channelID(ctx, db, "jiangsu")
	must(err)
	_, err = s.Recommend(ctx, admin, ch, []int64{ap.ID})
	must(err)
	_, err = s.StartEvaluation(ctx, admin, c.ID)
	must(err)
	_, err = s.StartDeliberation(ctx, admin, c.ID)
	must(err)
	n, err := s.PublishNotice(ctx, admin, c.ID)
	must(err)
	l.clock.Set(n.EndsAt.Add(time.Hour))
	_, err = s.Announce(ctx, admin, c.ID)
	must(err)
}

func (l *lifecycleDB) channelID(ctx context.Context, db *store.DB, code string) (int64, error) {
	var id int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		ch, err := tx.ChannelByCode(ctx, code)
		id = ch.ID
		return err
	})
	return id, err
}

// TestReviewCycleCommands: the cohort of a review, a review cycle opened
// with its cohort's applications, and titles expiring.
func TestReviewCycleCommands(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	code := creditCodes(1)[0]
	recognise(t, l, code)

	l.clock.Set(time.Date(2020, 3, 2, 9, 0, 0, 0, workflow.ChinaTime))
	if out := l.ok("cycle", "cohort", "--program", "mini", "--year", "2020"); !contains(out, "re-examines 1 enterprise recognised or passed review in 2018", code) {
		t.Errorf("cohort by program and year:\n%s", out)
	}
	var cy idOf
	l.json(&cy, "cycle", "create", "--program", "mini", "--kind", "review", "--year", "2020", "--as", "admin")
	c := strconv.FormatInt(cy.ID, 10)
	var cohort workflow.Cohort
	l.json(&cohort, "cycle", "cohort", c)
	if cohort.BasisYear != 2018 || len(cohort.Members) != 1 || cohort.Members[0].Reason != workflow.CohortGranted {
		t.Errorf("cohort of cycle %s: %+v", c, cohort)
	}
	if out := l.ok("cycle", "open-review", c, "--as", "admin"); !contains(out, "phase open", "1 application drafted for its cohort") {
		t.Errorf("open-review: %s", out)
	}
	l.fails(ExitError, []string{"cycle", "open-review", c}, `is in phase "open"`)
	if out := l.ok("application", "list", "--cycle", c); !contains(out, code, "draft") {
		t.Errorf("review applications:\n%s", out)
	}

	// The title runs out two years after its grant.
	l.fails(ExitUsage, []string{"recognition", "expire"}, "--yes")
	var res struct{ Expired int }
	l.json(&res, "recognition", "expire", "--as-of", "2020-03-02", "--yes", "--as", "admin")
	if res.Expired != 0 {
		t.Errorf("expired %d titles in March 2020", res.Expired)
	}
	if out := l.ok("recognition", "expire", "--as-of", "2020-12-31", "--yes", "--as", "admin"); !strings.Contains(out, "expired 1 title as of 2020-12-31") {
		t.Errorf("expire: %s", out)
	}
	if out := l.ok("recognition", "list", "--status", "expired"); !strings.Contains(out, code) {
		t.Errorf("expired titles:\n%s", out)
	}
}

// TestApplicationChannelEvidenceAndUsers: a channel returns an
// application for correction; evidence is attached, listed and fetched
// back unchanged; users get roles and lose them.
func TestApplicationChannelEvidenceAndUsers(t *testing.T) {
	l := newLifecycleDB(t)
	l.setUp()
	code := creditCodes(1)[0]
	l.ok("enterprise", "register", code, "--name", "企业", "--channel", "jiangsu")
	var cy, ap idOf
	l.json(&cy, "cycle", "create", "--program", "mini", "--year", "2021", "--quota", "jiangsu=2", "--notice-days", "5")
	c := strconv.FormatInt(cy.ID, 10)
	l.ok("cycle", "open", c)
	l.json(&ap, "application", "create", "--cycle", c, "--enterprise", code)
	app := strconv.FormatInt(ap.ID, 10)
	var saved idOf
	l.json(&saved, "application", "save", app, "--inputs", l.writeFile("in.json", `{"staff": 12, "sales": [1, 2]}`))
	l.ok("application", "save", app, "note=first")
	var shown struct{ Application store.Application }
	l.json(&shown, "application", "show", app)
	var inputs bytes.Buffer
	json.Compact(&inputs, shown.Application.Inputs)
	if inputs.String() != `{"note":"first","sales":[1,2],"staff":12}` {
		t.Errorf("inputs after two saves: %s", inputs.String())
	}

	// Evidence: attach, list, fetch back.
	pdf := l.writeFile("licence.pdf", "%PDF-1.4\n% a test\n")
	if out := l.ok("evidence", "add", app, pdf); !strings.Contains(out, "attached licence.pdf") {
		t.Errorf("evidence add: %s", out)
	}
	l.fails(ExitError, []string{"evidence", "add", app, l.writeFile("fake.pdf", "not a pdf")}, "fake.pdf")
	var es []store.Evidence
	l.json(&es, "evidence", "list", app)
	if len(es) != 1 || es[0].Filename != "licence.pdf" {
		t.Fatalf("evidence list: %+v", es)
	}
	back := filepath.Join(l.dir, "back.pdf")
	l.ok("evidence", "get", es[0].SHA256, "--out", back)
	if b, err := os.ReadFile(back); err != nil || string(b) != "%PDF-1.4\n% a test\n" {
		t.Errorf("fetched evidence: %q %v", b, err)
	}
	l.fails(ExitUsage, []string{"evidence", "get", es[0].SHA256, "--out", back}, "--force")

	// The channel returns the submitted application; it is corrected and
	// submitted again.
	l.ok("application", "submit", app)
	l.fails(ExitError, []string{"application", "return", app, "--channel", "zhejiang", "--reason", "x"}, "zhejiang")
	if out := l.ok("application", "return", app, "--channel", "jiangsu", "--reason", "请补充证明材料"); !strings.Contains(out, "returned: 请补充证明材料") {
		t.Errorf("return: %s", out)
	}
	l.ok("application", "save", app, "staff=13")
	l.ok("application", "submit", app)

	// Users and roles.
	code2, out, errOut := l.exec("", true, "user", "add", "dave", "--password-stdin")
	if code2 != ExitUsage || !strings.Contains(errOut, "on a terminal it would show") {
		t.Errorf("password from a terminal: exit %d\n%s%s", code2, out, errOut)
	}
	if code2, out, errOut = l.exec("correct-horse-battery\n", false, "user", "add", "dave", "--display-name", "Dave", "--password-stdin"); code2 != ExitOK {
		t.Fatalf("user add: exit %d\n%s%s", code2, out, errOut)
	}
	l.ok("user", "grant", "dave", "recommender", "--channel", "jiangsu")
	l.ok("user", "grant", "dave", "enterprise", "--enterprise", code)
	l.fails(ExitError, []string{"user", "grant", "dave", "recommender"}, "recommender")
	if out := l.ok("user", "list", "--role", "recommender"); !contains(out, "dave", "recommender:jiangsu", "enterprise:"+code) {
		t.Errorf("user list:\n%s", out)
	}
	l.ok("user", "revoke", "dave", "enterprise", "--enterprise", code, "--yes")
	var users []workflow.Account
	l.json(&users, "user", "list")
	if len(users) != 1 || len(users[0].Roles) != 1 {
		t.Errorf("users after the revocation: %+v", users)
	}
	// dave acts as himself: the audit log names him.
	l.ok("channel", "add", "anhui", "--name-zh", "安徽省", "--name-en", "Anhui", "--as", "Dave")
	if out := l.ok("audit", "list", "--entity", "channel", "--limit", "1"); !strings.Contains(out, "dave") {
		t.Errorf("audit after --as Dave:\n%s", out)
	}
}
