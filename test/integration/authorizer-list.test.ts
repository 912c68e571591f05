import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthorizerQueries } from '../../src/store/queries/authorizers.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * The authorizer list's filters over the pipeline, token and drift records (released version,
 * audit in flight, failing token, drift), bad filter values, and the token refresh on request.
 */
type Json = Record<string, unknown>;
type Item = {
  appid: string;
  type: string;
  released: { user_version: string | null; template_id: number | null; at: string } | null;
  audit_state: string | null;
  token: { failures: number; last_error: string | null; expires_at: string | null };
  drift: { detected_at: string; differences: number } | null;
};
type Page = { items: Item[]; total: number };
type ErrorBody = { error: { code: string; message: string; field?: string } };
const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];

describe('authorizer list filters', () => {
  let sb: Sandbox;
  let released: string;
  let auditing: string;
  let oa: string;
  const call = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const ok = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await call<T>(path, method, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const list = async (query: string) => ok<Page>(`/api/admin/authorizers?${query}`);
  const appids = async (query: string) => (await list(query)).items.map((i) => i.appid).sort();

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'first',
    });
    const tpl = await ok<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
    await ok('/api/admin/templates/default', 'PUT', { template_id: tpl.template_id });
    released = await authorizeMerchant(sb, { nickname: 'Filter shop released' });
    auditing = await authorizeMerchant(sb, { nickname: 'Filter shop auditing' });
    oa = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Filter OA' });
    for (const appid of [released, auditing]) {
      await prepareForAudit(sb, appid);
      await ok(`/api/admin/authorizers/${appid}/code/commit`, 'POST', {
        user_version: '1.0.0',
        user_desc: 'first',
      });
    }
    const step = await ok<{ auditid: number }>(
      `/api/admin/authorizers/${released}/code/submit`,
      'POST',
      { item_list: ITEMS },
    );
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${step.auditid}`, { result: 'success' });
    await eventually(async () => {
      const s = await ok<{ audit: { state: string } | null }>(
        `/api/admin/authorizers/${released}/code`,
      );
      return s.audit?.state === 'passed' || undefined;
    }, 8000);
    await ok(`/api/admin/authorizers/${released}/code/release`, 'POST');
    await ok(`/api/admin/authorizers/${auditing}/code/submit`, 'POST', { item_list: ITEMS });
    // The names arrive from api_get_authorizer_info just after each authorization.
    await eventually(async () => (await list('q=Filter')).total === 3 || undefined, 8000);
  });
  after(async () => {
    await sb?.stop();
  });

  test('each item carries its released version, audit state, token health and drift', async () => {
    const page = await list('q=Filter');
    const byId = new Map(page.items.map((i) => [i.appid, i]));
    const r = byId.get(released);
    assert.equal(r?.released?.user_version, '1.0.0');
    assert.ok(r?.released?.template_id !== null && r?.released?.at);
    assert.equal(r?.audit_state, 'released', 'passed, then released');
    assert.equal(r?.token.failures, 0);
    assert.ok(r?.token.expires_at);
    assert.equal(r?.drift, null);
    assert.equal(byId.get(auditing)?.released, null);
    assert.equal(byId.get(auditing)?.audit_state, 'auditing');
    assert.equal(byId.get(oa)?.audit_state, null);
  });

  test('released version, audit and type filters', async () => {
    assert.deepEqual(await appids('released_version=1.0.0'), [released]);
    assert.deepEqual(await appids('released_version=2.0.0'), []);
    assert.deepEqual(await appids('released_version=none&q=Filter'), [auditing, oa].sort());
    assert.deepEqual(
      await appids('released_version=none&q=Filter&type=miniprogram'),
      [auditing].sort(),
    );
    assert.deepEqual(await appids('audit=in_flight'), [auditing]);
    assert.deepEqual(await appids('audit=passed'), [released]);
    assert.deepEqual(await appids('audit=failed'), []);
    const page = await list('audit=in_flight&limit=1&offset=0');
    assert.equal(page.total, 1);
  });

  test('a failed refresh puts the token in the failing list; refresh now clears it', async () => {
    assert.deepEqual(await appids('token=failing'), []);
    await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61023, times: 1 });
    const failed = await call<ErrorBody>(
      `/api/admin/authorizers/${auditing}/token/refresh`,
      'POST',
    );
    assert.equal(failed.status, 502, JSON.stringify(failed.body));
    assert.match(failed.body.error.message, /61023/);
    const failing = await list('token=failing');
    assert.deepEqual(
      failing.items.map((i) => i.appid),
      [auditing],
    );
    assert.ok((failing.items[0]?.token.failures ?? 0) >= 1);
    assert.ok(failing.items[0]?.token.last_error);
    assert.ok(!(await appids('token=ok&q=Filter')).includes(auditing));

    const detail = await ok<{ token: { failures: number; expires_at: string } }>(
      `/api/admin/authorizers/${auditing}/token/refresh`,
      'POST',
    );
    assert.equal(detail.token.failures, 0);
    assert.ok(detail.token.expires_at);
    assert.deepEqual(await appids('token=failing'), []);
    assert.equal(
      (await call('/api/admin/authorizers/wx0000000000000009/token/refresh', 'POST')).status,
      404,
    );
  });

  test('a drift found by the check is listed until the profile is applied', async () => {
    assert.deepEqual(await appids('drift=drifted'), []);
    // What the scheduled drift check records for a mini program that drifted.
    await createAuthorizerQueries(sb.openwx.db).addHistory(
      released,
      'drift_detected',
      {
        differences: [
          { area: 'categories', field: 'categories', expected: [], actual: [] },
          { area: 'privacy', field: 'setting_list', expected: [], actual: [] },
        ],
      },
      new Date(),
    );
    const drifted = await list('drift=drifted');
    assert.deepEqual(
      drifted.items.map((i) => i.appid),
      [released],
    );
    assert.equal(drifted.items[0]?.drift?.differences, 2);
    assert.ok(!(await appids('drift=in_sync&q=Filter')).includes(released));

    await ok('/api/admin/profiles', 'POST', {
      name: 'categories only',
      categories: [{ first: 1, second: 101 }],
    });
    const applied = await ok<{ ok: boolean }>(
      `/api/admin/authorizers/${released}/apply`,
      'POST',
      {},
    );
    assert.equal(applied.ok, true);
    assert.deepEqual(await appids('drift=drifted'), []);
    assert.ok((await appids('drift=in_sync&q=Filter')).includes(released));
  });

  test('a bad filter value is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['audit=done', 'audit'],
      ['token=broken', 'token'],
      ['drift=maybe', 'drift'],
      ['released_version=', 'released_version'],
      [`released_version=${'9'.repeat(65)}`, 'released_version'],
      ['type=game', 'type'],
    ] as const) {
      const res = await call<ErrorBody>(`/api/admin/authorizers?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.field, field, query);
    }
  });
});
