-- Scheduled token refreshes: each token row carries the time of its next refresh (spread over
-- the refresh window, pushed out after a failure). An instance claims due rows by moving
-- refresh_at past a short lease (FOR UPDATE SKIP LOCKED), so several instances share the work
-- and a crashed one only delays its claimed rows by the lease.
ALTER TABLE tokens ADD COLUMN refresh_at TIMESTAMPTZ;
UPDATE tokens SET refresh_at = expires_at - interval '10 minutes' WHERE expires_at IS NOT NULL;
CREATE INDEX tokens_refresh_at_idx ON tokens (refresh_at NULLS FIRST) WHERE kind <> 'component';

-- An authorizer whose refreshes keep answering that the authorization is gone (61003, 61023)
-- needs an operator: its scheduled refreshes stop until it authorizes again or a manual
-- refresh succeeds.
ALTER TABLE authorizers ADD COLUMN needs_attention BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE authorizers ADD COLUMN attention_reason TEXT;
ALTER TABLE authorizers ADD COLUMN attention_at TIMESTAMPTZ;
CREATE INDEX authorizers_needs_attention_idx ON authorizers (appid) WHERE needs_attention;
