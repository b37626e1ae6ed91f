-- Casework: the least data that serves, and the outbox that carries every change.
-- Structured fields are JSON documents validated by the Rust types before writing.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO settings (key, value) VALUES
    ('device_id', lower(hex(randomblob(16)))),
    ('hlc', '000000000000000.000000'),
    ('retention_days', '30');

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    details TEXT NOT NULL,
    notes TEXT NOT NULL,
    latest_level TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX cases_updated ON cases (updated_at);

CREATE TABLE screenings (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    checklist_id TEXT NOT NULL,
    checklist_version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    evaluation TEXT,
    started_at TEXT NOT NULL,
    completed_at TEXT,
    staff_id TEXT NOT NULL
) STRICT;
CREATE INDEX screenings_case ON screenings (case_id, started_at);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    recipient TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by TEXT
) STRICT;
CREATE INDEX consents_case ON consents (case_id, purpose, recipient);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    code TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    service TEXT NOT NULL,
    screening_id TEXT,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    follow_up TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
) STRICT;
CREATE INDEX referrals_case ON referrals (case_id);

CREATE TABLE referral_history (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    staff_id TEXT
) STRICT;
CREATE INDEX referral_history_referral ON referral_history (referral_id);

-- Append-only: a row is written in the same transaction as the change it
-- describes; only `sent_at` may be set (once), and only sent rows may go.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    hlc TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    op TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    sent_at TEXT
) STRICT;
CREATE INDEX outbox_case ON outbox (case_id);
CREATE TRIGGER outbox_append_only BEFORE UPDATE ON outbox
    WHEN NEW.seq IS NOT OLD.seq OR NEW.op_id IS NOT OLD.op_id OR NEW.hlc IS NOT OLD.hlc
        OR NEW.entity_id IS NOT OLD.entity_id OR NEW.payload IS NOT OLD.payload
        OR NEW.base_version IS NOT OLD.base_version OR NEW.version IS NOT OLD.version
        OR OLD.sent_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'outbox rows are append-only'); END;
CREATE TRIGGER outbox_keep_unsent BEFORE DELETE ON outbox
    WHEN OLD.sent_at IS NULL
    BEGIN SELECT RAISE(ABORT, 'an unsent outbox row cannot be deleted'); END;
