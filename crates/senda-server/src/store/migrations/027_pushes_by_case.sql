-- From this version pushes run side by side on PostgreSQL under snapshot
-- isolation, holding advisory locks of their records, cases and device
-- (store/postgres.rs). That is correct only while every instance on the
-- database locks the same way: a server older than this version refuses to
-- start on it (store/migrate.rs), so stop every instance before starting this
-- one. A withdrawn consent and the retention purge find a case's ops by this
-- index instead of reading every op.
CREATE INDEX IF NOT EXISTS ops_case ON ops (case_id);
