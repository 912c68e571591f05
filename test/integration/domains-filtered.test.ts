import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/**
 * WeChat's modify_domain filters rather than refuses: it applies the domains it accepts, answers
 * errcode 0 and names the dropped ones in invalid_* and no_icp_domain. openwx passes those lists on
 * so the operator sees what WeChat dropped. Source: community/develop/doc/0002c6d28486c00ed50daec9551000.
 * Here WeChat's list of the platform's server domains (the emulator's) lacks cdn.example.com while
 * openwx's configuration still has it, so openwx sends it and WeChat drops it.
 */
type Json = Record<string, unknown>;

describe('server domains WeChat filtered', () => {
  let sb: Sandbox;
  const call = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  before(async () => {
    sb = await startSandbox({
      env: { OPENWX_SERVER_DOMAINS: 'api.example.com,cdn.example.com' },
    });
    await ensureComponentToken(sb);
    await sb.control('/platform-domains', { server: ['api.example.com'] });
  });
  after(() => sb.stop());

  test('PUT domains answers what WeChat kept and names what it dropped', async () => {
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    const put = await call<Json>(`/api/admin/authorizers/${appid}/domains`, 'PUT', {
      request: ['https://api.example.com'],
      download: ['https://api.example.com', 'https://cdn.example.com'],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body['request'], ['https://api.example.com']);
    assert.deepEqual(put.body['download'], ['https://api.example.com']);
    assert.deepEqual(put.body['filtered'], {
      request: [],
      socket: [],
      upload: [],
      download: ['https://cdn.example.com'],
      udp: [],
      tcp: [],
      no_icp: [],
    });
    const cfg = await sb.control<{ server: { downloaddomain: string[] } }>(
      `/mini-programs/${appid}/config`,
    );
    assert.deepEqual(cfg.server.downloaddomain, ['https://api.example.com']);

    const clean = await call<Json>(`/api/admin/authorizers/${appid}/domains`, 'PUT', {
      request: ['https://api.example.com'],
    });
    assert.equal(clean.status, 200);
    assert.equal(clean.body['filtered'], undefined);
  });

  test('a profile apply result names the domains WeChat dropped', async () => {
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    const created = await call('/api/admin/profiles', 'POST', {
      name: 'filtered',
      server_domains: { request: ['https://api.example.com', 'https://cdn.example.com'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const applied = await call<{
      results: Array<{ endpoint: string; ok: boolean; filtered?: Json }>;
    }>(`/api/admin/authorizers/${appid}/apply`, 'POST', {});
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    const domains = applied.body.results.find((r) => r.endpoint === 'modify_domain');
    assert.ok(domains, JSON.stringify(applied.body));
    assert.equal(domains.ok, true);
    assert.deepEqual((domains.filtered as { request: string[] }).request, [
      'https://cdn.example.com',
    ]);
  });

  test('WeChat keeping none of the domains (85301): a 400 naming them, nothing changed', async () => {
    const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    const put = await call<{
      error: { code: string; field: string; errcode: number; params: Json };
    }>(`/api/admin/authorizers/${appid}/domains`, 'PUT', { request: ['https://cdn.example.com'] });
    assert.equal(put.status, 400, JSON.stringify(put.body));
    assert.equal(put.body.error.code, 'bad_request');
    assert.equal(put.body.error.field, 'domains');
    assert.equal(put.body.error.errcode, 85301);
    assert.equal(put.body.error.params['reason'], 'domains_all_filtered');
    assert.deepEqual((put.body.error.params['filtered'] as { request: string[] }).request, [
      'https://cdn.example.com',
    ]);
    // Nothing of the refused change applied (the default profile of the test before may still
    // be setting api.example.com meanwhile, so only the refused domain is looked for).
    const after = await sb.control<{ server: { requestdomain: string[] } }>(
      `/mini-programs/${appid}/config`,
    );
    assert.ok(!after.server.requestdomain.includes('https://cdn.example.com'));
  });
});
