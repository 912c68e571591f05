-- migrate: no-transaction
-- Indexes for the job claim and for deleting rows past their retention (src/services/retention/),
-- built CONCURRENTLY so that pushes and jobs keep being written while a large table is indexed.
-- This file runs statement by statement (see store/migrate.ts) and may run again after a crash:
-- each index is dropped first, which also clears an invalid one an interrupted build left behind.

-- The job claim reads only unfinished jobs, in run_at order: without this index it scans every
-- finished job too (the table keeps them for OPENWX_RETENTION_JOBS_DAYS).
DROP INDEX CONCURRENTLY IF EXISTS jobs_unfinished_idx;
CREATE INDEX CONCURRENTLY jobs_unfinished_idx ON jobs (run_at) WHERE status IN ('queued', 'running');

-- Finished jobs, oldest finish first: what the retention task deletes.
DROP INDEX CONCURRENTLY IF EXISTS jobs_finished_idx;
CREATE INDEX CONCURRENTLY jobs_finished_idx ON jobs (updated_at) WHERE status IN ('done', 'dead');

-- Whether an event still has a delivery (the foreign key that keeps it), looked up per event.
DROP INDEX CONCURRENTLY IF EXISTS webhook_deliveries_event_idx;
CREATE INDEX CONCURRENTLY webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- The same keys in the same order as the primary key: one index less to write on every push.
DROP INDEX CONCURRENTLY IF EXISTS events_received_idx;
