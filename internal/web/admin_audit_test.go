package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/exemplar/exemplar/internal/store"
	"github.com/exemplar/exemplar/internal/store/storetest"
	"github.com/exemplar/exemplar/internal/workflow"
)

// TestAdminAudit: the search finds entries by actor, action, entity, day
// and text, shows what changed, and the chain check reports OK — and,
// once an entry is altered behind the store's back, the first broken
// link.
func TestAdminAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, Config{})
		ctx := context.Background()
		admin := s.as("admin")
		actor := workflow.Actor{Name: "auditor-x"}
		if _, err := s.svc.UpsertChannel(ctx, actor, workflow.ChannelSpec{Code: "anhui", NameZh: "安徽<省>", NameEn: "Anhui", Kind: "province"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.UpsertChannel(ctx, actor, workflow.ChannelSpec{Code: "anhui", NameZh: "安徽省", NameEn: "Anhui", Kind: "province"}); err != nil {
			t.Fatal(err)
		}

		resp, body := admin.get("/admin/audit?actor=auditor-x")
		setupStatus(t, "by actor", resp, body, http.StatusOK)
		setupHas(t, "by actor", body, "channel.create", "channel.update", "安徽&lt;省&gt;", `class="code">name_zh</td>`)
		_, body = admin.get("/admin/audit?action=channel.upd&entity=channel")
		setupHas(t, "by action", body, "channel.update")
		if strings.Contains(body, "channel.create") {
			t.Error("the action filter let channel.create through")
		}
		today := chinaDay(s.svc.Now())
		_, body = admin.get("/admin/audit?q=安徽&from=" + today + "&to=" + today)
		setupHas(t, "by text and day", body, "channel.create", "channel.update")
		_, body = admin.get("/admin/audit?q=安徽&to=2001-01-01")
		setupHas(t, "before any entry", body, message("zh", "setup.audit.none_match"))
		resp, body = admin.get("/admin/audit?from=yesterday")
		setupStatus(t, "bad date", resp, body, http.StatusUnprocessableEntity)

		resp, body = admin.get("/admin/audit/verify")
		setupStatus(t, "verify", resp, body, http.StatusOK)
		setupHas(t, "verify", body, message("zh", "setup.audit.ok"))

		recs, _, err := s.svc.SearchAudit(ctx, store.AuditQuery{Actor: "auditor-x", Action: "channel.create"})
		if err != nil || len(recs) != 1 {
			t.Fatalf("the creation's entry: %v, %d", err, len(recs))
		}
		seq := recs[0].Seq
		tamperAudit(t, db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", seq)
		resp, body = admin.get("/admin/audit/verify")
		setupStatus(t, "verify after tampering", resp, body, http.StatusOK)
		setupHas(t, "verify after tampering", body, message("zh", "setup.audit.broken"),
			fmt.Sprintf(message("zh", "setup.audit.broken_at"), seq), "mallory")
	})
}

// TestAuditDiff compares the states before and after.
func TestAuditDiff(t *testing.T) {
	changes, same := auditDiff(json.RawMessage(`{"a":1,"b":{"c":"x","d":[1,2]},"e":true}`), json.RawMessage(`{"a":1,"b":{"c":"y","d":[1]},"f":null}`))
	got := map[string]fieldChange{}
	for _, c := range changes {
		got[c.Field] = c
	}
	if same != 2 || got["b.c"].Before != "x" || got["b.c"].After != "y" || !got["b.d[1]"].Removed || !got["e"].Removed || !got["f"].Added {
		t.Errorf("diff: %+v, %d the same", changes, same)
	}
	changes, same = auditDiff(nil, json.RawMessage(`{"a":"1"}`))
	if same != 0 || len(changes) != 1 || !changes[0].Added {
		t.Errorf("creation: %+v", changes)
	}
}

// tamperAudit changes the audit log behind the store's back, as someone
// with write access to the database could: it drops the append-only
// triggers first.
func tamperAudit(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	drop := []string{"DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"}
	if db.Dialect() == store.Postgres {
		drop = []string{"DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log", "DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log"}
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range drop {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
