import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Verification on behalf (代认证) and WeChat's reviews of names and categories, through openwx's
 * admin routes with the emulator standing in for WeChat: a verification approved, one sent back
 * and submitted again, renames and categories pending until WeChat's push decides them, and bad
 * input refused naming the field with nothing changed.
 */
type Json = Record<string, unknown>;
interface ErrorAnswer {
  error: { code: string; message: string; field?: string; params?: Json };
}
interface Task {
  taskid: string;
  state: string;
  apply_status: number | null;
  auth_url: string | null;
  reason: string | null;
}
interface Verification {
  state: string;
  current: Task | null;
  history: Task[];
}
interface Review {
  kind: string;
  state: string;
  nickname: string | null;
  first: number | null;
  second: number | null;
  reason: string | null;
  audit_id: number | null;
}
type Stats = { calls: Record<string, number> };

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63',
  'hex',
);

describe('verification on behalf and reviews', () => {
  let sb: Sandbox;
  const path = (appid: string, rest = '') => `/api/admin/authorizers/${appid}/verification${rest}`;
  const state = async (appid: string) => (await sb.call<Verification>(path(appid))).body;
  const reviews = async (appid: string) =>
    (await sb.call<{ items: Review[] }>(`/api/admin/authorizers/${appid}/reviews`)).body.items;
  const calls = async () => (await sb.control<Stats>('/stats')).calls;
  const form = (extra: Json = {}) => ({
    customer_type: 15,
    contact_info: { name: '张三', email: 'owner@example.com' },
    account_name: '社区缴费助手',
    account_name_type: 1,
    pay_type: 1,
    ...extra,
  });
  /** POSTs to the emulator's control API, answering the status (a refusal does not throw). */
  const control = async (route: string, body: Json) => {
    const res = await fetch(`${sb.url}/emulator/control${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
  });
  after(() => sb?.stop());

  test('a verification is started with an uploaded licence and approved by WeChat', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Licence shop' });
    assert.equal((await state(appid)).state, 'none');

    const up = await sb.call<{ mediaid: string }>(path(appid, '/materials'), 'POST', {
      filename: 'licence.png',
      content_base64: PNG.toString('base64'),
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.ok(up.body.mediaid);

    const started = await sb.call<Verification>(
      path(appid),
      'POST',
      form({ customer_type: 1, qualification: up.body.mediaid }),
    );
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.state, 'in_progress');
    assert.match(started.body.current?.auth_url ?? '', /^https:\/\//);

    // A second one while the first is in progress is refused; WeChat is not asked.
    const before = (await calls())['/wxa/sec/wxaauth'] ?? 0;
    const again = await sb.call<ErrorAnswer>(path(appid), 'POST', form());
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    assert.equal(again.body.error.params?.['reason'], 'verification_in_progress');
    assert.equal(again.body.error.params?.['taskid'], started.body.current?.taskid);
    assert.equal((await calls())['/wxa/sec/wxaauth'] ?? 0, before);
    assert.equal((await state(appid)).history.length, 0, 'no second task recorded');

    await sb.control(`/verifications/${appid}`, { result: 'approved' });
    const done = await eventually(
      async () => {
        const v = await state(appid);
        return v.state === 'approved' && v;
      },
      8000,
      'the notify_3rd_wxa_auth push',
    );
    assert.equal(done.current?.apply_status, 4);
    assert.equal(done.current?.taskid, started.body.current?.taskid);

    // The audit trail keeps which fields were sent, not the contact's details.
    const trail = await sb.openwx.db.query<{ t: string }>(
      "SELECT string_agg(body::text, ' ') AS t FROM audit_log WHERE route LIKE '%/verification'",
    );
    assert.match(trail.rows[0]?.t ?? '', /personal_data_omitted/);
    assert.ok(!(trail.rows[0]?.t ?? '').includes('owner@example.com'));
  });

  test('a verification sent back shows the reason and is submitted again', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Sent back shop' });
    assert.equal((await sb.call(path(appid), 'POST', form())).status, 200);
    await sb.control(`/verifications/${appid}`, { result: 'rejected', reason: '名称与主体不符' });
    const back = await eventually(
      async () => {
        const v = await state(appid);
        return v.state === 'rejected' && v;
      },
      8000,
      'the rejection push',
    );
    assert.equal(back.current?.apply_status, 3);
    assert.equal(back.current?.reason, '名称与主体不符');

    // Starting anew is refused: the task sent back is to be resubmitted.
    const fresh = await sb.call<ErrorAnswer>(path(appid), 'POST', form());
    assert.equal(fresh.status, 409);
    assert.equal(fresh.body.error.params?.['reason'], 'verification_sent_back');

    const resubmitted = await sb.call<Verification>(
      path(appid, '/resubmit'),
      'POST',
      form({ account_name: '社区生活缴费' }),
    );
    assert.equal(resubmitted.status, 200, JSON.stringify(resubmitted.body));
    assert.equal(resubmitted.body.state, 'in_progress');
    const wechat = await sb.control<{ verifications: Array<{ apply_status: number }> }>(
      `/verifications/${appid}`,
    );
    assert.equal(wechat.verifications[0]?.apply_status, 2, 'WeChat reviews it again');

    const refreshed = await sb.call<Verification>(path(appid, '/refresh'), 'POST');
    assert.equal(refreshed.body.current?.apply_status, 2);

    await sb.control(`/verifications/${appid}`, { result: 'approved' });
    await eventually(async () => (await state(appid)).state === 'approved', 8000, 'approval');
  });

  test('bad input is refused naming the field, and nothing changes', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Careless shop' });
    const before = await calls();

    const text = await sb.call<ErrorAnswer>(path(appid, '/materials'), 'POST', {
      content_base64: Buffer.from('not an image at all').toString('base64'),
    });
    assert.equal(text.status, 400);
    assert.equal(text.body.error.field, 'content_base64');
    assert.equal(text.body.error.params?.['reason'], 'media_format_invalid');

    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    const large = await sb.call<ErrorAnswer>(path(appid, '/materials'), 'POST', {
      content_base64: big.toString('base64'),
    });
    assert.equal(large.status, 400);
    assert.equal(large.body.error.field, 'content_base64');
    assert.equal(large.body.error.params?.['reason'], 'media_too_large');

    const noLicence = await sb.call<ErrorAnswer>(path(appid), 'POST', form({ customer_type: 1 }));
    assert.equal(noLicence.status, 400);
    assert.equal(noLicence.body.error.field, 'qualification');

    const badType = await sb.call<ErrorAnswer>(path(appid), 'POST', form({ pay_type: 3 }));
    assert.equal(badType.status, 400);
    assert.equal(badType.body.error.field, 'pay_type');

    const notBack = await sb.call<ErrorAnswer>(path(appid, '/resubmit'), 'POST', form());
    assert.equal(notBack.status, 409);
    assert.equal(notBack.body.error.params?.['reason'], 'verification_not_sent_back');

    assert.equal((await state(appid)).state, 'none');
    const after = await calls();
    for (const p of ['/wxa/sec/wxaauth', '/wxa/sec/uploadauthmaterial', '/wxa/sec/reauth']) {
      assert.equal(after[p] ?? 0, before[p] ?? 0, `${p} was not called`);
    }

    // The emulator's decisions need something waiting.
    for (const kind of ['verifications', 'reviews']) {
      const nothing = await control(`/${kind}/${appid}`, { result: 'approved' });
      assert.equal(nothing.status, 409, kind);
      assert.match(String(nothing.body['error']), /no .* of wx/);
    }
    const wrong = await control(`/reviews/${appid}`, { result: 'maybe' });
    assert.equal(wrong.status, 400);
    assert.match(String(wrong.body['error']), /result/);
  });

  test('a rename waits for WeChat’s review, then is approved or rejected by the push', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Old name' });
    const basicInfo = `/api/admin/authorizers/${appid}/basic-info`;
    const renamed = await sb.call<Json>(basicInfo, 'PUT', { nickname: 'New name' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body['nickname'], 'Old name', 'the name is unchanged while reviewed');
    const [pending] = await reviews(appid);
    assert.equal(pending?.kind, 'nickname');
    assert.equal(pending?.state, 'pending');
    assert.equal(pending?.nickname, 'New name');
    assert.ok(pending?.audit_id);

    await sb.control(`/reviews/${appid}`, { result: 'approved' });
    await eventually(
      async () => (await reviews(appid))[0]?.state === 'approved',
      8000,
      'the wxa_nickname_audit push',
    );
    const info = await sb.call<Json>(basicInfo, 'PUT', {});
    assert.equal(info.body['nickname'], 'New name');

    await sb.call(basicInfo, 'PUT', { nickname: 'Newer name' });
    await sb.control(`/reviews/${appid}`, { result: 'rejected', reason: '名称含有违规词' });
    const decided = await eventually(
      async () => {
        const items = await reviews(appid);
        return items[0]?.state === 'rejected' && items;
      },
      8000,
      'the rejection push',
    );
    assert.equal(decided[0]?.nickname, 'Newer name');
    assert.equal(decided[0]?.reason, '名称含有违规词');
    assert.equal(decided[1]?.state, 'approved', 'newest first');
    assert.equal((await sb.call<Json>(basicInfo, 'PUT', {})).body['nickname'], 'New name');
  });

  test('a category with qualifications is reviewed and its result recorded', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Food court' });
    const added = await sb.admin(`/api/proxy/${appid}/cgi-bin/wxopen/addcategory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categories: [
          { first: 3, second: 301, certicates: [{ key: '食品经营许可证', value: 'm1' }] },
        ],
      }),
    });
    assert.equal(((await added.json()) as Json)['errcode'], 0);
    const listed = await sb.call<{ categories: Array<{ second: number; audit_status: number }> }>(
      `/api/admin/authorizers/${appid}/categories`,
    );
    assert.equal(listed.body.categories.find((c) => c.second === 301)?.audit_status, 1);

    await sb.control(`/reviews/${appid}`, { result: 'rejected', reason: '资质不全' });
    const [decided] = await eventually(
      async () => {
        const items = await reviews(appid);
        return items.length > 0 && items;
      },
      8000,
      'the wxa_category_audit push',
    );
    assert.equal(decided?.kind, 'category');
    assert.equal(decided?.state, 'rejected');
    assert.equal(decided?.first, 3);
    assert.equal(decided?.second, 301);
    assert.equal(decided?.reason, '资质不全');
    const after = await sb.call<{ categories: Array<{ second: number; audit_status: number }> }>(
      `/api/admin/authorizers/${appid}/categories`,
    );
    assert.equal(after.body.categories.find((c) => c.second === 301)?.audit_status, 2);
  });
  test('a category is submitted for review, rejected, given new qualifications and approved', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Takeaway' });
    const submit = (certicates: Json[]) =>
      sb.call<{ audit_status: number | null; reviews: Review[] } & ErrorAnswer>(
        `/api/admin/authorizers/${appid}/reviews/categories`,
        'POST',
        { first: 3, second: 302, certicates },
      );
    const empty = await submit([]);
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.field, 'certicates');
    assert.deepEqual(await reviews(appid), [], 'nothing recorded');

    const first = await submit([{ key: '食品经营许可证', value: 'media-1' }]);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.audit_status, 1);
    assert.deepEqual(
      first.body.reviews.map((r) => [r.kind, r.state, r.second]),
      [['category', 'pending', 302]],
    );
    const underReview = await submit([{ key: '食品经营许可证', value: 'media-2' }]);
    assert.equal(underReview.status, 409);
    assert.equal(underReview.body.error.params?.['reason'], 'category_not_rejected');
    assert.equal((await reviews(appid)).length, 1, 'nothing more recorded');

    await sb.control(`/reviews/${appid}`, { result: 'rejected', reason: '许可证已过期' });
    await eventually(
      async () => (await reviews(appid))[0]?.state === 'rejected',
      8000,
      'the rejection push',
    );
    const second = await submit([{ key: '食品经营许可证', value: 'media-3' }]);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.audit_status, 1, 'reviewed again (modifycategory)');
    await sb.control(`/reviews/${appid}`, { result: 'approved' });
    const items = await eventually(
      async () => {
        const list = await reviews(appid);
        return list[0]?.state === 'approved' && list;
      },
      8000,
      'the approval push',
    );
    assert.deepEqual(
      items.map((r) => [r.state, r.reason]),
      [
        ['approved', null],
        ['rejected', '许可证已过期'],
      ],
    );
  });

  test('a tenant key reads its own mini program’s verification and reviews, not another’s', async () => {
    const mine = await authorizeMerchant(sb, { nickname: 'Tenant shop' });
    const theirs = await authorizeMerchant(sb, { nickname: 'Their shop' });
    const keyFor = async (name: string, appid: string) => {
      const t = await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name });
      await sb.call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: t.body.id });
      const k = await sb.call<{ key: string }>(`/api/admin/tenants/${t.body.id}/keys`, 'POST', {
        name: 'erp',
      });
      return k.body.key;
    };
    const key = await keyFor('Reads own', mine);
    await keyFor('Reads other', theirs);
    const asTenant = async <T>(route: string, withKey: string | null = key) => {
      const res = await fetch(`${sb.url}${route}`, {
        headers: withKey ? { authorization: `Bearer ${withKey}` } : {},
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    await sb.call(`/api/admin/authorizers/${mine}/basic-info`, 'PUT', { nickname: 'Renamed shop' });

    const own = await asTenant<{ items: Review[] }>(`/api/tenant/authorizers/${mine}/reviews`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.items[0]?.state, 'pending');
    assert.equal(own.body.items[0]?.nickname, 'Renamed shop');
    const verification = await asTenant<Verification>(
      `/api/tenant/authorizers/${mine}/verification`,
    );
    assert.equal(verification.status, 200, JSON.stringify(verification.body));
    assert.equal(verification.body.state, 'none');

    for (const rest of ['reviews', 'verification']) {
      const other = await asTenant<ErrorAnswer>(`/api/tenant/authorizers/${theirs}/${rest}`);
      assert.equal(other.status, 404, `another tenant's ${rest}`);
      assert.equal(other.body.error.code, 'not_found');
      const anonymous = await asTenant(`/api/tenant/authorizers/${mine}/${rest}`, null);
      assert.equal(anonymous.status, 401);
    }
  });
});
