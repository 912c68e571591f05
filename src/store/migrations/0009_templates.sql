-- Every code template openwx has seen in the platform's template library, kept after WeChat's
-- library drops it (in_library false), and the one default template new merchants get.
CREATE TABLE templates (
  template_id               BIGINT PRIMARY KEY,
  draft_id                  BIGINT,
  template_type             INTEGER NOT NULL DEFAULT 0,
  user_version              TEXT NOT NULL DEFAULT '',
  user_desc                 TEXT NOT NULL DEFAULT '',
  source_miniprogram_appid  TEXT,
  source_miniprogram        TEXT,
  developer                 TEXT,
  created_at                TIMESTAMPTZ,
  first_seen_at             TIMESTAMPTZ NOT NULL,
  last_seen_at              TIMESTAMPTZ NOT NULL,
  in_library                BOOLEAN NOT NULL DEFAULT TRUE,
  left_library_at           TIMESTAMPTZ
);

CREATE TABLE default_template (
  only_row     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  template_id  BIGINT NOT NULL REFERENCES templates (template_id),
  set_at       TIMESTAMPTZ NOT NULL
);
