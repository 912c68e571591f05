import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { redact } from '../../src/core/redact.ts';
import { hashKey } from '../../src/http/auth.ts';
import { createTenantQueries } from '../../src/store/queries/tenants.ts';
import { authorizeMerchant } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * The merchants' own users through real HTTP against the emulator: mini program login, web OAuth
 * on behalf of an official account, JS-SDK signatures, and who may use them.
 */
type Json = Record<string, unknown>;
type ErrorJson = { error: { code: string; message: string; field?: string; errcode?: number } };

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const UNKNOWN_APPID = 'wx00000000000000ff';

test('a session_key is redacted wherever a value is logged or kept in an error', () => {
  const out = redact({ openid: 'o1', session_key: 'abc', nested: { sessionKey: 'def' } });
  assert.deepEqual(out, {
    openid: 'o1',
    session_key: '[redacted]',
    nested: { sessionKey: '[redacted]' },
  });
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`the merchants' own users (${kind})`, () => {
    let sb: Sandbox;
    let mp: string;
    let oa: string;
    let otherOa: string;
    let keyA: string;
    let keyB: string;

    /** A JSON call to openwx as the admin (default) or with a tenant key. */
    async function call(
      method: 'GET' | 'POST',
      path: string,
      opts: { body?: unknown; key?: string | null } = {},
    ): Promise<{ status: number; json: Json }> {
      const bearer = opts.key === undefined ? sb.adminToken : opts.key;
      const res = await fetch(`${sb.url}${path}`, {
        method,
        headers: {
          ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      });
      return { status: res.status, json: (await res.json()) as Json };
    }
    const errorOf = (json: Json) => (json as ErrorJson).error;
    const login = (appid: string, user = 'alice') =>
      sb.control<{ js_code: string; openid: string; unionid: string }>('/users/login', {
        appid,
        user,
      });
    const calls = async (path: string) =>
      (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[path] ?? 0;

    async function tenantWithKey(name: string, appids: string[]): Promise<string> {
      const db = sb.openwx.db;
      const tenants = createTenantQueries(db);
      const id = `t_${randomBytes(6).toString('hex')}`;
      const key = `owx_${randomBytes(24).toString('hex')}`;
      await tenants.insert({ id, name, ext: {}, at: new Date() });
      await tenants.insertKey({
        id: `k_${randomBytes(6).toString('hex')}`,
        tenantId: id,
        name: 'test',
        keyHash: hashKey(key),
        prefix: key.slice(0, 8),
        at: new Date(),
      });
      for (const appid of appids) {
        await db.query('UPDATE authorizers SET tenant_id = $1 WHERE appid = $2', [id, appid]);
      }
      return key;
    }

    before(async () => {
      sb = await startSandbox({ db: kind });
      mp = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Tea shop MP' });
      oa = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Tea shop OA' });
      otherOa = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Bakery OA' });
      keyA = await tenantWithKey('Tea shop', [mp, oa]);
      keyB = await tenantWithKey('Bakery', [otherOa]);
    });
    after(() => sb.stop());

    test('mini program login gives openid, unionid and session_key; a reused code fails with WeChat’s reason', async () => {
      const user = await login(mp);
      const ok = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: user.js_code },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json['openid'], user.openid);
      assert.equal(ok.json['unionid'], user.unionid);
      assert.match(String(ok.json['session_key']), /^[A-Za-z0-9+/]{22}==$/);

      const again = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: user.js_code },
      });
      assert.equal(again.status, 400);
      assert.equal(errorOf(again.json).code, 'bad_request');
      assert.equal(errorOf(again.json).field, 'code');
      assert.equal(errorOf(again.json).errcode, 40163);
      assert.match(errorOf(again.json).message, /40163/);
      assert.doesNotMatch(JSON.stringify(again.json), /session_key/);

      const invalid = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: 'not-a-code-wechat-issued' },
      });
      assert.equal(invalid.status, 400);
      assert.equal(errorOf(invalid.json).errcode, 40029);
    });

    test('a missing or empty code is a 400 naming the field, and spends nothing', async () => {
      const user = await login(mp, 'bob');
      for (const body of [{}, { code: '' }, { code: '   ' }]) {
        const res = await call('POST', `/api/admin/miniprogram/${mp}/session`, { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(errorOf(res.json).code, 'bad_request');
        assert.equal(errorOf(res.json).field, 'code');
      }
      const exchange = await call('POST', `/api/admin/officialaccount/${oa}/oauth/exchange`, {
        body: {},
      });
      assert.equal(exchange.status, 400);
      assert.equal(errorOf(exchange.json).field, 'code');
      const ok = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: user.js_code },
      });
      assert.equal(ok.status, 200);
    });

    test('an official-account route refuses a mini program and vice versa, naming the account type', async () => {
      const asOa = await call(
        'GET',
        `/api/admin/officialaccount/${mp}/oauth-url?redirect_uri=${encodeURIComponent('https://shop.example.com/cb')}`,
      );
      assert.equal(asOa.status, 400);
      assert.equal(errorOf(asOa.json).field, 'appid');
      assert.match(errorOf(asOa.json).message, /is a mini program, not an official account/);

      const sig = await call('POST', `/api/admin/officialaccount/${mp}/jssdk/signature`, {
        body: { url: 'https://shop.example.com/' },
      });
      assert.equal(sig.status, 400);
      assert.match(errorOf(sig.json).message, /mini program/);

      const asMp = await call('POST', `/api/admin/miniprogram/${oa}/session`, {
        body: { code: 'whatever' },
      });
      assert.equal(asMp.status, 400);
      assert.match(errorOf(asMp.json).message, /is an official account, not a mini program/);
    });

    test('the OAuth URL carries component_appid and the encoded redirect; snsapi_base exchanges for an openid', async () => {
      const redirect = 'https://shop.example.com/oauth/back?from=menu';
      const res = await call(
        'GET',
        `/api/admin/officialaccount/${oa}/oauth-url?redirect_uri=${encodeURIComponent(redirect)}&scope=snsapi_base&state=abc123`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const url = String(res.json['url']);
      assert.ok(url.includes(`?appid=${oa}&`), url);
      assert.ok(url.includes(`redirect_uri=${encodeURIComponent(redirect)}&`), url);
      assert.ok(url.includes('&response_type=code&scope=snsapi_base&state=abc123&'), url);
      assert.ok(
        url.endsWith(`&component_appid=${sb.openwx.config.component.appid}#wechat_redirect`),
      );

      // snsapi_base: WeChat sends the user straight back with a code.
      const page = await fetch(url, { redirect: 'manual' });
      assert.equal(page.status, 302);
      const back = new URL(String(page.headers.get('location')));
      assert.equal(`${back.origin}${back.pathname}`, 'https://shop.example.com/oauth/back');
      assert.equal(back.searchParams.get('from'), 'menu');
      assert.equal(back.searchParams.get('state'), 'abc123');
      assert.equal(back.searchParams.get('appid'), oa);
      const code = String(back.searchParams.get('code'));

      const exchanged = await call('POST', `/api/admin/officialaccount/${oa}/oauth/exchange`, {
        body: { code },
      });
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.json));
      assert.match(String(exchanged.json['openid']), /^o[A-Za-z0-9]{27}$/);
      assert.equal(exchanged.json['scope'], 'snsapi_base');
      assert.equal(exchanged.json['user'], undefined);
      assert.equal(exchanged.json['access_token'], undefined);

      const reused = await call('POST', `/api/admin/officialaccount/${oa}/oauth/exchange`, {
        body: { code },
      });
      assert.equal(reused.status, 400);
      assert.equal(errorOf(reused.json).errcode, 40163);
    });

    test('snsapi_userinfo: the user consents, the exchange returns openid, unionid and the profile', async () => {
      const res = await call(
        'GET',
        `/api/admin/officialaccount/${oa}/oauth-url?redirect_uri=${encodeURIComponent('https://shop.example.com/me')}&scope=snsapi_userinfo`,
      );
      const url = String(res.json['url']);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /action="authorize\/confirm"/);
      const fields = new URLSearchParams(new URL(url).search);
      fields.set('user', 'carol');
      const confirm = await fetch(`${url.split('?')[0]}/confirm`, {
        method: 'POST',
        body: fields.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
      assert.equal(confirm.status, 302);
      const code = String(
        new URL(String(confirm.headers.get('location'))).searchParams.get('code'),
      );

      const exchanged = await call('POST', `/api/admin/officialaccount/${oa}/oauth/exchange`, {
        body: { code },
      });
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.json));
      assert.equal(exchanged.json['scope'], 'snsapi_userinfo');
      const user = exchanged.json['user'] as Json;
      assert.equal(user['nickname'], 'Fake user carol');
      assert.match(String(user['headimgurl']), /^https:\/\//);
      // One person has one unionid: the same user logging in to the mini program shows it.
      const mpUser = await login(mp, 'carol');
      assert.equal(exchanged.json['unionid'], mpUser.unionid);
    });

    test('a redirect_uri that is not http(s), a bad scope or none at all is a 400 naming the field', async () => {
      const base = `/api/admin/officialaccount/${oa}/oauth-url`;
      for (const [query, field] of [
        [`redirect_uri=${encodeURIComponent('javascript:alert(1)')}`, 'redirect_uri'],
        [`redirect_uri=${encodeURIComponent('ftp://shop.example.com/')}`, 'redirect_uri'],
        ['redirect_uri=not-a-url', 'redirect_uri'],
        ['scope=snsapi_base', 'redirect_uri'],
        [`redirect_uri=${encodeURIComponent('https://a.example.com/')}&scope=snsapi_all`, 'scope'],
      ] as const) {
        const res = await call('GET', `${base}?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal(errorOf(res.json).field, field, query);
      }
    });

    test('JS-SDK signatures verify with the emulator’s ticket, which is fetched once for many requests', async () => {
      const before = await calls('/cgi-bin/ticket/getticket');
      const pageUrl = 'https://shop.example.com/menu?table=7';
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          call('POST', `/api/admin/officialaccount/${oa}/jssdk/signature`, {
            body: { url: `${pageUrl}#section-2` },
          }),
        ),
      );
      assert.equal((await calls('/cgi-bin/ticket/getticket')) - before, 1);
      const { ticket } = await sb.control<{ ticket: string }>('/users/jsapi-ticket', {
        appid: oa,
      });
      for (const r of results) {
        assert.equal(r.status, 200, JSON.stringify(r.json));
        const s = r.json as {
          appId: string;
          timestamp: number;
          nonceStr: string;
          signature: string;
        };
        assert.equal(s.appId, oa);
        assert.ok(Math.abs(s.timestamp - Date.now() / 1000) < 60);
        const expected = sha1(
          `jsapi_ticket=${ticket}&noncestr=${s.nonceStr}&timestamp=${s.timestamp}&url=${pageUrl}`,
        );
        assert.equal(s.signature, expected);
      }
      const first = results[0]?.json as Json;
      const check = await sb.control<{ ok: boolean }>('/users/jssdk-check', {
        appid: oa,
        url: pageUrl,
        ...first,
      });
      assert.equal(check.ok, true);

      // Kept like a token: sealed in the database, never in clear.
      const rows = await sb.openwx.db.query<{ kind: string; token_sealed: string }>(
        'SELECT kind, token_sealed FROM tokens WHERE key = $1',
        [`jsapi_ticket:${oa}`],
      );
      assert.equal(rows.rows[0]?.kind, 'jsapi_ticket');
      assert.ok(!rows.rows[0]?.token_sealed.includes(ticket));

      const bad = await call('POST', `/api/admin/officialaccount/${oa}/jssdk/signature`, {
        body: { url: 'file:///etc/passwd' },
      });
      assert.equal(bad.status, 400);
      assert.equal(errorOf(bad.json).field, 'url');
    });

    test('an unknown appid is 404; a tenant key reaches only its own appids', async () => {
      const unknown = await call('POST', `/api/admin/miniprogram/${UNKNOWN_APPID}/session`, {
        body: { code: 'x' },
      });
      assert.equal(unknown.status, 404);
      assert.equal(errorOf(unknown.json).code, 'not_found');

      const own = await login(mp, 'dave');
      const mine = await call('POST', `/api/tenant/miniprogram/${mp}/session`, {
        body: { code: own.js_code },
        key: keyA,
      });
      assert.equal(mine.status, 200, JSON.stringify(mine.json));
      assert.equal(mine.json['openid'], own.openid);

      const other = await login(mp, 'erin');
      const foreign = await call('POST', `/api/tenant/miniprogram/${mp}/session`, {
        body: { code: other.js_code },
        key: keyB,
      });
      assert.equal(foreign.status, 404);
      const ownUrl = await call(
        'GET',
        `/api/tenant/officialaccount/${otherOa}/oauth-url?redirect_uri=https%3A%2F%2Fb.example.com%2F`,
        { key: keyB },
      );
      assert.equal(ownUrl.status, 200);
      for (const path of [
        `/api/tenant/officialaccount/${otherOa}/oauth-url?redirect_uri=https%3A%2F%2Fb.example.com%2F`,
        `/api/tenant/officialaccount/${UNKNOWN_APPID}/oauth-url?redirect_uri=https%3A%2F%2Fb.example.com%2F`,
      ]) {
        const res = await call('GET', path, { key: keyA });
        assert.equal(res.status, 404, path);
      }
      const sig = await call('POST', `/api/tenant/officialaccount/${oa}/jssdk/signature`, {
        body: { url: 'https://shop.example.com/' },
        key: keyB,
      });
      assert.equal(sig.status, 404);

      // The code of the refused request was not spent.
      const late = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: other.js_code },
      });
      assert.equal(late.status, 200);

      const anonymous = await call('POST', `/api/tenant/miniprogram/${mp}/session`, {
        body: { code: 'x' },
        key: null,
      });
      assert.equal(anonymous.status, 401);
      const adminOnTenant = await call('POST', `/api/tenant/miniprogram/${mp}/session`, {
        body: { code: 'x' },
      });
      assert.equal(adminOnTenant.status, 401);
      const tenantOnAdmin = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: 'x' },
        key: keyA,
      });
      assert.equal(tenantOnAdmin.status, 401);
    });

    test('codes expire after 5 minutes (40029)', async () => {
      const user = await login(mp, 'frank');
      await sb.control('/clock', { advanceSeconds: 301 });
      const res = await call('POST', `/api/admin/miniprogram/${mp}/session`, {
        body: { code: user.js_code },
      });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.json).errcode, 40029);
    });
  });
}
