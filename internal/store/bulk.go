package store

// The bulk forms of the record methods, for the transitions that touch
// every application of a cycle at once (opening a review cycle with its
// cohort, recommending, evaluating, drafting decisions): several hundred
// rows to a statement instead of one statement, and one round trip, per
// row. Each does exactly what its one-row form does to every row.

import (
	"context"
	"fmt"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// bulkRows is how many rows one multi-row statement handles: at most
// 13 parameters a row, so a few thousand a statement, well below SQLite's
// 32,766 and PostgreSQL's 65,535.
const bulkRows = 400

// chunks calls fn with consecutive pieces of n items, [lo, hi), of at most
// bulkRows each.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += bulkRows {
		if err := fn(lo, min(lo+bulkRows, n)); err != nil {
			return err
		}
	}
	return nil
}

// idArgs is ids as query arguments.
func idArgs(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// InsertApplications stores apps (each Version 1) and sets their IDs; a
// cycle holds one application per enterprise, which is how the new ids
// are matched to apps.
func (tx *Tx) InsertApplications(ctx context.Context, apps []Application) error {
	return chunks(len(apps), func(lo, hi int) error {
		part := apps[lo:hi]
		args := make([]any, 0, 11*len(part))
		at := map[[2]int64]int{} // (cycle, enterprise) → index in apps
		for i := range part {
			a := &part[i]
			a.Version = 1
			at[[2]int64{a.CycleID, a.EnterpriseID}] = lo + i
			args = append(args, a.CycleID, a.EnterpriseID, a.ChannelID, a.Status, nullText(a.ReturnReason), jsonText(a.Inputs),
				jsonText(a.Declarations), nullText(a.IdempotencyKey), nullTime(a.SubmittedAt), ts(a.CreatedAt), ts(a.UpdatedAt))
		}
		rows, err := tx.Query(ctx, `INSERT INTO applications (cycle_id, enterprise_id, channel_id, status, return_reason, inputs,
				declarations, idempotency_key, submitted_at, created_at, updated_at)
			VALUES `+valuesList(len(part), 11)+` RETURNING id, cycle_id, enterprise_id`, args...)
		if err != nil {
			return tx.db.wrap(err, "create %d applications to cycle %d", len(part), part[0].CycleID)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id, cycle, enterprise int64
			if err := rows.Scan(&id, &cycle, &enterprise); err != nil {
				return tx.db.wrap(err, "create %d applications to cycle %d", len(part), part[0].CycleID)
			}
			apps[at[[2]int64{cycle, enterprise}]].ID = id
			n++
		}
		if err := rows.Err(); err != nil {
			return tx.db.wrap(err, "create %d applications to cycle %d", len(part), part[0].CycleID)
		}
		if n != len(part) {
			return &errs.Error{Code: errs.Internal, Msg: fmt.Sprintf("store: create %d applications to cycle %d: the database returned %d ids", len(part), part[0].CycleID, n)}
		}
		return nil
	})
}

// ApplicationsForUpdate returns those of applications ids that exist, by
// id, locked until the write transaction ends (lock their cycle first).
func (tx *Tx) ApplicationsForUpdate(ctx context.Context, ids []int64) (map[int64]Application, error) {
	byID := make(map[int64]Application, len(ids))
	err := chunks(len(ids), func(lo, hi int) error {
		rows, err := tx.Query(ctx, "SELECT "+applicationColumns+" FROM applications WHERE id IN ("+placeholders(hi-lo)+")"+
			tx.db.dialect.forUpdate(), idArgs(ids[lo:hi])...)
		if err != nil {
			return tx.db.wrap(err, "fetch %d applications", hi-lo)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanApplication(rows)
			if err != nil {
				return tx.db.wrap(err, "fetch %d applications", hi-lo)
			}
			byID[a.ID] = a
		}
		return tx.db.wrap(rows.Err(), "fetch %d applications", hi-lo)
	})
	if err != nil {
		return nil, err
	}
	return byID, nil
}

// SetApplicationStatus moves apps to status at time at, one UPDATE per
// several hundred, and bumps their versions: what UpdateApplication does
// to a status change, to all of them. Each must have been read in this
// transaction under lock (ApplicationsForUpdate, or Applications under
// the cycle's lock), so that its Version is current: the UPDATE checks
// that every row is still in the status it was read in, and refuses the
// lot (conflict) when one is not. On success every element of
// apps holds its new status, time and version.
func (tx *Tx) SetApplicationStatus(ctx context.Context, apps []Application, status string, at time.Time) error {
	// One UPDATE per status the applications were read in (there are one
	// or two), each checking that all its rows are still in it.
	byStatus := map[string][]int64{}
	var order []string
	for _, a := range apps {
		if _, ok := byStatus[a.Status]; !ok {
			order = append(order, a.Status)
		}
		byStatus[a.Status] = append(byStatus[a.Status], a.ID)
	}
	var err error
	for _, from := range order {
		ids := byStatus[from]
		err = chunks(len(ids), func(lo, hi int) error {
			args := append([]any{status, ts(at)}, idArgs(ids[lo:hi])...)
			res, err := tx.Exec(ctx, "UPDATE applications SET status = ?, updated_at = ?, version = version + 1 WHERE id IN ("+
				placeholders(hi-lo)+") AND status = ?", append(args, from)...)
			if err == nil {
				err = checkCount(res, hi-lo)
			}
			return tx.db.wrap(err, "set the status of %d %s applications to %s", hi-lo, from, status)
		})
		if err != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	for i := range apps {
		apps[i].Status, apps[i].UpdatedAt = status, ts(at)
		apps[i].Version++
	}
	return nil
}

// InsertRecommendations stores rs, all of one cycle and channel, ranked
// after the channel's last rank in the order given, and sets their IDs
// and ranks.
func (tx *Tx) InsertRecommendations(ctx context.Context, rs []Recommendation) error {
	if len(rs) == 0 {
		return nil
	}
	var last int
	err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(rank), 0) FROM recommendations WHERE cycle_id = ? AND channel_id = ?",
		rs[0].CycleID, rs[0].ChannelID).Scan(&last)
	if err != nil {
		return tx.db.wrap(err, "rank recommendations of channel %d in cycle %d", rs[0].ChannelID, rs[0].CycleID)
	}
	return chunks(len(rs), func(lo, hi int) error {
		part := rs[lo:hi]
		args := make([]any, 0, 6*len(part))
		at := map[int64]int{} // application id → index in rs
		for i := range part {
			r := &part[i]
			if r.CycleID != rs[0].CycleID || r.ChannelID != rs[0].ChannelID {
				return &errs.Error{Code: errs.Internal, Msg: "store: recommendations of several cycles or channels in one batch"}
			}
			last++
			r.Rank = last
			at[r.ApplicationID] = lo + i
			args = append(args, r.ApplicationID, r.CycleID, r.ChannelID, r.Rank, nullID(r.RecommendedBy), ts(r.RecommendedAt))
		}
		rows, err := tx.Query(ctx, `INSERT INTO recommendations (application_id, cycle_id, channel_id, rank, recommended_by, recommended_at)
			VALUES `+valuesList(len(part), 6)+" RETURNING id, application_id", args...)
		if err != nil {
			return tx.db.wrap(err, "recommend %d applications", len(part))
		}
		defer rows.Close()
		for rows.Next() {
			var id, app int64
			if err := rows.Scan(&id, &app); err != nil {
				return tx.db.wrap(err, "recommend %d applications", len(part))
			}
			rs[at[app]].ID = id
		}
		return tx.db.wrap(rows.Err(), "recommend %d applications", len(part))
	})
}

