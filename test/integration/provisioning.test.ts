import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken, registerEnterprise } from '../support/flows.ts';

/**
 * The whole provisioning path a platform lives on: an enterprise registers a mini program through
 * openwx, the legal person confirms, and the new mini program ends authorized for its tenant,
 * configured from the default profile and without drift — no human step inside openwx.
 */
type Json = Record<string, unknown>;
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
    env: {
      OPENWX_SERVER_DOMAINS: 'api.example.com,cdn.example.com',
      OPENWX_WEBVIEW_DOMAINS: 'example.com',
    },
  });
  await ensureComponentToken(sb);
  await sb.control('/platform-domains', {
    server: ['api.example.com', 'cdn.example.com'],
    webview: ['example.com'],
  });
});
after(() => sb.stop());

test('an enterprise registration ends authorized, configured from the default profile, without drift', async () => {
  const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', {
    name: 'Provisioned shop',
  });
  const profile = await call<{ id: string; default: boolean }>('/api/admin/profiles', 'POST', {
    name: 'house style',
    server_domains: { request: ['https://api.example.com'], download: ['https://cdn.example.com'] },
    webview_domains: ['https://h5.example.com'],
    categories: [{ first: 1, second: 101 }],
    privacy: {
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
    },
  });
  assert.equal(profile.status, 201);
  assert.equal(profile.body.default, true);

  const { appid } = await registerEnterprise(
    sb,
    tenant.body.id,
    'Provisioned Trading Co',
    '91110000MA0000E2E1',
  );

  const authorizer = await eventually(
    async () => {
      const r = await call<{ status: string; tenant_id: string | null; type: string }>(
        `/api/admin/authorizers/${appid}`,
      );
      return r.status === 200 && r.body.tenant_id === tenant.body.id ? r.body : undefined;
    },
    10_000,
    'authorizer of the tenant',
  );
  assert.equal(authorizer.status, 'authorized');
  assert.equal((await sb.admin(`/api/tokens/authorizers/${appid}`)).status, 200);

  const drift = await eventually(
    async () => {
      const d = await call<{ in_sync: boolean; profile_id: string }>(
        `/api/admin/authorizers/${appid}/drift`,
      );
      return d.status === 200 && d.body.in_sync ? d.body : undefined;
    },
    10_000,
    'configured without drift',
  );
  assert.equal(drift.profile_id, profile.body.id);
});

test('the scheduled check records a mini program that drifted from its profile', async () => {
  const { authorizeMerchant } = await import('../support/flows.ts');
  const appid = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Drifting MP' });
  await eventually(
    async () => {
      const d = await call<{ in_sync: boolean }>(`/api/admin/authorizers/${appid}/drift`);
      return d.status === 200 && d.body.in_sync;
    },
    10_000,
    'profile applied',
  );
  // Someone changes the mini program's web-view domains outside openwx.
  const put = await call(`/api/admin/authorizers/${appid}/webview-domains`, 'PUT', {
    webview_domains: [],
  });
  assert.ok(put.status < 300, JSON.stringify(put.body));
  await sb.openwx.maintain();
  const detail = await call<{
    history: { action: string; detail: { differences: { area: string }[] } }[];
  }>(`/api/admin/authorizers/${appid}`);
  const drift = detail.body.history.find((h) => h.action === 'drift_detected');
  assert.ok(drift, 'drift recorded in the history');
  assert.ok(drift.detail.differences.some((d) => d.area.includes('webview')));
});
