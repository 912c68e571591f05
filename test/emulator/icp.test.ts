import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { xmlText } from '../../src/crypto/xml.ts';
import { endpoints } from '../../src/wechat/endpoints/index.ts';
import { advance, createHarness, PREFIX, type Harness } from './harness.ts';
import { icpApplication, MP4, PNG } from '../support/icp-fixtures.ts';

/** ICP filing at the emulator: dictionaries, face verification, media, application, reviews. */

async function upload(
  h: Harness,
  token: string,
  fields: Record<string, string>,
  file?: { bytes: Buffer; name: string; type: string },
): Promise<Record<string, unknown>> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file)
    form.append('media', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const req = new Request('http://x.invalid/', { method: 'POST', body: form });
  const res = await h.app.inject({
    method: 'POST',
    url: `${PREFIX}${endpoints.upload_icp_media.path}?access_token=${token}`,
    headers: { 'content-type': req.headers.get('content-type') ?? '' },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return res.json<Record<string, unknown>>();
}

const image = { bytes: PNG, name: 'id-front.png', type: 'image/png' };
const imageFields = {
  type: 'image',
  certificate_type: '2',
  icp_order_field: 'icp_subject.principal_info.certificate_photo_front',
};

describe('emulator: ICP filing', () => {
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

  const status = async () =>
    ((await h.api('get_icp_entrance_info', {}, token))['info'] as Record<string, unknown>)[
      'status'
    ];

  /** A passed face verification and an uploaded ID photo. */
  async function ready(): Promise<{ media: string; taskId: string }> {
    const task = await h.api('create_icp_verifytask', {}, token);
    const taskId = String(task['task_id']);
    const face = await h.control('POST', `/icp/${appid}`, { step: 'face', result: 'approved' });
    assert.equal(face.status, 200, JSON.stringify(face.json));
    const up = await upload(h, token, imageFields, image);
    assert.equal(up['errcode'], 0, JSON.stringify(up));
    return { media: String(up['media_id']), taskId };
  }

  it('starts unfiled and answers the dictionaries with their documented shapes', async () => {
    assert.equal(await status(), 1024);
    const districts = await h.api('query_icp_district_code', {}, token);
    const beijing = (districts['items'] as Array<Record<string, unknown>>)[0];
    assert.equal(beijing?.['code'], 110000);
    assert.ok(Array.isArray(beijing?.['sub_list']));
    const certs = await h.api('query_icp_certificate_types', {}, token);
    assert.deepEqual(
      (certs['items'] as Array<Record<string, unknown>>).map((c) => c['subject_type']),
      [4, 5],
    );
    for (const name of [
      'query_icp_subject_types',
      'query_icp_nrlx_types',
      'query_icp_service_content_types',
    ] as const) {
      const res = await h.api(name, {}, token);
      assert.equal(res['errcode'], 0, name);
      assert.ok((res['items'] as unknown[]).length > 0, name);
    }
  });

  it('verifies the face, takes the application and files it through both reviews, pushing each result', async () => {
    const task = await h.api('create_icp_verifytask', {}, token);
    const taskId = String(task['task_id']);
    assert.deepEqual(
      { ...(await h.api('query_icp_verifytask', { task_id: taskId }, token)), errmsg: '' },
      { errcode: 0, errmsg: '', is_finish: false, face_status: 1 },
    );
    await h.control('POST', `/icp/${appid}`, { step: 'face', result: 'approved' });
    const facePush = h.platform.last();
    assert.equal(xmlText(facePush.xml, 'InfoType'), 'notify_icpfiling_verify_result');
    assert.equal(xmlText(facePush.xml, 'task_id'), taskId);
    assert.equal(xmlText(facePush.xml, 'verify_appid'), appid);
    assert.equal(xmlText(facePush.xml, 'result'), '3');
    const q = await h.api('query_icp_verifytask', { task_id: taskId }, token);
    assert.equal(q['face_status'], 3);
    assert.equal(q['is_finish'], true);

    const up = await upload(h, token, imageFields, image);
    assert.equal(up['type'], 'image');
    const applied = await h.api(
      'apply_icp_filing',
      icpApplication(String(up['media_id']), taskId),
      token,
    );
    assert.equal(applied['errcode'], 0, JSON.stringify(applied));
    assert.equal(await status(), 2);

    await h.control('POST', `/icp/${appid}`, { step: 'filing', result: 'approved' });
    assert.equal(xmlText(h.platform.last().xml, 'InfoType'), 'notify_apply_icpfiling_result');
    assert.equal(xmlText(h.platform.last().xml, 'authorizer_appid'), appid);
    assert.equal(xmlText(h.platform.last().xml, 'beian_status'), '4');
    assert.equal(await status(), 4);
    await h.control('POST', `/icp/${appid}`, { step: 'filing', result: 'approved' });
    assert.equal(xmlText(h.platform.last().xml, 'beian_status'), '6');
    assert.equal(await status(), 6);

    const order = await h.api('get_online_icp_order', {}, token);
    const applets = order['icp_applets'] as { base_info: Record<string, unknown> };
    assert.equal(applets.base_info['appid'], appid);
    assert.match(String(applets.base_info['record_number']), /ICP备\d+号-1X$/);
    const subject = order['icp_subject'] as { principal_info: Record<string, unknown> };
    assert.notEqual(subject.principal_info['certificate_number'], '110105199001011234');

    const again = await h.api(
      'apply_icp_filing',
      icpApplication(String(up['media_id']), taskId),
      token,
    );
    assert.equal(again['errcode'], 86202);
    assert.match(String(again['errmsg']), /already filed/);
    assert.equal(await status(), 6);
  });

  it('a rejection carries audit_data with the reviewer’s reason', async () => {
    const { media, taskId } = await ready();
    assert.equal(
      (await h.api('apply_icp_filing', icpApplication(media, taskId), token))['errcode'],
      0,
    );
    const res = await h.control('POST', `/icp/${appid}`, {
      step: 'filing',
      result: 'rejected',
      reason: '证件照片模糊',
    });
    assert.equal(res.status, 200);
    const info = (await h.api('get_icp_entrance_info', {}, token))['info'] as Record<
      string,
      unknown
    >;
    assert.equal(info['status'], 3);
    const reasons = info['audit_data'] as Array<Record<string, string>>;
    assert.equal(reasons[0]?.['error'], '证件照片模糊');
    assert.ok(reasons[0]?.['key_name']);
    assert.ok(reasons[0]?.['suggest']);
    assert.equal(xmlText(h.platform.last().xml, 'beian_status'), '3');
  });

  it('refuses media of the wrong type, format or size and stores nothing', async () => {
    const wrongType = await upload(h, token, { ...imageFields, type: 'audio' }, image);
    assert.equal(wrongType['errcode'], 40004);
    const pngAsVideo = await upload(h, token, { ...imageFields, type: 'video' }, image);
    assert.equal(pngAsVideo['errcode'], 40005);
    const text = await upload(h, token, imageFields, {
      bytes: Buffer.from('not an image at all'),
      name: 'id.png',
      type: 'image/png',
    });
    assert.equal(text['errcode'], 40005);
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    const tooBig = await upload(h, token, imageFields, { ...image, bytes: big });
    assert.equal(tooBig['errcode'], 40006);
    const missing = await upload(h, token, imageFields);
    assert.equal(missing['errcode'], 41005);
    const view = await h.control('GET', `/icp/${appid}`);
    assert.deepEqual(view.json['media'], []);

    const video = await upload(
      h,
      token,
      { type: 'video', icp_order_field: 'icp_materials.promise_video' },
      { bytes: MP4, name: 'promise.mp4', type: 'video/mp4' },
    );
    assert.equal(video['errcode'], 0, JSON.stringify(video));
    assert.equal(video['type'], 'video');
  });

  it('refuses an unknown district or certificate code, naming the field, and changes nothing', async () => {
    const { media, taskId } = await ready();
    const district = await h.api(
      'apply_icp_filing',
      icpApplication(media, taskId, '110199'),
      token,
    );
    assert.equal(district['errcode'], 86202);
    assert.deepEqual(
      (district['hints'] as Array<Record<string, unknown>>).map((x) => x['err_field']),
      ['icp_subject.base_info.district'],
    );
    const body = icpApplication(media, taskId);
    body.icp_subject.organize_info.certificate_type = 99;
    const cert = await h.api('apply_icp_filing', body, token);
    assert.equal(cert['errcode'], 86202);
    assert.deepEqual(
      (cert['hints'] as Array<Record<string, unknown>>).map((x) => x['err_field']),
      ['icp_subject.organize_info.certificate_type'],
    );
    assert.equal(await status(), 1024);

    assert.equal(
      (await h.api('apply_icp_filing', icpApplication(media, taskId), token))['errcode'],
      0,
    );
    const inReview = await h.api('apply_icp_filing', icpApplication(media, taskId), token);
    assert.equal(inReview['errcode'], 86202);
    assert.match(String(inReview['errmsg']), /under review/);
  });

  it('refuses an application without a passed face verification', async () => {
    const up = await upload(h, token, imageFields, image);
    const task = await h.api('create_icp_verifytask', {}, token);
    const res = await h.api(
      'apply_icp_filing',
      icpApplication(String(up['media_id']), String(task['task_id'])),
      token,
    );
    assert.equal(res['errcode'], 86202);
    assert.deepEqual(
      (res['hints'] as Array<Record<string, unknown>>).map((x) => x['err_field']),
      ['icp_applets.principal_info.verify_task_id'],
    );
  });

  it('the audit policy passes filings in review, one stage per period', async () => {
    const { media, taskId } = await ready();
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: 60 });
    assert.equal(
      (await h.api('apply_icp_filing', icpApplication(media, taskId), token))['errcode'],
      0,
    );
    await advance(h, 61);
    assert.equal(await status(), 4);
    await advance(h, 61);
    assert.equal(await status(), 6);
  });

  it('the control route checks its body and the state', async () => {
    const bad = await h.control('POST', `/icp/${appid}`, { step: 'filing', result: 'maybe' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json['error']), /result/);
    const noFace = await h.control('POST', `/icp/${appid}`, { step: 'face', result: 'approved' });
    assert.equal(noFace.status, 409);
    const noFiling = await h.control('POST', `/icp/${appid}`, {
      step: 'filing',
      result: 'rejected',
    });
    assert.equal(noFiling.status, 409);
    const unknown = await h.control('POST', '/icp/wx0000000000000000', {
      step: 'filing',
      result: 'approved',
    });
    assert.equal(unknown.status, 404);
    // Approved with no application: filed outside the platform (the merchant's own console).
    const filed = await h.control('POST', `/icp/${appid}`, { step: 'filing', result: 'approved' });
    assert.equal(filed.status, 200);
    assert.equal(await status(), 6);
  });
});
