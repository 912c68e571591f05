-- Verification on behalf (代认证) of mini programs: one row per WeChat task (taskid), with where it
-- stands (WeChat's task_status and apply_status, the reason of a send-back) and the name it
-- verifies. Contact and invoice details are sent to WeChat and never stored here.
CREATE TABLE verifications (
  id            BIGSERIAL PRIMARY KEY,
  appid         TEXT NOT NULL,
  taskid        TEXT NOT NULL UNIQUE,
  state         TEXT NOT NULL CHECK (state IN ('in_progress', 'approved', 'rejected', 'failed')),
  task_status   INTEGER,
  apply_status  INTEGER,
  auth_url      TEXT,
  account_name  TEXT NOT NULL,
  customer_type INTEGER NOT NULL,
  reason        TEXT,
  -- The push that last changed the row: a push is applied once.
  event_id      BIGINT UNIQUE,
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX verifications_appid_idx ON verifications (appid, id);

-- WeChat's reviews of a mini program's name (setnickname → wxa_nickname_audit) and categories
-- (addcategory with qualifications → wxa_category_audit): pending until the push decides them.
CREATE TABLE wechat_reviews (
  id            BIGSERIAL PRIMARY KEY,
  appid         TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('nickname', 'category')),
  state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  audit_id      BIGINT,
  nickname      TEXT,
  first_id      INTEGER,
  second_id     INTEGER,
  reason        TEXT,
  event_id      BIGINT UNIQUE,
  requested_at  TIMESTAMPTZ NOT NULL,
  decided_at    TIMESTAMPTZ
);
CREATE INDEX wechat_reviews_appid_idx ON wechat_reviews (appid, id);
