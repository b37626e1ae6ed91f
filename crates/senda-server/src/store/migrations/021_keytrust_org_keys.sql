-- keytrust: keys the server cannot forge. Each organisation's admin key (Ed25519;
-- its secret stays with the administrator), the key certificates it signed (one
-- per serial; rotation adds one) and what it signed about other organisations.
-- The server only stores and relays them: devices check every signature.
CREATE TABLE IF NOT EXISTS organisation_admin_keys (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organisation_key_certs (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    serial BIGINT NOT NULL,
    box_key TEXT NOT NULL,
    certificate TEXT NOT NULL,
    PRIMARY KEY (organisation_id, serial)
);
CREATE TABLE IF NOT EXISTS organisation_trust (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    trusted_org TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (organisation_id, trusted_org)
);