// DeleteRecommendations withdraws the recommendations of applicationIDs,
// those that have one (see DeleteRecommendation).
func (tx *Tx) DeleteRecommendations(ctx context.Context, applicationIDs []int64) error {
	return chunks(len(applicationIDs), func(lo, hi int) error {
		_, err := tx.Exec(ctx, "DELETE FROM recommendations WHERE application_id IN ("+placeholders(hi-lo)+")", idArgs(applicationIDs[lo:hi])...)
		return tx.db.wrap(err, "withdraw %d recommendations", hi-lo)
	})
}

// EnterprisesByID returns those of the enterprises ids that exist, by id.
func (tx *Tx) EnterprisesByID(ctx context.Context, ids []int64) (map[int64]Enterprise, error) {
	out := make(map[int64]Enterprise, len(ids))
	err := chunks(len(ids), func(lo, hi int) error {
		rows, err := tx.Query(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE id IN ("+placeholders(hi-lo)+")", idArgs(ids[lo:hi])...)
		if err != nil {
			return tx.db.wrap(err, "fetch %d enterprises", hi-lo)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEnterprise(rows)
			if err != nil {
				return tx.db.wrap(err, "fetch %d enterprises", hi-lo)
			}
			out[e.ID] = e
		}
		return tx.db.wrap(rows.Err(), "fetch %d enterprises", hi-lo)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// InsertResults stores rs.
func (tx *Tx) InsertResults(ctx context.Context, rs []Result) error {
	return chunks(len(rs), func(lo, hi int) error {
		part := rs[lo:hi]
		args := make([]any, 0, 8*len(part))
		for _, r := range part {
			var score, rank any
			if r.Score != nil {
				score = *r.Score
			}
			if r.Rank > 0 {
				rank = r.Rank
			}
			args = append(args, r.RunID, r.EnterpriseID, nullID(r.ApplicationID), r.Eligible, score, rank, r.Pass, string(r.Result))
		}
		_, err := tx.Exec(ctx, `INSERT INTO results (run_id, enterprise_id, application_id, eligible, score, rank, pass, result)
			VALUES `+valuesList(len(part), 8), args...)
		return tx.db.wrap(err, "store %d results of run %d", len(part), part[0].RunID)
	})
}

// InsertDecisions stores ds (each Version 1) and sets their IDs; a cycle
// holds one decision per enterprise, which is how the new ids are matched
// to ds.
func (tx *Tx) InsertDecisions(ctx context.Context, ds []Decision) error {
	return chunks(len(ds), func(lo, hi int) error {
		part := ds[lo:hi]
		args := make([]any, 0, 11*len(part))
		at := map[[2]int64]int{} // (cycle, enterprise) → index in ds
		for i := range part {
			d := &part[i]
			d.Version = 1
			at[[2]int64{d.CycleID, d.EnterpriseID}] = lo + i
			args = append(args, d.CycleID, d.EnterpriseID, nullID(d.RunID), d.Outcome, d.ReasonZh, d.ReasonEn, d.State,
				nullID(d.DraftedBy), nullTime(d.FinalisedAt), ts(d.CreatedAt), ts(d.UpdatedAt))
		}
		rows, err := tx.Query(ctx, `INSERT INTO decisions (cycle_id, enterprise_id, run_id, outcome, reason_zh, reason_en, state,
				drafted_by, finalised_at, created_at, updated_at)
			VALUES `+valuesList(len(part), 11)+" RETURNING id, cycle_id, enterprise_id", args...)
		if err != nil {
			return tx.db.wrap(err, "create %d decisions in cycle %d", len(part), part[0].CycleID)
		}
		defer rows.Close()
		for rows.Next() {
			var id, cycle, enterprise int64
			if err := rows.Scan(&id, &cycle, &enterprise); err != nil {
				return tx.db.wrap(err, "create %d decisions in cycle %d", len(part), part[0].CycleID)
			}
			ds[at[[2]int64{cycle, enterprise}]].ID = id
		}
		return tx.db.wrap(rows.Err(), "create %d decisions in cycle %d", len(part), part[0].CycleID)
	})
}
