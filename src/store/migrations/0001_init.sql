-- openwx schema, part 1: pushes, tickets, tokens, authorizers, locks, jobs.

CREATE TABLE events (
  id            BIGSERIAL PRIMARY KEY,
  dedupe_key    TEXT NOT NULL UNIQUE,
  source        TEXT NOT NULL CHECK (source IN ('auth', 'message')),
  appid         TEXT,
  type          TEXT NOT NULL,
  raw           TEXT NOT NULL,
  query         JSONB NOT NULL DEFAULT '{}',
  decoded       JSONB NOT NULL,
  create_time   TIMESTAMPTZ,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_received_idx ON events (id DESC);
CREATE INDEX events_appid_idx ON events (appid, id DESC);
CREATE INDEX events_type_idx ON events (type, id DESC);

CREATE TABLE tickets (
  id            BIGSERIAL PRIMARY KEY,
  ticket_sealed TEXT NOT NULL,
  create_time   TIMESTAMPTZ NOT NULL,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
  key           TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('component', 'authorizer')),
  appid         TEXT NOT NULL,
  token_sealed  TEXT,
  token_hash    TEXT,
  expires_at    TIMESTAMPTZ,
  refreshed_at  TIMESTAMPTZ,
  refresh_count INTEGER NOT NULL DEFAULT 0,
  failures      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  last_error_at TIMESTAMPTZ
);

CREATE TABLE authorizers (
  appid                 TEXT PRIMARY KEY,
  status                TEXT NOT NULL CHECK (status IN ('authorized', 'revoked')),
  refresh_token_sealed  TEXT,
  func_info             JSONB NOT NULL DEFAULT '[]',
  info                  JSONB,
  authorized_at         TIMESTAMPTZ,
  revoked_at            TIMESTAMPTZ,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX authorizers_status_idx ON authorizers (status);

CREATE TABLE authorizer_history (
  id          BIGSERIAL PRIMARY KEY,
  appid       TEXT NOT NULL,
  action      TEXT NOT NULL,
  detail      JSONB NOT NULL DEFAULT '{}',
  at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX authorizer_history_appid_idx ON authorizer_history (appid, id DESC);

CREATE TABLE locks (
  key         TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE jobs (
  id            BIGSERIAL PRIMARY KEY,
  type          TEXT NOT NULL,
  payload       JSONB NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
  singleton_key TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL DEFAULT 8,
  run_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  locked_by     TEXT,
  locked_until  TIMESTAMPTZ,
  last_error    TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE status = 'queued';
CREATE UNIQUE INDEX jobs_singleton_idx ON jobs (singleton_key) WHERE singleton_key IS NOT NULL AND status IN ('queued', 'running');
