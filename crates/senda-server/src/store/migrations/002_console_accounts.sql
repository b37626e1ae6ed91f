-- The console (src/console): administrator accounts, their sessions, failed
-- logins (for throttling) and the audit log of what administrators did.
-- Passwords are Argon2id PHC strings; session tokens are kept only as hashes.
CREATE TABLE IF NOT EXISTS console_accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    totp_secret TEXT,
    totp_last_step BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    deactivated_at TEXT
);
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT,
    csrf TEXT NOT NULL,
    stage TEXT NOT NULL,
    pending_totp TEXT,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_login_failures (
    login TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_login_failures_login ON console_login_failures (login, at);
-- Who did what, when: ids and codes only, never a child's data.
CREATE TABLE IF NOT EXISTS console_audit (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation_id TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_audit_at ON console_audit (at);
-- The console's statistics join each screening to its case.
CREATE INDEX IF NOT EXISTS entities_case ON entities (case_id, entity);
