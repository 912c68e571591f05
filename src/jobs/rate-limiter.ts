import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';

/**
 * A token bucket kept in the database, so that every instance draws from the same bucket:
 * `take()` waits until a call is allowed. One UPDATE per call refills the bucket for the time
 * since its last use and takes a token only when one is there.
 */
export interface RateLimiterOptions {
  db: Db;
  clock: Clock;
  name: string;
  perSecond: number;
  /** Bucket capacity; default one second's worth. */
  burst?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

export function createRateLimiter(opts: RateLimiterOptions) {
  const { db, clock, name, perSecond } = opts;
  const burst = opts.burst ?? Math.max(1, perSecond);
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let ensured = false;
  /** Until then, a 45011 from WeChat holds every caller of this instance back. */
  let pausedUntil = 0;

  async function tryTake(): Promise<number> {
    const now = new Date(clock.now());
    if (!ensured) {
      await db.query(
        `INSERT INTO rate_buckets (name, tokens, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING`,
        [name, burst, now],
      );
      ensured = true;
    }
    const res = await db.query<{ tokens: number }>(
      `UPDATE rate_buckets SET
         tokens = LEAST($2::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM ($4::timestamptz - updated_at))) * $3::float8) - 1,
         updated_at = GREATEST(updated_at, $4::timestamptz)
       WHERE name = $1
         AND LEAST($2::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM ($4::timestamptz - updated_at))) * $3::float8) >= 1
       RETURNING tokens`,
      [name, burst, perSecond, now],
    );
    if (res.rows.length > 0) return 0;
    const left = await db.query<{ tokens: number }>(
      `SELECT LEAST($2::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM ($3::timestamptz - updated_at))) * $4::float8) AS tokens
       FROM rate_buckets WHERE name = $1`,
      [name, burst, now, perSecond],
    );
    const tokens = Number(left.rows[0]?.tokens ?? 0);
    return Math.max(5, Math.ceil(((1 - tokens) / perSecond) * 1000));
  }

  return {
    perSecond,
    /** Waits for a token. */
    async take(): Promise<void> {
      for (;;) {
        const hold = pausedUntil - clock.now();
        if (hold > 0) {
          await sleep(hold);
          continue;
        }
        const wait = await tryTake();
        if (wait === 0) return;
        await sleep(wait);
      }
    },
    /** WeChat said "too fast" (45011): hold this instance's callers back for `ms`. */
    backOff(ms: number): void {
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
    },
  };
}
