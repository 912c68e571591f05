-- What happened over time, aggregated as it happens: one row per series and minute (kept 2
-- days, for the last 24 h by minute) and per series and hour (kept 400 days, for the last 30
-- days by day in any time zone). The console's charts read these rows, never the events.
-- Pushes, token refreshes and webhook deliveries are added by each instance (a few seconds'
-- counts at a time); audit steps by the trigger below, as the step is recorded.
CREATE TABLE stat_buckets (
  series  TEXT NOT NULL,
  size    TEXT NOT NULL CHECK (size IN ('minute', 'hour')),
  at      TIMESTAMPTZ NOT NULL,
  n       BIGINT NOT NULL,
  PRIMARY KEY (size, at, series)
);

CREATE FUNCTION stat_count_audits() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stat_buckets (series, size, at, n)
  SELECT series, size, at, count(*) FROM (
    SELECT CASE kind WHEN 'submitted' THEN 'audits_submitted'
                     WHEN 'audit_passed' THEN 'audits_passed'
                     ELSE 'audits_rejected' END AS series,
           s.size,
           date_trunc(s.size, new_rows.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at
    FROM new_rows, (VALUES ('minute'), ('hour')) AS s(size)
    WHERE kind IN ('submitted', 'audit_passed', 'audit_failed')
  ) x
  GROUP BY series, size, at
  ORDER BY size, at, series
  ON CONFLICT (size, at, series) DO UPDATE SET n = stat_buckets.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE TRIGGER code_events_count_audits AFTER INSERT ON code_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_audits();
