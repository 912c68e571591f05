import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { defaultFuncIds, PERMISSION_SETS } from '../../src/emulator/merchants.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Mini-program APIs answer 61007 "api is unauthorized to component" when the authorization lacks
 * their permission set. Sources: doc Third-party_Platforms/2.0/product/miniprogram_authority;
 * "该接口所属的权限集 id 为：18" on the tester and privacy pages; "18、156" on the ICP pages.
 */
describe('emulator: permission sets of mini-program APIs (D12)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('refuses tester, privacy and ICP calls without set 18, and changes nothing', async () => {
    const partial = await h.authorized('miniprogram', [17, 19, 30]);
    const token = partial.accessToken;
    const bind = await h.api('bind_tester', { wechatid: 'fake_tester_01' }, token);
    assert.equal(bind['errcode'], 61007, JSON.stringify(bind));
    assert.match(String(bind['errmsg']), /^api is unauthorized to component rid: /);
    const privacy = await h.api(
      'setprivacysetting',
      {
        owner_setting: { contact_email: 'privacy@shop.example', notice_method: '弹窗' },
        setting_list: [],
      },
      token,
    );
    assert.equal(privacy['errcode'], 61007, JSON.stringify(privacy));
    const icp = await h.api('get_icp_entrance_info', {}, token);
    assert.equal(icp['errcode'], 61007, JSON.stringify(icp));
    // community/develop/doc/000e0ce8f982f805d6f02639f61800: a verification call without set 18.
    const verify = await h.api('queryauth', { taskid: 'fake-task' }, token);
    assert.equal(verify['errcode'], 61007, JSON.stringify(verify));
    const config = await h.control('GET', `/mini-programs/${partial.appid}/config`);
    assert.equal((config.json['privacy'] as { dev: unknown }).dev, null);
  });

  it('answers the same calls once set 18 is granted', async () => {
    const full = await h.authorized('miniprogram');
    const token = full.accessToken;
    const bind = await h.api('bind_tester', { wechatid: 'fake_tester_01' }, token);
    assert.equal(bind['errcode'], 0, JSON.stringify(bind));
    const icp = await h.api('get_icp_entrance_info', {}, token);
    assert.equal(icp['errcode'], 0, JSON.stringify(icp));
  });

  it('grants the documented mini-program sets by default, 17 named 获取小程序码', () => {
    assert.deepEqual(defaultFuncIds('miniprogram'), [17, 18, 19, 25, 30, 31, 40]);
    assert.equal(PERMISSION_SETS.find((s) => s.id === 17)?.zh, '获取小程序码');
  });
});
