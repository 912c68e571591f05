-- migrate: no-transaction
-- The census of authorizer tokens by health (openwx_authorizer_tokens, app/metric-sources.ts)
-- reads only the tokens that are expired or due, through this index, and takes the failing ones
-- and the authorized accounts from the counts kept since migration 0022: its cost follows the
-- tokens due now, not the number of authorizers. Built CONCURRENTLY (this file runs statement by
-- statement and may run again after a crash: the index is dropped first).
DROP INDEX CONCURRENTLY IF EXISTS tokens_authorizer_expiry_idx;
CREATE INDEX CONCURRENTLY tokens_authorizer_expiry_idx ON tokens (expires_at)
  WHERE kind = 'authorizer' AND failures = 0;
