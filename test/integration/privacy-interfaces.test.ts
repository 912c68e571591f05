import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Privacy interfaces through openwx's admin routes against the emulator: the list and applying,
 * the code privacy detection in plain words, the pre-flight's privacy check, submit refused with
 * the interfaces named, and the uploads with their bad input.
 */
type Json = Record<string, unknown>;
type Stats = { calls: Record<string, number> };
type Check = { check: string; ok: boolean; detail: string; params?: Json };

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
  'hex',
);
const MP4 = Buffer.concat([
  Buffer.from('00000018', 'hex'),
  Buffer.from('ftypmp42'),
  Buffer.alloc(16),
]);
const b64 = (b: Buffer) => b.toString('base64');

describe('privacy interfaces', () => {
  let sb: Sandbox;
  let appid: string;
  const at = (path: string) => `/api/admin/authorizers/${appid}${path}`;
  const calls = async (path: string) => (await sb.control<Stats>('/stats')).calls[path] ?? 0;
  const material = { content: '门店导航', url_list: ['https://example.com/stores'] };

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'first',
    });
    const tpl = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id,
    });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
    await sb.call('/api/admin/templates/default', 'PUT', { template_id: tpl.body.template_id });
    appid = await authorizeMerchant(sb, { nickname: 'Privacy shop' });
    await prepareForAudit(sb, appid);
  });
  after(() => sb.stop());

  test('the code uses an undeclared, unapproved interface: code-privacy, pre-flight and submit name it until it is declared and approved', async () => {
    assert.equal((await sb.call<Json>(at('/code-privacy'))).body['detection'], 'no_code');
    await sb.control(`/privacy-interfaces/${appid}/used`, { api_names: ['wx.getLocation'] });
    const committed = await sb.call(at('/code/commit'), 'POST', {
      user_version: '1.0.0',
      user_desc: 'first',
    });
    assert.equal(committed.status, 201, JSON.stringify(committed.body));

    const found = (await sb.call<Json>(at('/code-privacy'))).body;
    assert.equal(found['detection'], 'done');
    assert.equal(found['ok'], false);
    assert.deepEqual(found['items'], [
      {
        api_name: 'wx.getLocation',
        declared: false,
        approved: false,
        application: 'not_applied',
        advice:
          'The code uses wx.getLocation: declare it in ext_json requiredPrivateInfos and commit again; apply for it (or submit with privacy_api_not_use if it is never called).',
      },
    ]);

    const pf = (await sb.call<{ ok: boolean; checks: Check[] }>(at('/code/preflight'))).body;
    const privacy = pf.checks.find((c) => c.check === 'privacy');
    assert.equal(privacy?.ok, false, JSON.stringify(pf));
    assert.deepEqual(privacy?.params, {
      reason: 'privacy_interfaces_missing',
      without_conf_list: ['wx.getLocation'],
      without_auth_list: ['wx.getLocation'],
    });
    const before = await calls('/wxa/submit_audit');
    const refused = await sb.call<{ error: Json }>(at('/code/submit'), 'POST', {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error['code'], 'preflight_failed');
    assert.equal(await calls('/wxa/submit_audit'), before, 'nothing was sent');

    // Without the pre-flight, WeChat's 61040 comes back with the interfaces named.
    const wechat = await sb.call<{ error: Json }>(at('/code/submit'), 'POST', {
      skip_preflight: true,
      item_list: [{ first_id: 1, second_id: 101, first_class: 'a', second_class: 'b' }],
    });
    assert.equal(wechat.status, 409, JSON.stringify(wechat.body));
    assert.equal(wechat.body.error['errcode'], 61040);
    assert.deepEqual(wechat.body.error['params'], {
      reason: 'privacy_interfaces_missing',
      without_auth_list: ['wx.getLocation'],
      without_conf_list: ['wx.getLocation'],
    });

    const applied = await sb.call<Json>(at('/privacy-interfaces'), 'POST', {
      api_name: 'wx.getLocation',
      ...material,
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal((applied.body['interface'] as Json)['state'], 'applying');
    await sb.control(`/privacy-interfaces/${appid}`, {
      api_name: 'wx.getLocation',
      result: 'approved',
    });
    // WeChat's result push is stored as a wxa_privacy_apply event of the mini program.
    const pushed = await eventually(async () => {
      const page = await sb.call<{ items: Json[] }>(
        `/api/admin/events?appid=${appid}&type=wxa_privacy_apply`,
      );
      return page.body.items[0];
    });
    assert.equal(pushed['type'], 'wxa_privacy_apply');
    const list = (await sb.call<{ items: Json[] }>(at('/privacy-interfaces'))).body.items;
    assert.equal(list.find((i) => i['api_name'] === 'wx.getLocation')?.['state'], 'approved');

    await sb.call(at('/code/commit'), 'POST', {
      user_version: '1.0.1',
      user_desc: 'declares the location',
      ext_json: JSON.stringify({ extAppid: appid, requiredPrivateInfos: ['getLocation'] }),
    });
    assert.equal((await sb.call<Json>(at('/code-privacy'))).body['ok'], true);
    const submitted = await sb.call<Json>(at('/code/submit'), 'POST', {});
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  });

  test('bad applications are refused naming the field, and nothing is sent', async () => {
    const before = await calls('/wxa/security/apply_privacy_interface');
    const unknown = await sb.call<{ error: Json }>(at('/privacy-interfaces'), 'POST', {
      api_name: 'wx.getlocation',
      ...material,
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error['field'], 'api_name');
    assert.equal((unknown.body.error['params'] as Json)['reason'], 'privacy_interface_unknown');
    const approved = await sb.call<{ error: Json }>(at('/privacy-interfaces'), 'POST', {
      api_name: 'wx.getLocation',
      ...material,
    });
    assert.equal(approved.status, 409);
    assert.equal((approved.body.error['params'] as Json)['reason'], 'privacy_interface_approved');
    const bare = await sb.call<{ error: Json }>(at('/privacy-interfaces'), 'POST', {
      api_name: 'wx.chooseAddress',
      content: 'delivery address',
    });
    assert.equal(bare.status, 400);
    assert.equal(bare.body.error['field'], 'url_list');
    assert.equal(await calls('/wxa/security/apply_privacy_interface'), before);
  });

  test('audit materials and the privacy guide file: WeChat ids back, wrong type or size refused before sending', async () => {
    const pic = await sb.call<Json>(at('/media'), 'POST', { content_base64: b64(PNG) });
    assert.equal(pic.status, 200, JSON.stringify(pic.body));
    assert.equal(pic.body['type'], 'image');
    assert.ok(String(pic.body['mediaid']).length > 0);
    const video = await sb.call<Json>(at('/media'), 'POST', { content_base64: b64(MP4) });
    assert.equal(video.body['type'], 'video');

    const sent = await calls('/wxa/uploadmedia');
    const text = await sb.call<{ error: Json }>(at('/media'), 'POST', {
      content_base64: b64(Buffer.from('hello')),
    });
    assert.equal(text.status, 400);
    assert.equal((text.body.error['params'] as Json)['reason'], 'media_format_invalid');
    const big = await sb.call<{ error: Json }>(at('/media'), 'POST', {
      content_base64: b64(Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)])),
    });
    assert.equal(big.status, 400);
    assert.equal((big.body.error['params'] as Json)['reason'], 'media_too_large');
    assert.equal(await calls('/wxa/uploadmedia'), sent);

    const guide = await sb.call<Json>(at('/privacy-ext-file'), 'POST', {
      filename: 'guide.txt',
      content_base64: b64(Buffer.from('用户隐私保护指引')),
    });
    assert.equal(guide.status, 200, JSON.stringify(guide.body));
    assert.match(String(guide.body['ext_file_media_id']), /^\d+$/);
    const png = await sb.call<{ error: Json }>(at('/privacy-ext-file'), 'POST', {
      content_base64: b64(PNG),
    });
    assert.equal(png.status, 400);
    assert.equal((png.body.error['params'] as Json)['reason'], 'privacy_file_type_invalid');
    const long = await sb.call<{ error: Json }>(at('/privacy-ext-file'), 'POST', {
      content_base64: b64(Buffer.alloc(100 * 1024 + 1, 0x61)),
    });
    assert.equal(long.status, 400);
    assert.equal((long.body.error['params'] as Json)['reason'], 'privacy_file_too_large');
  });
});
