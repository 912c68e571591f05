import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Queryable } from '../../store/db.ts';
import { createStatsQueries } from '../../store/queries/stats.ts';
import type { StatsRecorder } from './recorder.ts';
import { STAT_SERIES, type StatSeries } from './series.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The counts the database keeps as rows change (migration 0022): a read of a few rows. */
export interface MaintainedCounts {
  authorizers: { authorized: number; revoked: number; needsAttention: number };
  /** Tokens whose last refresh failed, by kind (component, authorizer, jsapi_ticket). */
  tokensFailing: Record<string, number> & { total: number };
  webhooks: { backlog: number; dead: number };
  rollouts: { running: number; paused: number; halted: number };
}

export async function readMaintainedCounts(db: Queryable): Promise<MaintainedCounts> {
  const c = await createStatsQueries(db).counters();
  const get = (name: string) => c[name] ?? 0;
  const tokensFailing: Record<string, number> & { total: number } = { total: 0 };
  for (const [name, n] of Object.entries(c)) {
    if (!name.startsWith('tokens.failing.')) continue;
    tokensFailing[name.slice('tokens.failing.'.length)] = n;
    tokensFailing.total += n;
  }
  return {
    authorizers: {
      authorized: get('authorizers.authorized'),
      revoked: get('authorizers.revoked'),
      needsAttention: get('authorizers.needs_attention'),
    },
    tokensFailing,
    webhooks: { backlog: get('webhooks.backlog'), dead: get('webhooks.dead') },
    rollouts: {
      running: get('rollouts.running'),
      paused: get('rollouts.paused'),
      halted: get('rollouts.halted'),
    },
  };
}

export type StatsRange = '24h' | '30d';
export const STATS_RANGES: readonly StatsRange[] = ['24h', '30d'];

/** The chart data of one range: one value per step and series, aligned with `times`. */
export interface StatsChart {
  range: StatsRange;
  step: 'minute' | 'day';
  timeZone: string;
  /** 24h: the start of each minute (ISO 8601, UTC); 30d: each day in timeZone (YYYY-MM-DD). */
  times: string[];
  series: Record<StatSeries, number[]>;
  totals: Record<StatSeries, number>;
}

/** The IANA time zone the days of the 30-day chart follow; an unknown name is refused. */
export function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new AppError(
      'bad_request',
      `unknown time zone "${timeZone}": use an IANA name such as Asia/Shanghai`,
      {
        details: { field: 'tz', params: { reason: 'time_zone_unknown', tz: timeZone } },
      },
    );
  }
}

export function createStatsService(deps: {
  db: Queryable;
  clock: Clock;
  recorder?: StatsRecorder;
}) {
  const q = createStatsQueries(deps.db);

  const empty = (length: number) =>
    Object.fromEntries(STAT_SERIES.map((s) => [s, new Array<number>(length).fill(0)])) as Record<
      StatSeries,
      number[]
    >;
  const totalsOf = (series: Record<StatSeries, number[]>) =>
    Object.fromEntries(STAT_SERIES.map((s) => [s, series[s].reduce((a, b) => a + b, 0)])) as Record<
      StatSeries,
      number
    >;
  const isSeries = (s: string): s is StatSeries => (STAT_SERIES as readonly string[]).includes(s);

  async function lastDay(timeZone: string): Promise<StatsChart> {
    const end = Math.floor(deps.clock.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const start = end - 1440 * MINUTE_MS;
    const series = empty(1440);
    for (const b of await q.buckets('minute', new Date(start), new Date(end))) {
      const i = Math.floor((b.at.getTime() - start) / MINUTE_MS);
      const values = isSeries(b.series) ? series[b.series] : undefined;
      if (values && i >= 0 && i < 1440) values[i] = (values[i] ?? 0) + b.n;
    }
    const times = Array.from({ length: 1440 }, (_, i) =>
      new Date(start + i * MINUTE_MS).toISOString(),
    );
    return { range: '24h', step: 'minute', timeZone, times, series, totals: totalsOf(series) };
  }

  async function lastMonth(timeZone: string): Promise<StatsChart> {
    const now = deps.clock.now();
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    /** The day of an instant in timeZone, as YYYY-MM-DD (from the parts, whatever the locale data). */
    const dayOf = (at: number | Date) => {
      const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
      return `${p['year']}-${String(p['month']).padStart(2, '0')}-${String(p['day']).padStart(2, '0')}`;
    };
    const [y, m, d] = dayOf(now).split('-').map(Number) as [number, number, number];
    const times = Array.from({ length: 30 }, (_, i) =>
      new Date(Date.UTC(y, m - 1, d - 29 + i)).toISOString().slice(0, 10),
    );
    const index = new Map(times.map((t, i) => [t, i]));
    const series = empty(30);
    const end = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
    for (const b of await q.buckets('hour', new Date(end - 31 * DAY_MS), new Date(end))) {
      const i = index.get(dayOf(b.at));
      const values = isSeries(b.series) ? series[b.series] : undefined;
      if (values && i !== undefined) values[i] = (values[i] ?? 0) + b.n;
    }
    return { range: '30d', step: 'day', timeZone, times, series, totals: totalsOf(series) };
  }

  return {
    counts: () => readMaintainedCounts(deps.db),

    /** The last 24 hours by minute, or the last 30 days (today included) by day in timeZone. */
    async chart(range: StatsRange, timeZone = 'UTC'): Promise<StatsChart> {
      const tz = checkTimeZone(timeZone);
      // This instance's latest counts first, so that what just happened here is shown.
      await deps.recorder?.flush();
      return range === '24h' ? lastDay(tz) : lastMonth(tz);
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
