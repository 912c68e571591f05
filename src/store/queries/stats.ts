import type { Queryable } from '../db.ts';
import type { TokenFailureRow } from './overview.ts';

/**
 * The counts kept by the database as rows change (stat_counters, migration 0022) and the time
 * buckets of what happened (stat_buckets, migration 0023). Every read here touches a fixed,
 * small number of rows, whatever the number of authorizers or the length of the history.
 */
export type BucketSize = 'minute' | 'hour';

export interface BucketRow {
  series: string;
  at: Date;
  n: number;
}

export interface BucketIncrement {
  series: string;
  size: BucketSize;
  at: Date;
  n: number;
}

export function createStatsQueries(db: Queryable) {
  return {
    /** Every counter: the sum of its shards (at most 64 rows each). */
    async counters(): Promise<Record<string, number>> {
      const res = await db.query<{ name: string; n: string }>(
        'SELECT name, sum(n)::text AS n FROM stat_counters GROUP BY name',
      );
      return Object.fromEntries(res.rows.map((r) => [r.name, Number(r.n)]));
    },

    /**
     * Adds counts to their buckets. Rows go in key order, so that two instances adding to the
     * same buckets at once never wait for each other in a cycle.
     */
    async addToBuckets(items: readonly BucketIncrement[]): Promise<void> {
      if (items.length === 0) return;
      const sorted = [...items].sort(
        (a, b) =>
          a.size.localeCompare(b.size) ||
          a.at.getTime() - b.at.getTime() ||
          a.series.localeCompare(b.series),
      );
      await db.query(
        `INSERT INTO stat_buckets (series, size, at, n)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[])
         ON CONFLICT (size, at, series) DO UPDATE SET n = stat_buckets.n + EXCLUDED.n`,
        [
          sorted.map((i) => i.series),
          sorted.map((i) => i.size),
          sorted.map((i) => i.at),
          sorted.map((i) => i.n),
        ],
      );
    },

    /** The buckets of one size in [from, to), by the primary key's range. */
    async buckets(size: BucketSize, from: Date, to: Date): Promise<BucketRow[]> {
      const res = await db.query<{ series: string; at: Date; n: string }>(
        `SELECT series, at, n::text AS n FROM stat_buckets
         WHERE size = $1 AND at >= $2 AND at < $3 ORDER BY at`,
        [size, from, to],
      );
      return res.rows.map((r) => ({ series: r.series, at: new Date(r.at), n: Number(r.n) }));
    },

    /** Deletes at most `limit` buckets of one size older than `before`; answers how many. */
    async pruneBuckets(size: BucketSize, before: Date, limit: number): Promise<number> {
      const res = await db.query(
        `DELETE FROM stat_buckets WHERE (size, at, series) IN (
           SELECT size, at, series FROM stat_buckets WHERE size = $1 AND at < $2 LIMIT $3)`,
        [size, before, limit],
      );
      return res.rowCount;
    },

    /** The tokens whose last refresh failed, latest first, through tokens_failing_idx. */
    async latestTokenFailures(limit: number): Promise<TokenFailureRow[]> {
      const res = await db.query<TokenFailureRow>(
        `SELECT kind, appid, failures, last_error, last_error_at FROM tokens
         WHERE failures > 0 ORDER BY last_error_at DESC NULLS LAST LIMIT $1`,
        [limit],
      );
      return res.rows;
    },

    /** The oldest delivery still waiting (pending or retried), through the partial due index. */
    async oldestPendingDelivery(): Promise<Date | null> {
      const res = await db.query<{ at: Date | null }>(
        `SELECT min(created_at) AS at FROM webhook_deliveries WHERE status IN ('pending', 'failed')`,
      );
      return res.rows[0]?.at ?? null;
    },
  };
}

export type StatsQueries = ReturnType<typeof createStatsQueries>;
