/**
 * A token bucket per client address, in this process: `burst` refusals at once, then
 * `perMinute`. Only what goes wrong is charged (spend); a well-behaved client never waits. At
 * most `maxKeys` addresses are remembered, the least recently seen forgotten first.
 */
export interface AddressLimiter {
  /** Seconds until `key` may try again, or undefined when it may now. */
  retryAfter(key: string): number | undefined;
  /** Charges one failure to `key`. */
  spend(key: string): void;
}

export interface AddressLimits {
  burst: number;
  perMinute: number;
  maxKeys?: number;
}

export function createAddressLimiter(
  limits: AddressLimits,
  now: () => number = Date.now,
): AddressLimiter {
  const { burst, perMinute } = limits;
  const maxKeys = limits.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;

  /** The bucket of `key` filled up to now, moved to the most recently seen end. */
  function current(key: string) {
    const t = now();
    const b = buckets.get(key);
    const tokens = b ? Math.min(burst, b.tokens + (t - b.at) * perMs) : burst;
    buckets.delete(key);
    const next = { tokens, at: t };
    buckets.set(key, next);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    return next;
  }

  return {
    retryAfter(key) {
      const b = current(key);
      return b.tokens >= 1 ? undefined : Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
    spend(key) {
      const b = current(key);
      b.tokens = Math.max(0, b.tokens - 1);
    },
  };
}
