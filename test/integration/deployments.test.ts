import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * A tenant's own deployment and the upgrade policy; the per-app extras of the pipeline:
 * pre-flight, automatic release, speed-up, phased release, ext_json given as text.
 */
type Json = Record<string, unknown>;
type ErrorAnswer = { error: { code: string; message: string; field?: string; checks?: Json[] } };
type Rollout = { id: number; status: string; counts: Record<string, number>; created_by: string };
type Audit = { auditid: number; appid: string; status: number };
type Step = { kind: string; user_version: string | null; by: string; detail: Json };
type State = {
  audit: { state: string; auditid: number } | null;
  released: { user_version: string } | null;
  gray: { percentage: number } | null;
};

describe('deployments and the upgrade policy', () => {
  let sb: Sandbox;
  let v1: number;
  let v2: number;
  let tenant: { id: string; key: string };
  let other: { id: string; key: string };
  let shop: string;
  let otherShop: string;

  const json = (body: unknown) => ({
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const call = <T = Json>(path: string, method = 'GET', body?: unknown) =>
    sb.call<T>(path, method, body);
  const asTenant = async <T = Json>(key: string, path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${sb.url}${path}`, {
      method,
      ...(body === undefined ? {} : json(body)),
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const addTemplate = async (user_version: string) => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version,
      user_desc: `release ${user_version}`,
    });
    const res = await call<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.template_id;
  };
  const makeTenant = async (name: string) => {
    const t = await call<{ id: string }>('/api/admin/tenants', 'POST', { name });
    const k = await call<{ key: string }>(`/api/admin/tenants/${t.body.id}/keys`, 'POST', {});
    return { id: t.body.id, key: k.body.key };
  };
  const decideOpen = async (appid: string, body: Json) => {
    const audit = await eventually(async () => {
      const { audits } = await sb.control<{ audits: Audit[] }>('/audits');
      return audits.find((a) => a.appid === appid && a.status === 2);
    });
    // A few (emulated) seconds later, so that each result push has its own CreateTime.
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${audit.auditid}`, body);
  };
  const code = (appid: string, path = '') => `/api/admin/authorizers/${appid}/code${path}`;
  const state = async (appid: string) => (await call<State>(code(appid))).body;

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    v1 = await addTemplate('1.0.0');
    v2 = await addTemplate('2.0.0');
    assert.equal(
      (await call('/api/admin/templates/default', 'PUT', { template_id: v1 })).status,
      200,
    );
    tenant = await makeTenant('Tea house');
    other = await makeTenant('Bakery');
    shop = await authorizeMerchant(sb, { nickname: 'Tea house' });
    otherShop = await authorizeMerchant(sb, { nickname: 'Bakery' });
    for (const [appid, t] of [
      [shop, tenant],
      [otherShop, other],
    ] as const) {
      await prepareForAudit(sb, appid);
      await call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: t.id });
    }
  });
  after(async () => {
    await sb.stop();
  });

  test('a tenant deploys its mini program once; upgrades need the operator or self-upgrade', async () => {
    const foreign = await asTenant<ErrorAnswer>(tenant.key, '/api/tenant/deploy', 'POST', {
      appid: otherShop,
    });
    assert.equal(foreign.status, 404, "another tenant's mini program is not found");

    const started = await asTenant<Rollout>(tenant.key, '/api/tenant/deploy', 'POST', {
      appid: shop,
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.created_by, `tenant:${tenant.id}`);
    await decideOpen(shop, { result: 'success' });
    const done = await eventually(async () => {
      const r = await asTenant<Rollout>(tenant.key, `/api/tenant/deploy/${started.body.id}`);
      return r.body.status === 'completed' ? r.body : undefined;
    });
    assert.equal(done.counts['released'], 1);
    const seen = await asTenant<State>(tenant.key, `/api/tenant/authorizers/${shop}/code`);
    assert.equal(seen.body.released?.user_version, '1.0.0');
    const history = await asTenant<{ items: Step[] }>(
      tenant.key,
      `/api/tenant/authorizers/${shop}/versions`,
    );
    assert.deepEqual(
      history.body.items.map((s) => s.kind),
      ['committed', 'submitted', 'audit_passed', 'released'],
    );
    const peek = await asTenant(other.key, `/api/tenant/deploy/${started.body.id}`);
    assert.equal(peek.status, 404, 'another tenant cannot see this deployment');

    const again = await asTenant<ErrorAnswer>(tenant.key, '/api/tenant/deploy', 'POST', {
      appid: shop,
      template_id: v2,
    });
    assert.equal(again.status, 403, JSON.stringify(again.body));
    assert.match(again.body.error.message, /upgrades are made by the platform operator/);

    const allowed = await call<{ self_upgrade: boolean }>(
      `/api/admin/tenants/${tenant.id}`,
      'PATCH',
      { self_upgrade: true },
    );
    assert.equal(allowed.body.self_upgrade, true);
    const upgrade = await asTenant<Rollout>(tenant.key, '/api/tenant/deploy', 'POST', {
      appid: shop,
      template_id: v2,
    });
    assert.equal(upgrade.status, 202, JSON.stringify(upgrade.body));
    await decideOpen(shop, { result: 'success' });
    await eventually(async () =>
      (await state(shop)).released?.user_version === '2.0.0' ? true : undefined,
    );
  });

  test('pre-flight names what is missing; submit refuses until it is fixed', async () => {
    const bare = await authorizeMerchant(sb, { nickname: 'No setup' });
    const commit = await call(code(bare, '/commit'), 'POST', {
      template_id: v1,
      user_version: '1.0.0',
      user_desc: 'first',
    });
    assert.equal(commit.status, 201, JSON.stringify(commit.body));
    const pf = await call<{ ok: boolean; checks: Array<{ check: string; ok: boolean }> }>(
      code(bare, '/preflight'),
    );
    assert.equal(pf.body.ok, false);
    assert.deepEqual(
      pf.body.checks.filter((c) => !c.ok).map((c) => c.check),
      ['privacy', 'categories', 'icp'],
    );
    const refused = await call<ErrorAnswer>(code(bare, '/submit'), 'POST', {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'preflight_failed');
    assert.match(refused.body.error.message, /privacy: no privacy protection guide/);
    assert.equal(refused.body.error.checks?.length, 6);
    const { audits } = await sb.control<{ audits: Audit[] }>('/audits');
    assert.equal(audits.filter((a) => a.appid === bare).length, 0, 'nothing was submitted');
    await prepareForAudit(sb, bare);
    const ok = await call<{ ok: boolean; item_list: Json[] }>(code(bare, '/preflight'));
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.item_list.length, 1);
  });

  test('auto-release, speed-up and a phased release, each in the version history', async () => {
    const commit = await call(code(otherShop, '/commit'), 'POST', {
      template_id: v1,
      user_version: '1.0.0',
      user_desc: 'first',
    });
    assert.equal(commit.status, 201);
    const sub = await call(code(otherShop, '/submit'), 'POST', { auto_release: true });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const fast = await call<Step>(code(otherShop, '/speedup'), 'POST');
    assert.equal(fast.status, 201, JSON.stringify(fast.body));
    const twice = await call<ErrorAnswer>(code(otherShop, '/speedup'), 'POST');
    assert.equal(twice.status, 502);
    assert.equal((twice.body.error as Json)['errcode'], 89404);
    await decideOpen(otherShop, { result: 'success' });
    await eventually(async () =>
      (await state(otherShop)).released?.user_version === '1.0.0' ? true : undefined,
    );

    // 2.0.0 to 10 % of the users first, then 50 %, then everyone.
    await call(code(otherShop, '/commit'), 'POST', {
      template_id: v2,
      user_version: '2.0.0',
      user_desc: 'second',
    });
    const early = await call<ErrorAnswer>(code(otherShop, '/gray-release'), 'POST', {
      percentage: 10,
    });
    assert.equal(early.status, 409, 'no passed audit yet');
    await call(code(otherShop, '/submit'), 'POST', {});
    await decideOpen(otherShop, { result: 'success' });
    await eventually(async () =>
      (await state(otherShop)).audit?.state === 'passed' ? true : undefined,
    );
    assert.equal(
      (await call(code(otherShop, '/gray-release'), 'POST', { percentage: 10 })).status,
      201,
    );
    const lower = await call<ErrorAnswer>(code(otherShop, '/gray-release'), 'POST', {
      percentage: 5,
    });
    assert.equal(lower.status, 400);
    assert.equal(lower.body.error.field, 'percentage');
    assert.equal(
      (await call(code(otherShop, '/gray-release'), 'POST', { percentage: 50 })).status,
      201,
    );
    assert.equal((await state(otherShop)).gray?.percentage, 50);
    const plan = await call<{ plan: { gray_percentage: number } }>(
      code(otherShop, '/gray-release'),
    );
    assert.equal(plan.body.plan.gray_percentage, 50);
    assert.equal((await call(code(otherShop, '/release'), 'POST')).status, 201);
    const s = await state(otherShop);
    assert.equal(s.released?.user_version, '2.0.0');
    assert.equal(s.gray, null);
    const kinds = (
      await call<{ items: Step[] }>(`/api/admin/authorizers/${otherShop}/versions`)
    ).body.items.map((i) => `${i.kind} ${i.by}`);
    assert.deepEqual(kinds, [
      'committed admin',
      'submitted admin',
      'speedup admin',
      'audit_passed wechat',
      'released auto-release',
      'committed admin',
      'submitted admin',
      'audit_passed wechat',
      'gray_release admin',
      'gray_release admin',
      'released admin',
    ]);
  });

  test('an audit result whose push was lost is found by polling get_latest_auditstatus', async () => {
    const lost = await authorizeMerchant(sb, { nickname: 'Lost push' });
    await prepareForAudit(sb, lost);
    await call(code(lost, '/commit'), 'POST', {
      template_id: v1,
      user_version: '1.0.0',
      user_desc: 'x',
    });
    const sub = await call<{ auditid: number }>(code(lost, '/submit'), 'POST', {});
    assert.equal(sub.status, 201);
    await sb.control(`/audits/${sub.body.auditid}`, {
      result: 'fail',
      reason: 'Screenshots do not match the pages',
      screenshots: ['shot-1'],
      push: false,
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await state(lost)).audit?.state, 'auditing', 'no push, so nothing known yet');
    const polled = await sb.openwx.pollAudits();
    assert.ok(polled.found >= 1, JSON.stringify(polled));
    const s = await state(lost);
    assert.equal(s.audit?.state, 'failed');
    const last = (
      await call<{ items: Array<Step & { reason: string; screenshots: string[] }> }>(
        `/api/admin/authorizers/${lost}/versions`,
      )
    ).body.items.at(-1);
    assert.equal(last?.kind, 'audit_failed');
    assert.equal(last?.by, 'wechat-poll');
    assert.equal(last?.reason, 'Screenshots do not match the pages');
    assert.deepEqual(last?.screenshots, ['shot-1']);
    const again = await sb.openwx.pollAudits();
    assert.equal(again.found, 0, 'a result is recorded once');
  });

  test('ext_json given as text is checked: JSON, extAppid, size', async () => {
    const commit = (ext_json: string) =>
      call<ErrorAnswer>(code(shop, '/commit'), 'POST', {
        template_id: v1,
        user_version: '1.0.1',
        user_desc: 'text',
        ext_json,
      });
    const notJson = await commit('{"extAppid": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error.field, 'ext_json');
    assert.match(notJson.body.error.message, /not valid JSON/);
    const wrong = await commit('{"extAppid":"wx1111111111111111","ext":{}}');
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error.message, /extAppid is "wx1111111111111111"/);
    const big = await commit(JSON.stringify({ ext: { blob: 'x'.repeat(70_000) } }));
    assert.equal(big.status, 400);
    assert.match(big.body.error.message, /at most 65536/);
    const both = await call<ErrorAnswer>(code(shop, '/commit'), 'POST', {
      template_id: v1,
      user_version: '1.0.1',
      user_desc: 'both',
      ext: {},
      ext_json: '{}',
    });
    assert.equal(both.status, 400);
    const before = await sb.control<{ trial: { user_version: string } }>(
      `/mini-programs/${shop}/code`,
    );
    assert.equal(before.trial.user_version, '2.0.0', 'the trial version is unchanged');
    const good = await commit('{"extAppid":"{{appid}}","ext":{"shop":"{{tenant.name}}"}}');
    assert.equal(good.status, 201, JSON.stringify(good.body));
    const after = await sb.control<{ trial: { ext_json: string } }>(`/mini-programs/${shop}/code`);
    assert.deepEqual(JSON.parse(after.trial.ext_json), {
      extAppid: shop,
      ext: { shop: 'Tea house' },
    });
  });
});
