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

  /**
   * Tokens are taken from the shared bucket a tenth of a second's worth at a time and handed out
   * here, so that a busy instance does not queue on the bucket's row for every call. Tokens left
   * when the process stops are lost, which only errs on the slow side.
   */
  const chunk = Math.max(1, Math.floor(perSecond / 10));
  let reserve = 0;

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
    // tokens now = min(burst, stored + elapsed × rate); take min(chunk, whole tokens now).
    const res = await db.query<{ got: number }>(
      `WITH b AS (
         SELECT LEAST($2::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM ($4::timestamptz - updated_at))) * $3::float8) AS now_tokens
         FROM rate_buckets WHERE name = $1 FOR UPDATE)
       UPDATE rate_buckets SET
         tokens = b.now_tokens - LEAST($5::float8, floor(b.now_tokens)),
         updated_at = GREATEST(updated_at, $4::timestamptz)
       FROM b WHERE name = $1 AND b.now_tokens >= 1
       RETURNING LEAST($5::float8, floor(b.now_tokens))::int AS got`,
      [name, burst, perSecond, now, chunk],
    );
    const got = Number(res.rows[0]?.got ?? 0);
    if (got > 0) {
      reserve += got - 1;
      return 0;
    }
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
        if (reserve > 0) {
          reserve--;
          return;
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
