import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Verification on behalf and the reviews of names and categories on PostgreSQL: the pushes that
 * decide them are recorded once, and a push for a review openwx did not ask for is kept too.
 */
interface Verification {
  state: string;
  current: { taskid: string; apply_status: number | null; reason: string | null } | null;
}
interface Review {
  kind: string;
  state: string;
  nickname: string | null;
  second: number | null;
  reason: string | null;
}

describe('verification and reviews on PostgreSQL', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ db: 'postgres' });
    await ensureComponentToken(sb);
  });
  after(() => sb?.stop());

  test('a verification is sent back, resubmitted and approved; reviews decided by pushes', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Postgres shop' });
    const path = (rest = '') => `/api/admin/authorizers/${appid}/verification${rest}`;
    const form = {
      customer_type: 15,
      contact_info: { name: '李四', email: 'li@example.com' },
      account_name: '社区缴费助手',
      account_name_type: 1,
      pay_type: 2,
    };
    const state = async () => (await sb.call<Verification>(path())).body;
    assert.equal((await sb.call(path(), 'POST', form)).status, 200);
    await sb.control(`/verifications/${appid}`, { result: 'rejected', reason: '联系人信息有误' });
    await eventually(async () => (await state()).state === 'rejected', 8000, 'rejection');
    assert.equal((await state()).current?.reason, '联系人信息有误');
    assert.equal((await sb.call(path('/resubmit'), 'POST', form)).status, 200);
    await sb.control(`/verifications/${appid}`, { result: 'approved' });
    const done = await eventually(
      async () => {
        const v = await state();
        return v.state === 'approved' && v;
      },
      8000,
      'approval',
    );
    assert.equal(done.current?.apply_status, 4);
    assert.equal(done.current?.reason, null);

    const reviews = async () =>
      (await sb.call<{ items: Review[] }>(`/api/admin/authorizers/${appid}/reviews`)).body.items;
    await sb.call(`/api/admin/authorizers/${appid}/basic-info`, 'PUT', { nickname: 'PG name' });
    const added = await sb.admin(`/api/proxy/${appid}/cgi-bin/wxopen/addcategory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categories: [{ first: 3, second: 302, certicates: [{ key: '许可证', value: 'm1' }] }],
      }),
    });
    assert.equal(added.status, 200);
    assert.deepEqual(
      (await reviews()).map((r) => [r.kind, r.state]),
      [['nickname', 'pending']],
    );
    await sb.control(`/reviews/${appid}`, { result: 'rejected', reason: '不符合规范' });
    const decided = await eventually(
      async () => {
        const items = await reviews();
        return items.length === 2 && items.every((r) => r.state === 'rejected') && items;
      },
      8000,
      'both pushes',
    );
    assert.deepEqual(
      decided.map((r) => r.reason),
      ['不符合规范', '不符合规范'],
    );
    assert.ok(decided.some((r) => r.kind === 'category' && r.second === 302));
    assert.ok(decided.some((r) => r.kind === 'nickname' && r.nickname === 'PG name'));
  });
});
