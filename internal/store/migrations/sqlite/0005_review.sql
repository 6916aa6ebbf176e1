-- 0005_review (SQLite): the expert review (专家评审) — experts' declared
-- conflicts of interest, and their assignments to applications with the
-- scoresheet of each.
--
-- Keep this file equivalent to migrations/postgres/0005_review.sql.

-- A conflict of interest an expert declared: with one enterprise, or with
-- every enterprise of a channel. Automatic assignment never gives the
-- expert an application it conflicts with, and manual assignment refuses
-- one. Conflicts are never updated nor deleted: a declaration stays on
-- record.
CREATE TABLE review_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    expert_id      INTEGER NOT NULL REFERENCES users (id),
    enterprise_id  INTEGER REFERENCES enterprises (id),
    channel_id     INTEGER REFERENCES channels (id),
    reason         TEXT NOT NULL CONSTRAINT review_conflicts_reason_check CHECK (reason <> ''),
    created_at     TIMESTAMP NOT NULL,
    CONSTRAINT review_conflicts_target_check CHECK (
        (enterprise_id IS NOT NULL AND channel_id IS NULL) OR (enterprise_id IS NULL AND channel_id IS NOT NULL))
);
CREATE UNIQUE INDEX ux_review_conflicts ON review_conflicts (expert_id, COALESCE(enterprise_id, 0), COALESCE(channel_id, 0));

-- An expert's assignment to one application of a cycle, which is also its
-- scoresheet: scores holds {"input_id": value} for the program's review
-- items, comment the expert's remarks. assigned → draft (saved at least
-- once) → submitted, after which it is locked. An assignment not yet
-- submitted may be removed (deleted; the audit log keeps it).
CREATE TABLE review_assignments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id        INTEGER NOT NULL REFERENCES cycles (id),
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    expert_id       INTEGER NOT NULL REFERENCES users (id),
    status          TEXT NOT NULL DEFAULT 'assigned' CONSTRAINT review_assignments_status_check CHECK (status IN ('assigned', 'draft', 'submitted')),
    scores          TEXT NOT NULL DEFAULT '{}' CONSTRAINT review_assignments_scores_check CHECK (json_valid(scores)),
    comment         TEXT NOT NULL DEFAULT '',
    assigned_by     INTEGER REFERENCES users (id),
    assigned_at     TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    submitted_at    TIMESTAMP,
    version         INTEGER NOT NULL DEFAULT 1 CONSTRAINT review_assignments_version_check CHECK (version >= 1),
    UNIQUE (application_id, expert_id),
    FOREIGN KEY (application_id, cycle_id) REFERENCES applications (id, cycle_id),
    CONSTRAINT review_assignments_submitted_check CHECK (status <> 'submitted' OR submitted_at IS NOT NULL)
);
CREATE INDEX ix_review_assignments_expert ON review_assignments (expert_id, status);
CREATE INDEX ix_review_assignments_cycle ON review_assignments (cycle_id);
