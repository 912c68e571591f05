-- The URL WeChat answers to a trial mini program conversion (new version, since 2026-04-30): the
-- legal person opens it in WeChat within 24 h.
ALTER TABLE registrations ADD COLUMN verify_url TEXT;

-- Testers (体验者) bound through openwx: WeChat's member list names them only by userstr, so the
-- WeChat ID given when binding is kept to show next to it. WeChat's list stays the truth.
CREATE TABLE testers (
  appid     TEXT NOT NULL REFERENCES authorizers (appid) ON DELETE CASCADE,
  userstr   TEXT NOT NULL,
  wechatid  TEXT NOT NULL,
  bound_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (appid, userstr)
);
