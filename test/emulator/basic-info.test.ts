import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PNG } from '../support/icp-fixtures.ts';
import { createHarness, PREFIX, type Harness } from './harness.ts';

describe('emulator: basic information of a mini program', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  const BOUNDARY = 'fakeboundary0001';
  const multipart = (field: string, filename: string, bytes: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      bytes,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
  const post = (token: string, payload: Buffer, contentType: string) =>
    h.app.inject({
      method: 'POST',
      url: `${PREFIX}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`,
      payload,
      headers: { 'content-type': contentType },
    });
  const upload = async (token: string): Promise<string> => {
    const res = await post(
      token,
      multipart('media', 'avatar.png', PNG),
      `multipart/form-data; boundary=${BOUNDARY}`,
    );
    const media = res.json<{ media_id?: string }>();
    assert.ok(media.media_id, res.body);
    return media.media_id;
  };

  // Doc offiaccount/Asset_Management/New_temporary_materials: multipart field `media`, images in
  // PNG, JPEG or GIF; global return codes 41005 and 40005.
  it('media/upload takes the multipart field media and an image format', async () => {
    const mp = await h.authorized('miniprogram');
    const rawBody = await post(mp.accessToken, PNG, 'application/octet-stream');
    assert.equal(rawBody.json<{ errcode?: number }>().errcode, 41005, rawBody.body);
    const otherField = await post(
      mp.accessToken,
      multipart('file', 'avatar.png', PNG),
      `multipart/form-data; boundary=${BOUNDARY}`,
    );
    assert.equal(otherField.json<{ errcode?: number }>().errcode, 41005, otherField.body);
    const text = await post(
      mp.accessToken,
      multipart('media', 'avatar.png', Buffer.from('not an image')),
      `multipart/form-data; boundary=${BOUNDARY}`,
    );
    assert.equal(text.json<{ errcode?: number }>().errcode, 40005, text.body);
    assert.match(text.json<{ errmsg: string }>().errmsg, /^invalid file type rid: /);
    await upload(mp.accessToken);
  });

  // Source: community/develop/doc/00022c0b0a0c40cea68b9a66457000 (real answer with rid).
  it('an empty or inverted avatar crop box is 53205 and changes nothing', async () => {
    const mp = await h.authorized('miniprogram');
    const media = await upload(mp.accessToken);
    const crop = (x1: string, y1: string, x2: string, y2: string) =>
      h.api('modifyheadimage', { head_img_media_id: media, x1, y1, x2, y2 }, mp.accessToken);
    const empty = await crop('0.5', '0', '0.5', '1');
    assert.equal(empty['errcode'], 53205);
    assert.match(String(empty['errmsg']), /^cut size invalid, please check x1 y1 x2 y2/);
    assert.equal((await crop('0', '0.8', '1', '0.2'))['errcode'], 53205);
    const cfg = await h.control('GET', `/mini-programs/${mp.appid}/config`);
    assert.equal(cfg.json['head_image'], null);
    assert.equal((await crop('0', '0', '1', '1'))['errcode'], 0);
  });

  // limit = additions per change cycle, quota = additions left, category_limit = most categories.
  // Source: doc openApi/miniprogram-management/category-management/api_getsettingcategories.
  it('getcategory counts additions against the cycle’s limit; beyond it addcategory is 53300', async () => {
    const mp = await h.authorized('miniprogram');
    const get = () => h.api('getcategory', {}, mp.accessToken);
    const add = (pairs: Array<[number, number]>) =>
      h.api(
        'addcategory',
        { categories: pairs.map(([first, second]) => ({ first, second })) },
        mp.accessToken,
      );
    const del = (first: number, second: number) =>
      h.api('deletecategory', { first, second }, mp.accessToken);
    const fresh = await get();
    assert.deepEqual([fresh['limit'], fresh['quota'], fresh['category_limit']], [5, 5, 20]);
    assert.equal(
      (
        await add([
          [1, 101],
          [1, 102],
          [2, 201],
        ])
      )['errcode'],
      0,
    );
    assert.equal((await get())['quota'], 2);
    // Deleting does not give an addition back.
    assert.equal((await del(1, 101))['errcode'], 0);
    assert.equal((await add([[1, 101]]))['errcode'], 0);
    assert.equal((await get())['quota'], 1);
    assert.equal((await del(1, 102))['errcode'], 0);
    assert.equal(
      (
        await add([
          [1, 102],
          [3, 301],
        ])
      )['errcode'],
      53300,
    );
    const after = await get();
    assert.equal(after['quota'], 1);
    assert.equal((after['categories'] as unknown[]).length, 2);
  });

  it('a mini program that did not grant permission set 30 gets 61007 from basic-info APIs', async () => {
    const partial = await h.authorized('miniprogram', [17, 18, 19]);
    assert.equal((await h.api('getcategory', {}, partial.accessToken))['errcode'], 61007);
    const sig = await h.api('modifysignature', { signature: 'Fresh fruit' }, partial.accessToken);
    assert.equal(sig['errcode'], 61007);
    const full = await h.authorized('miniprogram');
    assert.equal((await h.api('getcategory', {}, full.accessToken))['errcode'], 0);
  });

  // Source: SKIT Models/CgibinAccount/CgibinAccountGetAccountBasicInfoResponse.cs.
  it('getaccountbasicinfo answers the principal, real-name and verification fields', async () => {
    const mp = await h.authorized('miniprogram');
    const info = await h.api('getaccountbasicinfo', {}, mp.accessToken);
    assert.equal(info['errcode'], 0, JSON.stringify(info));
    assert.equal(info['principal_type'], 1);
    assert.match(String(info['principal_name']), /\(fake\)$/);
    assert.match(String(info['credential']), /^[0-9A-Z]{18}$/);
    assert.equal(info['realname_status'], 1);
    assert.deepEqual(info['wx_verify_info'], {
      qualification_verify: true,
      naming_verify: true,
      annual_review: false,
    });
    assert.equal(info['registered_country'], 1);
    assert.deepEqual(info['nickname_info'], {
      nickname: info['nickname'],
      modify_used_count: 0,
      modify_quota: 2,
    });
  });

  it('nickname_info counts an approved rename, not a pending or rejected one', async () => {
    const mp = await h.authorized('miniprogram');
    const rename = async (nick_name: string, result: 'approved' | 'rejected') => {
      const set = await h.api('setnickname', { nick_name }, mp.accessToken);
      assert.equal(set['errcode'], 0, JSON.stringify(set));
      const pending = await h.api('getaccountbasicinfo', {}, mp.accessToken);
      assert.equal((pending['nickname_info'] as { nickname: string }).nickname !== nick_name, true);
      const decided = await h.control('POST', `/reviews/${mp.appid}`, { result });
      assert.equal(decided.status, 200);
    };
    await rename('Fake Rejected Shop', 'rejected');
    const rejected = await h.api('getaccountbasicinfo', {}, mp.accessToken);
    assert.equal((rejected['nickname_info'] as { modify_used_count: number }).modify_used_count, 0);
    await rename('Fake Renamed Shop', 'approved');
    const info = await h.api('getaccountbasicinfo', {}, mp.accessToken);
    assert.equal(info['nickname'], 'Fake Renamed Shop');
    assert.deepEqual(info['nickname_info'], {
      nickname: 'Fake Renamed Shop',
      modify_used_count: 1,
      modify_quota: 2,
    });
  });

  it('an official account calling a mini-program API is 61007, not 41033', async () => {
    const oa = await h.authorized('officialaccount');
    assert.equal((await h.api('getcategory', {}, oa.accessToken))['errcode'], 61007);
  });
});
