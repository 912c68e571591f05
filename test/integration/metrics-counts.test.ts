import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * The counts a /metrics scrape and the overview show, kept by the database as things change
 * (not counted over every authorizer): through authorize, a token failure, needs_attention, a
 * manual refresh that clears it and unauthorize, as an operator's Prometheus sees them.
 */
const METRICS_TOKEN = 'metrics-token-for-counts-0123456789';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const db of ['pglite', 'postgres'] as const) {
  describe(`maintained counts in /metrics and the overview on ${db}`, () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startSandbox({
        db,
        env: { OPENWX_METRICS_TOKEN: METRICS_TOKEN },
        options: { schedulerMs: 3_600_000 },
      });
    });
    after(() => sb?.stop());

    const scrape = async () => {
      const res = await fetch(`${sb.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      return {
        authorized: value(text, 'openwx_authorizers{status="authorized"}'),
        revoked: value(text, 'openwx_authorizers{status="revoked"}'),
        attention: value(text, 'openwx_authorizers_needing_attention'),
        failing: value(text, 'openwx_tokens_failing{kind="authorizer"}'),
      };
    };
    const overview = async () =>
      (
        await sb.call<{
          authorizers: { authorized: number; revoked: number; needsAttention: number };
          tokenFailures: { total: number };
        }>('/api/admin/overview')
      ).body;
    const scheduledRefresh = async (appid: string) => {
      await sb.openwx.db.query(
        "UPDATE tokens SET refresh_at = now() - interval '1 second' WHERE key = $1",
        [`authorizer:${appid}`],
      );
      await sb.openwx.tokens.refreshDue();
    };

    test('authorize, fail, need attention, recover, unauthorize', async () => {
      const first = await authorizeMerchant(sb);
      const second = await authorizeMerchant(sb);
      assert.deepEqual(await scrape(), { authorized: 2, revoked: 0, attention: 0, failing: 0 });

      // WeChat says the authorization is gone, three times: a failing token, then attention.
      await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61003, times: 3 });
      await scheduledRefresh(first);
      assert.deepEqual(await scrape(), { authorized: 2, revoked: 0, attention: 0, failing: 1 });
      await scheduledRefresh(first);
      await scheduledRefresh(first);
      assert.deepEqual(await scrape(), { authorized: 2, revoked: 0, attention: 1, failing: 1 });
      const o = await overview();
      assert.deepEqual(o.authorizers, { authorized: 2, revoked: 0, total: 2, needsAttention: 1 });
      assert.equal(o.tokenFailures.total, 1);

      // A manual refresh succeeds: no longer failing, no longer needing attention.
      const manual = await sb.call(`/api/admin/authorizers/${first}/token/refresh`, 'POST', {});
      assert.equal(manual.status, 200, JSON.stringify(manual.body));
      assert.deepEqual(await scrape(), { authorized: 2, revoked: 0, attention: 0, failing: 0 });

      // The merchant unauthorizes: counted revoked once the push is handled.
      await sb.control('/unauthorize', { appid: second });
      await eventually(
        async () => (await scrape()).revoked === 1,
        8000,
        'the unauthorized push counted',
      );
      assert.deepEqual(await scrape(), { authorized: 1, revoked: 1, attention: 0, failing: 0 });
      const after = await overview();
      assert.deepEqual(after.authorizers, {
        authorized: 1,
        revoked: 1,
        total: 2,
        needsAttention: 0,
      });
      assert.equal(after.tokenFailures.total, 0);
    });
  });
}
