-- An audit has one result: WeChat's push and the audit status poll may both bring it, on two
-- instances at once, and each read "no result yet" before writing. The database now keeps one
-- audit_passed or audit_failed per mini program and audit; the second write does nothing.
-- A result recorded twice before this migration (the race above) keeps its first record.
DELETE FROM code_events e
USING code_events first
WHERE e.kind IN ('audit_passed', 'audit_failed')
  AND first.kind IN ('audit_passed', 'audit_failed')
  AND e.auditid IS NOT NULL
  AND first.appid = e.appid
  AND first.auditid = e.auditid
  AND first.id < e.id;

CREATE UNIQUE INDEX code_events_audit_result_idx ON code_events (appid, auditid)
  WHERE kind IN ('audit_passed', 'audit_failed') AND auditid IS NOT NULL;
