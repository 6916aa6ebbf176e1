-- 0002_decision_proposed (PostgreSQL): decisions gain the state "proposed".
--
-- Keep this file equivalent to migrations/sqlite/0002_decision_proposed.sql.
--
-- A decision is drafted (editable) during deliberation, proposed once a
-- public notice lists it (frozen: the public saw it), and final when the
-- cycle's announcement makes it take effect. An upheld objection sends a
-- proposed decision back to drafted, which "drafted" alone could not tell
-- apart from the decisions the notice published.

ALTER TABLE decisions
    DROP CONSTRAINT decisions_state_check,
    ADD CONSTRAINT decisions_state_check CHECK (state IN ('drafted', 'proposed', 'final'));
