-- Which authorization code became which authorizer, so that the redirect and the push for the
-- same authorization (either order) end in one authorizer. Codes are kept as hashes only.
CREATE TABLE authorization_codes (
  code_hash    TEXT PRIMARY KEY,
  appid        TEXT NOT NULL,
  exchanged_at TIMESTAMPTZ NOT NULL
);
