-- Mini program registration tasks (enterprise, personal, trial) and the registration pushes that
-- matched no task (kept to be shown, never dropped).
CREATE TABLE registrations (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('enterprise', 'personal', 'beta')),
  tenant_id       TEXT REFERENCES tenants (id),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'awaiting_legal_person', 'awaiting_user', 'succeeded', 'failed')),
  request         JSONB NOT NULL,
  match_key       TEXT,
  taskid          TEXT,
  unique_id       TEXT,
  authorize_url   TEXT,
  appid           TEXT,
  last_message    TEXT NOT NULL DEFAULT '',
  failure_reason  TEXT,
  verify_status   TEXT,
  verify_message  TEXT,
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX registrations_match_idx ON registrations (match_key);
CREATE INDEX registrations_appid_idx ON registrations (appid);

CREATE TABLE registration_unmatched (
  id           BIGSERIAL PRIMARY KEY,
  event_id     BIGINT NOT NULL UNIQUE,
  info_type    TEXT NOT NULL,
  appid        TEXT,
  status       TEXT,
  msg          TEXT,
  info         JSONB NOT NULL DEFAULT '{}',
  received_at  TIMESTAMPTZ NOT NULL
);
