import type { Clock } from '../core/clock.ts';
import { readMaintainedCounts, type MaintainedCounts } from '../services/stats/service.ts';
import type { Queryable } from '../store/db.ts';
import type { TokenHealth } from './metrics.ts';

/**
 * Queued jobs counted per scrape at most, and expired or due tokens per census; past it the
 * gauge shows the cap.
 */
export const QUEUED_JOBS_CAP = 10_000;

/**
 * The database reads behind the metrics that are not single-row reads. What a scrape runs must
 * not grow with the number of authorizers or with history; the census of authorizer tokens by
 * health, which changes with the clock, runs in the scheduler and reads only the tokens due.
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
     * By the scheduler (every 30 s), not per scrape. `failing` and the authorized accounts come
     * from the kept counts (migration 0022); `expired` and `due` from the tokens whose expiry is
     * within the refresh-ahead window, through tokens_authorizer_expiry_idx (migration 0024),
     * at most QUEUED_JOBS_CAP of them; `valid` is the rest. So the census costs what the tokens
     * due now cost, not what the authorizers do. An authorized account without a token row yet
     * is counted valid.
     */
    async authorizerTokenHealth(): Promise<Record<TokenHealth, number>> {
      const now = deps.clock.now();
      const [counts, near] = await Promise.all([
        readMaintainedCounts(deps.db),
        deps.db.query<{ expired: number; due: number }>(
          `SELECT count(*) FILTER (WHERE expires_at <= $1)::int AS expired,
                  count(*) FILTER (WHERE expires_at > $1)::int AS due
           FROM (SELECT expires_at FROM tokens
                 WHERE kind = 'authorizer' AND failures = 0 AND expires_at <= $2
                 ORDER BY expires_at LIMIT $3) t`,
          [new Date(now), new Date(now + deps.refreshAheadMs), QUEUED_JOBS_CAP],
        ),
      ]);
      const failing = counts.tokensFailing['authorizer'] ?? 0;
      const expired = near.rows[0]?.expired ?? 0;
      const due = near.rows[0]?.due ?? 0;
      const valid = Math.max(0, counts.authorizers.authorized - failing - expired - due);
      return { valid, due, expired, failing };
    },
  };
}
