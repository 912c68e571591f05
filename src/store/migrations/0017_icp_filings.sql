-- ICP filing (小程序备案) of each mini program: where it stands (openwx's state, WeChat's status
-- and rejection reasons, the face verification, the media uploaded) and its history. The filing
-- form itself (names, ID numbers, phone numbers) is sent to WeChat and never stored here.
CREATE TABLE icp_filings (
  appid           TEXT PRIMARY KEY,
  state           TEXT NOT NULL CHECK (state IN ('not_started', 'verification', 'materials', 'submitted', 'under_review', 'filed', 'rejected')),
  wechat_status   INTEGER,
  is_canceling    BOOLEAN NOT NULL DEFAULT false,
  audit_data      JSONB NOT NULL DEFAULT '[]',
  verify_task_id  TEXT,
  face_status     INTEGER,
  media           JSONB NOT NULL DEFAULT '[]',
  updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE icp_filing_history (
  id         BIGSERIAL PRIMARY KEY,
  appid      TEXT NOT NULL,
  kind       TEXT NOT NULL,
  state      TEXT NOT NULL,
  detail     JSONB NOT NULL DEFAULT '{}',
  actor      TEXT NOT NULL,
  -- The push a step came from: a push is recorded once.
  event_id   BIGINT UNIQUE,
  at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX icp_filing_history_appid_idx ON icp_filing_history (appid, id);
