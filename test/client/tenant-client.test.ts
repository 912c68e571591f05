import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Middleware } from 'openapi-fetch';
import {
  createAdminClient,
  createTenantClient,
  OpenwxApiError,
  unwrap,
  type AdminClient,
  type TenantClient,
} from '../../packages/client/src/index.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * @openwx/client against a running sandbox: an operator sets up a tenant with the admin client,
 * and the tenant calls every route of the tenant API with its API key through the typed client.
 */
describe('@openwx/client', () => {
  let sb: Sandbox;
  let admin: AdminClient;
  let tenant: TenantClient;
  let tenantId: string;
  let mp: string;
  let oa: string;
  /** `METHOD /path/{param}` of every call the tenant client made. */
  const called = new Set<string>();
  const record: Middleware = {
    onRequest({ request, schemaPath }) {
      called.add(`${request.method} ${schemaPath}`);
    },
  };

  before(async () => {
    sb = await startSandbox();
    admin = createAdminClient({ baseUrl: `${sb.url}/`, token: sb.adminToken });
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'first release',
    });
    const template = await unwrap(admin.POST('/api/admin/templates', { body: { draft_id } }));
    await unwrap(
      admin.PUT('/api/admin/templates/default', {
        body: { template_id: template.template_id as number },
      }),
    );
    const t = await unwrap(admin.POST('/api/admin/tenants', { body: { name: 'Tea house' } }));
    tenantId = t.id as string;
    // Raw access tokens are off by default (GET /api/tenant/tokens/{appid} answers 403).
    await unwrap(
      admin.PATCH('/api/admin/tenants/{id}', {
        params: { path: { id: tenantId } },
        body: { token_access: true },
      }),
    );
    const key = await unwrap(
      admin.POST('/api/admin/tenants/{id}/keys', {
        params: { path: { id: tenantId } },
        body: { name: 'shop backend' },
      }),
    );
    mp = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Tea house MP' });
    oa = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Tea house OA' });
    await prepareForAudit(sb, mp);
    for (const appid of [mp, oa])
      await unwrap(
        admin.PATCH('/api/admin/authorizers/{appid}', {
          params: { path: { appid } },
          body: { tenant_id: tenantId },
        }),
      );
    tenant = createTenantClient({ baseUrl: sb.url, apiKey: key.key as string });
    tenant.use(record);
  });
  after(() => sb.stop());

  test('authorizers, authorization links and tokens', async () => {
    const list = await unwrap(tenant.GET('/api/tenant/authorizers'));
    assert.deepEqual(list.items?.map((a) => a.appid).sort(), [mp, oa].sort());
    const one = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}', { params: { path: { appid: mp } } }),
    );
    assert.equal(one.appid, mp);
    assert.equal(one.tenant_id, tenantId);
    const link = await unwrap(
      tenant.POST('/api/tenant/authorizations', { body: { auth_type: 2 } }),
    );
    assert.match(link.start_url ?? '', /\/authorize\//);
    const token = await unwrap(
      tenant.GET('/api/tenant/tokens/{appid}', { params: { path: { appid: mp } } }),
    );
    assert.ok(token.access_token);
  });

  test('auto-replies', async () => {
    const rules = [{ match: 'exact' as const, keyword: 'hours', reply: 'Open 9 to 5' }];
    const put = await unwrap(
      tenant.PUT('/api/tenant/authorizers/{appid}/auto-replies', {
        params: { path: { appid: oa } },
        body: { rules },
      }),
    );
    assert.deepEqual(put.rules, rules);
    const got = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/auto-replies', {
        params: { path: { appid: oa } },
      }),
    );
    assert.deepEqual(got.rules, rules);
  });

  test("the merchant's users: mini program login, web OAuth and JS-SDK", async () => {
    const user = await sb.control<{ js_code: string; openid: string }>('/users/login', {
      appid: mp,
      user: 'alice',
    });
    const session = await unwrap(
      tenant.POST('/api/tenant/miniprogram/{appid}/session', {
        params: { path: { appid: mp } },
        body: { code: user.js_code },
      }),
    );
    assert.equal(session.openid, user.openid);

    const { url } = await unwrap(
      tenant.GET('/api/tenant/officialaccount/{appid}/oauth-url', {
        params: {
          path: { appid: oa },
          query: { redirect_uri: 'https://shop.example.com/back', scope: 'snsapi_base' },
        },
      }),
    );
    const back = await fetch(url as string, { redirect: 'manual' });
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const exchanged = await unwrap(
      tenant.POST('/api/tenant/officialaccount/{appid}/oauth/exchange', {
        params: { path: { appid: oa } },
        body: { code },
      }),
    );
    assert.match(exchanged.openid ?? '', /^o/);

    const sig = await unwrap(
      tenant.POST('/api/tenant/officialaccount/{appid}/jssdk/signature', {
        params: { path: { appid: oa } },
        body: { url: 'https://shop.example.com/' },
      }),
    );
    assert.equal(sig.appId, oa);
    assert.match(sig.signature, /^[0-9a-f]{40}$/);
  });

  test('testers', async () => {
    const path = { appid: mp };
    const bound = await unwrap(
      tenant.POST('/api/tenant/authorizers/{appid}/testers', {
        params: { path },
        body: { wechatid: 'fake_tester_01' },
      }),
    );
    const list = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/testers', { params: { path } }),
    );
    assert.ok(list.items?.some((t) => t.userstr === bound.userstr));
    const gone = await tenant.DELETE('/api/tenant/authorizers/{appid}/testers/{userstr}', {
      params: { path: { ...path, userstr: bound.userstr as string } },
    });
    assert.equal(gone.response.status, 204);
  });

  test('deployments, code state, versions and the ICP filing', async () => {
    const started = await tenant.POST('/api/tenant/deploy', { body: { appid: mp } });
    assert.equal(started.response.status, 202, JSON.stringify(started.error));
    const id = started.data?.id as number;
    const progress = await unwrap(
      tenant.GET('/api/tenant/deploy/{id}', { params: { path: { id } } }),
    );
    assert.equal(progress.id, id);
    const state = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/code', { params: { path: { appid: mp } } }),
    );
    assert.equal(state.appid, mp);
    const versions = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/versions', { params: { path: { appid: mp } } }),
    );
    assert.ok(Array.isArray(versions.items));
    const icp = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/icp', { params: { path: { appid: mp } } }),
    );
    assert.equal(icp.appid, mp);
  });

  test('verification, reviews and audit advice', async () => {
    const path = { appid: mp };
    const verification = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/verification', { params: { path } }),
    );
    assert.equal(verification.appid, mp);
    const reviews = await unwrap(
      tenant.GET('/api/tenant/authorizers/{appid}/reviews', { params: { path } }),
    );
    assert.deepEqual(reviews.items, []);
    // No audit failed: a typed 404 naming why.
    const advice = await tenant.GET('/api/tenant/authorizers/{appid}/audit-advice', {
      params: { path },
    });
    assert.equal(advice.response.status, 404);
    assert.equal(advice.error?.error.code, 'not_found');
    assert.equal(advice.error?.error.params?.['reason'], 'no_failed_audit');
  });

  test('a refusal is the typed Error schema; unwrap throws it as an OpenwxApiError', async () => {
    const unknown = 'wx00000000000000ff';
    const res = await tenant.GET('/api/tenant/authorizers/{appid}', {
      params: { path: { appid: unknown } },
    });
    assert.equal(res.response.status, 404);
    assert.equal(res.data, undefined);
    assert.equal(res.error?.error.code, 'not_found');

    await assert.rejects(
      unwrap(
        tenant.POST('/api/tenant/miniprogram/{appid}/session', {
          params: { path: { appid: mp } },
          body: { code: '' },
        }),
      ),
      (err: unknown) =>
        err instanceof OpenwxApiError &&
        err.status === 400 &&
        err.code === 'bad_request' &&
        err.body.error.field === 'code',
    );

    const anonymous = createTenantClient({ baseUrl: sb.url, apiKey: 'owx_not_a_key' });
    await assert.rejects(
      unwrap(anonymous.GET('/api/tenant/authorizers')),
      (err: unknown) => err instanceof OpenwxApiError && err.status === 401,
    );
    assert.throws(() => createTenantClient({ baseUrl: sb.url, apiKey: '' }), /empty/);
  });

  test('the proxy: a WeChat path with slashes reaches WeChat and its answer comes back', async () => {
    const componentAppid = sb.openwx.config.component.appid;
    const { data, response } = await admin.POST('/api/proxy/component/{path}', {
      params: { path: { path: 'cgi-bin/component/api_get_authorizer_list' } },
      body: { component_appid: componentAppid, offset: 0, count: 100 },
    });
    assert.equal(response.status, 200);
    // JSON here; a media download would be the file (application/octet-stream).
    const answer = data as { list?: { authorizer_appid: string }[] };
    const appids = (answer.list ?? []).map((a) => a.authorizer_appid);
    assert.ok(appids.includes(mp) && appids.includes(oa), JSON.stringify(data));
  });

  test('every route of the tenant API was called through the client', async () => {
    const doc = (await (await fetch(`${sb.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const tenantRoutes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/tenant/'))
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    assert.ok(tenantRoutes.length >= 18, tenantRoutes.join('\n'));
    const missed = tenantRoutes.filter((r) => !called.has(r));
    assert.deepEqual(missed, [], 'tenant routes no test called through the client');
  });
});
