-- Version 1: the schema before versioned migrations (never edit a released migration;
-- add the next file). Dialect-neutral; PostgreSQL reads AUTOINCREMENT keys as BIGSERIAL (migrate.rs).
CREATE TABLE IF NOT EXISTS organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Only a hash of each enrolment code is kept; a code is used once.
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    team TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
-- Public keys only: a stolen copy of this database signs nothing.
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    team TEXT NOT NULL,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS nonces (
    device_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
-- Every operation exactly once (op_id), in each device's order (seq).
CREATE TABLE IF NOT EXISTS ops (
    op_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hlc TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    op TEXT NOT NULL,
    base_version BIGINT NOT NULL,
    version BIGINT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS ops_device_seq ON ops (device_id, seq);
CREATE INDEX IF NOT EXISTS ops_unapplied ON ops (device_id, applied);
-- The current state of each record, with the version at which each field last changed.
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    team TEXT NOT NULL,
    case_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    fields TEXT NOT NULL,
    field_versions TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS service_routes (
    service_id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id)
);
CREATE TABLE IF NOT EXISTS referrals (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    service_id TEXT NOT NULL,
    sender_org TEXT NOT NULL,
    sender_team TEXT NOT NULL,
    receiver_org TEXT,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    base_version BIGINT NOT NULL,
    theirs TEXT NOT NULL,
    ours TEXT NOT NULL,
    op_id TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT
);
-- What devices pull: per organisation (and team), in order.
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id TEXT NOT NULL,
    team TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_org ON changes (organisation_id, id);
-- Sealing keys (X25519). The server holds only public keys of organisations and
-- devices: a referral's summary is sealed to its receiver and unreadable here.
CREATE TABLE IF NOT EXISTS organisation_keys (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS device_box_keys (
    device_id TEXT PRIMARY KEY REFERENCES devices (id),
    public_key TEXT NOT NULL
);
-- An organisation's secret sealed to one of its devices by an administrator's tool.
CREATE TABLE IF NOT EXISTS key_grants (
    device_id TEXT PRIMARY KEY REFERENCES devices (id),
    organisation_id TEXT NOT NULL,
    organisation_key TEXT NOT NULL,
    sealed TEXT NOT NULL,
    granted_at TEXT NOT NULL
);
-- The server's own secret for opening batch files carried on a USB stick.
CREATE TABLE IF NOT EXISTS server_keys (
    purpose TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Staff accounts (store/staff.rs): who holds which device, so that someone who
-- leaves loses every device at once. Links live in their own tables.
CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    team TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deactivated_at TEXT
);
CREATE TABLE IF NOT EXISTS staff_codes (
    code_hash TEXT PRIMARY KEY REFERENCES enrolment_codes (code_hash),
    staff_id TEXT NOT NULL REFERENCES staff (id)
);
CREATE TABLE IF NOT EXISTS staff_devices (
    device_id TEXT PRIMARY KEY REFERENCES devices (id),
    staff_id TEXT NOT NULL REFERENCES staff (id)
);
