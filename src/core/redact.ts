/**
 * Redaction of secrets in anything that may be logged or returned in an error.
 * Keys are matched case-insensitively by name; query strings get the same treatment.
 */
const SECRET_KEY =
  /(secret|token|ticket|aes_?key|encoding_?aes_?key|password|authorization|auth_code|authorization_code|pre_auth_code|master_?key|refresh|session_?key)/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] =
        isSecretKey(k) && v !== undefined && v !== null && v !== ''
          ? REDACTED
          : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

/** Redacts secret query parameters of a URL or path, keeping the rest readable. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const parts: string[] = [];
  for (const [k, v] of params)
    parts.push(`${k}=${isSecretKey(k) ? REDACTED : encodeURIComponent(v)}`);
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** Shows only the first and last characters of a secret, e.g. for "which token is this". */
export function mask(secret: string): string {
  if (secret.length <= 8) return '****';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
