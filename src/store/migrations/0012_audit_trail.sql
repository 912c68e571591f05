-- The audit trail: one row per change made through the admin API (append-only, no route edits
-- or deletes it). The actor is a kind and an id so that operator accounts can be recorded later;
-- today every change is made with the admin token (actor_kind 'admin_token', actor_id NULL).
-- Bodies and before/after values are stored redacted and capped.
CREATE TABLE audit_log (
  id           BIGSERIAL PRIMARY KEY,
  at           TIMESTAMPTZ NOT NULL,
  actor_kind   TEXT NOT NULL,
  actor_id     TEXT,
  ip           TEXT NOT NULL,
  method       TEXT NOT NULL,
  route        TEXT NOT NULL,
  params       JSONB NOT NULL,
  appid        TEXT,
  status       INTEGER NOT NULL,
  request_id   TEXT NOT NULL,
  body         JSONB,
  before       JSONB,
  after        JSONB
);
CREATE INDEX audit_log_route_idx ON audit_log (route, id);
CREATE INDEX audit_log_appid_idx ON audit_log (appid, id) WHERE appid IS NOT NULL;
CREATE INDEX audit_log_at_idx ON audit_log (at);
