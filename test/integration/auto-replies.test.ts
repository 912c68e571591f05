import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseXml, xmlText } from '../../src/crypto/xml.ts';
import { hashKey } from '../../src/http/auth.ts';
import { createTenantQueries } from '../../src/store/queries/tenants.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant } from '../support/flows.ts';

/** Passive auto-replies per authorizer, configured over the API and seen as a user would. */
interface Rule {
  match: string;
  keyword?: string;
  reply: string;
}

interface MessageAnswer {
  ok: boolean;
  status: number;
  body: string;
  attempts: number;
  reply?: string;
}

interface ErrorAnswer {
  error: { code: string; message: string; field?: string };
}

describe('auto-replies', () => {
  let sb: Sandbox;
  let oa: string;
  let mp: string;
  let userName: string;
  let keyA: string;
  let keyB: string;
  let appidB: string;

  const json = (body: unknown): RequestInit => ({
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const put = (path: string, body: unknown, key?: string) =>
    key
      ? fetch(`${sb.url}${path}`, {
          method: 'PUT',
          ...json(body),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        })
      : sb.admin(path, { method: 'PUT', ...json(body) });
  const get = (path: string, key?: string) =>
    key
      ? fetch(`${sb.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
      : sb.admin(path);
  const say = (appid: string, openid: string, content: string) =>
    sb.control<MessageAnswer>('/messages', { appid, openid, content });

  async function tenantWithKey(name: string, appids: string[]): Promise<string> {
    const db = sb.openwx.db;
    const tenants = createTenantQueries(db);
    const at = new Date();
    const tenant = await tenants.insert({ id: randomUUID(), name, ext: {}, at });
    const key = `owx_test_${randomUUID().replace(/-/g, '')}`;
    await tenants.insertKey({
      id: randomUUID(),
      tenantId: tenant.id,
      name: 'test',
      keyHash: hashKey(key),
      prefix: key.slice(0, 12),
      at,
    });
    for (const appid of appids) {
      await db.query('UPDATE authorizers SET tenant_id = $1 WHERE appid = $2', [tenant.id, appid]);
    }
    return key;
  }

  before(async () => {
    sb = await startSandbox();
    oa = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Tea house' });
    mp = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Tea shop' });
    appidB = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Bakery' });
    const merchants = await sb.control<{ merchants: Array<{ appid: string; user_name: string }> }>(
      '/merchants',
    );
    userName = merchants.merchants.find((m) => m.appid === oa)?.user_name ?? '';
    keyA = await tenantWithKey('Tea', [oa, mp]);
    keyB = await tenantWithKey('Bakery', [appidB]);
  });
  after(() => sb.stop());

  it('starts with no rules; every message is acknowledged "success"', async () => {
    const res = await get(`/api/admin/authorizers/${oa}/auto-replies`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { appid: oa, rules: [], updated_at: null });
    const r = await say(oa, 'oFAN0000000000000000000000001', 'hello');
    assert.equal(r.ok, true);
    assert.equal(r.body, 'success');
    assert.equal(r.reply, undefined);
  });

  it('answers a matching text with an encrypted passive reply; others get "success" and are stored', async () => {
    const rules: Rule[] = [
      { match: 'exact', keyword: 'hours', reply: 'Open 9:00–18:00 every day' },
      { match: 'contains', keyword: '价格', reply: '价格表见菜单 <Prices> & more' },
    ];
    const res = await put(`/api/admin/authorizers/${oa}/auto-replies`, { rules });
    assert.equal(res.status, 200);
    const saved = (await res.json()) as { rules: Rule[]; updated_at: string };
    assert.deepEqual(saved.rules, rules);
    assert.ok(saved.updated_at);

    const openid = 'oFAN0000000000000000000000002';
    const started = Date.now();
    const exact = await say(oa, openid, '  Hours ');
    assert.ok(Date.now() - started < 5000);
    assert.equal(exact.ok, true);
    assert.equal(exact.attempts, 1);
    assert.match(exact.body, /<Encrypt>/);
    const reply = parseXml(exact.reply ?? '');
    assert.equal(xmlText(reply, 'MsgType'), 'text');
    assert.equal(xmlText(reply, 'Content'), 'Open 9:00–18:00 every day');
    assert.equal(xmlText(reply, 'ToUserName'), openid);
    assert.equal(xmlText(reply, 'FromUserName'), userName);

    const contains = await say(oa, openid, '请问今天的价格是多少？');
    assert.equal(
      xmlText(parseXml(contains.reply ?? ''), 'Content'),
      '价格表见菜单 <Prices> & more',
    );

    const other = await say(oa, openid, 'what are your hours?');
    assert.equal(other.body, 'success', '"exact" does not match a longer text');
    assert.equal(other.reply, undefined);

    const events = (await (await sb.admin(`/api/admin/events?appid=${oa}&type=text`)).json()) as {
      items: unknown[];
    };
    assert.ok(events.items.length >= 4, 'user messages are stored as events');
  });

  it('uses new rules at once after a PUT, and "any" answers every text', async () => {
    const path = `/api/admin/authorizers/${oa}/auto-replies`;
    const before = await say(oa, 'oFAN0000000000000000000000003', 'hours');
    assert.ok(before.reply);
    const res = await put(path, {
      rules: [
        { match: 'contains', keyword: 'menu', reply: 'Menu: green tea, black tea' },
        { match: 'any', reply: 'Thanks, we will answer soon' },
      ],
    });
    assert.equal(res.status, 200);
    const menu = await say(oa, 'oFAN0000000000000000000000003', 'MENU please');
    assert.equal(xmlText(parseXml(menu.reply ?? ''), 'Content'), 'Menu: green tea, black tea');
    const any = await say(oa, 'oFAN0000000000000000000000003', 'hours');
    assert.equal(xmlText(parseXml(any.reply ?? ''), 'Content'), 'Thanks, we will answer soon');

    assert.equal((await put(path, { rules: [] })).status, 200);
    assert.equal((await say(oa, 'oFAN0000000000000000000000003', 'hours')).body, 'success');
  });

  it('refuses invalid rules with the field named and changes nothing', async () => {
    const path = `/api/admin/authorizers/${mp}/auto-replies`;
    const good = [{ match: 'exact', keyword: 'hi', reply: 'hello' }];
    assert.equal((await put(path, { rules: good })).status, 200);
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ match: 'exact', reply: 'no keyword' }] }, 'rules[0].keyword'],
      [{ rules: [...good, { match: 'contains', keyword: '  ', reply: 'x' }] }, 'rules[1].keyword'],
      [{ rules: [{ match: 'regex', keyword: 'a', reply: 'x' }] }, 'rules[0].match'],
      [{ rules: [{ match: 'any', reply: '' }] }, 'rules[0].reply'],
      [{ rules: [{ match: 'any', reply: 'x'.repeat(2049) }] }, 'rules[0].reply'],
      [{ rules: [{ match: 'any' }] }, 'rules[0].reply'],
      [{ rules: Array.from({ length: 101 }, () => ({ match: 'any', reply: 'x' })) }, 'rules'],
      [{ rules: 'hi' }, 'rules'],
      [{}, 'rules'],
    ];
    for (const [body, field] of cases) {
      const res = await put(path, body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      const err = ((await res.json()) as ErrorAnswer).error;
      assert.equal(err.code, 'bad_request');
      assert.equal(err.field, field, err.message);
      assert.ok(err.message.length > 0);
    }
    const now = (await (await get(path)).json()) as { rules: Rule[] };
    assert.deepEqual(now.rules, good);
    assert.ok((await put(path, { rules: [{ match: 'any', reply: 'x'.repeat(2048) }] })).ok);
  });

  it('answers 404 for an unknown appid', async () => {
    const path = '/api/admin/authorizers/wx00000000000000ff/auto-replies';
    const res = await put(path, { rules: [] });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as ErrorAnswer).error.code, 'not_found');
    assert.equal((await get(path)).status, 404);
  });

  it('lets a tenant key manage only its own authorizers (another tenant’s appid is 404)', async () => {
    const own = `/api/tenant/authorizers/${oa}/auto-replies`;
    const rules = [{ match: 'exact', keyword: 'tenant', reply: 'set by the tenant' }];
    const res = await put(own, { rules }, keyA);
    assert.equal(res.status, 200);
    assert.deepEqual(((await (await get(own, keyA)).json()) as { rules: Rule[] }).rules, rules);
    const r = await say(oa, 'oFAN0000000000000000000000004', 'tenant');
    assert.equal(xmlText(parseXml(r.reply ?? ''), 'Content'), 'set by the tenant');

    const foreign = `/api/tenant/authorizers/${appidB}/auto-replies`;
    const denied = await put(foreign, { rules }, keyA);
    assert.equal(denied.status, 404);
    assert.equal((await get(foreign, keyA)).status, 404);
    const untouched = (await (await get(foreign, keyB)).json()) as { rules: Rule[] };
    assert.deepEqual(untouched.rules, []);
    assert.equal((await say(appidB, 'oFAN0000000000000000000000005', 'tenant')).body, 'success');

    assert.equal((await get(`/api/admin/authorizers/${oa}/auto-replies`, keyA)).status, 401);
    assert.equal((await sb.admin(own)).status, 401, 'the admin token is not a tenant key');
    assert.equal((await get(own, 'owx_test_not_a_key')).status, 401);
  });

  it('describes the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${sb.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const p of ['/api/admin', '/api/tenant']) {
      const item = doc.paths[`${p}/authorizers/{appid}/auto-replies`];
      assert.ok(item?.['get'] && item['put'], p);
    }
  });
});
