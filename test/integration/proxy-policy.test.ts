import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/**
 * What a tenant key may do through the proxy: the WeChat APIs of its own business (messages,
 * users, codes, media, …) with its own authorizer's token, never the platform's paths (code
 * pipeline, registration, domains, categories, privacy, templates); and a path that keeps
 * answering "stale token" cannot make openwx refresh the token on every call.
 */
type Refusal = {
  error: { code: string; message: string; params?: { path?: string; use?: string } };
};
type Stats = { calls: Record<string, number> };

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('the proxy for tenant keys', () => {
  let sb: Sandbox;
  let appid: string;
  let key: string;
  const asTenant = (path: string, body: unknown = {}) =>
    fetch(`${sb.url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
  const calls = async (path: string) => (await sb.control<Stats>('/stats')).calls[path] ?? 0;

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    appid = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Proxy shop' });
    const tenant = await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Shop' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
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

  test('a tenant key cannot commit code through the proxy; WeChat never sees the commit', async () => {
    const res = await asTenant(`/api/proxy/${appid}/wxa/commit`, {
      template_id: 1,
      ext_json: '{}',
      user_version: '9.9.9',
      user_desc: 'around the version history',
    });
    assert.equal(res.status, 403);
    const body = (await res.json()) as Refusal;
    assert.equal(body.error.code, 'proxy_path_not_allowed');
    assert.equal(body.error.params?.path, '/wxa/commit');
    assert.match(body.error.params?.use ?? '', /POST \/api\/tenant\/deploy/);
    assert.match(body.error.message, /\/api\/tenant\/deploy/);
    assert.equal(await calls('/wxa/commit'), 0, 'the emulator saw no commit');
  });

  test('platform paths are refused for a tenant key and reach nobody', async () => {
    const refused = [
      '/wxa/submit_audit',
      '/wxa/release',
      '/wxa/revertcoderelease',
      '/wxa/grayrelease',
      '/wxa/undocodeaudit',
      '/wxa/speedupaudit',
      '/wxa/change_visitstatus',
      '/wxa/modify_domain',
      '/wxa/modify_domain_directly',
      '/wxa/setwebviewdomain',
      '/cgi-bin/component/fastregisterweapp',
      '/wxa/component/fastregisterbetaweapp',
      '/wxa/verifybetaweapp',
      '/cgi-bin/account/fastregister',
      '/cgi-bin/component/setprivacysetting',
      '/cgi-bin/wxopen/addcategory',
      '/cgi-bin/account/modifysignature',
      '/wxa/setnickname',
      '/wxa/addtotemplate',
      '/cgi-bin/clear_quota',
      '/cgi-bin/component/set_authorizer_option',
      '/wxa/bind_tester',
      '/datacube/deeper/path',
    ];
    const before = (await sb.control<Stats>('/stats')).calls;
    for (const path of refused) {
      const res = await asTenant(`/api/proxy/${appid}${path}`);
      assert.equal(res.status, 403, path);
      const body = (await res.json()) as Refusal;
      assert.equal(body.error.code, 'proxy_path_not_allowed', path);
      assert.equal(body.error.params?.path, path);
    }
    assert.deepEqual((await sb.control<Stats>('/stats')).calls, before, 'no call reached WeChat');
    // Testers have openwx routes of their own for tenants.
    const testers = (await (
      await asTenant(`/api/proxy/${appid}/wxa/bind_tester`)
    ).json()) as Refusal;
    assert.match(testers.error.params?.use ?? '', /\/api\/tenant\/authorizers\/:appid\/testers/);
    // The component token stays the operator's.
    const component = await asTenant(
      '/api/proxy/component/cgi-bin/component/api_get_authorizer_list',
    );
    assert.equal(component.status, 404);
  });

  test('an allowed path works with the tenant’s key', async () => {
    const form = new FormData();
    form.append('media', new Blob([PNG], { type: 'image/png' }), 'photo.png');
    const res = await fetch(`${sb.url}/api/proxy/${appid}/cgi-bin/media/upload?type=image`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(res.status, 200);
    const media = (await res.json()) as { type?: string; media_id?: string };
    assert.equal(media.type, 'image');
    assert.ok((media.media_id ?? '').length > 0);
  });

  test('the admin token may still call any path, commit included', async () => {
    const before = await calls('/wxa/commit');
    const res = await sb.admin(`/api/proxy/${appid}/wxa/commit`, {
      method: 'POST',
      body: JSON.stringify({
        template_id: 1,
        ext_json: '{}',
        user_version: '1.0.0',
        user_desc: 'by the operator',
      }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await calls('/wxa/commit'), before + 1);
  });

  test('a path that keeps answering 40001 refreshes the token once, then answers as it is', async () => {
    const refreshes = () => calls('/cgi-bin/component/api_authorizer_token');
    const first = await refreshes();
    await sb.control('/faults', {
      endpoint: '/cgi-bin/message/custom/send',
      errcode: 40001,
      times: 100,
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await asTenant(`/api/proxy/${appid}/cgi-bin/message/custom/send`, {
          touser: 'fake-openid',
          msgtype: 'text',
          text: { content: 'hello' },
        });
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { errcode: number }).errcode, 40001);
      }
      assert.equal(await refreshes(), first + 1, 'one refresh for five stale answers');
    } finally {
      await sb.control('/faults', undefined, 'DELETE');
    }
  });
});
