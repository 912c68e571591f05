import type { Clock } from '../../core/clock.ts';
import type { Logger, Metrics } from '../../core/metrics.ts';
import type { Queryable } from '../../store/db.ts';
import { createStatsQueries, type BucketIncrement } from '../../store/queries/stats.ts';
import type { StatSeries } from './series.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** How often an instance adds its counts to the database. */
export const STATS_FLUSH_MS = 5_000;

/**
 * Counts what happens in this instance, per series and minute, in memory, and adds them to the
 * database's minute and hour buckets every few seconds in one statement: a push or a refresh
 * costs no database write of its own. Several instances add to the same buckets; the database
 * sums them. A flush that fails keeps its counts for the next one; counts not yet added when a
 * process dies are lost (at most STATS_FLUSH_MS of them).
 */
export function createStatsRecorder(deps: {
  db: Queryable;
  clock: Clock;
  log: Logger;
  flushMs?: number;
}) {
  const q = createStatsQueries(deps.db);
  /** `${series} ${minute start ms}` → count. */
  let pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  const count = (series: StatSeries, n = 1) => {
    const minute = Math.floor(deps.clock.now() / MINUTE_MS) * MINUTE_MS;
    const key = `${series} ${minute}`;
    pending.set(key, (pending.get(key) ?? 0) + n);
  };

  async function flushOnce(): Promise<void> {
    if (pending.size === 0) return;
    const taken = pending;
    pending = new Map();
    const byKey = new Map<string, BucketIncrement>();
    const add = (series: string, size: 'minute' | 'hour', at: number, n: number) => {
      const k = `${size} ${at} ${series}`;
      const item = byKey.get(k);
      if (item) item.n += n;
      else byKey.set(k, { series, size, at: new Date(at), n });
    };
    for (const [key, n] of taken) {
      const [series = '', at = '0'] = key.split(' ');
      const minute = Number(at);
      add(series, 'minute', minute, n);
      add(series, 'hour', Math.floor(minute / HOUR_MS) * HOUR_MS, n);
    }
    try {
      await q.addToBuckets([...byKey.values()]);
    } catch (err) {
      // Kept for the next flush (the database may be back by then).
      for (const [key, n] of taken) pending.set(key, (pending.get(key) ?? 0) + n);
      deps.log.debug({ err }, 'stats: adding counts failed, kept for the next try');
    }
  }

  /** Adds the counts so far to the database (one flush at a time). */
  function flush(): Promise<void> {
    const run = (flushing ?? Promise.resolve()).then(flushOnce);
    flushing = run.finally(() => {
      if (flushing === run) flushing = undefined;
    });
    return run;
  }

  /** The Metrics calls that count towards a series. */
  const metrics: Partial<Metrics> = {
    callback: (_kind, outcome) => {
      if (outcome === 'stored') count('pushes');
    },
    tokenRefresh: (_kind, outcome) =>
      count(outcome === 'ok' ? 'token_refreshes' : 'token_failures'),
    webhookDelivery: (outcome) => count(`webhook_${outcome}`),
  };

  return {
    count,
    flush,
    metrics,
    /** Counts not yet added to the database (for tests and shutdown). */
    pendingCount: () => [...pending.values()].reduce((a, b) => a + b, 0),
    start() {
      if (timer) return;
      timer = setInterval(() => void flush(), deps.flushMs ?? STATS_FLUSH_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}

export type StatsRecorder = ReturnType<typeof createStatsRecorder>;
