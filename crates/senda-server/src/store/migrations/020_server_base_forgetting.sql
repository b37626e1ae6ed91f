-- What the server forgets (store/forget.rs). Each organisation's retention
-- period for its records on the server (NULL: kept until withdrawn), and the
-- ids of what was forgotten, so a late copy of an old operation is
-- acknowledged without being stored again.
ALTER TABLE organisations ADD COLUMN retention_days BIGINT;
CREATE TABLE IF NOT EXISTS forgotten (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
