import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transport } from '../../src/wechat/client.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/**
 * A code action whose WeChat call was applied but whose answer never came back: openwx does not
 * send it again, and the operator is told to look at WeChat's state before retrying. The
 * emulator applies the call; the transport in front of it then drops the answer, as a
 * connection closed by the other side does.
 */
type ErrorAnswer = {
  error: { code: string; message: string; params?: { endpoint?: string } };
};
type Stats = { calls: Record<string, number> };

describe('a WeChat call that changes state and loses its answer', () => {
  let sb: Sandbox;
  let appid: string;
  /** The WeChat path whose next answer is lost after WeChat handled the call. */
  let dropAnswerOf: string | undefined;
  const transport: Transport = async (url, init) => {
    const res = await fetch(url, init as RequestInit);
    if (dropAnswerOf !== undefined && new URL(url).pathname.endsWith(dropAnswerOf)) {
      dropAnswerOf = undefined;
      await res.arrayBuffer();
      const closed = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      throw new TypeError('fetch failed', { cause: closed });
    }
    return res;
  };
  const call = <T = Record<string, unknown>>(path: string, method = 'GET', body?: unknown) =>
    sb.call<T>(path, method, body);

  before(async () => {
    sb = await startSandbox({ options: { transport } });
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'template 1.0.0',
    });
    const template = await call<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id,
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    const def = await call('/api/admin/templates/default', 'PUT', {
      template_id: template.body.template_id,
    });
    assert.equal(def.status, 200, JSON.stringify(def.body));
    appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Shop' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    const linked = await call(`/api/admin/authorizers/${appid}`, 'PATCH', {
      tenant_id: tenant.body.id,
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
  });
  after(async () => {
    await sb.stop();
  });

  test('commit answers 502 wechat_outcome_unknown and WeChat saw it exactly once', async () => {
    await sb.control('/stats/reset', {});
    dropAnswerOf = '/wxa/commit';
    const res = await call<ErrorAnswer>(`/api/admin/authorizers/${appid}/code/commit`, 'POST', {
      user_version: '1.0.1',
      user_desc: 'a fix',
    });
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'wechat_outcome_unknown');
    assert.deepEqual(res.body.error.params, { endpoint: 'commit' });
    assert.match(res.body.error.message, /WeChat did not answer commit/);
    assert.match(res.body.error.message, /may or may not have applied it: read its state/);
    assert.doesNotMatch(res.body.error.message, /access_token=(?!\[redacted\])/);

    const stats = await sb.control<Stats>('/stats');
    assert.equal(stats.calls['/wxa/commit'], 1, 'commit was not sent again');
    // What the operator checks before retrying: WeChat did make 1.0.1 the trial version.
    const info = await call<{ exp_info?: { exp_version: string } }>(
      `/api/proxy/${appid}/wxa/getversioninfo`,
      'POST',
      {},
    );
    assert.equal(info.status, 200, JSON.stringify(info.body));
    assert.equal(info.body.exp_info?.exp_version, '1.0.1');
  });

  test('a write through the proxy is sent once too; a read is retried', async () => {
    await sb.control('/stats/reset', {});
    dropAnswerOf = '/wxa/commit';
    const res = await call<ErrorAnswer>(`/api/proxy/${appid}/wxa/commit`, 'POST', {
      template_id: 1,
      ext_json: '{}',
      user_version: '1.0.2',
      user_desc: 'by hand',
    });
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'wechat_outcome_unknown');
    assert.deepEqual(res.body.error.params, { endpoint: 'proxy:/wxa/commit' });
    assert.equal((await sb.control<Stats>('/stats')).calls['/wxa/commit'], 1);

    dropAnswerOf = '/wxa/getversioninfo';
    const read = await call(`/api/proxy/${appid}/wxa/getversioninfo`, 'POST', {});
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal((await sb.control<Stats>('/stats')).calls['/wxa/getversioninfo'], 2);
  });

  test('a registration whose answer is lost stays pending, and its result push completes it', async () => {
    const input = {
      kind: 'enterprise',
      name: 'Fake Lost Answer Co',
      code: '91110000MA00000999',
      component_phone: '13800000000',
    };
    dropAnswerOf = '/wxa/component/fastregisterenterpriseweapp';
    const res = await call<ErrorAnswer>('/api/admin/registrations', 'POST', input);
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'wechat_outcome_unknown');
    assert.deepEqual(res.body.error.params, { endpoint: 'fastregisterenterpriseweapp' });

    type Task = { id: string; status: string; next_step: string; request: { name?: string } };
    const pending = await call<{ items: Task[] }>('/api/admin/registrations?status=pending');
    const task = pending.body.items.find((t) => t.request.name === input.name);
    assert.ok(task, JSON.stringify(pending.body));
    assert.match(task.next_step, /WeChat did not answer; it may have created the task/);

    const { registrations } = await sb.control<{
      registrations: { id: string; data: { name?: string } }[];
    }>('/registrations');
    const atWechat = registrations.filter((r) => r.data.name === input.name);
    assert.equal(atWechat.length, 1, 'WeChat got the registration once');
    await sb.control(`/registrations/${atWechat[0]?.id}`, { result: 'legal_person_confirmed' });
    await eventually(
      async () =>
        (await call<Task>(`/api/admin/registrations/${task.id}`)).body.status === 'succeeded',
      10_000,
      'the registration completed by its push',
    );
  });
});
