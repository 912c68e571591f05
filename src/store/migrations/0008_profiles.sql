-- Mini program configuration profiles (desired state) and their assignment to tenants.

CREATE TABLE profiles (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  spec        JSONB NOT NULL DEFAULT '{}',
  is_default  BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX profiles_one_default ON profiles (is_default) WHERE is_default;

CREATE TABLE tenant_profiles (
  tenant_id   TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  profile_id  TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE
);
