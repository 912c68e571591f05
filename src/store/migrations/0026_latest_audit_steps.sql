-- The latest audit step of each mini program (submitted, passed, failed, delayed, withdrawn),
-- kept as code_events are written, so that "audits in flight" on the overview reads the few rows
-- in flight instead of every audit step ever recorded (ADR 0006). A step recorded out of order
-- (an older id inserted later) never replaces a newer one.
CREATE TABLE latest_audit_steps (
  appid     TEXT PRIMARY KEY,
  kind      TEXT NOT NULL,
  auditid   BIGINT,
  at        TIMESTAMPTZ NOT NULL,
  event_id  BIGINT NOT NULL
);

INSERT INTO latest_audit_steps (appid, kind, auditid, at, event_id)
SELECT DISTINCT ON (appid) appid, kind, auditid, at, id FROM code_events
WHERE kind IN ('submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn')
ORDER BY appid, id DESC;

CREATE INDEX latest_audit_steps_in_flight_idx ON latest_audit_steps (at)
  WHERE kind IN ('submitted', 'audit_delayed');

CREATE FUNCTION keep_latest_audit_step() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO latest_audit_steps (appid, kind, auditid, at, event_id)
  VALUES (NEW.appid, NEW.kind, NEW.auditid, NEW.at, NEW.id)
  ON CONFLICT (appid) DO UPDATE
    SET kind = EXCLUDED.kind, auditid = EXCLUDED.auditid, at = EXCLUDED.at,
        event_id = EXCLUDED.event_id
    WHERE latest_audit_steps.event_id < EXCLUDED.event_id;
  RETURN NULL;
END
$$;

CREATE TRIGGER code_events_latest_audit_step AFTER INSERT ON code_events
  FOR EACH ROW
  WHEN (NEW.kind IN ('submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn'))
  EXECUTE FUNCTION keep_latest_audit_step();
