-- Tenants (the operator's customers), their API keys, and authorization links.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  ext         JSONB NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE authorizers ADD COLUMN tenant_id TEXT REFERENCES tenants (id);
CREATE INDEX authorizers_tenant_idx ON authorizers (tenant_id);

CREATE TABLE tenant_keys (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants (id),
  name          TEXT NOT NULL DEFAULT '',
  key_hash      TEXT NOT NULL UNIQUE,
  prefix        TEXT NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at    TIMESTAMPTZ,
  last_used_at  TIMESTAMPTZ
);
CREATE INDEX tenant_keys_tenant_idx ON tenant_keys (tenant_id);

CREATE TABLE authorization_links (
  token               TEXT PRIMARY KEY,
  tenant_id           TEXT REFERENCES tenants (id),
  pre_auth_code_hash  TEXT NOT NULL UNIQUE,
  pc_url              TEXT NOT NULL,
  mobile_url          TEXT NOT NULL,
  redirect            TEXT,
  expires_at          TIMESTAMPTZ NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  used_at             TIMESTAMPTZ,
  appid               TEXT
);
