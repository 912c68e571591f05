-- Passive auto-replies per authorizer: an ordered list of rules, replaced as a whole.

CREATE TABLE auto_replies (
  appid       TEXT PRIMARY KEY REFERENCES authorizers (appid),
  rules       JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rules) = 'array'),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
