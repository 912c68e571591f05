import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { xmlText } from '../../src/crypto/xml.ts';
import { endpoints } from '../../src/wechat/endpoints/index.ts';
import { createHarness, PREFIX, type Harness } from './harness.ts';
import { commit, ITEMS, setup, type Setup } from './pipeline.ts';

/**
 * Privacy interfaces at the emulator: the detection of the committed code, applications with
 * their review, the uploads for the privacy guide and the audit materials, and the privacy guide's
 * privacy_ver rules.
 */

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
  'hex',
);
const MP4 = Buffer.concat([
  Buffer.from('00000018', 'hex'),
  Buffer.from('ftypmp42'),
  Buffer.alloc(16),
]);

async function upload(
  h: Harness,
  path: string,
  token: string,
  field: string,
  file: { bytes: Buffer; name: string; type: string },
): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const req = new Request('http://x.invalid/', { method: 'POST', body: form });
  const res = await h.app.inject({
    method: 'POST',
    url: `${PREFIX}${path}?access_token=${token}`,
    headers: { 'content-type': req.headers.get('content-type') ?? '' },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return res.json<Record<string, unknown>>();
}

const owner = { contact_email: 'privacy@example.com', notice_method: 'pop-up' };
const apply = {
  api_name: 'wx.getLocation',
  content: '门店导航',
  pic_list: ['https://example.com/nav.png'],
};

describe('emulator: privacy interfaces', () => {
  let h: Harness;
  let s: Setup;
  beforeEach(async () => {
    h = await createHarness();
    s = await setup(h);
  });
  afterEach(() => h.close());

  const status = async (api: string) =>
    (
      (await h.api('get_privacy_interface', {}, s.token))['interface_list'] as Array<
        Record<string, unknown>
      >
    ).find((i) => i['api_name'] === api);

  it('detects used interfaces that are undeclared or not granted, and submit_audit answers 61040 until they are', async () => {
    assert.equal((await h.api('get_code_privacy_info', {}, s.token))['errcode'], 86001);
    const used = await h.control('POST', `/privacy-interfaces/${s.appid}/used`, {
      api_names: ['wx.getLocation', 'wx.chooseAddress'],
    });
    assert.equal(used.status, 200, JSON.stringify(used.json));
    await commit(h, s, '1.0.0', JSON.stringify({ requiredPrivateInfos: ['getLocation'] }));
    const info = await h.api('get_code_privacy_info', {}, s.token);
    assert.deepEqual(info['without_auth_list'], ['wx.chooseAddress', 'wx.getLocation']);
    assert.deepEqual(info['without_conf_list'], ['wx.chooseAddress']);
    const refused = await h.api('submit_audit', { item_list: ITEMS }, s.token);
    assert.equal(refused['errcode'], 61040);
    assert.match(String(refused['errmsg']), /wx\.getLocation/);
    // privacy_api_not_use waives the undeclared one, not the declared one without permission
    const waived = await h.api(
      'submit_audit',
      { item_list: ITEMS, privacy_api_not_use: true },
      s.token,
    );
    assert.equal(waived['errcode'], 61040);
    assert.doesNotMatch(String(waived['errmsg']), /chooseAddress/);

    const applied = await h.api('apply_privacy_interface', apply, s.token);
    assert.equal(applied['errcode'], 0, JSON.stringify(applied));
    assert.equal((await status('wx.getLocation'))?.['status'], 3);
    const decided = await h.control('POST', `/privacy-interfaces/${s.appid}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.json));
    const push = h.platform.last();
    assert.equal(xmlText(push.xml, 'Event'), 'wxa_privacy_apply');
    assert.equal((await status('wx.getLocation'))?.['status'], 5);
    const ok = await h.api(
      'submit_audit',
      { item_list: ITEMS, privacy_api_not_use: true },
      s.token,
    );
    assert.equal(ok['errcode'], 0, JSON.stringify(ok));
  });

  it('control: an unknown interface set as used is refused and changes nothing', async () => {
    const bad = await h.control('POST', `/privacy-interfaces/${s.appid}/used`, {
      api_names: ['wx.getlocation'],
    });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json['error']), /wx\.getlocation/);
    const view = await h.control('GET', `/privacy-interfaces/${s.appid}`);
    assert.deepEqual(view.json['used'], []);
    const none = await h.control('POST', `/privacy-interfaces/${s.appid}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
    });
    assert.equal(none.status, 409);
  });

  it('answers 61039 while the detection runs', async () => {
    await h.control('POST', '/audit-policy', { privacy_scan_seconds: 60 });
    await commit(h, s);
    assert.equal((await h.api('get_code_privacy_info', {}, s.token))['errcode'], 61039);
  });

  it('refuses applications WeChat refuses: unknown interface, no material, one under review, one granted', async () => {
    const unknown = await h.api(
      'apply_privacy_interface',
      { ...apply, api_name: 'wx.getlocation' },
      s.token,
    );
    assert.equal(unknown['errcode'], 61035);
    const bare = await h.api(
      'apply_privacy_interface',
      { api_name: 'wx.getLocation', content: 'x' },
      s.token,
    );
    assert.equal(bare['errcode'], 61034);
    const avi = await h.api(
      'apply_privacy_interface',
      { ...apply, video_list: ['https://example.com/a.avi'] },
      s.token,
    );
    assert.equal(avi['errcode'], 61032);
    assert.equal((await status('wx.getLocation'))?.['status'], 1);
    assert.equal((await h.api('apply_privacy_interface', apply, s.token))['errcode'], 0);
    assert.equal((await h.api('apply_privacy_interface', apply, s.token))['errcode'], 61031);
    await h.control('POST', `/privacy-interfaces/${s.appid}`, {
      api_name: 'wx.getLocation',
      result: 'rejected',
      reason: '小程序内未含有相应使用场景',
    });
    const rejected = await status('wx.getLocation');
    assert.equal(rejected?.['status'], 4);
    assert.equal(rejected?.['fail_reason'], '小程序内未含有相应使用场景');
    assert.equal((await h.api('apply_privacy_interface', apply, s.token))['errcode'], 0);
    await h.control('POST', `/privacy-interfaces/${s.appid}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
      push: false,
    });
    assert.equal((await h.api('apply_privacy_interface', apply, s.token))['errcode'], 61035);
  });

  it('takes audit materials by their format and size, answering type and mediaid', async () => {
    const path = endpoints.uploadmedia.path;
    const pic = await upload(h, path, s.token, 'media', {
      bytes: PNG,
      name: 'home.png',
      type: 'image/png',
    });
    assert.equal(pic['type'], 'image');
    assert.ok(typeof pic['mediaid'] === 'string' && pic['mediaid'] !== '');
    const video = await upload(h, path, s.token, 'media', {
      bytes: MP4,
      name: 'tour.mp4',
      type: 'video/mp4',
    });
    assert.equal(video['type'], 'video');
    const text = Buffer.from('not an image');
    assert.equal(
      (await upload(h, path, s.token, 'media', { bytes: text, name: 'a.txt', type: 'text/plain' }))[
        'errcode'
      ],
      40005,
    );
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    assert.equal(
      (await upload(h, path, s.token, 'media', { bytes: big, name: 'big.png', type: 'image/png' }))[
        'errcode'
      ],
      40006,
    );
  });

  it('takes a .txt privacy guide of at most 100 KB, and setprivacysetting accepts only its id', async () => {
    const path = endpoints.uploadprivacyextfile.path;
    const txt = { bytes: Buffer.from('用户隐私保护指引'), name: 'guide.txt', type: 'text/plain' };
    const up = await upload(h, path, s.token, 'file', txt);
    assert.equal(up['errcode'], 0, JSON.stringify(up));
    const id = String(up['ext_file_media_id']);
    assert.equal(
      (await upload(h, path, s.token, 'file', { ...txt, bytes: PNG, name: 'guide.png' }))[
        'errcode'
      ],
      40006,
    );
    assert.equal(
      (
        await upload(h, path, s.token, 'file', {
          ...txt,
          bytes: Buffer.alloc(100 * 1024 + 1, 0x61),
        })
      )['errcode'],
      40126,
    );
    const set = (ext: string) =>
      h.api(
        'setprivacysetting',
        { owner_setting: { ...owner, ext_file_media_id: ext }, setting_list: [] },
        s.token,
      );
    assert.equal((await set('999'))['errcode'], 86073);
    assert.equal((await set(id))['errcode'], 0);
  });

  it('setprivacysetting: setting_list is required for the development version and refused with privacy_ver 1 (86071)', async () => {
    const missing = await h.api(
      'setprivacysetting',
      { privacy_ver: 2, owner_setting: owner },
      s.token,
    );
    assert.notEqual(missing['errcode'], 0);
    const dev = await h.api(
      'setprivacysetting',
      {
        owner_setting: owner,
        setting_list: [{ privacy_key: 'Location', privacy_text: '门店导航' }],
      },
      s.token,
    );
    assert.equal(dev['errcode'], 0);
    const live = await h.api(
      'setprivacysetting',
      { privacy_ver: 1, owner_setting: owner, setting_list: [] },
      s.token,
    );
    assert.equal(live['errcode'], 86071);
    const badVer = await h.api(
      'setprivacysetting',
      { privacy_ver: 3, owner_setting: owner, setting_list: [] },
      s.token,
    );
    assert.equal(badVer['errcode'], 86071);
    const got = await h.api('getprivacysetting', { privacy_ver: 2 }, s.token);
    assert.equal((got['setting_list'] as unknown[]).length, 1);
  });
});
