import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeMerchant } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * An authorizer whose refreshes keep answering 61003 (authorization gone), as the operator sees
 * it through the admin API: after 3 scheduled tries it is listed with needs_attention (and
 * found by ?token=needs_attention), counted in the overview with a warning, and one
 * token.refresh_failed event was recorded; a manual refresh that succeeds clears it.
 * Reference: ../shared/wechat/01 §4.2 (api_authorizer_token errors).
 */
type Item = { appid: string; needs_attention: boolean; attention_reason: string | null };

for (const db of ['pglite', 'postgres'] as const) {
  describe(`needs attention through the admin API on ${db}`, () => {
    let sb: Sandbox;
    before(async () => {
      // No background rounds: each scheduled refresh here is the test's own.
      sb = await startSandbox({ db, options: { schedulerMs: 3_600_000 } });
    });
    after(() => sb.stop());

    /** Makes the authorizer's token due now and runs the scheduled refresh once. */
    const scheduledRefresh = async (appid: string) => {
      await sb.openwx.db.query(
        "UPDATE tokens SET refresh_at = now() - interval '1 second' WHERE key = $1",
        [`authorizer:${appid}`],
      );
      await sb.openwx.tokens.refreshDue();
    };
    const failedEvents = async (appid: string) => {
      const { body } = await sb.call<{ items: unknown[] }>(
        `/api/admin/events?source=internal&type=token.refresh_failed&appid=${appid}`,
      );
      return body.items.length;
    };

    it('3 answers of 61003: listed, filtered, counted, one event; a manual refresh clears it', async () => {
      const appid = await authorizeMerchant(sb);
      const healthy = await authorizeMerchant(sb);
      await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61003, times: 3 });
      for (let i = 0; i < 3; i++) await scheduledRefresh(appid);

      const list = await sb.call<{ items: Item[]; total: number }>(
        '/api/admin/authorizers?token=needs_attention',
      );
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.items.map((i) => i.appid),
        [appid],
      );
      assert.equal(list.body.items[0]?.needs_attention, true);
      assert.match(list.body.items[0]?.attention_reason ?? '', /^61003/);
      const all = await sb.call<{ items: Item[] }>('/api/admin/authorizers');
      assert.equal(all.body.items.find((i) => i.appid === healthy)?.needs_attention, false);

      const overview = await sb.call<{
        authorizers: { needsAttention: number };
        warnings: Array<{ code: string }>;
      }>('/api/admin/overview');
      assert.equal(overview.body.authorizers.needsAttention, 1);
      assert.ok(overview.body.warnings.some((w) => w.code === 'authorizers_need_attention'));
      assert.equal(await failedEvents(appid), 1);

      // Later scheduled rounds leave it alone: no further call, no further event.
      const calls = async () =>
        (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[
          '/cgi-bin/component/api_authorizer_token'
        ] ?? 0;
      const before = await calls();
      await scheduledRefresh(appid);
      assert.equal(await calls(), before);
      assert.equal(await failedEvents(appid), 1);

      // The operator refreshes it by hand (the fault is used up): it no longer needs attention.
      const manual = await sb.call(`/api/admin/authorizers/${appid}/token/refresh`, 'POST', {});
      assert.equal(manual.status, 200, JSON.stringify(manual.body));
      const after = await sb.call<{ items: Item[]; total: number }>(
        '/api/admin/authorizers?token=needs_attention',
      );
      assert.equal(after.body.total, 0);
      const o = await sb.call<{ authorizers: { needsAttention: number } }>('/api/admin/overview');
      assert.equal(o.body.authorizers.needsAttention, 0);
      assert.equal(await failedEvents(appid), 1);
    });

    it('an unknown token filter is a 400 naming the parameter', async () => {
      const res = await sb.call<{ error?: { code?: string }; code?: string }>(
        '/api/admin/authorizers?token=attention',
      );
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body), /token/);
    });
  });
}
