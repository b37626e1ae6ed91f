-- What one device may cost the server (store/limits.rs, M10), and retiring
-- a device without losing what it holds (M4).
--
-- Bytes and ops each device has stored: its quota is checked against this
-- counter, never by scanning its ops. Filled here for devices that already pushed.
CREATE TABLE IF NOT EXISTS device_usage (
    device_id TEXT PRIMARY KEY,
    bytes BIGINT NOT NULL DEFAULT 0,
    ops BIGINT NOT NULL DEFAULT 0
);
INSERT INTO device_usage (device_id, bytes, ops)
    SELECT device_id, SUM(LENGTH(payload)), COUNT(*) FROM ops GROUP BY device_id;
-- Ops waiting for their base (applied = 0), by record: a push retries only
-- those of the records it touched; and by device, to count them.
CREATE INDEX IF NOT EXISTS ops_parked_entity ON ops (entity_id, base_version) WHERE applied = 0;
CREATE INDEX IF NOT EXISTS ops_parked_device ON ops (device_id, received_at) WHERE applied = 0;
-- Retire (M4): the device may still push what it holds, then it is told to wipe.
ALTER TABLE devices ADD COLUMN retire_requested_at TEXT;
-- Incoming referrals are read in pages by id (store/paging.rs, M5).
CREATE INDEX IF NOT EXISTS referrals_incoming ON referrals (receiver_org, id);
