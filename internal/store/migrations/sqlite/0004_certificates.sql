-- 0004_certificates (SQLite): the numbered certificates (证书/牌匾) that
-- passing final decisions issue.
--
-- Keep this file equivalent to migrations/postgres/0004_certificates.sql.

-- A certificate: one per passing final decision (so at most one per
-- enterprise and cycle), numbered <PROGRAM>-<year>-<I|R>-<seq> with seq
-- counting from 1 in its cycle. A certificate is a record of what was
-- printed: the texts on it (enterprise name, USCC, title, issuer, tier) are
-- kept as issued, so a PDF rendered again later says what the first one
-- said even after the enterprise renames itself. Its status (valid,
-- expired, revoked) is not kept: it is derived from recognition_id and the
-- day, so revoking or expiring a title needs no second write here.
-- Certificates are never updated nor deleted.
CREATE TABLE certificates (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            TEXT NOT NULL UNIQUE CONSTRAINT certificates_number_check CHECK (length(number) BETWEEN 1 AND 40),
    cycle_id          INTEGER NOT NULL REFERENCES cycles (id),
    seq               INTEGER NOT NULL CONSTRAINT certificates_seq_check CHECK (seq >= 1),
    decision_id       INTEGER NOT NULL UNIQUE REFERENCES decisions (id),
    enterprise_id     INTEGER NOT NULL REFERENCES enterprises (id),
    recognition_id    INTEGER NOT NULL REFERENCES recognitions (id),
    award             TEXT NOT NULL DEFAULT 'plaque' CONSTRAINT certificates_award_check CHECK (award IN ('plaque', 'medal')),
    tier_zh           TEXT NOT NULL DEFAULT '',
    tier_en           TEXT NOT NULL DEFAULT '',
    enterprise_name   TEXT NOT NULL CONSTRAINT certificates_enterprise_name_check CHECK (enterprise_name <> ''),
    uscc              TEXT NOT NULL CONSTRAINT certificates_uscc_check CHECK (length(uscc) = 18),
    title_zh          TEXT NOT NULL DEFAULT '',
    title_en          TEXT NOT NULL DEFAULT '',
    issuer_zh         TEXT NOT NULL DEFAULT '',
    issuer_en         TEXT NOT NULL DEFAULT '',
    issued_on         DATE NOT NULL,
    valid_until       DATE NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    CONSTRAINT certificates_validity_check CHECK (valid_until > issued_on)
);
CREATE UNIQUE INDEX ux_certificates_cycle_seq ON certificates (cycle_id, seq);
CREATE UNIQUE INDEX ux_certificates_cycle_enterprise ON certificates (cycle_id, enterprise_id);
CREATE INDEX ix_certificates_enterprise ON certificates (enterprise_id);
CREATE INDEX ix_certificates_recognition ON certificates (recognition_id);
