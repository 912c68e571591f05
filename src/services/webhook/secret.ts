import { createHmac } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import { systemRandom, type RandomSource } from '../../core/random.ts';

/**
 * Webhook signing secrets in the Standard Webhooks form (https://www.standardwebhooks.com/):
 * `whsec_` followed by the base64 of the key bytes. The `webhook-signature` header holds
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, several of them
 * separated by spaces while a rotation's grace period runs.
 */
export const SECRET_PREFIX = 'whsec_';
/** Bytes of key in a generated secret. */
export const GENERATED_KEY_BYTES = 32;
export const MIN_KEY_BYTES = 24;
export const MAX_KEY_BYTES = 64;

/** Padded standard base64 (RFC 4648 §4), at least one group. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(random: RandomSource = systemRandom): string {
  return `${SECRET_PREFIX}${random.bytes(GENERATED_KEY_BYTES).toString('base64')}`;
}

/** The key of a Standard Webhooks secret (`whsec_` + base64 of 24 to 64 bytes), else undefined. */
export function standardKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (b64.length > Math.ceil(MAX_KEY_BYTES / 3) * 4) return undefined;
  if (!BASE64.test(b64)) return undefined;
  const key = Buffer.from(b64, 'base64');
  return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : undefined;
}

/** 'standard' for a Standard Webhooks secret, 'legacy' for one stored before they were required. */
export type SecretFormat = 'standard' | 'legacy';
export const secretFormat = (secret: string): SecretFormat =>
  standardKey(secret) ? 'standard' : 'legacy';

/**
 * The HMAC key of `webhook-signature`: the decoded bytes of a standard secret; for a legacy
 * secret (any other string accepted before) its UTF-8 bytes, as Standard Webhooks libraries
 * read a "raw" secret (standardwebhooks: `new Webhook(secret, { format: 'raw' })`).
 */
export function signingKey(secret: string): Buffer {
  return standardKey(secret) ?? Buffer.from(secret, 'utf8');
}

/** A caller-provided secret must be a Standard Webhooks secret (400 webhook_secret_invalid). */
export function checkSecretInput(secret: string): string {
  if (standardKey(secret)) return secret;
  throw new AppError(
    'webhook_secret_invalid',
    `secret must be "${SECRET_PREFIX}" followed by the base64 (with padding) of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes, e.g. "${SECRET_PREFIX}" + base64 of 32 bytes; leave it out to have one generated`,
    {
      details: {
        field: 'secret',
        params: {
          reason: 'format',
          prefix: SECRET_PREFIX,
          min_bytes: MIN_KEY_BYTES,
          max_bytes: MAX_KEY_BYTES,
        },
      },
    },
  );
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` (Standard Webhooks, symmetric). */
export function standardSignature(
  key: Buffer,
  webhookId: string,
  timestamp: number,
  body: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`${webhookId}.${timestamp}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}
