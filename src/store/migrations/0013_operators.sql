-- Operator accounts for the console: each person signs in with a username, a password (scrypt,
-- memory-hard) and optionally a TOTP code, and acts with a role. The admin token stays for
-- automation. Sessions are bearer tokens stored as SHA-256 hashes. Every sign-in attempt is kept
-- (the account-and-address throttle counts the failures of the last minutes).
CREATE TABLE operators (
  id                  TEXT PRIMARY KEY,
  username            TEXT NOT NULL UNIQUE,
  display_name        TEXT NOT NULL,
  role                TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  password_hash       TEXT NOT NULL,
  totp_secret         TEXT,
  totp_pending_secret TEXT,
  totp_last_step      BIGINT,
  disabled_at         TIMESTAMPTZ,
  created_at          TIMESTAMPTZ NOT NULL,
  updated_at          TIMESTAMPTZ NOT NULL,
  last_sign_in_at     TIMESTAMPTZ
);

CREATE TABLE operator_sessions (
  id           TEXT PRIMARY KEY,
  operator_id  TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  token_hash   TEXT NOT NULL UNIQUE,
  ip           TEXT NOT NULL,
  user_agent   TEXT,
  created_at   TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL,
  revoked_at   TIMESTAMPTZ
);
CREATE INDEX operator_sessions_operator_idx ON operator_sessions (operator_id);

CREATE TABLE sign_in_attempts (
  id          BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL,
  username    TEXT NOT NULL,
  operator_id TEXT,
  ip          TEXT NOT NULL,
  outcome     TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_username_idx ON sign_in_attempts (username, at);
CREATE INDEX sign_in_attempts_ip_idx ON sign_in_attempts (ip, at);
CREATE INDEX sign_in_attempts_at_idx ON sign_in_attempts (at);
