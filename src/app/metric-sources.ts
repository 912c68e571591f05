import type { Clock } from '../core/clock.ts';
import { readMaintainedCounts, type MaintainedCounts } from '../services/stats/service.ts';
import type { Queryable } from '../store/db.ts';
import { TOKEN_HEALTH, type TokenHealth } from './metrics.ts';

/** Queued jobs counted per scrape at most; past it the gauge shows the cap. */
export const QUEUED_JOBS_CAP = 10_000;

/**
 * The database reads behind the metrics that are not single-row reads. What a scrape runs must
 * not grow with the number of authorizers or with history; the census of authorizer tokens,
 * which does, runs in the scheduler instead.
 */
export function createMetricSources(deps: { db: Queryable; clock: Clock; refreshAheadMs: number }) {
  return {
    /**
     * Per scrape: authorizers by status, those needing attention, failing tokens, the webhook
     * backlog and open rollouts, each the sum of at most 64 rows that the database keeps as the
     * rows they count change (migration 0022), so a scrape costs the same with 100 or 100,000
     * authorizers.
     */
    maintainedCounts(): Promise<MaintainedCounts> {
      return readMaintainedCounts(deps.db);
    },

    /**
     * Per scrape. Walks the partial index of queued jobs (`jobs_ready_idx ON jobs (run_at) WHERE
     * status = 'queued'`) in its own order and stops at QUEUED_JOBS_CAP rows, so finished and
     * dead jobs, which are kept, are never read and the cost is bounded even for a long queue.
     */
    async queuedJobs(): Promise<Record<string, number>> {
      const res = await deps.db.query<{ type: string; n: number }>(
        `SELECT type, count(*)::int AS n FROM (
           SELECT type FROM jobs WHERE status = 'queued' ORDER BY run_at LIMIT $1
         ) q GROUP BY type`,
        [QUEUED_JOBS_CAP],
      );
      return Object.fromEntries(res.rows.map((r) => [r.type, r.n]));
    },

    /**
     * By the scheduler, not per scrape: it reads every authorized account's token (one
     * primary-key lookup each), as the scheduler's own due-token search does.
     */
    async authorizerTokenHealth(): Promise<Record<TokenHealth, number>> {
      const now = deps.clock.now();
      const res = await deps.db.query<{ health: TokenHealth; n: number }>(
        `SELECT CASE
             WHEN t.failures > 0 THEN 'failing'
             WHEN t.expires_at IS NULL OR t.expires_at <= $1 THEN 'expired'
             WHEN t.expires_at <= $2 THEN 'due'
             ELSE 'valid' END AS health,
           count(*)::int AS n
         FROM authorizers a LEFT JOIN tokens t ON t.key = 'authorizer:' || a.appid
         WHERE a.status = 'authorized'
         GROUP BY 1`,
        [new Date(now), new Date(now + deps.refreshAheadMs)],
      );
      const out = Object.fromEntries(TOKEN_HEALTH.map((h) => [h, 0])) as Record<
        TokenHealth,
        number
      >;
      for (const r of res.rows) out[r.health] = r.n;
      return out;
    },
  };
}
