-- Fleet rollouts: one template committed, audited and released on many mini programs, in waves.
-- Each mini program of a rollout is one item with its own small state machine. A step that
-- WeChat cannot be asked about twice (commit, submit_audit, release) is first recorded as an
-- intent (committing, submitting, releasing with intent_at); after a crash the intent is checked
-- against WeChat before anything is sent again.
CREATE TABLE rollouts (
  id             BIGSERIAL PRIMARY KEY,
  status         TEXT NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'halted', 'cancelled')),
  template_id    BIGINT NOT NULL,
  user_version   TEXT NOT NULL,
  user_desc      TEXT NOT NULL,
  target         JSONB NOT NULL,
  options        JSONB NOT NULL,
  waves          JSONB NOT NULL,
  current_wave   INTEGER NOT NULL DEFAULT 0,
  halted_reason  TEXT,
  created_by     TEXT NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL,
  finished_at    TIMESTAMPTZ
);
CREATE INDEX rollouts_status_idx ON rollouts (status);

CREATE TABLE rollout_items (
  id           BIGSERIAL PRIMARY KEY,
  rollout_id   BIGINT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  appid        TEXT NOT NULL,
  tenant_id    TEXT,
  wave         INTEGER NOT NULL,
  state        TEXT NOT NULL CHECK (state IN (
                 'ready', 'committing', 'committed', 'submitting', 'auditing', 'passed',
                 'releasing', 'released', 'gray', 'awaiting_release', 'failed', 'cancelled')),
  ext_json     TEXT NOT NULL,
  auditid      BIGINT,
  reason       TEXT,
  errcode      INTEGER,
  screenshots  JSONB,
  attempts     INTEGER NOT NULL DEFAULT 0,
  intent_at    TIMESTAMPTZ,
  next_at      TIMESTAMPTZ NOT NULL,
  lease_by     TEXT,
  lease_until  TIMESTAMPTZ,
  updated_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (rollout_id, appid)
);
CREATE INDEX rollout_items_due_idx ON rollout_items (rollout_id, state, next_at);
CREATE INDEX rollout_items_appid_idx ON rollout_items (appid);

-- Token buckets shared by every instance (WeChat's per-second limits are per platform).
CREATE TABLE rate_buckets (
  name        TEXT PRIMARY KEY,
  tokens      DOUBLE PRECISION NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL
);

-- Whether a tenant may upgrade its own mini programs (null: the server's default).
ALTER TABLE tenants ADD COLUMN self_upgrade BOOLEAN;

-- More pipeline steps: expedited audits and phased (gray) releases.
ALTER TABLE code_events DROP CONSTRAINT code_events_kind_check;
ALTER TABLE code_events ADD CONSTRAINT code_events_kind_check CHECK (kind IN (
  'committed', 'submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn',
  'released', 'rolled_back', 'visit_status', 'speedup', 'gray_release', 'gray_reverted'));
CREATE INDEX code_events_kind_idx ON code_events (kind, appid, id);

-- A job asked to run again while it was running (its re-run is then immediate).
ALTER TABLE jobs ADD COLUMN woken BOOLEAN NOT NULL DEFAULT false;
