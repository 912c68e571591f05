-- Scheduled drift checks: each authorized mini program carries the time of its next check. An
-- instance claims due rows by moving drift_check_at past a short lease (FOR UPDATE SKIP LOCKED),
-- so several instances share the checks and a crashed one only delays its claimed rows by the
-- lease. Existing mini programs are spread over the first six hours.
ALTER TABLE authorizers ADD COLUMN drift_check_at TIMESTAMPTZ;
UPDATE authorizers SET drift_check_at = now() + random() * interval '6 hours'
  WHERE status = 'authorized';
CREATE INDEX authorizers_drift_check_at_idx ON authorizers (drift_check_at NULLS FIRST)
  WHERE status = 'authorized';
