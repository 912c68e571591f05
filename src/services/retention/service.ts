import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { Queryable } from '../../store/db.ts';
import { createRetentionQueries, type WalkBatch } from '../../store/queries/retention.ts';
import { createStatsQueries } from '../../store/queries/stats.ts';
import { HOUR_BUCKETS_KEEP_DAYS, MINUTE_BUCKETS_KEEP_DAYS } from '../stats/series.ts';

/**
 * Retention: rows that would otherwise be kept forever are deleted once they are old and no longer
 * needed. Pushes (events) after OPENWX_RETENTION_EVENTS_DAYS, finished jobs after
 * OPENWX_RETENTION_JOBS_DAYS, finished webhook deliveries after OPENWX_RETENTION_DELIVERIES_DAYS,
 * authorization links 7 days after they expired and exchanged authorization codes after 7 days
 * (both live minutes: WeChat's pre_auth_code and authorization_code expire within an hour),
 * console sign-in attempts after 90 days, operator sessions 7 days after they ended, and the
 * charts' minute buckets after 2 days and hour buckets after 400 days (stats/series.ts).
 *
 * Kept whatever their age: unfinished jobs, deliveries still pending or retried, events that a
 * delivery refers to, that the webhook dispatcher has not fanned out yet or that an unfinished
 * job was queued for, and links an unfinished authorization job still looks up.
 *
 * Each statement deletes at most `batchSize` rows, and the task yields between statements so that
 * pushes and jobs go on meanwhile; one run makes at most `maxBatches` statements that delete rows
 * per table (a large backlog after an upgrade is worked off over several runs).
 */
export const RETENTION_TABLES = [
  'webhook_deliveries',
  'events',
  'jobs',
  'authorization_links',
  'authorization_codes',
  'sign_in_attempts',
  'operator_sessions',
  'stat_buckets',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionSettings {
  eventsDays: number;
  jobsDays: number;
  deliveriesDays: number;
}

/** How long expired authorization links and exchanged authorization codes are kept. */
export const AUTHORIZATION_KEEP_DAYS = 7;
/** How long the log of console sign-in attempts goes back. */
export const SIGN_IN_ATTEMPTS_KEEP_DAYS = 90;
/** How long an ended (expired or revoked) operator session is kept. */
export const SESSIONS_KEEP_DAYS = 7;
export const DEFAULT_BATCH_SIZE = 2000;
export const DEFAULT_MAX_BATCHES = 250;

export interface RetentionOptions {
  db: Queryable;
  clock: Clock;
  settings: RetentionSettings;
  log?: Logger;
  batchSize?: number;
  maxBatches?: number;
  /** Waits between two statements (default: 20 ms, so that other work gets the database). */
  pause?: () => Promise<void>;
  /** Rows deleted from `table` by one statement. */
  onDeleted?: (table: RetentionTable, rows: number) => void;
}

export type PruneCounts = Record<RetentionTable, number>;

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRetentionService(o: RetentionOptions) {
  const q = createRetentionQueries(o.db);
  const stats = createStatsQueries(o.db);
  const log = o.log ?? silentLogger;
  const batchSize = o.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxBatches = o.maxBatches ?? DEFAULT_MAX_BATCHES;
  const pause = o.pause ?? (() => sleep(20));

  /** Deletes batch after batch: `step` answers how many it deleted and whether more may follow. */
  async function repeat(
    table: RetentionTable,
    step: () => Promise<{ deleted: number; more: boolean }>,
  ): Promise<number> {
    let total = 0;
    // Only batches that deleted rows count: a walk may first read past old rows that are still
    // needed (cheap reads by primary key) before it reaches the ones it can delete.
    for (let n = 0, first = true; n < maxBatches; first = false) {
      if (!first) await pause();
      const { deleted, more } = await step();
      total += deleted;
      if (deleted > 0) {
        n++;
        o.onDeleted?.(table, deleted);
      }
      if (!more) break;
    }
    return total;
  }

  /** A walk by primary key (see store/queries/retention.ts). */
  function walk(table: RetentionTable, batch: (afterId: number) => Promise<WalkBatch>) {
    let after = 0;
    return repeat(table, async () => {
      const b = await batch(after);
      after = b.lastId ?? after;
      return { deleted: b.deleted, more: b.scanned === batchSize && !b.reachedRecent };
    });
  }

  const byAge = (table: RetentionTable, del: () => Promise<number>) =>
    repeat(table, async () => {
      const deleted = await del();
      return { deleted, more: deleted === batchSize };
    });

  return {
    batchSize,

    /**
     * One pass over every table. A table that fails is logged and the others still run. Returns
     * the rows deleted per table.
     */
    async prune(): Promise<PruneCounts> {
      const now = o.clock.now();
      const cutoff = (days: number) => new Date(now - days * DAY_MS);
      const s = o.settings;
      const steps: Record<RetentionTable, () => Promise<number>> = {
        // Deliveries first: an event is kept while a delivery refers to it.
        webhook_deliveries: () =>
          walk('webhook_deliveries', (after) =>
            q.pruneDeliveries(after, batchSize, cutoff(s.deliveriesDays)),
          ),
        events: () =>
          walk('events', (after) => q.pruneEvents(after, batchSize, cutoff(s.eventsDays))),
        jobs: () => byAge('jobs', () => q.pruneFinishedJobs(batchSize, cutoff(s.jobsDays))),
        authorization_links: () =>
          byAge('authorization_links', () =>
            q.pruneAuthorizationLinks(batchSize, cutoff(AUTHORIZATION_KEEP_DAYS)),
          ),
        authorization_codes: () =>
          byAge('authorization_codes', () =>
            q.pruneAuthorizationCodes(batchSize, cutoff(AUTHORIZATION_KEEP_DAYS)),
          ),
        sign_in_attempts: () =>
          byAge('sign_in_attempts', () =>
            q.pruneSignInAttempts(batchSize, cutoff(SIGN_IN_ATTEMPTS_KEEP_DAYS)),
          ),
        operator_sessions: () =>
          byAge('operator_sessions', () =>
            q.pruneOperatorSessions(batchSize, cutoff(SESSIONS_KEEP_DAYS)),
          ),
        stat_buckets: () =>
          repeat('stat_buckets', async () => {
            const minutes = await stats.pruneBuckets(
              'minute',
              cutoff(MINUTE_BUCKETS_KEEP_DAYS),
              batchSize,
            );
            const hours = await stats.pruneBuckets(
              'hour',
              cutoff(HOUR_BUCKETS_KEEP_DAYS),
              batchSize,
            );
            return {
              deleted: minutes + hours,
              more: minutes === batchSize || hours === batchSize,
            };
          }),
      };
      const counts = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as PruneCounts;
      const started = Date.now();
      for (const table of RETENTION_TABLES) {
        try {
          counts[table] = await steps[table]();
        } catch (err) {
          log.warn({ err, table }, 'retention: deleting old rows failed');
        }
      }
      const total = RETENTION_TABLES.reduce((sum, t) => sum + counts[t], 0);
      if (total > 0)
        log.info({ deleted: counts, ms: Date.now() - started }, 'retention: old rows deleted');
      return counts;
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
