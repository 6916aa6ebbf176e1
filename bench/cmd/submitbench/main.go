// Command submitbench measures concurrent submissions through the
// workflow (issue 3, item 9): N enterprises (2,000) each create, fill in
// (the built-in miit-tide program's inputs, three years of the yearly
// ones), attach one evidence file of its own (1 MB, a PDF by its magic
// number, through Service.AttachEvidence: streamed, hashed, synced,
// stored by content hash) and submit an application to one open cycle, C
// at a time (200), with a share of them retrying their submit with the
// same idempotency key. Afterwards it checks that nothing was lost or
// duplicated — applications, keys, evidence files and their
// attachments, audit entries — then writes the same rows and the same
// number of evidence bytes with a plain loop (each file written and
// synced, its rows INSERTed in one transaction each, then all rows in
// one transaction), in the same database, as the baseline.
//
//	go run ./bench/cmd/submitbench                       # a temporary SQLite file
//	go run ./bench/cmd/submitbench -database postgres://…  # a fresh database in that cluster
//
// The last line (RESULT key=value …) is what bench/store.sh reads. It
// exits non-zero when a submission fails or the checks find a lost or
// duplicated application.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/demo"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/workflow"
)

var (
	admin      = workflow.Actor{Name: "bench-admin"}
	enterprise = workflow.Actor{Name: "bench-enterprise"}
)

// benchdata.Channels are the miit-tide benchdata.Channels the generated enterprises apply
// through.

func main() {
	database := flag.String("database", "", "PostgreSQL URL (a fresh database is created in its cluster and dropped at the end); empty: a temporary SQLite file")
	n := flag.Int("n", 2000, "enterprises")
	conc := flag.Int("concurrency", 200, "clients at a time")
	retry := flag.Float64("retry", 0.1, "share of clients that submit twice with the same key (half one after the other, half at once)")
	seed := flag.Uint64("seed", 2018, "generator seed")
	evidence := flag.Int("evidence", 1<<20, "bytes of each client's evidence file (0: none)")
	flag.Parse()
	if err := run(*database, *n, *conc, *retry, *seed, *evidence); err != nil {
		fmt.Fprintln(os.Stderr, "submitbench:", err)
		os.Exit(1)
	}
}

