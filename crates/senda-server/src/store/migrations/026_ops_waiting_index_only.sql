-- Ops are now stored already applied unless they must wait for their base
-- (store/logic.rs, insert_ops): the partial indexes of migration 025 cover
-- every read of waiting ops, and this older index, which every stored op
-- entered, only cost writes.
DROP INDEX IF EXISTS ops_unapplied;
