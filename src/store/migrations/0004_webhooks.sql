-- Webhooks: subscriptions, a durable outbox of deliveries, and internal events (token refreshes).

ALTER TABLE events DROP CONSTRAINT events_source_check;
ALTER TABLE events ADD CONSTRAINT events_source_check CHECK (source IN ('auth', 'message', 'internal'));

-- Fields of an internal event that may not sit in events.decoded in clear (e.g. the access token
-- of token.refreshed), sealed with AAD `webhook_token:<event id>`; read only by the delivery worker.
CREATE TABLE event_secrets (
  event_id  BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  sealed    TEXT NOT NULL
);

CREATE TABLE webhooks (
  id                    TEXT PRIMARY KEY,
  url                   TEXT NOT NULL,
  event_types           TEXT[],
  tenant_id             TEXT REFERENCES tenants (id),
  secret_sealed         TEXT NOT NULL,
  receive_secrets       BOOLEAN NOT NULL DEFAULT false,
  start_after_event_id  BIGINT NOT NULL DEFAULT 0,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id                BIGSERIAL PRIMARY KEY,
  webhook_id        TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id          BIGINT NOT NULL REFERENCES events (id),
  event_type        TEXT NOT NULL,
  tenant_id         TEXT,
  status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  first_attempt_at  TIMESTAMPTZ,
  last_attempt_at   TIMESTAMPTZ,
  last_status_code  INTEGER,
  last_error        TEXT,
  next_attempt_at   TIMESTAMPTZ,
  delivered_at      TIMESTAMPTZ,
  locked_by         TEXT,
  locked_until      TIMESTAMPTZ,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

-- The dispatcher's cursor (one row, locked by the instance that dispatches) and the events above
-- it that were already fanned out (events can commit out of id order).
CREATE TABLE webhook_dispatch (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id  BIGINT NOT NULL
);
INSERT INTO webhook_dispatch (id, last_event_id) SELECT 1, COALESCE(max(id), 0) FROM events;

CREATE TABLE webhook_dispatched (
  event_id  BIGINT PRIMARY KEY,
  at        TIMESTAMPTZ NOT NULL
);
