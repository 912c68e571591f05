import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/** Tenants, API keys, authorization links, authorizers and the proxy, through real HTTP. */
type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; field?: string } };

describe('onboarding and integration', () => {
  let sb: Sandbox;
  const json = async <T = Json>(res: Response | Promise<Response>) =>
    (await (await res).json()) as T;
  const adminJson = (path: string, method: string, body?: unknown) =>
    sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  const asTenant = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${sb.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  const newTenant = async (name: string) => {
    const t = await json<{ id: string }>(
      adminJson('/api/admin/tenants', 'POST', { name, ext: { shop: name } }),
    );
    const k = await json<{ id: string; key: string }>(
      adminJson(`/api/admin/tenants/${t.id}/keys`, 'POST', { name: 'ci' }),
    );
    return { id: t.id, key: k.key, keyId: k.id };
  };
  /** The merchant opens the start page, follows the link to WeChat's page and confirms there. */
  const authorizeThroughLink = async (
    link: { start_url: string; pc_url: string },
    appid: string,
  ) => {
    const start = await fetch(link.start_url);
    assert.equal(start.status, 200);
    assert.ok(
      (await start.text()).includes(link.pc_url.replaceAll('&', '&amp;')),
      'the start page links to WeChat’s page',
    );
    const wechatPage = await fetch(link.pc_url, { headers: { referer: link.start_url } });
    assert.equal(wechatPage.status, 200);
    assert.match(await wechatPage.text(), new RegExp(appid));
    const code = new URL(link.pc_url).searchParams.get('pre_auth_code');
    const confirmed = await sb.control<{ redirect_url: string }>('/authorize', {
      pre_auth_code: code,
      appid,
    });
    return confirmed.redirect_url;
  };

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
  });
  after(() => sb.stop());

  test('tenants: create, read, rename; bad bodies and unknown ids', async () => {
    const created = await adminJson('/api/admin/tenants', 'POST', {
      name: 'Shop One',
      ext: { color: 'red' },
    });
    assert.equal(created.status, 201);
    const t = await json<{ id: string; name: string; appids: string[] }>(created);
    assert.equal(t.name, 'Shop One');
    assert.deepEqual(t.appids, []);
    const renamed = await json<{ name: string; ext: Json }>(
      adminJson(`/api/admin/tenants/${t.id}`, 'PATCH', { name: 'Shop 1' }),
    );
    assert.equal(renamed.name, 'Shop 1');
    assert.deepEqual(renamed.ext, { color: 'red' });
    const list = await json<{ items: { id: string }[]; total: number }>(
      sb.admin('/api/admin/tenants?q=Shop%201'),
    );
    assert.ok(list.items.some((i) => i.id === t.id));
    const missing = await adminJson('/api/admin/tenants', 'POST', {});
    assert.equal(missing.status, 400);
    assert.match((await json<ErrorBody>(missing)).error.message, /name/);
    const broken = await sb.admin('/api/admin/tenants', {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(broken.status, 400);
    assert.equal((await json<ErrorBody>(broken)).error.code, 'bad_request');
    assert.equal((await sb.admin('/api/admin/tenants/nope')).status, 404);
    assert.equal((await adminJson('/api/admin/tenants/nope/keys', 'POST', {})).status, 404);
  });

  test('a merchant authorizes through a tenant’s link: the authorizer belongs to that tenant', async () => {
    const tenant = await newTenant('Link shop');
    const res = await adminJson('/api/admin/authorizations', 'POST', {
      tenant_id: tenant.id,
      auth_type: 2,
    });
    assert.equal(res.status, 201);
    const link = await json<{
      pre_auth_code: string;
      pc_url: string;
      mobile_url: string;
      start_url: string;
      expires_at: string;
    }>(res);
    assert.match(link.pre_auth_code, /^preauthcode@@@/);
    assert.match(
      link.mobile_url,
      /bindcomponent\?action=bindcomponent&no_scan=1.*#wechat_redirect$/,
    );
    assert.ok(Date.parse(link.expires_at) > Date.now());
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname: 'Link MP',
    });
    const redirect = await authorizeThroughLink(link, appid);
    const done = await fetch(redirect);
    assert.equal(done.status, 200);
    assert.match(await done.text(), new RegExp(appid));
    const tenantView = await json<{ appids: string[] }>(
      sb.admin(`/api/admin/tenants/${tenant.id}`),
    );
    assert.deepEqual(tenantView.appids, [appid]);
    // The tenant system sees it and gets its token.
    const mine = await json<{ items: { appid: string; type: string }[] }>(
      asTenant(tenant.key, '/api/tenant/authorizers'),
    );
    assert.deepEqual(
      mine.items.map((i) => i.appid),
      [appid],
    );
    assert.equal(mine.items[0]?.type, 'miniprogram');
    // Raw tokens only for a tenant the operator allowed them; the proxy otherwise.
    const refused = await asTenant(tenant.key, `/api/tenant/tokens/${appid}`);
    assert.equal(refused.status, 403);
    assert.equal((await json<ErrorBody>(refused)).error.code, 'token_access_off');
    const allowed = await adminJson(`/api/admin/tenants/${tenant.id}`, 'PATCH', {
      token_access: true,
    });
    assert.equal(((await allowed.json()) as { token_access: boolean }).token_access, true);
    const token = await asTenant(tenant.key, `/api/tenant/tokens/${appid}`);
    assert.equal(token.status, 200);
    // The start page cannot be used twice.
    assert.equal((await fetch(link.start_url)).status, 410);
  });

  test('a tenant created with its settings has them at once', async () => {
    const created = await adminJson('/api/admin/tenants', 'POST', {
      name: 'Trusted shop',
      token_access: true,
      self_upgrade: false,
    });
    assert.equal(created.status, 201);
    const body = (await created.json()) as {
      id: string;
      token_access: boolean;
      self_upgrade: boolean | null;
    };
    assert.equal(body.token_access, true);
    assert.equal(body.self_upgrade, false);
    const read = await json<{ token_access: boolean; self_upgrade: boolean | null }>(
      sb.admin(`/api/admin/tenants/${body.id}`),
    );
    assert.equal(read.token_access, true);
    assert.equal(read.self_upgrade, false);
  });

  test('the authorized push alone also gives the authorizer to the link’s tenant', async () => {
    const tenant = await newTenant('Push shop');
    const link = await json<{ pc_url: string; start_url: string }>(
      asTenant(tenant.key, '/api/tenant/authorizations', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'officialaccount',
      nickname: 'Push OA',
    });
    await authorizeThroughLink(link, appid); // the merchant never comes back to openwx
    await eventually(
      async () =>
        (
          await json<{ appids: string[] }>(sb.admin(`/api/admin/tenants/${tenant.id}`))
        ).appids.includes(appid),
      8000,
    );
  });

  test('tenant keys: only /api/tenant, only their own appids, revocable', async () => {
    const a = await newTenant('Tenant A');
    const b = await newTenant('Tenant B');
    const link = await json<{ pc_url: string; start_url: string }>(
      adminJson('/api/admin/authorizations', 'POST', { tenant_id: a.id }),
    );
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname: 'A MP',
    });
    await fetch(await authorizeThroughLink(link, appid));
    assert.equal((await asTenant(a.key, `/api/tenant/authorizers/${appid}`)).status, 200);
    for (const path of [
      `/api/tenant/authorizers/${appid}`,
      `/api/tenant/tokens/${appid}`,
      `/api/proxy/${appid}/cgi-bin/component/get_authorizer_option`,
    ]) {
      const r = await asTenant(b.key, path);
      assert.equal(r.status, 404, `${path} is invisible to tenant B`);
      assert.equal((await json<ErrorBody>(r)).error.code, 'not_found');
    }
    assert.deepEqual(
      (await json<{ items: unknown[] }>(asTenant(b.key, '/api/tenant/authorizers'))).items,
      [],
    );
    assert.equal(
      (await asTenant(a.key, '/api/admin/status')).status,
      401,
      'a tenant key is not an admin token',
    );
    assert.equal(
      (await asTenant(a.key, '/api/proxy/component/cgi-bin/component/api_get_authorizer_list'))
        .status,
      404,
    );
    const keys = await json<{ items: { id: string; prefix: string; revoked_at: null | string }[] }>(
      sb.admin(`/api/admin/tenants/${a.id}/keys`),
    );
    assert.equal(keys.items.length, 1);
    assert.ok(a.key.startsWith(keys.items[0]?.prefix ?? '?'));
    assert.equal(
      (await sb.admin(`/api/admin/tenants/${a.id}/keys/${a.keyId}`, { method: 'DELETE' })).status,
      204,
    );
    assert.equal((await asTenant(a.key, '/api/tenant/authorizers')).status, 401);
    assert.equal(
      (await sb.admin(`/api/admin/tenants/${a.id}/keys/unknown`, { method: 'DELETE' })).status,
      404,
    );
  });

  test('an account already owned by another tenant keeps its owner (409)', async () => {
    const a = await newTenant('Owner');
    const b = await newTenant('Intruder');
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname: 'Owned MP',
    });
    const first = await json<{ pc_url: string; start_url: string }>(
      adminJson('/api/admin/authorizations', 'POST', { tenant_id: a.id }),
    );
    await fetch(await authorizeThroughLink(first, appid));
    const second = await json<{ pc_url: string; start_url: string }>(
      adminJson('/api/admin/authorizations', 'POST', { tenant_id: b.id, auth_type: 3 }),
    );
    // Re-authorizing with changed permission sets gets a new code through the other tenant's link.
    const code = new URL(second.pc_url).searchParams.get('pre_auth_code');
    await fetch(second.pc_url, { headers: { referer: second.start_url } });
    const again = await sb.control<{ redirect_url: string }>('/authorize', {
      pre_auth_code: code,
      appid,
      func_ids: [17, 18, 19],
    });
    const page = await fetch(again.redirect_url);
    assert.equal(page.status, 409);
    assert.match(await page.text(), /another tenant/);
    const detail = await json<{ tenant_id: string }>(sb.admin(`/api/admin/authorizers/${appid}`));
    assert.equal(detail.tenant_id, a.id);
  });

  test('bad authorization input: unknown tenant, bad auth_type, a reused code', async () => {
    const unknown = await adminJson('/api/admin/authorizations', 'POST', { tenant_id: 'nobody' });
    assert.equal(unknown.status, 404);
    assert.equal((await json<ErrorBody>(unknown)).error.field, 'tenant_id');
    assert.equal(
      (await adminJson('/api/admin/authorizations', 'POST', { auth_type: 7 })).status,
      400,
    );
    assert.equal(
      (await adminJson('/api/admin/authorizations', 'POST', { redirect: 'javascript:alert(1)' }))
        .status,
      400,
    );
    const link = await json<{ pc_url: string; start_url: string }>(
      adminJson('/api/admin/authorizations', 'POST', {}),
    );
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname: 'Reuse MP',
    });
    const redirect = await authorizeThroughLink(link, appid);
    assert.equal((await fetch(redirect)).status, 200);
    // WeChat's page refuses the used pre_auth_code.
    assert.equal((await fetch(link.pc_url, { headers: { referer: link.start_url } })).status, 400);
    // A made-up auth_code on the redirect page.
    assert.equal(
      (await fetch(`${sb.url}/api/openwx/authorized?auth_code=queryauthcode@@@made-up`)).status,
      400,
    );
    assert.equal((await fetch(`${sb.url}/authorize/doesnotexist`)).status, 404);
  });

  test('authorizers: filter, search, detail with token health, sync, assign a tenant', async () => {
    const appid = await authorizeMerchant(sb, {
      type: 'officialaccount',
      nickname: 'Searchable OA',
    });
    // The basic info (name) arrives from api_get_authorizer_info right after the authorization.
    const found = await eventually(async () => {
      const r = await json<{
        items: { appid: string; nickname: string; type: string }[];
        total: number;
      }>(sb.admin('/api/admin/authorizers?q=Searchable&type=officialaccount'));
      return r.total === 1 ? r : undefined;
    });
    assert.deepEqual(
      found.items.map((i) => i.appid),
      [appid],
    );
    assert.equal(found.items[0]?.nickname, 'Searchable OA');
    assert.equal(
      (
        await json<{ total: number }>(
          sb.admin('/api/admin/authorizers?q=Searchable&type=miniprogram'),
        )
      ).total,
      0,
    );
    const detail = await json<{
      token: { expires_at: string; has_refresh_token: boolean; last_error: null };
      func_info: number[];
      history: { action: string }[];
    }>(sb.admin(`/api/admin/authorizers/${appid}`));
    assert.ok(detail.token.expires_at);
    assert.equal(detail.token.has_refresh_token, true);
    assert.ok(detail.func_info.length > 0);
    assert.equal(detail.history[0]?.action, 'authorized');
    assert.equal(
      (await sb.admin(`/api/admin/authorizers/${appid}/sync`, { method: 'POST' })).status,
      200,
    );
    const t = await newTenant('Assigned');
    const patched = await json<{ tenant_id: string }>(
      adminJson(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: t.id }),
    );
    assert.equal(patched.tenant_id, t.id);
    assert.equal(
      (await adminJson(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: 'ghost' })).status,
      404,
    );
    assert.equal((await sb.admin('/api/admin/authorizers/wx0000000000000009')).status, 404);
    assert.equal((await sb.admin('/api/admin/authorizers?status=gone')).status, 400);
  });

  test('reconcile restores an authorizer the database lost, with a working refresh token', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Lost MP' });
    await sb.openwx.db.query('DELETE FROM tokens WHERE appid = $1', [appid]);
    await sb.openwx.db.query('DELETE FROM authorizer_history WHERE appid = $1', [appid]);
    await sb.openwx.db.query('DELETE FROM authorizers WHERE appid = $1', [appid]);
    assert.equal((await sb.admin(`/api/tokens/authorizers/${appid}`)).status, 404);
    const r = await json<{ checked: number; added: number }>(
      sb.admin('/api/admin/authorizers/reconcile', { method: 'POST' }),
    );
    assert.equal(r.added, 1);
    assert.ok(r.checked >= 1);
    const token = await sb.admin(`/api/tokens/authorizers/${appid}`);
    assert.equal(token.status, 200, 'the restored refresh token yields an access token');
  });

  test('the proxy calls WeChat with the right token and retries once on a stale one', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Proxied MP' });
    const body = JSON.stringify({
      component_appid: sb.openwx.config.component.appid,
      authorizer_appid: appid,
    });
    const calls = async () =>
      (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[
        '/cgi-bin/component/api_component_token'
      ] ?? 0;
    const before = await calls();
    await sb.control('/faults', { endpoint: 'api_get_authorizer_info', errcode: 40001, times: 1 });
    const res = await sb.admin('/api/proxy/component/cgi-bin/component/api_get_authorizer_info', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.equal(
      (await json<{ authorizer_info: { nick_name: string } }>(res)).authorizer_info.nick_name,
      'Proxied MP',
    );
    assert.equal(await calls(), before + 1);
    // WeChat's own errors come back as they are.
    const wrong = await json<{ errcode: number }>(
      sb.admin('/api/proxy/component/cgi-bin/component/api_get_authorizer_info', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    assert.equal(wrong.errcode, 47001);
    // An authorizer call with the authorizer's token.
    const opt = await sb.admin(`/api/proxy/${appid}/cgi-bin/component/get_authorizer_option`, {
      method: 'POST',
      body: '{"option_name":"voice_recognize"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(opt.status, 200);
    assert.ok('errcode' in (await json(opt)) || true);
    assert.equal((await sb.admin('/api/proxy/component/etc/passwd')).status, 400);
    assert.equal((await sb.admin(`/api/proxy/${appid}/cgi-bin/a/%2E%2E/%2E%2E/b`)).status, 400);
    assert.equal((await sb.admin('/api/proxy/not-an-appid/cgi-bin/x')).status, 400);
    assert.equal((await sb.admin('/api/proxy/wx0000000000000009/cgi-bin/x')).status, 404);
  });
});
