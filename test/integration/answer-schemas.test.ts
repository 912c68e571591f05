import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * A route's response schema decides what reaches the client: Fastify serializes answers with
 * fast-json-stringify, which drops every property the schema does not list (nested ones too). For
 * the routes whose answers are typed in the OpenAPI document, each answer here is compared with
 * what the route's handler returned (caught before serialization): a field a service adds later
 * and its route's schema does not, or a type the schema coerces, fails a test, named. The data is
 * brought into the states that fill the optional parts of the answers (a drift in every area, a
 * failed call, a failed audit with advice, a release, a revoked authorization, ...).
 */
type Json = Record<string, unknown>;

/** Every route checked here: each must answer at least once with a 2xx and a JSON body. */
const ROUTES = [
  'POST /api/admin/profiles',
  'GET /api/admin/profiles',
  'GET /api/admin/profiles/:id',
  'PATCH /api/admin/profiles/:id',
  'PUT /api/admin/profiles/:id/default',
  'PUT /api/admin/tenants/:id/profile',
  'POST /api/admin/profiles/apply',
  'GET /api/admin/authorizers/:appid/drift',
  'POST /api/admin/authorizers/:appid/apply',
  'GET /api/admin/authorizers/:appid/domains',
  'PUT /api/admin/authorizers/:appid/domains',
  'GET /api/admin/authorizers/:appid/webview-domains',
  'PUT /api/admin/authorizers/:appid/webview-domains',
  'GET /api/admin/authorizers/:appid/categories',
  'POST /api/admin/authorizers/:appid/categories',
  'DELETE /api/admin/authorizers/:appid/categories',
  'GET /api/admin/authorizers/:appid/categories/available',
  'GET /api/admin/authorizers/:appid/privacy',
  'PUT /api/admin/authorizers/:appid/privacy',
  'PUT /api/admin/authorizers/:appid/basic-info',
  'GET /api/admin/authorizers',
  'GET /api/admin/authorizers/:appid',
  'PATCH /api/admin/authorizers/:appid',
  'POST /api/admin/authorizers/:appid/sync',
  'POST /api/admin/authorizers/:appid/token/refresh',
  'GET /api/tenant/authorizers',
  'GET /api/tenant/authorizers/:appid',
  'GET /api/admin/authorizers/:appid/code',
  'GET /api/admin/authorizers/:appid/versions',
  'GET /api/admin/authorizers/:appid/code/preflight',
  'GET /api/admin/authorizers/:appid/audit-advice',
  'GET /api/tenant/authorizers/:appid/code',
  'GET /api/tenant/authorizers/:appid/versions',
  'GET /api/tenant/authorizers/:appid/audit-advice',
  'GET /api/admin/templates',
];

const SUBMIT = {
  item_list: [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }],
};
const REASON =
  '1:服务类目"工具-效率_"与你提交代码审核时设置的功能页面内容不一致:<br>(1):你的小程序提供在线点餐，请补充选择：餐饮－点餐平台、工具-效率类目<br>2:服务涉及个人小程序未允许内容，建议申请企业主体小程序金融类目<br>';

