import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operator passwords, hashed with scrypt (memory-hard: N = 2^15, r = 8 → 32 MiB per hash) and a
 * 16-byte random salt. Stored as `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can
 * be raised later while older hashes still verify.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const DEFAULT_COST = { logN: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number) {
  const N = 2 ** logN;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(
  password: string,
  cost: { logN: number; r: number; p: number } = DEFAULT_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost.logN, cost.r, cost.p);
  return [
    'scrypt',
    cost.logN,
    cost.r,
    cost.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

/** Whether `password` matches `stored`; false for a stored value of any other form. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20) return false;
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(password, Buffer.from(parts[4] ?? '', 'base64'), logN, r, p);
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: verifying against it costs what a real check costs. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  return decoy;
}

/** The `params.reason` of a refused new password (the console words each). */
export const PASSWORD_REJECTED_REASONS = ['too_short', 'too_long', 'same_as_username'] as const;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  username: string,
): { reason: (typeof PASSWORD_REJECTED_REASONS)[number]; min: number; max: number } | undefined {
  const bounds = { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH };
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return { reason: 'too_short', ...bounds };
  if (length > PASSWORD_MAX_LENGTH) return { reason: 'too_long', ...bounds };
  if (password.trim().toLowerCase() === username.toLowerCase())
    return { reason: 'same_as_username', ...bounds };
  return undefined;
}
