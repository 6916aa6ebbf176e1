-- 0003_web (SQLite): what the web application keeps — sessions, API
-- tokens and announcements.
--
-- Keep this file equivalent to migrations/postgres/0003_web.sql.

-- A signed-in browser. The cookie holds a random token; only its SHA-256
-- (token_hash) is stored, so a copy of the database signs no one in.
-- csrf is the session's anti-forgery token, sent back by every form.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX ix_sessions_user ON sessions (user_id);
CREATE INDEX ix_sessions_expires ON sessions (expires_at);

-- An API token of a user (Authorization: Bearer …); stored as a hash like
-- sessions. A revoked token stays listed with its revoked_at.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL CONSTRAINT api_tokens_name_check CHECK (name <> ''),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

-- A published page: news, or the results of a cycle (cycle_id). views is
-- the number of times it was read; the web server adds its counts in
-- batches (views = views + n), so concurrent servers lose none.
CREATE TABLE announcements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CONSTRAINT announcements_kind_check CHECK (kind IN ('news', 'results')),
    cycle_id      INTEGER REFERENCES cycles (id),
    title_zh      TEXT NOT NULL CONSTRAINT announcements_title_check CHECK (title_zh <> ''),
    title_en      TEXT NOT NULL DEFAULT '',
    body_zh       TEXT NOT NULL DEFAULT '',
    body_en       TEXT NOT NULL DEFAULT '',
    issued_at     TIMESTAMP,
    views         INTEGER NOT NULL DEFAULT 0 CONSTRAINT announcements_views_check CHECK (views >= 0),
    version       INTEGER NOT NULL DEFAULT 1 CONSTRAINT announcements_version_check CHECK (version >= 1),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX ix_announcements_issued ON announcements (issued_at);
CREATE INDEX ix_announcements_cycle ON announcements (cycle_id);