describe('typed answers are the handlers’ own return values, nothing dropped', () => {
  let sb: Sandbox;
  /** The handler's return value of each request (by x-answer-id), as JSON would write it. */
  const returned = new Map<string, unknown>();
  const covered = new Set<string>();
  let next = 0;
  let tenantKey = '';

  /** Calls openwx and checks the answer against the handler's own value; answers the body. */
  async function answer<T = Json>(
    path: string,
    method = 'GET',
    body?: unknown,
    as: 'admin' | 'tenant' = 'admin',
  ): Promise<{ status: number; body: T }> {
    const id = String(++next);
    const res = await fetch(`${sb.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as === 'admin' ? sb.adminToken : tenantKey}`,
        'x-answer-id': id,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = (text === '' ? undefined : JSON.parse(text)) as T;
    if (res.status < 300 && returned.has(id)) {
      assert.deepEqual(json, returned.get(id), `${method} ${path}: the answer as sent`);
    }
    return { status: res.status, body: json };
  }
  const ok = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await answer<T>(path, method, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  let mp = '';
  let other = '';
  let tenantId = '';
  let profileId = '';

  before(async () => {
    sb = await startSandbox({
      env: {
        OPENWX_SERVER_DOMAINS: 'api.example.com,ws.example.com,cdn.example.com',
        OPENWX_WEBVIEW_DOMAINS: 'example.com',
      },
      beforeListen: (openwx) => {
        openwx.app.addHook('preSerialization', async (req, reply, payload) => {
          const id = req.headers['x-answer-id'];
          if (typeof id === 'string' && reply.statusCode < 300) {
            returned.set(id, JSON.parse(JSON.stringify(payload)));
            covered.add(`${req.method} ${req.routeOptions.url}`);
          }
          return payload;
        });
      },
    });
    await ensureComponentToken(sb);
    await sb.control('/platform-domains', {
      server: ['api.example.com', 'ws.example.com', 'cdn.example.com'],
      webview: ['example.com'],
    });
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'template',
    });
    const tpl = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id,
    });
    await sb.call('/api/admin/templates/default', 'PUT', { template_id: tpl.body.template_id });
    tenantId = (await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Shop' })).body
      .id;
    const key = await sb.call<{ key: string }>(`/api/admin/tenants/${tenantId}/keys`, 'POST', {
      name: 'backend',
    });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    tenantKey = key.body.key;
    mp = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Shop one' });
    other = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Shop two' });
    await prepareForAudit(sb, mp);
  });
  after(() => sb.stop());

  test('profiles: created, listed, changed, given to a tenant', async () => {
    const first = await ok<{ id: string }>('/api/admin/profiles', 'POST', {
      name: 'full',
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
        setting_list: [{ privacy_key: 'Location', privacy_text: 'find the nearest shop' }],
      },
      privacy_interfaces: [
        {
          api_name: 'wx.getLocation',
          content: '展示附近的门店',
          url_list: ['https://h5.example.com/stores'],
        },
      ],
      basic_info: { signature: 'A demo shop' },
    });
    profileId = first.id;
    const bare = await ok<{ id: string }>('/api/admin/profiles', 'POST', { name: 'bare' });
    await ok(`/api/admin/tenants/${tenantId}/profile`, 'PUT', { profile_id: bare.id });
    await ok('/api/admin/profiles');
    await ok(`/api/admin/profiles/${bare.id}`);
    await ok(`/api/admin/profiles/${bare.id}`, 'PATCH', {
      name: 'bare, signed',
      basic_info: { signature: 'Signed' },
      webview_domains: null,
    });
    await ok(`/api/admin/profiles/${bare.id}/default`, 'PUT');
    await ok(`/api/admin/profiles/${profileId}/default`, 'PUT');
    await ok(`/api/admin/tenants/${tenantId}/profile`, 'PUT', { profile_id: null });
    await ok('/api/admin/profiles');
    const gone = await answer(`/api/admin/profiles/${bare.id}`, 'DELETE');
    assert.equal(gone.status, 204);
  });

  test('drift in every area, applied: a dry run, a failed call, then in sync', async () => {
    const drift = await ok<{ in_sync: boolean; differences: { area: string }[] }>(
      `/api/admin/authorizers/${mp}/drift`,
    );
    assert.equal(drift.in_sync, false);
    await ok(`/api/admin/authorizers/${mp}/apply`, 'POST', { dry_run: true });
    await sb.control('/faults', { endpoint: 'modifysignature', errcode: 53200, times: 1 });
    try {
      const failed = await ok<{ ok: boolean }>(`/api/admin/authorizers/${mp}/apply`, 'POST', {});
      assert.equal(failed.ok, false);
    } finally {
      await sb.control('/faults', undefined, 'DELETE');
    }
    await ok(`/api/admin/authorizers/${mp}/apply`, 'POST', {});
    await ok(`/api/admin/authorizers/${mp}/drift`);
    // One mini program WeChat does not answer for: its result is an error in the list.
    await sb.control('/faults', { endpoint: 'modify_domain', errcode: 61007, times: 1 });
    try {
      const bulk = await ok<{ results: Json[] }>('/api/admin/profiles/apply', 'POST', {
        filter: { all: true },
        dry_run: true,
      });
      const failed = bulk.results.find((r) => 'error' in r);
      assert.ok(failed, JSON.stringify(bulk.results.map((r) => r['error'] ?? r['ok'])));
      // Named as an Error answer would be, for the console's words: WeChat's errcode.
      assert.equal(failed['code'], 'wechat_error');
      assert.equal((failed['params'] as Json)['errcode'], 61007);
    } finally {
      await sb.control('/faults', undefined, 'DELETE');
    }
    await ok('/api/admin/profiles/apply', 'POST', { filter: { appids: [mp, other] } });
  });

  test('a mini program’s settings by hand', async () => {
    const at = `/api/admin/authorizers/${other}`;
    await ok(`${at}/domains`);
    await ok(`${at}/domains`, 'PUT', { request: ['https://api.example.com'] });
    await ok(`${at}/webview-domains`);
    await ok(`${at}/webview-domains`, 'PUT', { webview_domains: ['https://shop.example.com'] });
    await ok(`${at}/categories`);
    await ok(`${at}/categories/available`);
    await ok(`${at}/categories`, 'POST', { categories: [{ first: 3, second: 301 }] });
    await ok(`${at}/categories`, 'DELETE', { first: 3, second: 301 });
    await ok(`${at}/privacy`);
    await ok(`${at}/privacy`, 'PUT', {
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
    });
    await ok(`${at}/basic-info`, 'PUT', { signature: 'By hand' });
  });

  test('the code pipeline: nothing yet, committed, failed with advice, released, phased', async () => {
    const code = (p = '') => `/api/admin/authorizers/${mp}/code${p}`;
    await ok(code());
    await ok(`/api/admin/authorizers/${mp}/versions`);
    await ok(code('/preflight'));
    await ok(`/api/admin/authorizers/${other}/code/preflight`);
    await sb.control(`/privacy-interfaces/${mp}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
    });
    await ok(code('/commit'), 'POST', { user_version: '1.0.0', user_desc: 'first' });
    const first = await ok<{ auditid: number }>(code('/submit'), 'POST', SUBMIT);
    await ok(code());
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${first.auditid}`, { result: 'fail', reason: REASON });
    await eventually(
      async () =>
        (await sb.call<{ audit: { state: string } }>(code())).body.audit.state === 'failed',
      8000,
      'audit failed',
    );
    await ok(`/api/admin/authorizers/${mp}/audit-advice`);
    await ok(code('/commit'), 'POST', { user_version: '1.0.1', user_desc: 'second' });
    const second = await ok<{ auditid: number }>(code('/submit'), 'POST', SUBMIT);
    await ok(`/api/admin/authorizers/${mp}/audit-advice`);
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${second.auditid}`, { result: 'success' });
    await eventually(
      async () =>
        (await sb.call<{ audit: { state: string } }>(code())).body.audit.state === 'passed',
      8000,
      'audit passed',
    );
    await ok(code('/release'), 'POST');
    await ok(code('/visit-status'), 'POST', { status: 'close' });
    await ok(code());
    await ok(`/api/admin/authorizers/${mp}/versions`);
    await ok(code('/preflight'));
  });

  test('authorizers: the list, the detail in its states, the tenant’s view', async () => {
    await ok(`/api/admin/authorizers/${mp}`, 'PATCH', { tenant_id: tenantId });
    await ok('/api/admin/authorizers');
    await ok('/api/admin/authorizers?drift=in_sync&type=miniprogram');
    await ok(`/api/admin/authorizers/${mp}`);
    await ok(`/api/admin/authorizers/${mp}/sync`, 'POST');
    await ok(`/api/admin/authorizers/${mp}/token/refresh`, 'POST');
    for (const p of ['', `/${mp}`, `/${mp}/code`, `/${mp}/versions`, `/${mp}/audit-advice`]) {
      const res = await answer(`/api/tenant/authorizers${p}`, 'GET', undefined, 'tenant');
      assert.equal(res.status, 200, `${p}: ${JSON.stringify(res.body)}`);
    }
    // A drift found by the scheduled check shows in the list.
    await ok(`/api/admin/authorizers/${other}/webview-domains`, 'PUT', { webview_domains: [] });
    await sb.openwx.maintain();
    await ok('/api/admin/authorizers?drift=drifted');
    await sb.control('/unauthorize', { appid: other });
    await eventually(
      async () =>
        (await sb.call<{ status: string }>(`/api/admin/authorizers/${other}`)).body.status ===
        'revoked',
      8000,
      'revoked',
    );
    await ok(`/api/admin/authorizers/${other}`);
    await ok('/api/admin/authorizers?status=revoked');
  });

  test('templates', async () => {
    await ok('/api/admin/templates');
  });

  test('every route above answered, and was compared', () => {
    const missing = ROUTES.filter((r) => !covered.has(r));
    assert.deepEqual(missing, [], 'routes never answered a 2xx here');
  });
});
