-- Every step of each mini program's code pipeline, in order: committed, submitted, the audit
-- results, withdrawn, released, rolled back and service status changes. The current state of a
-- mini program is read from its latest steps.
CREATE TABLE code_events (
  id            BIGSERIAL PRIMARY KEY,
  appid         TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN (
                  'committed', 'submitted', 'audit_passed', 'audit_failed', 'audit_delayed',
                  'audit_withdrawn', 'released', 'rolled_back', 'visit_status')),
  template_id   BIGINT,
  user_version  TEXT,
  user_desc     TEXT,
  auditid       BIGINT,
  reason        TEXT,
  screenshots   JSONB,
  detail        JSONB NOT NULL DEFAULT '{}'::jsonb,
  actor         TEXT NOT NULL,
  event_id      BIGINT,
  at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX code_events_appid_idx ON code_events (appid, id);
CREATE UNIQUE INDEX code_events_event_idx ON code_events (event_id) WHERE event_id IS NOT NULL;
