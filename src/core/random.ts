import { randomBytes, randomUUID } from 'node:crypto';

/** Randomness is injected so that tests can reproduce published vectors byte for byte. */
export interface RandomSource {
  bytes(n: number): Buffer;
}

export const systemRandom: RandomSource = { bytes: (n) => randomBytes(n) };

/** Always returns the given bytes (repeated or cut to length). For tests only. */
export function fixedRandom(value: Buffer | string): RandomSource {
  const buf = typeof value === 'string' ? Buffer.from(value) : value;
  return {
    bytes(n: number) {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = buf[i % buf.length] ?? 0;
      return out;
    },
  };
}

export const newId = (): string => randomUUID();

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of letters and digits, e.g. for tokens and nonces. */
export function randomAlnum(n: number, random: RandomSource = systemRandom): string {
  const bytes = random.bytes(n);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function randomDigits(n: number, random: RandomSource = systemRandom): string {
  const bytes = random.bytes(n);
  let out = '';
  for (const b of bytes) out += String(b % 10);
  return out;
}
