import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Logger, Metrics } from '../../core/metrics.ts';
import { callerGuard, type GuardDeps } from '../../http/auth.ts';
import { errorBody } from '../../http/schemas.ts';
import { createStatsRecorder } from './recorder.ts';
import { STAT_SERIES } from './series.ts';
import { createStatsService, STATS_RANGES, type StatsRange } from './service.ts';

const security = [{ bearerAuth: [] }];
const perSeries = <T extends object>(item: T) => ({
  type: 'object',
  required: [...STAT_SERIES],
  properties: Object.fromEntries(STAT_SERIES.map((s) => [s, item])),
});

export const statsBody = {
  type: 'object',
  required: ['range', 'step', 'timeZone', 'times', 'series', 'totals'],
  properties: {
    range: { type: 'string', enum: [...STATS_RANGES] },
    step: { type: 'string', enum: ['minute', 'day'], description: '24h: minute; 30d: day' },
    timeZone: { type: 'string', description: 'The IANA time zone the days follow' },
    times: {
      type: 'array',
      items: { type: 'string' },
      description:
        'The start of each step: 24h, 1440 minutes as ISO 8601 instants (UTC); 30d, 30 days (today last) as YYYY-MM-DD in timeZone',
    },
    series: {
      ...perSeries({ type: 'array', items: { type: 'integer' } }),
      description: `Counts per step, aligned with times: ${STAT_SERIES.join(', ')}`,
    },
    totals: { ...perSeries({ type: 'integer' }), description: 'Each series summed over the range' },
  },
} as const;

/**
 * Admin: what happened over the last 24 hours or 30 days (pushes received, token refreshes and
 * failures, audits submitted / passed / rejected, webhook deliveries and failures), read from
 * the aggregated buckets. The plugin also runs this instance's recorder: the Metrics calls of
 * the domain are tapped into per-minute counts added to the database every few seconds.
 */
export function statsPlugin(
  deps: GuardDeps & {
    log: Logger;
    /** Where the domain's Metrics calls can be observed (app/metrics.ts). */
    events: { tap(listener: Partial<Metrics>): void };
    flushMs?: number;
  },
) {
  const recorder = createStatsRecorder({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    ...(deps.flushMs ? { flushMs: deps.flushMs } : {}),
  });
  deps.events.tap(recorder.metrics);
  const stats = createStatsService({ db: deps.db, clock: deps.clock, recorder });
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onReady', () => {
      recorder.start();
      return Promise.resolve();
    });
    app.addHook('onClose', () => recorder.stop());
    app.register(async (scoped) => {
      scoped.addHook('onRequest', callerGuard(deps, 'admin'));
      scoped.get<{ Querystring: { range?: StatsRange; tz?: string } }>(
        '/api/admin/stats',
        {
          schema: {
            tags: ['Admin'],
            security,
            summary:
              'Charts: pushes, token refreshes and failures, audits, webhook deliveries over the last 24 h (by minute) or 30 days (by day)',
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: {
                range: { type: 'string', enum: [...STATS_RANGES], default: '24h' },
                tz: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 64,
                  default: 'UTC',
                  description: "IANA time zone of the 30-day chart's days (e.g. Asia/Shanghai)",
                },
              },
            },
            response: { 200: statsBody, 400: errorBody, 401: errorBody },
          },
        },
        (req) => stats.chart(req.query.range ?? '24h', req.query.tz ?? 'UTC'),
      );
    });
  };
}
