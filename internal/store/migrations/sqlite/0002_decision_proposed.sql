-- 0002_decision_proposed (SQLite): decisions gain the state "proposed".
--
-- Keep this file equivalent to migrations/postgres/0002_decision_proposed.sql.
--
-- A decision is drafted (editable) during deliberation, proposed once a
-- public notice lists it (frozen: the public saw it), and final when the
-- cycle's announcement makes it take effect. An upheld objection sends a
-- proposed decision back to drafted, which "drafted" alone could not tell
-- apart from the decisions the notice published.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- with the same columns in the same order, and its index recreated. No
-- table refers to decisions, so dropping the old one breaks no foreign key.

CREATE TABLE decisions_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id       INTEGER NOT NULL REFERENCES cycles (id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises (id),
    run_id         INTEGER REFERENCES engine_runs (id),
    outcome        TEXT NOT NULL CONSTRAINT decisions_outcome_check CHECK (outcome IN ('pass', 'fail')),
    reason_zh      TEXT NOT NULL DEFAULT '',
    reason_en      TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'drafted' CONSTRAINT decisions_state_check CHECK (state IN ('drafted', 'proposed', 'final')),
    drafted_by     INTEGER REFERENCES users (id),
    finalised_at   TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1 CONSTRAINT decisions_version_check CHECK (version >= 1),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, enterprise_id)
);
INSERT INTO decisions_new SELECT * FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_new RENAME TO decisions;
CREATE INDEX ix_decisions_enterprise ON decisions (enterprise_id);
