-- Why a webhook delivery's last attempt failed, as a stable code (http_status, timeout,
-- connection_refused, dns, address_forbidden, tls, ...) and the values its sentence needs
-- ({"status": 500}), next to the text in last_error, so that the console words it in the
-- operator's language. Rows failed before this migration keep a null code.
ALTER TABLE webhook_deliveries ADD COLUMN last_error_code TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN last_error_params JSONB;
