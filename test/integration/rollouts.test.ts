import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/** Fleet rollouts through the admin API, with the emulator deciding audits. */
type Json = Record<string, unknown>;
type ErrorAnswer = {
  error: { code: string; message: string; field?: string; rollout_id?: number };
};
type Rollout = {
  id: number;
  status: string;
  current_wave: number;
  halted_reason: string | null;
  halted_code: string | null;
  halted_params: Record<string, unknown> | null;
  total: number;
  counts: Record<string, number>;
  waves: Array<{ wave: number; total: number; state: string }>;
  errors: Array<{ reason: string; errcode: number | null; count: number; sample_appids: string[] }>;
};
type Item = { appid: string; wave: number; state: string; auditid: number | null; reason: string };
type Audit = { auditid: number; appid: string; status: number };
type Step = { kind: string; user_version: string | null; by: string };

describe('fleet rollouts', () => {
  let sb: Sandbox;
  let v1: number;
  let v2: number;
  let shops: string[]; // three mini programs ready for audits, tenant "Shop chain"
  let bare: string; // a mini program without a privacy guide
  let tenantId: string;

  const call = <T = Json>(path: string, method = 'GET', body?: unknown) =>
    sb.call<T>(path, method, body);
  const addTemplate = async (user_version: string) => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version,
      user_desc: `release ${user_version}`,
    });
    const res = await call<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.template_id;
  };
  const rollout = async (id: number) => (await call<Rollout>(`/api/admin/rollouts/${id}`)).body;
  const items = async (id: number) =>
    (await call<{ items: Item[] }>(`/api/admin/rollouts/${id}/items?limit=100`)).body.items;
  const waitFor = (id: number, what: string, pred: (r: Rollout) => boolean) =>
    eventually(
      async () => {
        const r = await rollout(id);
        return pred(r) ? r : undefined;
      },
      15_000,
      what,
    );
  /** Decides every audit in flight of these mini programs, as WeChat's reviewers would. */
  const decide = async (appids: string[], body: Json) => {
    const { audits } = await sb.control<{ audits: Audit[] }>('/audits');
    const open = audits.filter((a) => appids.includes(a.appid) && a.status === 2);
    assert.equal(open.length, appids.length, `audits in flight for ${appids.join(', ')}`);
    // A few (emulated) seconds later, so that each result push has its own CreateTime.
    await sb.control('/clock', { advanceSeconds: 2 });
    for (const a of open) await sb.control(`/audits/${a.auditid}`, body);
  };
  const auditing = (id: number, appids: string[]) =>
    eventually(
      async () => {
        const list = await items(id);
        return appids.every((a) => list.find((i) => i.appid === a)?.state === 'auditing')
          ? list
          : undefined;
      },
      15_000,
      `auditing: ${appids.join(', ')}`,
    );
  const stats = async () =>
    (await sb.control<{ by_appid: Record<string, Record<string, number>> }>('/stats')).by_appid;
  const online = async (appid: string) =>
    (await sb.control<{ online: { user_version: string } | null }>(`/mini-programs/${appid}/code`))
      .online?.user_version;

  before(async () => {
    sb = await startSandbox({ env: { OPENWX_ROLLOUT_FAILURE_THRESHOLD: '0' } });
    await ensureComponentToken(sb);
    v1 = await addTemplate('1.0.0');
    v2 = await addTemplate('1.1.0');
    const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', {
      name: 'Shop chain',
      ext: { brand: '{{tenant.name}}', api: 'https://api.example.com/{{appid}}' },
    });
    assert.equal(tenant.status, 201);
    tenantId = tenant.body.id;
    shops = [];
    for (let i = 0; i < 3; i++) {
      const appid = await authorizeMerchant(sb, { nickname: `Shop ${i + 1}` });
      await prepareForAudit(sb, appid);
      await call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: tenantId });
      shops.push(appid);
    }
    bare = await authorizeMerchant(sb, { nickname: 'Bare shop' });
    // Known as mini programs once api_get_authorizer_info answered, just after authorization.
    await eventually(
      async () =>
        (await call<{ total: number }>('/api/admin/authorizers?type=miniprogram')).body.total ===
          4 || undefined,
      8000,
      'four mini programs',
    );
  });
  after(async () => {
    await sb.stop();
  });

  test('a preview shows each commit payload and pre-flight, and the quota, sending nothing', async () => {
    const res = await call<{
      total: number;
      quota: { needed: number; remaining: number; enough: boolean; message: string };
      waves: Array<{ wave: number; mini_programs: number }>;
      items: Array<{
        appid: string;
        commit: { template_id: number; user_version: string; ext_json: string };
        preflight: { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> };
      }>;
    }>('/api/admin/rollouts/preview', 'POST', {
      template_id: v1,
      target: { all: true },
      waves: [25, 100],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.total, 4);
    assert.deepEqual(
      res.body.waves.map((w) => w.mini_programs),
      [1, 3],
    );
    assert.equal(res.body.quota.message, 'this rollout needs 4 audits, 20 remain this month');
    assert.equal(res.body.quota.enough, true);
    const shop = res.body.items.find((i) => i.appid === shops[0]);
    assert.ok(shop);
    assert.equal(shop.commit.template_id, v1);
    assert.equal(shop.commit.user_version, '1.0.0');
    assert.deepEqual(JSON.parse(shop.commit.ext_json), {
      extAppid: shops[0],
      ext: { brand: 'Shop chain', api: `https://api.example.com/${shops[0]}` },
    });
    assert.equal(shop.preflight.ok, true, JSON.stringify(shop.preflight));
    const unprepared = res.body.items.find((i) => i.appid === bare);
    assert.equal(unprepared?.preflight.ok, false);
    const privacy = unprepared?.preflight.checks.find((c) => c.check === 'privacy');
    assert.equal(privacy?.ok, false);
    assert.match(privacy?.detail ?? '', /no privacy protection guide/);
    const sent = await stats();
    assert.equal(sent[shops[0] as string]?.['/wxa/commit'], undefined, 'nothing committed');
    assert.equal((await call<{ total: number }>('/api/admin/rollouts')).body.total, 0);
  });

  test('bad rollouts are refused with a clear error and start nothing', async () => {
    const bad = async (body: Json, status: number, field: string | undefined, re: RegExp) => {
      const res = await call<ErrorAnswer>('/api/admin/rollouts', 'POST', body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      if (field) assert.equal(res.body.error.field, field, JSON.stringify(res.body));
      assert.match(res.body.error.message, re);
    };
    await bad({ template_id: 999999, target: { all: true } }, 404, 'template_id', /not in the/);
    await bad({ template_id: v1, target: { tenant_ids: ['nobody'] } }, 400, 'target', /no auth/);
    await bad({ template_id: v1, target: {} }, 400, 'target', /names no mini programs/);
    await bad({ template_id: v1, target: { appids: ['wx_unknown'] } }, 400, 'target.appids', /wx_/);
    await bad(
      { template_id: v1, target: { all: true }, ext_json: '{oops' },
      400,
      'ext_json',
      /not valid JSON/,
    );
    await bad(
      { template_id: v1, target: { appids: shops }, ext_json: '{"extAppid":"wx0000000000000000"}' },
      400,
      'ext_json',
      /extAppid/,
    );
    await bad(
      { template_id: v1, target: { appids: shops }, ext: { blob: 'x'.repeat(70_000) } },
      400,
      'ext',
      /at most 65536/,
    );
    await bad(
      { template_id: v1, target: { all: true }, waves: [50, 40] },
      400,
      'waves',
      /cumulative/,
    );
    const raw = await sb.admin('/api/admin/rollouts', {
      method: 'POST',
      body: '{"template_id":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(raw.status, 400);

    // Not enough audits left this month: nothing starts, and the message says how many.
    await sb.control('/audit-quota', { limit: 20, used: 18 });
    await bad(
      { template_id: v1, target: { appids: shops } },
      409,
      undefined,
      /needs 3 audits, 2 remain/,
    );
    await sb.control('/audit-quota', { limit: 20, used: 0 });
    assert.equal((await call<{ total: number }>('/api/admin/rollouts')).body.total, 0);
    const sent = await stats();
    assert.ok(
      shops.every((a) => sent[a]?.['/wxa/commit'] === undefined),
      'nothing committed',
    );
  });

  test('waves: the second starts after the first passed audit; each app committed and submitted once', async () => {
    const created = await call<Rollout>('/api/admin/rollouts', 'POST', {
      template_id: v1,
      target: { tenant_ids: [tenantId] },
      waves: [33, 100],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    assert.equal(created.body.total, 3);
    const list = await items(id);
    const first = list.filter((i) => i.wave === 1).map((i) => i.appid);
    const rest = list.filter((i) => i.wave === 2).map((i) => i.appid);
    assert.equal(first.length, 1);
    assert.equal(rest.length, 2);

    // The same rollout posted again while this one runs is refused.
    const twice = await call<ErrorAnswer>('/api/admin/rollouts', 'POST', {
      template_id: v1,
      target: { tenant_ids: [tenantId] },
    });
    assert.equal(twice.status, 409, JSON.stringify(twice.body));
    assert.equal(twice.body.error.rollout_id, id);

    await auditing(id, first);
    const meanwhile = await items(id);
    assert.ok(rest.every((a) => meanwhile.find((i) => i.appid === a)?.state === 'ready'));
    const early = await stats();
    assert.ok(
      rest.every((a) => early[a]?.['/wxa/commit'] === undefined),
      'wave 2 not committed',
    );
    assert.equal((await rollout(id)).current_wave, 1);

    await decide(first, { result: 'success' });
    await auditing(id, rest);
    await decide(rest, { result: 'success' });
    const done = await waitFor(id, 'completed', (r) => r.status === 'completed');
    assert.equal(done.counts['released'], 3);
    assert.equal(done.counts['failed'], 0);

    const sent = await stats();
    for (const appid of shops) {
      assert.equal(await online(appid), '1.0.0');
      assert.equal(sent[appid]?.['/wxa/commit'], 1, `${appid} committed once`);
      assert.equal(sent[appid]?.['/wxa/submit_audit'], 1, `${appid} submitted once`);
      assert.equal(sent[appid]?.['/wxa/release'], 1, `${appid} released once`);
      const history = (await call<{ items: Step[] }>(`/api/admin/authorizers/${appid}/versions`))
        .body.items;
      assert.deepEqual(
        history.map((s) => `${s.kind} ${s.by}`),
        [
          `committed rollout:${id}`,
          `submitted rollout:${id}`,
          'audit_passed wechat',
          `released rollout:${id}`,
        ],
      );
    }
    const usage = await call<{ released: Array<{ appid: string; user_version: string }> }>(
      `/api/admin/templates/${v1}/usage`,
    );
    assert.deepEqual(usage.body.released.map((u) => u.appid).sort(), [...shops].sort());
  });

  test('a failed audit halts the wave with its reason; retry and resume carry it through', async () => {
    const created = await call<Rollout>('/api/admin/rollouts', 'POST', {
      template_id: v2,
      target: { released_below: '1.1.0' },
      waves: [33, 100],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    assert.equal(created.body.total, 3, 'the bare shop was never released, so it is left out');
    const first = (await items(id)).filter((i) => i.wave === 1).map((i) => i.appid);
    await auditing(id, first);
    await decide(first, { result: 'fail', reason: 'The privacy policy page is missing' });
    const halted = await waitFor(id, 'halted', (r) => r.status === 'halted');
    assert.match(halted.halted_reason ?? '', /wave 1: 1 of 1 mini programs failed/);
    // The console words the halt and the failure from their codes and params.
    assert.equal(halted.halted_code, 'wave_failures_above_threshold');
    assert.deepEqual(halted.halted_params, {
      wave: 1,
      failed: 1,
      total: 1,
      percent: 100,
      threshold: 0,
    });
    assert.deepEqual(halted.errors, [
      {
        reason: 'audit rejected: The privacy policy page is missing',
        code: 'audit_rejected',
        params: { reason: 'The privacy policy page is missing' },
        errcode: null,
        count: 1,
        sample_appids: first,
      },
    ]);
    assert.equal(halted.counts['ready'], 2, 'the second wave was not started');
    assert.equal(await online(first[0] as string), '1.0.0');

    const retried = await call<{ retried: number; rollout: Rollout }>(
      `/api/admin/rollouts/${id}/retry`,
      'POST',
      { reason: 'audit rejected: The privacy policy page is missing' },
    );
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.retried, 1);
    assert.equal(retried.body.rollout.status, 'running');
    await auditing(id, first);
    await decide(first, { result: 'success' });
    const rest = (await items(id)).filter((i) => i.wave === 2).map((i) => i.appid);
    await auditing(id, rest);
    await decide(rest, { result: 'success' });
    const done = await waitFor(id, 'completed', (r) => r.status === 'completed');
    assert.equal(done.counts['released'], 3);
    for (const appid of shops) assert.equal(await online(appid), '1.1.0');
    const noneLeft = await call<ErrorAnswer>(`/api/admin/rollouts/${id}/retry`, 'POST', {});
    assert.equal(noneLeft.status, 409);
  });

  test('pause stops new calls, resume goes on, cancel drops what was not sent', async () => {
    // The first commit hangs for a moment, long enough to pause the rollout meanwhile.
    await sb.control('/stats/reset', {});
    await sb.control('/faults', { endpoint: 'commit', latencyMs: 1500, times: 1 });
    const created = await call<Rollout>('/api/admin/rollouts', 'POST', {
      template_id: v1,
      target: { appids: shops },
      waves: [33, 100],
      options: { auto_release: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const paused = await call<Rollout>(`/api/admin/rollouts/${id}/pause`, 'POST');
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.status, 'paused');
    const again = await call<ErrorAnswer>(`/api/admin/rollouts/${id}/pause`, 'POST');
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /is paused; it cannot be paused/);
    const first = (await items(id)).filter((i) => i.wave === 1).map((i) => i.appid);
    await eventually(async () =>
      (await items(id)).find((i) => i.appid === first[0])?.state === 'committed' ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await items(id)).find((i) => i.appid === first[0])?.state, 'committed');
    assert.equal((await stats())[first[0] as string]?.['/wxa/submit_audit'], undefined);

    assert.equal((await call<Rollout>(`/api/admin/rollouts/${id}/resume`, 'POST')).status, 200);
    await auditing(id, first);
    // Cancelled while the first wave's audit is in flight: the second wave never starts.
    const cancelled = await call<Rollout>(`/api/admin/rollouts/${id}/cancel`, 'POST');
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.counts['cancelled'], 2, 'the second wave was dropped');
    assert.equal(cancelled.body.counts['auditing'], 1, 'the audit in flight is left to finish');
    await decide(first, { result: 'success' });
    await eventually(async () =>
      (await call<{ audit: { state: string } | null }>(`/api/admin/authorizers/${first[0]}/code`))
        .body.audit?.state === 'passed'
        ? true
        : undefined,
    );
    assert.equal(await online(first[0] as string), '1.1.0', 'nothing released without asking');
    const resume = await call<ErrorAnswer>(`/api/admin/rollouts/${id}/resume`, 'POST');
    assert.equal(resume.status, 409);
    assert.equal((await call(`/api/admin/rollouts/999999`)).status, 404);
  });

  test('a running rollout whose jobs were lost gets them back from the scheduler', async () => {
    await sb.control('/faults', { endpoint: 'commit', latencyMs: 1000, times: 1 });
    const created = await call<Rollout>('/api/admin/rollouts', 'POST', {
      template_id: v2,
      target: { appids: [shops[1] as string] },
      options: { auto_release: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    await call(`/api/admin/rollouts/${id}/pause`, 'POST');
    await eventually(async () => {
      const r = await sb.openwx.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE type = 'rollout.work'
           AND payload->>'rollout_id' = $1 AND status = 'running'`,
        [String(id)],
      );
      return r.rows[0]?.n === 0 || undefined;
    }, 10_000);
    // As if its jobs had died: the rollout is running but nothing works on it.
    await sb.openwx.db.query(
      `UPDATE jobs SET status = 'dead' WHERE type = 'rollout.work' AND payload->>'rollout_id' = $1`,
      [String(id)],
    );
    await sb.openwx.db.query(`UPDATE rollouts SET status = 'running' WHERE id = $1`, [id]);
    const before = (await items(id))[0]?.state;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await items(id))[0]?.state, before, 'nothing moves without jobs');
    assert.notEqual(before, 'auditing');
    await sb.openwx.maintain();
    await auditing(id, [shops[1] as string]);
    await call(`/api/admin/rollouts/${id}/cancel`, 'POST');
  });
});
