import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureComponentToken, registerEnterprise } from '../support/flows.ts';
import { PNG } from '../support/icp-fixtures.ts';
import { icpApplication } from '../support/icp-fixtures.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Taking a new merchant live on today's WeChat, through openwx's HTTP API alone, with the emulator
 * deciding what WeChat's reviewers and the merchant's people decide: an enterprise registers by the
 * URL flow, its mini program is authorized for its tenant and configured from the default profile
 * (privacy interfaces included), is ICP filed, gets a tester, is committed from the default
 * template, passes pre-flight (ICP, privacy, categories), is audited and released. The README's
 * "Taking a new merchant live" walks the same steps in the console.
 */

type Json = Record<string, unknown>;
interface Check {
  check: string;
  ok: boolean;
  detail: string;
}
let sb: Sandbox;

const call = <T = Json>(path: string, method = 'GET', body?: unknown) =>
  sb.call<T>(path, method, body);

before(async () => {
  sb = await startSandbox();
  await ensureComponentToken(sb);
});
after(() => sb?.stop());

test('an enterprise merchant goes from registration to released', async () => {
  // The platform's side: a tenant, the default profile, and the default template.
  const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', {
    name: 'Harbour Tea',
    ext: { shop: 'harbour' },
  });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
  const profile = await call<{ id: string; default: boolean }>('/api/admin/profiles', 'POST', {
    name: 'shop template',
    categories: [{ first: 1, second: 101 }],
    privacy: {
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'Location', privacy_text: 'find the nearest shop' }],
    },
    privacy_interfaces: [
      {
        api_name: 'wx.getLocation',
        content: '展示离用户最近的门店及距离',
        url_list: ['https://shop.example.com/help/nearest-shop'],
      },
    ],
  });
  assert.equal(profile.status, 201, JSON.stringify(profile.body));
  assert.equal(profile.body.default, true);
  const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
    user_version: '1.0.0',
    user_desc: 'shop 1.0.0',
  });
  const template = await call<{ template_id: number }>('/api/admin/templates', 'POST', {
    draft_id,
  });
  assert.equal(template.status, 201, JSON.stringify(template.body));
  const templateId = template.body.template_id;
  const def = await call('/api/admin/templates/default', 'PUT', { template_id: templateId });
  assert.equal(def.status, 200, JSON.stringify(def.body));

  // 1. Enterprise registration by the URL flow; the legal person confirms in WeChat.
  const { appid, nextStep } = await registerEnterprise(
    sb,
    tenant.body.id,
    'Harbour Tea Trading Co',
    '91110000MA0000LIV1',
  );
  assert.ok(nextStep, 'the operator is told what happens next');
  const path = (rest = '') => `/api/admin/authorizers/${appid}${rest}`;

  // 2. Authorized for its tenant and configured from the default profile: domains, categories,
  // the privacy guide and the application for wx.getLocation, which WeChat then approves.
  const authorizer = await eventually(
    async () => {
      const r = await call<{ status: string; tenant_id: string | null }>(path());
      return r.status === 200 && r.body.tenant_id === tenant.body.id ? r.body : undefined;
    },
    10_000,
    'authorized for the tenant',
  );
  assert.equal(authorizer.status, 'authorized');
  const pending = await eventually(
    async () => {
      const d = await call<{
        differences: Array<{ area: string; field: string; actual: unknown }>;
      }>(path('/drift'));
      const left = d.body.differences ?? [];
      return left.length === 1 && left[0]?.actual === 'applying' ? left[0] : undefined;
    },
    10_000,
    'profile applied; only the interface application is pending',
  );
  assert.deepEqual(pending, {
    area: 'privacy_interfaces',
    field: 'wx.getLocation',
    expected: 'approved',
    actual: 'applying',
  });
  await sb.control(`/privacy-interfaces/${appid}`, {
    api_name: 'wx.getLocation',
    result: 'approved',
  });
  const inSync = await call<{ in_sync: boolean; profile_id: string }>(path('/drift'));
  assert.equal(inSync.body.in_sync, true, JSON.stringify(inSync.body));
  assert.equal(inSync.body.profile_id, profile.body.id);

  // The template's code calls wx.getLocation (WeChat's detection finds it in the package).
  await sb.control(`/privacy-interfaces/${appid}/used`, { api_names: ['wx.getLocation'] });

  // 3. Not filed yet: committing works, but pre-flight keeps the audit from being spent.
  const committed = await call<{ kind: string; template_id: number }>(
    path('/code/commit'),
    'POST',
    { user_version: '1.0.0', user_desc: 'first release' },
  );
  assert.equal(committed.status, 201, JSON.stringify(committed.body));
  assert.equal(committed.body.template_id, templateId, 'the default template');
  const code = await sb.control<{ trial: { ext_json: string } }>(`/mini-programs/${appid}/code`);
  assert.deepEqual(JSON.parse(code.trial.ext_json), {
    extAppid: appid,
    ext: { shop: 'harbour' },
    requiredPrivateInfos: ['getLocation'],
  });
  const before = await call<{ ok: boolean; checks: Check[] }>(path('/code/preflight'));
  assert.equal(before.body.ok, false);
  const icpCheck = before.body.checks.find((c) => c.check === 'icp');
  assert.equal(icpCheck?.ok, false, 'not filed yet');
  const refused = await call<{ error: { code: string } }>(path('/code/submit'), 'POST', {});
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'preflight_failed');

  // 4. ICP filing: the person in charge's face verification, the ID photo, the application,
  // then WeChat's two reviews (decided in the emulator).
  const verification = await call<{ verify_task_id: string }>(
    path('/icp/verification'),
    'POST',
    {},
  );
  assert.equal(verification.status, 200, JSON.stringify(verification.body));
  await sb.control(`/icp/${appid}`, { step: 'face', result: 'approved' });
  await eventually(
    async () => (await call<{ state: string }>(path('/icp'))).body.state === 'materials',
    8000,
    'face verification passed',
  );
  const photo = await call<{ media_id: string }>(path('/icp/media'), 'POST', {
    type: 'image',
    certificate_type: 2,
    icp_order_field: 'icp_subject.principal_info.certificate_photo_front',
    filename: 'id-front.png',
    content_base64: PNG.toString('base64'),
  });
  assert.equal(photo.status, 200, JSON.stringify(photo.body));
  const applied = await call<{ state: string }>(
    path('/icp/application'),
    'POST',
    icpApplication(photo.body.media_id, verification.body.verify_task_id),
  );
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
  await eventually(
    async () => (await call<{ state: string }>(path('/icp'))).body.state === 'under_review',
    8000,
    'first review passed',
  );
  await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
  await eventually(
    async () => (await call<{ state: string }>(path('/icp'))).body.state === 'filed',
    8000,
    'filed',
  );

  // 5. A tester of the merchant's staff, who can open the trial version.
  const tester = await call<{ wechatid: string; userstr: string }>(path('/testers'), 'POST', {
    wechatid: 'fake_staff_01',
  });
  assert.equal(tester.status, 201, JSON.stringify(tester.body));
  const testers = await call<{ items: Array<{ wechatid: string | null }> }>(path('/testers'));
  assert.ok(testers.body.items.some((t) => t.wechatid === 'fake_staff_01'));
  const qr = await sb.admin(path('/code/qrcode'));
  assert.equal(qr.status, 200);

  // 6. Pre-flight passes: filed, the privacy guide and interfaces, an approved category.
  const ready = await call<{ ok: boolean; checks: Check[] }>(path('/code/preflight'));
  const status = Object.fromEntries(ready.body.checks.map((c) => [c.check, c.ok]));
  assert.equal(ready.body.ok, true, JSON.stringify(ready.body.checks));
  for (const check of ['icp', 'privacy', 'categories']) assert.equal(status[check], true, check);

  // 7. Audited and released.
  const submitted = await call<{ auditid: number }>(path('/code/submit'), 'POST', {});
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  await sb.control('/clock', { advanceSeconds: 2 });
  await sb.control(`/audits/${submitted.body.auditid}`, { result: 'success' });
  await eventually(
    async () =>
      (await call<{ audit: { state: string } | null }>(path('/code'))).body.audit?.state ===
      'passed',
    8000,
    'audit passed',
  );
  const released = await call(path('/code/release'), 'POST');
  assert.equal(released.status, 201, JSON.stringify(released.body));
  const online = await call<{ released: { user_version: string } | null }>(path('/code'));
  assert.equal(online.body.released?.user_version, '1.0.0');
  const wechat = await sb.control<{ online: { template_id: number } | null }>(
    `/mini-programs/${appid}/code`,
  );
  assert.equal(wechat.online?.template_id, templateId, 'WeChat runs the default template');

  const history = await call<{ items: Array<{ kind: string }> }>(path('/versions'));
  assert.deepEqual(
    history.body.items.map((s) => s.kind),
    ['committed', 'submitted', 'audit_passed', 'released'],
  );
});

test('every route the README\'s "Taking a new merchant live" names exists, with its method', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Taking a new merchant live\n');
  assert.ok(start >= 0, 'the README has the section');
  const rest = readme.slice(start + 1);
  const section = rest.slice(0, rest.indexOf('\n## ', 1));
  const named = [
    ...section.matchAll(/`(?:(GET|POST|PUT|DELETE|PATCH) )?(\/(?:api|emulator)\/[^`\s]+)`/g),
  ];
  assert.ok(named.length >= 8, `routes named: ${named.length}`);
  for (const [, method = 'GET', route = ''] of named) {
    if (route.endsWith('…')) continue; // a family of routes, not one
    // {appid} in the README is :appid in the router.
    const url = route.replace(/\{(\w+)\}/g, ':$1');
    const exists = sb.openwx.app.hasRoute({ method: method as 'GET', url });
    assert.ok(exists, `${method} ${route}`);
  }
});
