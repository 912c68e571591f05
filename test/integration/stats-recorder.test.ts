import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/core/metrics.ts';
import { createStatsRecorder } from '../../src/services/stats/recorder.ts';
import { createStatsService } from '../../src/services/stats/service.ts';
import type { Queryable } from '../../src/store/db.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The per-instance recorder behind the charts: several instances add to the same buckets and
 * the chart shows their sum; a flush that fails (database away) keeps its counts for the next
 * one, so nothing is lost while the database is down; a count lands in its minute and its hour.
 */
const T0 = Date.parse('2026-12-07T10:59:30Z');

for (const kind of DB_KINDS) {
  describe(`stats recorder on ${kind}`, () => {
    test('two instances add up, and a failed flush keeps its counts for the next', async () => {
      await withDb(kind, async (db) => {
        let now = T0;
        const clock = { now: () => now };
        let down = false;
        const flaky: Queryable = {
          query: (sql, params) =>
            down ? Promise.reject(new Error('connection refused')) : db.query(sql, params),
        };
        const a = createStatsRecorder({ db, clock, log: silentLogger });
        const b = createStatsRecorder({ db: flaky, clock, log: silentLogger });
        a.metrics.callback?.('message', 'stored', 0.001);
        a.metrics.callback?.('message', 'duplicate', 0.001);
        b.metrics.callback?.('auth', 'stored', 0.001);
        b.metrics.tokenRefresh?.('authorizer', 'failed');
        a.metrics.webhookDelivery?.('dead');
        now += 60_000; // the next minute, and the next hour
        b.metrics.tokenRefresh?.('authorizer', 'ok');
        await a.flush();
        down = true;
        await b.flush();
        assert.equal(b.pendingCount(), 3, 'kept while the database is away');
        down = false;
        b.count('pushes', 2);
        await b.flush();
        assert.equal(b.pendingCount(), 0);

        const chart = await createStatsService({ db, clock }).chart('24h');
        assert.deepEqual(
          Object.fromEntries(Object.entries(chart.totals).filter(([, n]) => n > 0)),
          { pushes: 4, token_refreshes: 1, token_failures: 1, webhook_dead: 1 },
        );
        // Each count in its minute: the last two minutes of the 24 h.
        assert.equal(chart.times.at(-1), '2026-12-07T11:00:00.000Z');
        assert.equal(chart.series.pushes.at(-2), 2);
        assert.equal(chart.series.pushes.at(-1), 2);
        assert.equal(chart.series.token_refreshes.at(-1), 1);
        assert.equal(chart.series.token_failures.at(-2), 1);

        // The hour buckets behind the 30 days: 10:00 and 11:00 is one day in UTC.
        const hours = await db.query<{ at: Date; n: string }>(
          "SELECT at, sum(n)::text AS n FROM stat_buckets WHERE size = 'hour' GROUP BY at ORDER BY at",
        );
        assert.deepEqual(
          hours.rows.map((r) => [new Date(r.at).toISOString(), Number(r.n)]),
          [
            ['2026-12-07T10:00:00.000Z', 4],
            ['2026-12-07T11:00:00.000Z', 3],
          ],
        );
        const month = await createStatsService({ db, clock }).chart('30d', 'Asia/Shanghai');
        assert.equal(month.times.at(-1), '2026-12-07');
        assert.equal(month.series.pushes.at(-1), 4);
      });
    });
  });
}
