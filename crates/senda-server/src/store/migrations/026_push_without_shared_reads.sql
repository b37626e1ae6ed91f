-- Ops are stored already applied unless they must wait for their base
-- (store/logic.rs, insert_ops): the partial indexes of migration 025 cover
-- every read of waiting ops, and this older index, which every stored op
-- entered, only cost writes.
DROP INDEX IF EXISTS ops_unapplied;
-- The highest sequence number held for each device, kept beside its usage
-- (store/limits.rs, charge): read from `ops`, it made concurrent pushes fail
-- each other's serialisation on PostgreSQL.
ALTER TABLE device_usage ADD COLUMN high_seq BIGINT NOT NULL DEFAULT 0;
UPDATE device_usage SET high_seq = COALESCE(
    (SELECT MAX(seq) FROM ops WHERE ops.device_id = device_usage.device_id), 0);
