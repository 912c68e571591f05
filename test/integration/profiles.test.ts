import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/** Profiles (desired state), drift and apply, and per mini program settings, over real HTTP. */
type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; field?: string; errcode?: number } };

const profile = {
  name: 'standard',
  server_domains: {
    request: ['https://api.example.com'],
    socket: ['wss://ws.example.com'],
    upload: ['https://api.example.com'],
    download: ['https://cdn.example.com'],
  },
  webview_domains: ['https://h5.example.com'],
  categories: [{ first: 1, second: 101 }],
  privacy: {
    owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
    setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
  },
  basic_info: { signature: 'A demo shop' },
};

describe('profiles and mini program settings', () => {
  let sb: Sandbox;
  const call = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as T };
  };
  const calls = async (path: string) =>
    (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[path] ?? 0;

  before(async () => {
    sb = await startSandbox({
      env: {
        OPENWX_SERVER_DOMAINS: 'api.example.com,ws.example.com,cdn.example.com',
        OPENWX_WEBVIEW_DOMAINS: 'example.com',
      },
    });
    await ensureComponentToken(sb);
    await sb.control('/platform-domains', {
      server: ['api.example.com', 'ws.example.com', 'cdn.example.com'],
      webview: ['example.com'],
    });
  });
  after(() => sb.stop());

  test('a default profile is applied on authorization and leaves no drift', async () => {
    const created = await call<{ id: string; default: boolean }>(
      '/api/admin/profiles',
      'POST',
      profile,
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.default, true);
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    const drift = await eventually(
      async () => {
        const d = await call<{ in_sync: boolean; profile_id: string }>(
          `/api/admin/authorizers/${appid}/drift`,
        );
        return d.body.in_sync ? d.body : undefined;
      },
      8000,
      'profile applied',
    );
    assert.equal(drift.profile_id, created.body.id);
    const cfg = await sb.control<{ server: { requestdomain: string[] }; webview: string[] }>(
      `/mini-programs/${appid}/config`,
    );
    assert.deepEqual(cfg.server.requestdomain, ['https://api.example.com']);
    assert.deepEqual(cfg.webview, ['https://h5.example.com']);
  });

  test('drift shows the differences and the calls; a dry run changes nothing; apply fixes it', async () => {
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    await eventually(
      async () =>
        (await call<{ in_sync: boolean }>(`/api/admin/authorizers/${appid}/drift`)).body.in_sync,
      8000,
    );
    const put = await call(`/api/admin/authorizers/${appid}/domains`, 'PUT', {
      request: ['https://cdn.example.com'],
    });
    assert.equal(put.status, 200);
    assert.deepEqual(
      (await call<Json>(`/api/admin/authorizers/${appid}/domains`)).body['request'],
      ['https://cdn.example.com'],
    );
    type Drift = {
      in_sync: boolean;
      differences: Array<{ area: string; field: string; expected: unknown; actual: unknown }>;
      calls: Array<{ endpoint: string; body: Json }>;
    };
    const drift = (await call<Drift>(`/api/admin/authorizers/${appid}/drift`)).body;
    assert.equal(drift.in_sync, false);
    assert.deepEqual(
      drift.differences.find((d) => d.field === 'request'),
      {
        area: 'server_domains',
        field: 'request',
        expected: ['https://api.example.com'],
        actual: ['https://cdn.example.com'],
      },
    );
    assert.equal(drift.calls.length, 1);
    assert.equal(drift.calls[0]?.endpoint, 'modify_domain');
    assert.equal(drift.calls[0]?.body['action'], 'set');

    const dry = await call<{ calls: unknown[]; results: unknown[] }>(
      `/api/admin/authorizers/${appid}/apply`,
      'POST',
      { dry_run: true },
    );
    assert.deepEqual(dry.body.calls, drift.calls);
    assert.deepEqual(dry.body.results, []);
    const cfg = await sb.control<{ server: { requestdomain: string[] } }>(
      `/mini-programs/${appid}/config`,
    );
    assert.deepEqual(
      cfg.server.requestdomain,
      ['https://cdn.example.com'],
      'dry run changed nothing',
    );

    const applied = await call<{ ok: boolean; results: Array<{ ok: boolean }> }>(
      `/api/admin/authorizers/${appid}/apply`,
      'POST',
      {},
    );
    assert.equal(applied.body.ok, true);
    assert.equal(
      (await call<{ in_sync: boolean }>(`/api/admin/authorizers/${appid}/drift`)).body.in_sync,
      true,
    );
  });

  test('bulk apply over a tenant', async () => {
    const tenant = (await call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'bulk' }))
      .body;
    const other = (
      await call<{ id: string }>('/api/admin/profiles', 'POST', {
        name: 'tenant-only',
        webview_domains: ['https://shop.example.com'],
      })
    ).body;
    assert.equal(
      (await call(`/api/admin/tenants/${tenant.id}/profile`, 'PUT', { profile_id: other.id }))
        .status,
      200,
    );
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    await eventually(
      async () =>
        (await call<{ in_sync: boolean }>(`/api/admin/authorizers/${appid}/drift`)).body.in_sync,
      8000,
    );
    assert.equal(
      (await call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: tenant.id })).status,
      200,
    );
    const res = await call<{ results: Array<{ appid: string; profile_id: string; ok: boolean }> }>(
      '/api/admin/profiles/apply',
      'POST',
      { filter: { tenant_id: tenant.id } },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.results.map((r) => [r.appid, r.profile_id, r.ok]),
      [[appid, other.id, true]],
    );
    const web = await call<{ webview_domains: string[] }>(
      `/api/admin/authorizers/${appid}/webview-domains`,
    );
    assert.deepEqual(web.body.webview_domains, ['https://shop.example.com']);
  });

  test('bad input names the field and changes nothing', async () => {
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    await eventually(
      async () =>
        (await call<{ in_sync: boolean }>(`/api/admin/authorizers/${appid}/drift`)).body.in_sync,
      8000,
    );
    const before = await calls('/wxa/modify_domain');
    const cases: Array<[unknown, string]> = [
      [{ request: ['api.example.com'] }, 'domains.request[0]'],
      [{ request: ['https://api.example.com/v1'] }, 'domains.request[0]'],
      [{ socket: ['https://ws.example.com'] }, 'domains.socket[0]'],
      [{ request: ['https://api.example.com', 'https://api.example.com'] }, 'domains.request[1]'],
      [{ request: ['https://evil.example.net'] }, 'domains.request[0]'],
    ];
    for (const [body, field] of cases) {
      const r = await call<ErrorBody>(`/api/admin/authorizers/${appid}/domains`, 'PUT', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.field, field);
    }
    assert.equal(await calls('/wxa/modify_domain'), before, 'refused before calling WeChat');

    const cat = await call<ErrorBody>(`/api/admin/authorizers/${appid}/categories`, 'POST', {
      categories: [{ first: 9, second: 999 }],
    });
    assert.equal(cat.status, 502);
    assert.equal(cat.body.error.errcode, 53303);

    const count = (await call<{ items: unknown[] }>('/api/admin/profiles')).body.items.length;
    const conflicting = await call<ErrorBody>('/api/admin/profiles', 'POST', {
      name: 'conflicting',
      categories: [
        { first: 1, second: 101 },
        { first: 1, second: 101 },
      ],
    });
    assert.equal(conflicting.status, 400);
    assert.equal(conflicting.body.error.field, 'categories[1]');
    const dupPrivacy = await call<ErrorBody>('/api/admin/profiles', 'POST', {
      name: 'conflicting',
      privacy: {
        owner_setting: { contact_email: 'a@example.com', notice_method: 'pop-up' },
        setting_list: [
          { privacy_key: 'Album', privacy_text: 'x' },
          { privacy_key: 'Album', privacy_text: 'y' },
        ],
      },
    });
    assert.equal(dupPrivacy.body.error.field, 'privacy.setting_list[1]');
    assert.equal(
      (await call<{ items: unknown[] }>('/api/admin/profiles')).body.items.length,
      count,
    );
  });

  test('privacy interfaces of a profile: applied for, pending, approved; a rejection is applied for again', async () => {
    const tenant = (await call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'located' }))
      .body;
    const located = await call<{ id: string }>('/api/admin/profiles', 'POST', {
      name: 'located',
      privacy_interfaces: [
        {
          api_name: 'wx.getLocation',
          content: '展示附近的门店',
          url_list: ['https://h5.example.com/stores'],
        },
        {
          api_name: 'wx.chooseAddress',
          content: '填写收货地址',
          pic_list: ['https://cdn.example.com/address.png'],
        },
      ],
    });
    assert.equal(located.status, 201, JSON.stringify(located.body));
    await call(`/api/admin/tenants/${tenant.id}/profile`, 'PUT', { profile_id: located.body.id });
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    await call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: tenant.id });
    type Drift = {
      in_sync: boolean;
      differences: Array<{ area: string; field: string; actual: unknown }>;
      calls: Array<{ endpoint: string; body: Json }>;
    };
    const drift = async () => (await call<Drift>(`/api/admin/authorizers/${appid}/drift`)).body;
    const first = await drift();
    assert.deepEqual(
      first.differences.map((d) => [d.field, d.actual]),
      [
        ['wx.getLocation', 'not_applied'],
        ['wx.chooseAddress', 'not_applied'],
      ],
    );
    assert.deepEqual(first.calls[0], {
      endpoint: 'apply_privacy_interface',
      body: {
        api_name: 'wx.getLocation',
        content: '展示附近的门店',
        url_list: ['https://h5.example.com/stores'],
      },
    });

    const applied = await call<{ ok: boolean }>(
      `/api/admin/authorizers/${appid}/apply`,
      'POST',
      {},
    );
    assert.equal(applied.body.ok, true, JSON.stringify(applied.body));
    const pending = await drift();
    assert.equal(pending.in_sync, false);
    assert.deepEqual(pending.calls, [], 'nothing to send while WeChat decides');
    assert.deepEqual(
      pending.differences.map((d) => d.actual),
      ['applying', 'applying'],
    );

    await sb.control(`/privacy-interfaces/${appid}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
    });
    await sb.control(`/privacy-interfaces/${appid}`, {
      api_name: 'wx.chooseAddress',
      result: 'rejected',
      reason: '未提供使用场景',
    });
    const rejected = await drift();
    assert.deepEqual(
      rejected.differences.map((d) => [d.field, d.actual]),
      [['wx.chooseAddress', 'rejected']],
    );
    assert.deepEqual(
      rejected.calls.map((c) => c.body['api_name']),
      ['wx.chooseAddress'],
    );
  });

  test('a profile naming an unknown privacy interface or one without material is refused', async () => {
    const count = (await call<{ items: unknown[] }>('/api/admin/profiles')).body.items.length;
    const cases: Array<[Json, string, string]> = [
      [
        { api_name: 'wx.getlocation', content: 'x', url_list: ['https://a.example.com'] },
        'privacy_interfaces[0].api_name',
        'privacy_interface_unknown',
      ],
      [
        { api_name: 'wx.getLocation', content: '附近门店' },
        'privacy_interfaces[0].url_list',
        'material_missing',
      ],
      [
        { api_name: 'wx.getLocation', content: '附近门店', url_list: ['ftp://a.example.com'] },
        'privacy_interfaces[0].url_list[0]',
        'url_invalid',
      ],
      [
        {
          api_name: 'wx.getLocation',
          content: '长'.repeat(301),
          url_list: ['https://a.example.com'],
        },
        'privacy_interfaces[0].content',
        'content_too_long',
      ],
    ];
    for (const [item, field, reason] of cases) {
      const r = await call<ErrorBody & { error: { params?: Json } }>(
        '/api/admin/profiles',
        'POST',
        {
          name: 'bad interfaces',
          privacy_interfaces: [item],
        },
      );
      assert.equal(r.status, 400, JSON.stringify(item));
      assert.equal(r.body.error.field, field);
      assert.equal(r.body.error.params?.['reason'], reason);
    }
    assert.equal(
      (await call<{ items: unknown[] }>('/api/admin/profiles')).body.items.length,
      count,
      'nothing saved',
    );
  });
});
