-- Webhook secret rotation. The secret a rotation replaced stays here, sealed like the current one
-- (AES-GCM, AAD `webhook_secret:<webhook id>`), and keeps signing deliveries next to the new one
-- until previous_secret_expires_at; after that it is ignored (and cleared by the next rotation).
ALTER TABLE webhooks ADD COLUMN previous_secret_sealed TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at TIMESTAMPTZ;
ALTER TABLE webhooks ADD COLUMN secret_rotated_at TIMESTAMPTZ;
