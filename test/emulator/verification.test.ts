import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { xmlText } from '../../src/crypto/xml.ts';
import { endpoints } from '../../src/wechat/endpoints/index.ts';
import { advance, createHarness, PREFIX, type Harness } from './harness.ts';

/**
 * Verification on behalf (代认证) and the reviews of names and categories at the emulator: the
 * /wxa/sec/* APIs, their documented refusals, the control routes' decisions and pushes, and the
 * audit policy deciding what waited long enough.
 */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d4944415478da63',
  'hex',
);

async function upload(h: Harness, token: string, bytes?: Buffer): Promise<Record<string, unknown>> {
  const form = new FormData();
  if (bytes) form.append('media', new Blob([new Uint8Array(bytes)]), 'material.png');
  else form.append('other', 'x');
  const req = new Request('http://x.invalid/', { method: 'POST', body: form });
  const res = await h.app.inject({
    method: 'POST',
    url: `${PREFIX}${endpoints.uploadauthmaterial.path}?access_token=${token}`,
    headers: { 'content-type': req.headers.get('content-type') ?? '' },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return res.json<Record<string, unknown>>();
}

const authData = (extra: Record<string, unknown> = {}) => ({
  customer_type: 15,
  contact_info: { name: '张三', email: 'owner@example.com' },
  account_name: '社区缴费助手',
  account_name_type: 1,
  pay_type: 1,
  ...extra,
});

describe('emulator: verification on behalf and reviews', () => {
  let h: Harness;
  let appid: string;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    const mp = await h.authorized('miniprogram');
    appid = mp.appid;
    token = mp.accessToken;
  });
  afterEach(() => h.close());

  const query = (taskid: string) => h.api('queryauth', { taskid }, token);

  it('uploads materials as the doc says: PNG, JPEG or GIF of at most 2 MB', async () => {
    const ok = await upload(h, token, PNG);
    assert.equal(ok['errcode'], 0);
    assert.equal(ok['type'], 'image');
    assert.ok(ok['mediaid']);
    assert.equal((await upload(h, token, Buffer.from('plain text')))['errcode'], 40005);
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    assert.equal((await upload(h, token, big))['errcode'], 40006);
    assert.equal((await upload(h, token))['errcode'], 41005);
  });

  it('opens a task, refuses unknown materials and decides it with a notify_3rd_wxa_auth push', async () => {
    const unknown = await h.api(
      'wxaauth',
      { auth_data: authData({ customer_type: 1, qualification: 'nope' }) },
      token,
    );
    assert.equal(unknown['errcode'], 89636);
    const noLicence = await h.api('wxaauth', { auth_data: authData({ customer_type: 1 }) }, token);
    assert.equal(noLicence['errcode'], 40097);
    assert.match(String(noLicence['errmsg']), /qualification/);
    const state = await h.control('GET', `/verifications/${appid}`);
    assert.deepEqual(state.json['verifications'], [], 'no task was opened');

    const media = String((await upload(h, token, PNG))['mediaid']);
    const started = await h.api(
      'wxaauth',
      { auth_data: authData({ customer_type: 1, qualification: media }) },
      token,
    );
    assert.equal(started['errcode'], 0);
    const taskid = String(started['taskid']);
    assert.match(String(started['auth_url']), /^https:\/\//);
    assert.equal((await query(taskid))['task_status'], 0);

    const pushes = h.platform.received.length;
    const decided = await h.control('POST', `/verifications/${appid}`, {
      result: 'rejected',
      reason: '资质模糊',
    });
    assert.equal(decided.status, 200);
    await h.platform.waitFor(pushes + 1);
    const push = h.platform.last().xml;
    assert.equal(xmlText(push, 'InfoType'), 'notify_3rd_wxa_auth');
    assert.equal(xmlText(push, 'appid'), appid);
    assert.equal(xmlText(push, 'taskid'), taskid);
    assert.equal(xmlText(push, 'apply_status'), '3');
    assert.equal(xmlText(push, 'message'), '资质模糊');
    const back = await query(taskid);
    assert.equal(back['apply_status'], 3);
    assert.equal(back['refill_reason'], '资质模糊');

    const again = await h.api(
      'reauth',
      { auth_data: authData({ customer_type: 1, qualification: media, taskid }) },
      token,
    );
    assert.equal(again['errcode'], 0);
    assert.equal((await query(taskid))['apply_status'], 2);
    const twice = await h.api(
      'reauth',
      { auth_data: authData({ customer_type: 1, qualification: media, taskid }) },
      token,
    );
    assert.equal(twice['errcode'], 40097, 'only a task sent back is submitted again');

    await h.control('POST', `/verifications/${appid}`, { result: 'approved' });
    assert.equal((await query(taskid))['apply_status'], 4);
    const nothing = await h.control('POST', `/verifications/${appid}`, { result: 'approved' });
    assert.equal(nothing.status, 409);
  });

  it('lists a sensitive category with its qualifications and adds it only with them', async () => {
    const all = (await h.api('getallcategories', {}, token))['categories_list'] as {
      categories: Array<Record<string, unknown>>;
    };
    const store = all.categories.find((c) => c['id'] === 401);
    assert.equal(store?.['sensitive_type'], 1);
    assert.deepEqual(store?.['qualify'], {
      exter_list: [
        { inner_list: [{ name: '若涉及食品，请提供《食品经营许可证》或《卫生许可证》' }] },
      ],
    });
    assert.equal(all.categories.find((c) => c['id'] === 101)?.['sensitive_type'], 0);
    assert.equal(all.categories.find((c) => c['id'] === 101)?.['qualify'], undefined);

    const bare = await h.api('addcategory', { categories: [{ first: 4, second: 401 }] }, token);
    assert.equal(bare['errcode'], 53303);
    const listed = await h.api('getcategory', {}, token);
    assert.deepEqual(listed['categories'], [], 'nothing added');
    const withCert = await h.api(
      'addcategory',
      {
        categories: [
          { first: 4, second: 401, certicates: [{ key: '食品经营许可证', value: 'm1' }] },
        ],
      },
      token,
    );
    assert.equal(withCert['errcode'], 0);
    const after = (await h.api('getcategory', {}, token))['categories'] as Array<
      Record<string, number>
    >;
    assert.deepEqual(
      after.map((c) => [c['second'], c['audit_status']]),
      [[401, 1]],
    );
  });

  it('keeps a rename and a category with qualifications pending until reviewed', async () => {
    const renamed = await h.api('setnickname', { nick_name: '新名字' }, token);
    assert.equal(renamed['errcode'], 0);
    assert.equal(typeof renamed['audit_id'], 'number');
    const plain = await h.api('addcategory', { categories: [{ first: 1, second: 101 }] }, token);
    assert.equal(plain['errcode'], 0);
    const withCert = await h.api(
      'addcategory',
      { categories: [{ first: 3, second: 301, certicates: [{ key: '许可证', value: 'm1' }] }] },
      token,
    );
    assert.equal(withCert['errcode'], 0);
    const statuses = async () =>
      ((await h.api('getcategory', {}, token))['categories'] as Array<Record<string, number>>).map(
        (c) => [c['second'], c['audit_status']],
      );
    assert.deepEqual(await statuses(), [
      [101, 3],
      [301, 1],
    ]);
    assert.notEqual((await h.api('getaccountbasicinfo', {}, token))['nickname'], '新名字');

    const pushes = h.platform.received.length;
    const decided = await h.control('POST', `/reviews/${appid}`, { result: 'approved' });
    assert.equal(decided.status, 200);
    await h.platform.waitFor(pushes + 2);
    const events = h.platform.received.slice(pushes).map((p) => p.xml);
    const nickname = events.find((x) => xmlText(x, 'Event') === 'wxa_nickname_audit');
    const category = events.find((x) => xmlText(x, 'Event') === 'wxa_category_audit');
    assert.equal(nickname && xmlText(nickname, 'ret'), '3');
    assert.equal(nickname && xmlText(nickname, 'nickname'), '新名字');
    assert.equal(category && xmlText(category, 'ret'), '3');
    assert.equal(category && xmlText(category, 'first'), '3');
    assert.equal(category && xmlText(category, 'second'), '301');
    assert.equal((await h.api('getaccountbasicinfo', {}, token))['nickname'], '新名字');
    assert.deepEqual(await statuses(), [
      [101, 3],
      [301, 3],
    ]);
    assert.equal(
      (await h.control('POST', `/reviews/${appid}`, { result: 'approved' })).status,
      409,
    );

    // modifycategory: only a rejected category takes new qualifications (53307), a set one (53303).
    const cert = [{ key: '许可证', value: 'm2' }];
    const approved = await h.api(
      'modifycategory',
      { first: 3, second: 301, certicates: cert },
      token,
    );
    assert.equal(approved['errcode'], 53307);
    const unknown = await h.api(
      'modifycategory',
      { first: 3, second: 302, certicates: cert },
      token,
    );
    assert.equal(unknown['errcode'], 53303);
  });

  it('the audit policy decides tasks and reviews that waited long enough', async () => {
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: 60 });
    const started = await h.api('wxaauth', { auth_data: authData() }, token);
    await h.api('setnickname', { nick_name: '等一等' }, token);
    await advance(h, 30);
    assert.equal((await query(String(started['taskid'])))['apply_status'], 0);
    await advance(h, 31);
    assert.equal((await query(String(started['taskid'])))['apply_status'], 4);
    assert.equal((await h.api('getaccountbasicinfo', {}, token))['nickname'], '等一等');
  });
});