func run(database string, n, conc int, retryShare float64, seed uint64, evidenceSize int) error {
	ctx := context.Background()
	url, cleanup, err := benchdata.Database(ctx, database, "submitbench")
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	dataDir, err := os.MkdirTemp("", "submitbench-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	s := workflow.New(db, workflow.WithDataDir(dataDir))
	evidence := evidenceMaker{size: evidenceSize, seed: seed}

	// Setup, not timed: the program, benchdata.Channels, enterprises (through
	// store inserts, in one transaction) and an open cycle.
	v, err := s.RegisterBuiltinProgram(ctx, admin, "miit-tide")
	if err != nil {
		return err
	}
	chIDs := map[string]int64{}
	for _, code := range benchdata.Channels {
		c, err := s.UpsertChannel(ctx, admin, workflow.ChannelSpec{Code: code, NameZh: code, NameEn: code, Kind: "province"})
		if err != nil {
			return err
		}
		chIDs[code] = c.ID
	}
	rng := rand.New(rand.NewPCG(seed, 9))
	firms := make([]firm, n)
	now := db.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for i := range firms {
			f := firm{Applicant: benchdata.NewApplicant(rng, i)}
			for seen[f.Code] {
				f.Code = demo.CreditCode(rng, "320100")
			}
			seen[f.Code] = true
			e := store.Enterprise{USCC: f.Code, Name: f.Name, ChannelID: chIDs[f.Channel], CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertEnterprise(ctx, &e); err != nil {
				return err
			}
			f.enterpriseID = e.ID
			firms[i] = f
		}
		return nil
	})
	if err != nil {
		return err
	}
	cycle, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2018,
		TitleZh: "2018年基准", TitleEn: "bench 2018"})
	if err != nil {
		return err
	}
	if _, err := s.OpenCycle(ctx, admin, cycle.ID); err != nil {
		return err
	}
	retries := int(math.Round(retryShare * float64(n)))
	fmt.Fprintf(os.Stderr, "submitbench: %s, %d enterprises, %d at a time, %d retrying (%d sequentially, %d concurrently), evidence %d bytes each\n",
		db.Dialect(), n, conc, retries, retries-retries/2, retries/2, evidenceSize)

	// Timed: every client creates, saves and submits; some retry.
	lat := make([]time.Duration, n)
	submitLat := make([]time.Duration, n)
	errsOf := make([]error, n)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range firms {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f := &firms[i]
			t0 := time.Now()
			errsOf[i] = f.apply(ctx, s, cycle.ID, i, retries, evidence)
			lat[i] = time.Since(t0)
			submitLat[i] = f.submitTime
		})
	}
	wg.Wait()
	wall := time.Since(start)
	failed := 0
	for i, err := range errsOf {
		if err != nil {
			if failed < 5 {
				fmt.Fprintf(os.Stderr, "client %d: %v\n", i, err)
			}
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d clients failed", failed, n)
	}

	// The checks: zero lost, zero duplicated.
	if err := check(ctx, db, cycle.ID, firms, evidenceSize > 0); err != nil {
		return err
	}
	if err := checkFiles(ctx, s, firms, evidenceSize); err != nil {
		return err
	}

	// Baseline: the same rows (as stored), into the applications table of
	// a second cycle in the same database, by a plain loop of INSERTs.
	rows, err := storedRows(ctx, db, cycle.ID)
	if err != nil {
		return err
	}
	base, err := s.CreateCycle(ctx, admin, workflow.CycleSpec{ProgramVersionID: v.ID, Kind: workflow.KindIdentification, Year: 2019,
		TitleZh: "2019年基准", TitleEn: "bench 2019"})
	if err != nil {
		return err
	}
	// The baseline writes as many evidence bytes (other content: a file
	// is stored once per content) as the clients did, each file synced
	// and renamed into place like the workflow's, with its rows.
	baseDir := filepath.Join(dataDir, "baseline")
	t0 := time.Now()
	for i := range rows {
		f, err := evidence.writeFile(baseDir, n+i)
		if err != nil {
			return err
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return rows[i].insert(ctx, tx, base.ID, "raw1-", f) }); err != nil {
			return err
		}
	}
	loop := time.Since(t0)
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM application_evidence WHERE application_id IN (SELECT id FROM applications WHERE cycle_id = ?)", base.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM applications WHERE cycle_id = ?", base.ID)
		return err
	}); err != nil {
		return err
	}
	t0 = time.Now()
	files := make([]store.EvidenceFile, len(rows))
	for i := range rows {
		if files[i], err = evidence.writeFile(baseDir, 2*n+i); err != nil {
			return err
		}
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range rows {
			if err := rows[i].insert(ctx, tx, base.ID, "raw2-", files[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	batch := time.Since(t0)

	rate := float64(n) / wall.Seconds()
	fmt.Fprintf(os.Stderr, "submissions: %d in %.2f s = %.0f/s; per client (create+save+attach+submit) p50 %.1f ms p99 %.1f ms; submit alone p50 %.1f ms p99 %.1f ms\n",
		n, wall.Seconds(), rate, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(submitLat, 50)), ms(pct(submitLat, 99)))
	fmt.Fprintf(os.Stderr, "baseline (file written and synced + plain INSERTs of its rows): one transaction each: %.0f rows/s; all rows in one transaction: %.0f rows/s\n",
		float64(n)/loop.Seconds(), float64(n)/batch.Seconds())
	fmt.Printf("RESULT dialect=%s n=%d concurrency=%d retries=%d lost=0 duplicated=0 wall_ms=%.0f rate=%.1f p50_ms=%.2f p99_ms=%.2f submit_p50_ms=%.2f submit_p99_ms=%.2f loop_rate=%.1f batch_rate=%.1f input_bytes=%d evidence_bytes=%d\n",
		db.Dialect(), n, conc, retries, ms(wall), rate, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(submitLat, 50)), ms(pct(submitLat, 99)),
		float64(n)/loop.Seconds(), float64(n)/batch.Seconds(), len(rows[0].inputs), evidenceSize)
	return nil
}

// firm is one generated enterprise and what its client did.
type firm struct {
	benchdata.Applicant
	enterpriseID int64
	appID        int64
	key          string
	submitTime   time.Duration
	evidenceSum  string // SHA-256 of the evidence the client sent ("" when none)
}

// apply is client i's work: create, save, submit with a key of its own;
// the first retries clients submit again with the same key, the first
// half after their answer (as after a lost answer), the other half at
// the same time as the first attempt.
func (f *firm) apply(ctx context.Context, s *workflow.Service, cycleID int64, i, retries int, evidence evidenceMaker) error {
	a, err := s.CreateApplication(ctx, enterprise, cycleID, f.enterpriseID)
	if err != nil {
		return err
	}
	if a, err = s.SaveApplication(ctx, enterprise, a.ID, a.Version, f.Inputs); err != nil {
		return err
	}
	if evidence.size > 0 {
		content := evidence.content(i)
		sum := sha256.Sum256(content)
		f.evidenceSum = hex.EncodeToString(sum[:])
		ev, err := s.AttachEvidence(ctx, enterprise, a.ID, "evidence.pdf", bytes.NewReader(content))
		if err != nil {
			return fmt.Errorf("attach evidence: %w", err)
		}
		if ev.SHA256 != f.evidenceSum || ev.Size != int64(len(content)) {
			return fmt.Errorf("attach evidence: stored %s (%d bytes), sent %s (%d bytes)", ev.SHA256, ev.Size, f.evidenceSum, len(content))
		}
	}
	f.appID, f.key = a.ID, fmt.Sprintf("submit-%d-%s", i, f.Code)
	t0 := time.Now()
	switch {
	case i < retries-retries/2: // retry after the answer
		first, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key)
		if err != nil {
			return err
		}
		again, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key)
		if err != nil {
			return fmt.Errorf("retry: %w", err)
		}
		if again.ID != first.ID || again.Version != first.Version {
			return fmt.Errorf("retry answered application %d v%d, first %d v%d", again.ID, again.Version, first.ID, first.Version)
		}
	case i < retries: // two presses at once
		var wg sync.WaitGroup
		var errs [2]error
		var got [2]store.Application
		for k := range 2 {
			wg.Go(func() { got[k], errs[k] = s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			return fmt.Errorf("concurrent retry: %v, %v", errs[0], errs[1])
		}
		if got[0].Version != got[1].Version {
			return fmt.Errorf("concurrent retry answered versions %d and %d", got[0].Version, got[1].Version)
		}
	default:
		if _, err := s.SubmitApplication(ctx, enterprise, a.ID, a.Version, f.key); err != nil {
			return err
		}
	}
	f.submitTime = time.Since(t0)
	return nil
}

// check counts the cycle's applications, their statuses, idempotency
// keys and audit entries: one of each per client, and each client's key
// on its own application.
func check(ctx context.Context, db *store.DB, cycleID int64, firms []firm, withEvidence bool) error {
	n := len(firms)
	counts := []struct {
		what, query string
		args        []any
	}{
		{"applications", "SELECT COUNT(*) FROM applications WHERE cycle_id = ?", []any{cycleID}},
		{"submitted applications", "SELECT COUNT(*) FROM applications WHERE cycle_id = ? AND status = 'submitted' AND submitted_at IS NOT NULL", []any{cycleID}},
		{"distinct idempotency keys", "SELECT COUNT(DISTINCT idempotency_key) FROM applications WHERE cycle_id = ? AND idempotency_key IS NOT NULL", []any{cycleID}},
		{"enterprises with an application", "SELECT COUNT(DISTINCT enterprise_id) FROM applications WHERE cycle_id = ?", []any{cycleID}},
		{"audit entries application.submit", "SELECT COUNT(*) FROM audit_log WHERE action = 'application.submit'", nil},
		{"audit entries application.create", "SELECT COUNT(*) FROM audit_log WHERE action = 'application.create'", nil},
	}
	if withEvidence {
		counts = append(counts, []struct {
			what, query string
			args        []any
		}{
			{"evidence attachments", "SELECT COUNT(*) FROM application_evidence ae JOIN applications a ON a.id = ae.application_id WHERE a.cycle_id = ?", []any{cycleID}},
			{"applications with evidence", "SELECT COUNT(DISTINCT ae.application_id) FROM application_evidence ae JOIN applications a ON a.id = ae.application_id WHERE a.cycle_id = ?", []any{cycleID}},
			{"stored evidence files", "SELECT COUNT(*) FROM evidence_files", nil},
			{"audit entries application.attach_evidence", "SELECT COUNT(*) FROM audit_log WHERE action = 'application.attach_evidence'", nil},
		}...)
	}
	for _, c := range counts {
		var got int
		if err := db.QueryRow(ctx, c.query, c.args...).Scan(&got); err != nil {
			return fmt.Errorf("count %s: %w", c.what, err)
		}
		if got != n {
			return fmt.Errorf("%d %s, want %d: lost or duplicated", got, c.what, n)
		}
	}
	r, err := db.Query(ctx, `SELECT a.id, a.idempotency_key, ae.sha256 FROM applications a
		LEFT JOIN application_evidence ae ON ae.application_id = a.id WHERE a.cycle_id = ?`, cycleID)
	if err != nil {
		return err
	}
	defer r.Close()
	keys, sums := map[int64]string{}, map[int64]string{}
	for r.Next() {
		var id int64
		var key, sum sql.NullString
		if err := r.Scan(&id, &key, &sum); err != nil {
			return err
		}
		keys[id], sums[id] = key.String, sum.String
	}
	if err := r.Err(); err != nil {
		return err
	}
	for _, f := range firms {
		if keys[f.appID] != f.key {
			return fmt.Errorf("application %d holds key %q, its client submitted with %q", f.appID, keys[f.appID], f.key)
		}
		if sums[f.appID] != f.evidenceSum {
			return fmt.Errorf("application %d holds evidence %q, its client sent %q", f.appID, sums[f.appID], f.evidenceSum)
		}
	}
	return nil
}

// checkFiles opens every client's stored evidence file through the
// workflow, which reads it whole and refuses one whose content no longer
// has its hash and size.
func checkFiles(ctx context.Context, s *workflow.Service, firms []firm, size int) error {
	if size == 0 {
		return nil
	}
	for _, f := range firms {
		rc, ef, err := s.OpenEvidence(ctx, f.evidenceSum)
		if err != nil {
			return fmt.Errorf("evidence of application %d: %w", f.appID, err)
		}
		rc.Close()
		if ef.Size != int64(size) {
			return fmt.Errorf("evidence of application %d: %d bytes stored, %d sent", f.appID, ef.Size, size)
		}
	}
	return nil
}

// evidenceMaker makes client i's evidence file: size bytes that begin as
// a PDF does (the workflow accepts files by their content) followed by
// bytes of a generator seeded by i, so that no two clients' files are
// alike (a file is stored once per content).
type evidenceMaker struct {
	size int
	seed uint64
}

func (m evidenceMaker) content(i int) []byte {
	b := make([]byte, m.size)
	head := fmt.Appendf(nil, "%%PDF-1.7\n%% submitbench evidence %d\n", i)
	n := copy(b, head)
	var key [32]byte
	copy(key[:], fmt.Appendf(nil, "submitbench-%d-%d", m.seed, i))
	_, _ = rand.NewChaCha8(key).Read(b[n:])
	return b
}

// writeFile is the baseline's evidence: file i's bytes written under dir
// as the workflow writes them (a temporary file, synced, renamed to its
// content hash, the folder synced), returned as its record.
func (m evidenceMaker) writeFile(dir string, i int) (store.EvidenceFile, error) {
	if m.size == 0 {
		return store.EvidenceFile{}, nil
	}
	content := m.content(i)
	sum := sha256.Sum256(content)
	hexSum := hex.EncodeToString(sum[:])
	final := filepath.Join(dir, hexSum[:2], hexSum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return store.EvidenceFile{}, err
	}
	tmp, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return store.EvidenceFile{}, err
	}
	_, err = tmp.Write(content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), final)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return store.EvidenceFile{}, err
	}
	if d, err := os.Open(filepath.Dir(final)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return store.EvidenceFile{SHA256: hexSum, Size: int64(len(content)), ContentType: "application/pdf",
		StoredPath: filepath.ToSlash(final), CreatedAt: time.Now()}, nil
}

