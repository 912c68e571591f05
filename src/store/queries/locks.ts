import type { Queryable } from '../db.ts';

/**
 * Lease locks in the database: a holder owns a key until it releases it or the lease runs out
 * (a crashed holder cannot block the key for longer than the lease). No transaction is held
 * while the lock is held, so PGlite's single connection stays free for other work.
 */
export function createLockQueries(db: Queryable) {
  return {
    async tryAcquire(key: string, holder: string, now: Date, until: Date): Promise<boolean> {
      const res = await db.query<{ holder: string }>(
        `INSERT INTO locks (key, holder, expires_at) VALUES ($1, $2, $4)
         ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE locks.expires_at < $3 OR locks.holder = EXCLUDED.holder
         RETURNING holder`,
        [key, holder, now, until],
      );
      return res.rows[0]?.holder === holder;
    },

    async release(key: string, holder: string): Promise<void> {
      await db.query('DELETE FROM locks WHERE key = $1 AND holder = $2', [key, holder]);
    },

    async releaseAllOf(holder: string): Promise<void> {
      await db.query('DELETE FROM locks WHERE holder = $1', [holder]);
    },
  };
}
