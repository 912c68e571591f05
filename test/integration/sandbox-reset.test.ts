import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { options, startReceiver } from '../support/webhooks.ts';

/** POST /api/admin/sandbox/reset: the console's "Reset the sandbox". */
interface ErrorBody {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
}
interface ResetBody {
  tablesCleared: string[];
  emulatorReset: boolean;
  ticketPushed: boolean;
}

describe('sandbox reset through the admin API', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ options });
  });
  after(() => sb?.stop());

  test('without the confirmation it is refused and nothing changes', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Unconfirmed shop' });
    for (const body of [{}, { confirm: false }]) {
      const r = await sb.call<ErrorBody>('/api/admin/sandbox/reset', 'POST', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'bad_request');
      assert.equal(r.body.error.field, 'confirm');
    }
    assert.equal((await sb.call(`/api/admin/authorizers/${appid}`)).status, 200);
    assert.ok(sb.openwx.emulator?.state.merchants.has(appid));
  });

  test('an operator may not reset; an admin clears both worlds and the sandbox works at once', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Reset shop' });
    await sb.control('/drafts', { user_version: '2.0.0', user_desc: 'gone after reset' });
    const tenant = await sb.call('/api/admin/tenants', 'POST', { name: 'Reset tenant' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));

    // An operator's session is refused (the reset is the admin's).
    const created = await sb.call('/api/admin/operators', 'POST', {
      username: 'otto',
      role: 'operator',
      password: 'correct horse battery',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const session = (await (
      await fetch(`${sb.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'otto', password: 'correct horse battery' }),
      })
    ).json()) as { token: string };
    const refused = await fetch(`${sb.url}/api/admin/sandbox/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: true }),
    });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as ErrorBody).error.code, 'forbidden_role');

    const r = await sb.call<ResetBody>('/api/admin/sandbox/reset', 'POST', { confirm: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.emulatorReset, true);
    assert.equal(r.body.ticketPushed, true);
    for (const table of ['authorizers', 'tokens', 'tenants', 'templates', 'events'])
      assert.ok(r.body.tablesCleared.includes(table), `${table} is cleared`);
    assert.ok(!r.body.tablesCleared.includes('operators'), 'operator accounts stay');

    // openwx's side: no authorizers, no tenants.
    const list = await sb.call<{ items: unknown[] }>('/api/admin/authorizers');
    assert.deepEqual(list.body.items, []);
    assert.equal((await sb.call(`/api/admin/authorizers/${appid}`)).status, 404);
    const tenants = await sb.call<{ items: unknown[] }>('/api/admin/tenants');
    assert.deepEqual(tenants.body.items, []);
    // The emulator's side: the default accounts only, an empty draft box.
    const merchants = await sb.control<{ merchants: Array<{ appid: string }> }>('/merchants');
    assert.equal(merchants.merchants.length, 2);
    assert.ok(!merchants.merchants.some((m) => m.appid === appid));
    assert.deepEqual((await sb.control<{ drafts: unknown[] }>('/drafts')).drafts, []);
    // The operator account is still there, and the new world works: a ticket arrived with the
    // reset, so a component token is had and a merchant authorizes as before.
    assert.equal((await sb.call('/api/admin/operators')).status, 200);
    assert.ok(await ensureComponentToken(sb));
    // Webhooks work in the new world: one added now hears of the next authorization.
    const receiver = await startReceiver(() => 200);
    try {
      const hook = await sb.call('/api/admin/webhooks', 'POST', { url: receiver.url });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const again = await authorizeMerchant(sb, { nickname: 'After reset' });
      assert.equal((await sb.call(`/api/admin/authorizers/${again}`)).status, 200);
      await eventually(
        async () => receiver.ofType('authorized').some((r) => r.body.appid === again) || undefined,
        10_000,
        'the authorized webhook',
      );
    } finally {
      await receiver.close();
    }
  });
});

describe('sandbox reset in live mode', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({
      env: {
        OPENWX_MODE: 'live',
        OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
        OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
        OPENWX_COMPONENT_TOKEN: 'fakeTestToken',
        OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
        OPENWX_ADMIN_TOKEN: randomBytes(16).toString('hex'),
        OPENWX_PUBLIC_URL: 'https://openwx.example.com',
        // A closed local port: nothing leaves the machine.
        OPENWX_WECHAT_API_BASE: 'http://127.0.0.1:9',
      },
    });
  });
  after(() => sb?.stop());

  test('is refused with 409 sandbox_only and clears nothing', async () => {
    const tenant = await sb.call('/api/admin/tenants', 'POST', { name: 'Live tenant' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    const r = await sb.call<ErrorBody>('/api/admin/sandbox/reset', 'POST', { confirm: true });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'sandbox_only');
    assert.deepEqual(r.body.error.params, { reason: 'live_mode', mode: 'live' });
    const tenants = await sb.call<{ items: unknown[] }>('/api/admin/tenants');
    assert.equal(tenants.body.items.length, 1);
  });
});