// storedRow is an application row as the workflow stored it.
type storedRow struct {
	enterpriseID, channelID int64
	inputs                  string
}

func storedRows(ctx context.Context, db *store.DB, cycleID int64) ([]storedRow, error) {
	r, err := db.Query(ctx, "SELECT enterprise_id, channel_id, inputs FROM applications WHERE cycle_id = ? ORDER BY id", cycleID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []storedRow
	for r.Next() {
		var x storedRow
		if err := r.Scan(&x.enterpriseID, &x.channelID, &x.inputs); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, r.Err()
}

// insert is the baseline: plain INSERTs of the row, submitted, into
// cycle cycleID, and of its evidence file f (when it has a hash).
func (x storedRow) insert(ctx context.Context, tx *store.Tx, cycleID int64, keyPrefix string, f store.EvidenceFile) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO applications (cycle_id, enterprise_id, channel_id, status, inputs, declarations,
		idempotency_key, version, submitted_at, created_at, updated_at) VALUES (?, ?, ?, 'submitted', ?, '{}', ?, 4, ?, ?, ?) RETURNING id`,
		cycleID, x.enterpriseID, x.channelID, x.inputs, fmt.Sprint(keyPrefix, x.enterpriseID), now, now, now).Scan(&id)
	if err != nil || f.SHA256 == "" {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO evidence_files (sha256, size, content_type, stored_path, created_at) VALUES (?, ?, ?, ?, ?)`,
		f.SHA256, f.Size, f.ContentType, f.StoredPath, now); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO application_evidence (application_id, sha256, filename, purpose, added_at) VALUES (?, ?, ?, '', ?)`,
		id, f.SHA256, "evidence.pdf", now)
	return err
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
