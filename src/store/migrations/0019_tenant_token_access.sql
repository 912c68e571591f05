-- Whether a tenant's keys may fetch raw authorizer access tokens (GET /api/tenant/tokens/:appid).
-- Off by default: with a raw token a tenant's systems can call any WeChat API of its mini
-- programs, the code pipeline included, outside the proxy's allow list and openwx's records.
ALTER TABLE tenants ADD COLUMN token_access BOOLEAN NOT NULL DEFAULT false;
