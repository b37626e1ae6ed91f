-- The console (issue 14). Statistics read counts kept up to date in the same
-- transaction that applies, moves or forgets a record (store/counts.rs), so a
-- page reads a few thousand grouped rows, never every record. Each counted
-- record's current key is kept too, to take it out again when it changes or goes.
-- This file is SQLite's; 024_console_counts.postgres.sql differs only in how
-- the backfill reads JSON and counts days.
CREATE TABLE IF NOT EXISTS stats_screening_keys (
    screening_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    country TEXT NOT NULL,
    week TEXT NOT NULL,
    age_band TEXT NOT NULL,
    risk_level TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stats_screening_keys_case ON stats_screening_keys (case_id);
CREATE TABLE IF NOT EXISTS stats_screenings (
    organisation_id TEXT NOT NULL,
    country TEXT NOT NULL,
    week TEXT NOT NULL,
    age_band TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, country, week, age_band, risk_level)
);
-- When a referral first reached the server as sent, and when it was accepted (time to acceptance).
ALTER TABLE referrals ADD COLUMN sent_at TEXT;
ALTER TABLE referrals ADD COLUMN accepted_at TEXT;
CREATE TABLE IF NOT EXISTS stats_referral_keys (
    referral_id TEXT PRIMARY KEY,
    sender_org TEXT NOT NULL,
    receiver_org TEXT NOT NULL,
    status TEXT NOT NULL,
    service_id TEXT NOT NULL,
    month TEXT NOT NULL,
    accept_band TEXT NOT NULL
);
-- Three breakdowns in one table: kind 'status' (value: the status), 'service'
-- (value: the service id) and 'accept' (value: the band of days to acceptance).
-- receiver_org is '' for none; month is that of the referral's last change.
CREATE TABLE IF NOT EXISTS stats_referrals (
    kind TEXT NOT NULL,
    sender_org TEXT NOT NULL,
    receiver_org TEXT NOT NULL,
    month TEXT NOT NULL,
    value TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, sender_org, receiver_org, month, value)
);
-- Referrals waiting too long (the console's referrals page).
CREATE INDEX IF NOT EXISTS referrals_open ON referrals (status, updated_at);
-- Settings an organisation's devices receive at their next sync (the PIN policy;
-- the retention period is organisations.retention_days).
ALTER TABLE organisations ADD COLUMN pin_min_length BIGINT;
ALTER TABLE organisations ADD COLUMN pin_letters_allowed BIGINT;
-- What each device last reported about itself at a sync (a signed status).
-- audit_dropped_at is set when its audit log held fewer entries than it did before.
CREATE TABLE IF NOT EXISTS device_status (
    device_id TEXT PRIMARY KEY REFERENCES devices (id),
    reported_at TEXT NOT NULL,
    app_version TEXT NOT NULL,
    content_version BIGINT,
    pending BIGINT NOT NULL,
    held BIGINT NOT NULL,
    audit_count BIGINT NOT NULL,
    audit_head TEXT NOT NULL,
    audit_dropped_at TEXT
);

-- Backfill from what the server already holds.
INSERT INTO stats_screening_keys (screening_id, case_id, organisation_id, country, week, age_band, risk_level)
SELECT s.id, s.case_id, s.organisation_id,
    CASE WHEN json_type(c.fields, '$.country') = 'text' AND json_extract(c.fields, '$.country') <> ''
         THEN json_extract(c.fields, '$.country') ELSE 'unknown' END,
    json_extract(c.fields, '$.week'),
    CASE WHEN json_type(c.fields, '$.age_band') = 'text' AND json_extract(c.fields, '$.age_band') <> ''
         THEN json_extract(c.fields, '$.age_band') ELSE 'unknown' END,
    CASE WHEN json_type(s.fields, '$.risk_level') = 'text' AND json_extract(s.fields, '$.risk_level') <> ''
         THEN json_extract(s.fields, '$.risk_level') ELSE 'unknown' END
FROM entities s JOIN entities c ON c.case_id = s.case_id AND c.entity = 'case'
WHERE s.entity = 'screening' AND json_type(c.fields, '$.week') = 'text'
  AND json_extract(c.fields, '$.week') <> ''
ON CONFLICT DO NOTHING;
INSERT INTO stats_screenings (organisation_id, country, week, age_band, risk_level, n)
SELECT organisation_id, country, week, age_band, risk_level, COUNT(*) FROM stats_screening_keys
GROUP BY organisation_id, country, week, age_band, risk_level;
INSERT INTO stats_referral_keys (referral_id, sender_org, receiver_org, status, service_id, month, accept_band)
SELECT id, sender_org, COALESCE(receiver_org, ''), status, service_id, SUBSTR(updated_at, 1, 7), ''
FROM referrals;
INSERT INTO stats_referrals (kind, sender_org, receiver_org, month, value, n)
SELECT 'status', sender_org, receiver_org, month, status, COUNT(*) FROM stats_referral_keys
GROUP BY sender_org, receiver_org, month, status;
INSERT INTO stats_referrals (kind, sender_org, receiver_org, month, value, n)
SELECT 'service', sender_org, receiver_org, month, service_id, COUNT(*) FROM stats_referral_keys
GROUP BY sender_org, receiver_org, month, service_id;
