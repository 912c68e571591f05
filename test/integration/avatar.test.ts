import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/** A mini program's avatar: an image uploaded through the proxy, then set by its media id. */
type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; field?: string; errcode?: number } };

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('mini program avatar', () => {
  let sb: Sandbox;
  let appid: string;
  const setInfo = async <T = Json>(body: unknown) => {
    const res = await sb.admin(`/api/admin/authorizers/${appid}/basic-info`, {
      method: 'PUT',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const calls = async () =>
    (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[
      '/cgi-bin/account/modifyheadimage'
    ] ?? 0;

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    appid = await authorizeMerchant(sb, { type: 'miniprogram' });
  });
  after(() => sb.stop());

  test('an image uploaded through the proxy becomes the avatar', async () => {
    const form = new FormData();
    form.append('media', new Blob([PNG], { type: 'image/png' }), 'avatar.png');
    const up = await sb.admin(`/api/proxy/${appid}/cgi-bin/media/upload?type=image`, {
      method: 'POST',
      body: form,
    });
    assert.equal(up.status, 200);
    const media = (await up.json()) as { type: string; media_id: string; created_at: number };
    assert.equal(media.type, 'image');
    assert.ok(media.media_id.length > 0);
    assert.equal(typeof media.created_at, 'number');

    const set = await setInfo<{ head_image_info: { head_image_url: string } }>({
      head_img_media_id: media.media_id,
      head_img_crop: { x1: 0, y1: 0, x2: 0.5, y2: 0.5 },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.match(set.body.head_image_info.head_image_url, /^https:\/\//);

    const cfg = await sb.control<{
      head_image: { media_id: string; crop: Record<string, number> } | null;
    }>(`/mini-programs/${appid}/config`);
    assert.equal(cfg.head_image?.media_id, media.media_id);
    assert.deepEqual(cfg.head_image?.crop, { x1: 0, y1: 0, x2: 0.5, y2: 0.5 });
  });

  test('an unknown media id is refused by WeChat with 40007, shown as it is', async () => {
    const res = await setInfo<ErrorBody>({ head_img_media_id: 'not-issued-by-wechat' });
    assert.equal(res.status, 502);
    assert.equal(res.body.error.errcode, 40007);
    assert.match(res.body.error.message, /40007|media/);
  });

  test('a bad crop box is refused before WeChat is called, naming the field', async () => {
    const before = await calls();
    const out = await setInfo<ErrorBody>({
      head_img_media_id: 'any',
      head_img_crop: { x1: 0, y1: 0, x2: 1.5, y2: 1 },
    });
    assert.equal(out.status, 400);
    assert.equal(out.body.error.field, 'head_img_crop.x2');
    const empty = await setInfo<ErrorBody>({
      head_img_media_id: 'any',
      head_img_crop: { x1: 0.5, y1: 0, x2: 0.5, y2: 1 },
    });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.field, 'head_img_crop.x2');
    assert.equal(await calls(), before);
  });
});
