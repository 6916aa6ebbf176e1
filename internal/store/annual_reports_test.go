package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
)

// usccOther is an 18-character code (the store checks only the length).
const usccOther = "913201000000000010"

// seedRecognitions stores a program, two review cycles (2018: id 2, 2021:
// id 3) after an identification cycle (2015: id 1), two enterprises and
// their recognitions, as raw rows:
//
//	recognition 1: enterprise 1, granted 2015, passed review 2018 (cycle 2, final pass)
//	recognition 2: enterprise 2, granted 2015, revoked by the 2018 review
func seedRecognitions(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2018, 7, 26, 9, 30, 0, 0, time.UTC)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			"INSERT INTO programs (name, created_at, updated_at) VALUES ('miit-tide', ?, ?)",
			"INSERT INTO program_versions (program_id, label, definition, sha256, created_at) VALUES (1, '1', 'x', '" + strings.Repeat("a", 64) + "', ?)",
			"INSERT INTO cycles (program_id, program_version_id, kind, year, created_at, updated_at) VALUES (1, 1, 'identification', 2015, ?, ?)",
			"INSERT INTO cycles (program_id, program_version_id, kind, year, created_at, updated_at) VALUES (1, 1, 'review', 2018, ?, ?)",
			"INSERT INTO cycles (program_id, program_version_id, kind, year, created_at, updated_at) VALUES (1, 1, 'review', 2021, ?, ?)",
			"INSERT INTO enterprises (uscc, name, created_at, updated_at) VALUES ('" + usccA + "', '示范企业甲', ?, ?)",
			"INSERT INTO enterprises (uscc, name, created_at, updated_at) VALUES ('" + usccOther + "', '示范企业乙', ?, ?)",
			`INSERT INTO recognitions (enterprise_id, program_id, granted_year, valid_from, valid_until, status, granted_cycle_id, confirmed_cycle_id, created_at, updated_at)
				VALUES (1, 1, 2015, '2015-06-01', '2021-07-26', 'passed_review', 1, 2, ?, ?)`,
			`INSERT INTO recognitions (enterprise_id, program_id, granted_year, valid_from, valid_until, status, granted_cycle_id, revoked_cycle_id, revoked_at, created_at, updated_at)
				VALUES (2, 1, 2015, '2015-06-01', '2018-06-01', 'revoked', 1, 2, ?, ?, ?)`,
			"INSERT INTO decisions (cycle_id, enterprise_id, outcome, state, finalised_at, created_at, updated_at) VALUES (2, 1, 'pass', 'final', ?, ?, ?)",
			"INSERT INTO decisions (cycle_id, enterprise_id, outcome, state, finalised_at, created_at, updated_at) VALUES (2, 2, 'fail', 'final', ?, ?, ?)",
		} {
			args := []any{now, now, now}[:strings.Count(q, "?")]
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCohortQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedRecognitions(t, db)
		err := db.Read(ctx, func(tx *store.Tx) error {
			passes, err := tx.ReviewPasses(ctx, 1, 2018)
			if err != nil {
				return err
			}
			if len(passes) != 1 || passes[0] != (store.ReviewPass{EnterpriseID: 1, CycleID: 2, Year: 2018, DecisionID: 1}) {
				t.Errorf("ReviewPasses(2018) = %+v; want enterprise 1's pass in cycle 2", passes)
			}
			recs, err := tx.CohortRecognitions(ctx, 1, 2018) // confirmed in 2018, or passed then
			if err != nil {
				return err
			}
			if len(recs) != 1 || recs[0].ID != 1 || recs[0].ConfirmedYear != 2018 || recs[0].RevokedYear != 0 {
				t.Errorf("CohortRecognitions(2018) = %+v; want recognition 1, confirmed in 2018", recs)
			}
			recs, err = tx.CohortRecognitions(ctx, 1, 2015) // both granted then
			if err != nil {
				return err
			}
			if len(recs) != 2 || recs[1].ID != 2 || recs[1].RevokedYear != 2018 || !recs[1].ValidFrom.Equal(time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("CohortRecognitions(2015) = %+v; want recognitions 1 and 2 (revoked in 2018)", recs)
			}
			if recs, err = tx.CohortRecognitions(ctx, 1, 2016); err != nil || len(recs) != 0 {
				t.Errorf("CohortRecognitions(2016) = %+v, %v; want none", recs, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestAnnualReportRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedRecognitions(t, db)
		at := time.Date(2019, 3, 1, 1, 2, 3, 4000, time.UTC)
		a := store.AnnualReport{RecognitionID: 1, Year: 2018, DueOn: time.Date(2019, 4, 30, 0, 0, 0, 0, time.UTC),
			SubmittedAt: &at, Data: json.RawMessage(`{"rd_pct": 4.2}`), CreatedAt: at, UpdatedAt: at}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertAnnualReport(ctx, &a) }); err != nil {
			t.Fatal(err)
		}
		dup := a
		err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertAnnualReport(ctx, &dup) })
		if errs.CodeOf(err) != errs.Conflict || !strings.HasPrefix(err.Error(), "store: file annual report 2018 of recognition 1") {
			t.Errorf("a second report = %v; want a conflict", err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.AnnualReport(ctx, 1, 2018)
			if err != nil {
				return err
			}
			if got.ID != a.ID || !got.SubmittedAt.Equal(at) || string(got.Data) != `{"rd_pct": 4.2}` || !got.DueOn.Equal(a.DueOn) {
				t.Errorf("AnnualReport = %+v; want %+v", got, a)
			}
			if _, err := tx.AnnualReport(ctx, 1, 2017); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("AnnualReport(2017) = %v; want not found", err)
			}
			// 2018: recognition 1 filed; recognition 2 was revoked and owes none.
			rows, err := tx.AnnualReportRows(ctx, store.AnnualReportFilter{Year: 2018})
			if err != nil {
				return err
			}
			if len(rows) != 1 || rows[0].Recognition.ID != 1 || rows[0].Report == nil || rows[0].Report.ID != a.ID ||
				rows[0].EnterpriseUSCC != usccA || rows[0].EnterpriseName != "示范企业甲" || rows[0].ProgramName != "miit-tide" {
				t.Errorf("AnnualReportRows(2018) = %+v", rows)
			}
			// 2019: recognition 1 owes one; 2022: it is no longer valid.
			if rows, err = tx.AnnualReportRows(ctx, store.AnnualReportFilter{Year: 2019, ProgramID: 1, EnterpriseID: 1}); err != nil || len(rows) != 1 || rows[0].Report != nil {
				t.Errorf("AnnualReportRows(2019) = %+v, %v; want recognition 1 owing", rows, err)
			}
			if rows, err = tx.AnnualReportRows(ctx, store.AnnualReportFilter{Year: 2022}); err != nil || len(rows) != 0 {
				t.Errorf("AnnualReportRows(2022) = %+v, %v; want none", rows, err)
			}
			if rows, err = tx.AnnualReportRows(ctx, store.AnnualReportFilter{Year: 2019, EnterpriseID: 2}); err != nil || len(rows) != 0 {
				t.Errorf("AnnualReportRows of the revoked = %+v, %v; want none", rows, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.RecognitionForUpdate(ctx, 9); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("RecognitionForUpdate(9) = %v; want not found", err)
			}
			r, err := tx.RecognitionForUpdate(ctx, 2)
			if err != nil || r.Status != "revoked" || r.RevokedCycleID != 2 {
				t.Errorf("RecognitionForUpdate(2) = %+v, %v", r, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
