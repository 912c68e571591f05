-- An official account's jsapi_ticket is kept like a token: sealed in `tokens`, refreshed once
-- across instances under the same lease lock, keyed `jsapi_ticket:<appid>`.
ALTER TABLE tokens DROP CONSTRAINT IF EXISTS tokens_kind_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_kind_check CHECK (kind IN ('component', 'authorizer', 'jsapi_ticket'));
