import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/** Testers of a mini program through openwx's admin and tenant routes, against the emulator. */
type Json = Record<string, unknown>;
type Tester = { userstr: string; wechatid: string | null; bound_at: string | null };
type Stats = { calls: Record<string, number> };

describe('testers', () => {
  let sb: Sandbox;
  let appid: string;
  let otherAppid: string;
  let key: string;
  const admin = (appidOf: string) => `/api/admin/authorizers/${appidOf}/testers`;
  const asTenant = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${sb.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const list = async (a: string) =>
    ((await sb.call<{ items: Tester[] }>(admin(a))).body.items ?? []) as Tester[];
  const calls = async (path: string) => (await sb.control<Stats>('/stats')).calls[path] ?? 0;

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    appid = await authorizeMerchant(sb, { nickname: 'Tester shop' });
    otherAppid = await authorizeMerchant(sb, { nickname: 'Other shop' });
    const tenant = await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Testers' });
    const linked = await sb.call(`/api/admin/authorizers/${appid}`, 'PATCH', {
      tenant_id: tenant.body.id,
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
    const k = await sb.call<{ key: string }>(`/api/admin/tenants/${tenant.body.id}/keys`, 'POST', {
      name: 'ci',
    });
    key = k.body.key;
  });
  after(() => sb.stop());

  test('bind, list with the WeChat ID, refuse a second bind, unbind', async () => {
    assert.deepEqual(await list(appid), []);
    const bound = await sb.call<Tester>(admin(appid), 'POST', { wechatid: 'fake_tester_01' });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    assert.equal(bound.body.wechatid, 'fake_tester_01');
    assert.match(bound.body.userstr, /^[A-Za-z0-9]+$/);
    const listed = await list(appid);
    assert.deepEqual(
      listed.map((t) => [t.userstr, t.wechatid]),
      [[bound.body.userstr, 'fake_tester_01']],
    );

    const again = await sb.call<{ error: Json }>(admin(appid), 'POST', {
      wechatid: 'fake_tester_01',
    });
    assert.equal(again.status, 502, JSON.stringify(again.body));
    assert.equal(again.body.error['errcode'], 85004);

    const removed = await sb.admin(`${admin(appid)}/${bound.body.userstr}`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.deepEqual(await list(appid), []);
    const gone = await sb.call<{ error: Json }>(`${admin(appid)}/${bound.body.userstr}`, 'DELETE');
    assert.equal(gone.status, 404, JSON.stringify(gone.body));
    assert.equal(gone.body.error['field'], 'userstr');
  });

  test('a tester that is not a WeChat ID is refused with the field named; nothing changes', async () => {
    const before = await calls('/wxa/bind_tester');
    for (const body of [{ wechatid: '1starts_with_digit' }, { wechatid: 'short' }, {}]) {
      const res = await sb.call<{ error: Json }>(admin(appid), 'POST', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error['code'], 'bad_request');
      assert.equal(res.body.error['field'], 'wechatid', JSON.stringify(res.body));
    }
    assert.equal(await calls('/wxa/bind_tester'), before, 'WeChat was not called');
    assert.deepEqual(await list(appid), []);
    const badUserstr = await sb.call<{ error: Json }>(
      `${admin(appid)}/not%20a%20userstr`,
      'DELETE',
    );
    assert.equal(badUserstr.status, 400, JSON.stringify(badUserstr.body));
    assert.equal(badUserstr.body.error['field'], 'userstr');
  });

  test('a tenant key manages its own mini program’s testers and sees no other', async () => {
    const base = `/api/tenant/authorizers/${appid}/testers`;
    const bound = await asTenant(base, 'POST', { wechatid: 'fake_tester_tenant' });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const mine = await asTenant(base);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      (mine.body['items'] as Tester[]).map((t) => t.wechatid),
      ['fake_tester_tenant'],
    );
    const before = await calls('/wxa/bind_tester');
    const other = `/api/tenant/authorizers/${otherAppid}/testers`;
    assert.equal((await asTenant(other)).status, 404);
    assert.equal((await asTenant(other, 'POST', { wechatid: 'fake_tester_x1' })).status, 404);
    assert.equal((await asTenant(`${other}/abc`, 'DELETE')).status, 404);
    assert.equal(await calls('/wxa/bind_tester'), before, 'nothing was sent for another appid');
    assert.deepEqual(await list(otherAppid), []);
    assert.equal((await asTenant(admin(appid))).status, 401, 'a tenant key is not the admin');
    const removed = await asTenant(`${base}/${String(bound.body['userstr'])}`, 'DELETE');
    assert.equal(removed.status, 204);
  });

  test('a mini program’s tester limit answers 502 with errcode 85002', async () => {
    const full = await authorizeMerchant(sb, { nickname: 'Full shop' });
    for (let i = 0; i < 90; i++) {
      const res = await sb.call(admin(full), 'POST', {
        wechatid: `fake_limit_${String(i).padStart(3, '0')}`,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const over = await sb.call<{ error: Json }>(admin(full), 'POST', {
      wechatid: 'fake_limit_999',
    });
    assert.equal(over.status, 502, JSON.stringify(over.body));
    assert.equal(over.body.error['errcode'], 85002);
    assert.equal((await list(full)).length, 90);
  });

  test('testers are in the OpenAPI description for the admin and tenant routes', async () => {
    const res = await fetch(`${sb.url}/docs/json`);
    assert.equal(res.status, 200);
    const paths = ((await res.json()) as { paths: Record<string, Json> }).paths;
    for (const p of [
      '/api/admin/authorizers/{appid}/testers',
      '/api/admin/authorizers/{appid}/testers/{userstr}',
      '/api/tenant/authorizers/{appid}/testers',
      '/api/tenant/authorizers/{appid}/testers/{userstr}',
    ]) {
      assert.ok(paths[p], p);
    }
    assert.ok(paths['/api/admin/authorizers/{appid}/testers']?.['post']);
    assert.ok(paths['/api/tenant/authorizers/{appid}/testers/{userstr}']?.['delete']);
  });
});

describe('testers on PostgreSQL', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ db: 'postgres' });
    await ensureComponentToken(sb);
  });
  after(() => sb.stop());

  test('the WeChat ID of a tester bound through openwx is kept and forgotten on unbind', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Pg tester shop' });
    const path = `/api/admin/authorizers/${appid}/testers`;
    const bound = await sb.call<Tester>(path, 'POST', { wechatid: 'fake_pg_tester' });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const listed = await sb.call<{ items: Tester[] }>(path);
    assert.deepEqual(
      listed.body.items.map((t) => t.wechatid),
      ['fake_pg_tester'],
    );
    const removed = await sb.admin(`${path}/${bound.body.userstr}`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.deepEqual((await sb.call<{ items: Tester[] }>(path)).body.items, []);
  });
});
