import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../emulator/harness.ts';

/** The emulator's testers answer as WeChat documents (errcodes and errmsg of api_bindtester). */
type Answer = Record<string, unknown> & { errcode: number; errmsg: string };

describe('emulator: testers', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('binds, lists by userstr, refuses what WeChat refuses, unbinds by WeChat ID or userstr', async () => {
    const app = await h.authorized('miniprogram');
    const call = (name: 'bind_tester' | 'unbind_tester' | 'memberauth', body: unknown) =>
      h.api(name, body, app.accessToken) as Promise<Answer>;

    const notId = await call('bind_tester', { wechatid: '12345' });
    assert.equal(notId.errcode, 85001);
    assert.match(notId.errmsg, /^user not exist or user cannot be searched rid: /);

    const a = await call('bind_tester', { wechatid: 'fake_tester_a' });
    const b = await call('bind_tester', { wechatid: 'fake_tester_b' });
    assert.equal(a.errcode, 0, JSON.stringify(a));
    assert.notEqual(a['userstr'], b['userstr']);
    const twice = await call('bind_tester', { wechatid: 'fake_tester_a' });
    assert.equal(twice.errcode, 85004);
    assert.match(twice.errmsg, /^user already bind rid: /);

    const members = await call('memberauth', { action: 'get_experiencer' });
    assert.deepEqual(members['members'], [{ userstr: a['userstr'] }, { userstr: b['userstr'] }]);

    assert.equal((await call('unbind_tester', { wechatid: 'fake_tester_a' })).errcode, 0);
    assert.equal((await call('unbind_tester', { userstr: b['userstr'] })).errcode, 0);
    const unknown = await call('unbind_tester', { wechatid: 'fake_tester_a' });
    assert.equal(unknown.errcode, -1, 'WeChat answers an unknown tester with system error');
    assert.deepEqual((await call('memberauth', { action: 'get_experiencer' }))['members'], []);
  });

  it('a WeChat ID may be a tester of 50 mini programs; the 51st answers 85003', async () => {
    const apps = [];
    for (let i = 0; i < 51; i++) apps.push(await h.authorized('miniprogram'));
    for (const app of apps.slice(0, 50)) {
      const res = (await h.api(
        'bind_tester',
        { wechatid: 'fake_busy_tester' },
        app.accessToken,
      )) as Answer;
      assert.equal(res.errcode, 0, JSON.stringify(res));
    }
    const last = apps[50];
    assert.ok(last);
    const over = (await h.api(
      'bind_tester',
      { wechatid: 'fake_busy_tester' },
      last.accessToken,
    )) as Answer;
    assert.equal(over.errcode, 85003);
    assert.match(over.errmsg, /^user already bind too many weapps rid: /);
  });
});
