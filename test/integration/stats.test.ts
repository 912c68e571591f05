import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRetentionService } from '../../src/services/retention/service.ts';
import { STAT_SERIES } from '../../src/services/stats/series.ts';
import { createStatsQueries } from '../../src/store/queries/stats.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * GET /api/admin/stats as the console reads it: what happened in the sandbox (pushes, token
 * refreshes and a failure, an audit submitted and rejected, another passed) is in the last 24 h
 * by minute and in the last 30 days by day, in the operator's time zone; bad input is refused
 * naming the field; old buckets go with retention.
 */
type Chart = {
  range: string;
  step: string;
  timeZone: string;
  times: string[];
  series: Record<string, number[]>;
  totals: Record<string, number>;
};
type ErrorAnswer = { error: { code: string; field?: string; params?: Record<string, unknown> } };
const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];

for (const db of ['pglite', 'postgres'] as const) {
  describe(`stats on ${db}`, () => {
    let sb: Sandbox;
    let appid: string;
    const stats = (query: string) => sb.call<Chart>(`/api/admin/stats${query}`);

    /** Commits a template version and submits it for audit; answers the auditid. */
    async function submit(version: string): Promise<number> {
      const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
        user_version: version,
        user_desc: `version ${version}`,
      });
      const t = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
        draft_id,
      });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      const code = `/api/admin/authorizers/${appid}/code`;
      const c = await sb.call(`${code}/commit`, 'POST', {
        template_id: t.body.template_id,
        user_version: version,
        user_desc: `version ${version}`,
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const s = await sb.call<{ auditid: number }>(`${code}/submit`, 'POST', { item_list: ITEMS });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      return s.body.auditid;
    }
    const auditState = (want: string) =>
      eventually(
        async () => {
          const s = await sb.call<{ audit?: { state: string } }>(
            `/api/admin/authorizers/${appid}/code`,
          );
          return s.body.audit?.state === want;
        },
        8000,
        `audit ${want}`,
      );

    before(async () => {
      sb = await startSandbox({ db });
      await ensureComponentToken(sb);
      appid = await authorizeMerchant(sb, { type: 'miniprogram' });
      await prepareForAudit(sb, appid);
    });
    after(() => sb?.stop());

    test('counts reach the database within seconds, without anyone reading them', async () => {
      // The authorization's pushes and token, added by this instance's 5-second flush.
      const stored = async () =>
        Number(
          (
            await sb.openwx.db.query<{ n: string | null }>(
              "SELECT sum(n)::text AS n FROM stat_buckets WHERE size = 'minute' AND series = 'pushes'",
            )
          ).rows[0]?.n ?? 0,
        );
      await eventually(async () => (await stored()) >= 1, 12_000, 'pushes in stat_buckets');
    });

    test('pushes, refreshes and audits are in the last 24 h by minute and in the last 30 days', async () => {
      const before24 = (await stats('?range=24h')).body.totals;
      for (const content of ['one', 'two', 'three'])
        await sb.control('/messages', { appid, openid: 'oSTATS', content });
      const manual = await sb.call(`/api/admin/authorizers/${appid}/token/refresh`, 'POST', {});
      assert.equal(manual.status, 200, JSON.stringify(manual.body));
      await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61003, times: 1 });
      const failed = await sb.call(`/api/admin/authorizers/${appid}/token/refresh`, 'POST', {});
      assert.notEqual(failed.status, 200);

      const rejected = await submit('1.0.0');
      await sb.control('/clock', { advanceSeconds: 2 });
      await sb.control(`/audits/${rejected}`, { result: 'fail', reason: 'The home page is empty' });
      await auditState('failed');
      const passed = await submit('1.0.1');
      await sb.control('/clock', { advanceSeconds: 2 });
      await sb.control(`/audits/${passed}`, { result: 'success' });
      await auditState('passed');

      const day = await stats('?range=24h');
      assert.equal(day.status, 200, JSON.stringify(day.body));
      assert.equal(day.body.step, 'minute');
      assert.equal(day.body.times.length, 1440);
      const t = day.body.totals;
      // The authorization's own pushes came before; these three messages are new.
      assert.equal((t['pushes'] ?? 0) - (before24['pushes'] ?? 0) >= 3, true, JSON.stringify(t));
      assert.equal((t['token_refreshes'] ?? 0) - (before24['token_refreshes'] ?? 0) >= 1, true);
      assert.equal((t['token_failures'] ?? 0) - (before24['token_failures'] ?? 0), 1);
      assert.equal(t['audits_submitted'], 2);
      assert.equal(t['audits_rejected'], 1);
      assert.equal(t['audits_passed'], 1);
      for (const s of STAT_SERIES) {
        const values = day.body.series[s] ?? [];
        assert.equal(values.length, 1440, s);
        assert.equal(
          values.reduce((a, b) => a + b, 0),
          t[s],
          `${s}: the minutes add up to the total`,
        );
      }
      // The latest minutes hold them, not some other time of day.
      const recent = (s: string) =>
        (day.body.series[s] ?? []).slice(-10).reduce((a, b) => a + b, 0);
      assert.equal(recent('audits_submitted'), 2);
      assert.ok(recent('pushes') >= 3);

      const month = await stats('?range=30d&tz=Asia/Shanghai');
      assert.equal(month.status, 200, JSON.stringify(month.body));
      assert.equal(month.body.step, 'day');
      assert.equal(month.body.timeZone, 'Asia/Shanghai');
      assert.equal(month.body.times.length, 30);
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
        new Date(),
      );
      assert.equal(month.body.times.at(-1), today);
      assert.equal(month.body.series['audits_submitted']?.at(-1), 2);
      assert.ok((month.body.totals['pushes'] ?? 0) >= (t['pushes'] ?? 0));
    });

    test('a range or time zone that does not exist is refused naming the field', async () => {
      const range = await sb.call<ErrorAnswer>('/api/admin/stats?range=7d');
      assert.equal(range.status, 400);
      assert.equal(range.body.error.code, 'bad_request');
      assert.equal(range.body.error.field, 'range');
      const tz = await sb.call<ErrorAnswer>('/api/admin/stats?range=30d&tz=Mars/Olympus_Mons');
      assert.equal(tz.status, 400);
      assert.equal(tz.body.error.code, 'bad_request');
      assert.equal(tz.body.error.field, 'tz');
      assert.deepEqual(tz.body.error.params, {
        reason: 'time_zone_unknown',
        tz: 'Mars/Olympus_Mons',
      });
      const anonymous = await fetch(`${sb.url}/api/admin/stats`);
      assert.equal(anonymous.status, 401);
    });

    test('retention deletes minute buckets after 2 days and hour buckets after 400 days', async () => {
      const q = createStatsQueries(sb.openwx.db);
      const now = Date.now();
      const ago = (days: number) =>
        new Date(Math.floor((now - days * 86_400_000) / 3_600_000) * 3_600_000);
      await q.addToBuckets([
        { series: 'pushes', size: 'minute', at: ago(3), n: 5 },
        { series: 'pushes', size: 'minute', at: ago(1), n: 6 },
        { series: 'pushes', size: 'hour', at: ago(401), n: 7 },
        { series: 'pushes', size: 'hour', at: ago(20), n: 8 },
      ]);
      const counts = await createRetentionService({
        db: sb.openwx.db,
        clock: { now: () => now },
        settings: { eventsDays: 30, jobsDays: 7, deliveriesDays: 30 },
        pause: () => Promise.resolve(),
      }).prune();
      assert.equal(counts.stat_buckets, 2);
      const left = async (size: 'minute' | 'hour', days: number) =>
        (await q.buckets(size, ago(days + 1), ago(days - 1))).filter((b) => b.series === 'pushes')
          .length;
      assert.equal(await left('minute', 3), 0);
      assert.equal(await left('minute', 1), 1);
      assert.equal(await left('hour', 401), 0);
      assert.equal(await left('hour', 20), 1);
    });
  });
}
