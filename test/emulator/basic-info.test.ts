import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createHarness, PREFIX, type Harness } from './harness.ts';

describe('emulator: basic information of a mini program', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  const upload = async (token: string): Promise<string> => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${PREFIX}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`,
      payload: 'fake image bytes',
      headers: { 'content-type': 'application/octet-stream' },
    });
    const media = res.json<{ media_id?: string }>();
    assert.ok(media.media_id, res.body);
    return media.media_id;
  };

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

  it('an official account calling a mini-program API is 61007, not 41033', async () => {
    const oa = await h.authorized('officialaccount');
    assert.equal((await h.api('getcategory', {}, oa.accessToken))['errcode'], 61007);
  });
});
