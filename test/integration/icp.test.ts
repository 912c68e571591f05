import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { post, push } from '../support/pushes.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { icpApplication, MP4, PNG } from '../support/icp-fixtures.ts';

/**
 * ICP filing on behalf of a mini program, through openwx's admin routes, with the emulator
 * standing in for WeChat: face verification, media, application, reviews (pushes), tenant view,
 * the pre-flight's icp check, and bad input refused naming the field with nothing changed.
 */

type Json = Record<string, unknown>;
interface ErrorAnswer {
  error: { code: string; message: string; field?: string; params?: Json };
}
interface Filing {
  state: string;
  wechat_status: number | null;
  face_status: number | null;
  verify_task_id: string | null;
  audit_data: Array<{ key_name: string; error: string; suggest: string }>;
  media: Array<{ media_id: string; type: string }>;
  history: Array<{ kind: string; state: string; by: string }>;
}

describe('ICP filing', () => {
  let sb: Sandbox;
  const icp = (appid: string, rest = '') => `/api/admin/authorizers/${appid}/icp${rest}`;
  const filing = async (appid: string) => (await sb.call<Filing>(icp(appid))).body;
  const upload = (appid: string, body: Json) => sb.call<Json>(icp(appid, '/media'), 'POST', body);
  const image = {
    type: 'image',
    certificate_type: 2,
    icp_order_field: 'icp_subject.principal_info.certificate_photo_front',
    filename: 'id-front.png',
    content_base64: PNG.toString('base64'),
  };

  /** A mini program whose administrator passed the face verification, with one ID photo. */
  async function ready(nickname: string): Promise<{ appid: string; media: string; task: string }> {
    const appid = await authorizeMerchant(sb, { nickname });
    const started = await sb.call<Filing>(icp(appid, '/verification'), 'POST', {});
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await sb.control(`/icp/${appid}`, { step: 'face', result: 'approved' });
    await eventually(async () => (await filing(appid)).state === 'materials', 8000, 'face push');
    const up = await upload(appid, image);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    return {
      appid,
      media: String(up.body['media_id']),
      task: String(started.body.verify_task_id),
    };
  }

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
  });
  after(() => sb?.stop());

  test('a mini program is verified, applied for and filed; each push moves its state', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Tea house' });
    assert.equal((await filing(appid)).state, 'not_started');

    const dict = await sb.call<Record<string, Json[]>>(icp(appid, '/dictionaries'));
    assert.equal(dict.status, 200);
    assert.ok(dict.body['districts']?.some((d) => d['code'] === 110000));
    assert.ok((dict.body['certificate_types']?.length ?? 0) > 0);

    const started = await sb.call<Filing>(icp(appid, '/verification'), 'POST', {});
    assert.equal(started.body.state, 'verification');
    assert.equal(started.body.face_status, 1);
    const waiting = await sb.call<Json>(icp(appid, '/verification'));
    assert.equal(waiting.body['is_finish'], false);

    await sb.control(`/icp/${appid}`, { step: 'face', result: 'approved' });
    const verified = await eventually(async () => {
      const f = await filing(appid);
      return f.state === 'materials' ? f : undefined;
    }, 8000);
    assert.equal(verified.face_status, 3);
    assert.ok(verified.history.some((h) => h.kind === 'face_result' && h.by === 'wechat'));

    const up = await upload(appid, image);
    assert.equal(up.body['type'], 'image');
    const video = await upload(appid, {
      type: 'video',
      icp_order_field: 'icp_materials.promise_video',
      content_base64: MP4.toString('base64'),
    });
    assert.equal(video.status, 200, JSON.stringify(video.body));
    assert.equal((await filing(appid)).media.length, 2);

    const applied = await sb.call<Filing>(
      icp(appid, '/application'),
      'POST',
      icpApplication(String(up.body['media_id']), String(started.body.verify_task_id)),
    );
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.state, 'submitted');
    assert.equal(applied.body.wechat_status, 2);

    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await eventually(async () => (await filing(appid)).state === 'under_review', 8000);
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    const filed = await eventually(async () => {
      const f = await filing(appid);
      return f.state === 'filed' ? f : undefined;
    }, 8000);
    assert.equal(filed.wechat_status, 6);

    const order = await sb.call<{ icp_applets: { base_info: Json } }>(icp(appid, '/order'));
    assert.match(String(order.body.icp_applets.base_info['record_number']), /ICP备/);
  });

  test('a rejection shows WeChat’s reasons', async () => {
    const { appid, media, task } = await ready('Bakery');
    const applied = await sb.call(icp(appid, '/application'), 'POST', icpApplication(media, task));
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    await sb.control(`/icp/${appid}`, {
      step: 'filing',
      result: 'rejected',
      reason: '证件照片模糊',
    });
    const rejected = await eventually(async () => {
      const f = await filing(appid);
      return f.state === 'rejected' ? f : undefined;
    }, 8000);
    assert.equal(rejected.wechat_status, 3);
    assert.equal(rejected.audit_data[0]?.error, '证件照片模糊');
  });

  test('media of the wrong type, format or size is refused naming the field, nothing stored', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Noodles' });
    const cases: Array<[Json, string, string]> = [
      [{ ...image, type: 'audio' }, 'type', 'media_type_invalid'],
      [{ ...image, type: 'video' }, 'content_base64', 'media_format_invalid'],
      [
        { ...image, content_base64: Buffer.from('plain text').toString('base64') },
        'content_base64',
        'media_format_invalid',
      ],
      [
        {
          ...image,
          content_base64: Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]).toString('base64'),
        },
        'content_base64',
        'media_too_large',
      ],
      [{ ...image, content_base64: '***' }, 'content_base64', 'media_not_base64'],
    ];
    for (const [body, field, reason] of cases) {
      const res = await sb.call<ErrorAnswer>(icp(appid, '/media'), 'POST', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'bad_request');
      assert.equal(res.body.error.field, field);
      assert.equal(res.body.error.params?.['reason'], reason);
    }
    assert.deepEqual((await filing(appid)).media, []);
    const atWechat = await sb.control<{ media: unknown[] }>(`/icp/${appid}`);
    assert.deepEqual(atWechat.media, []);

    const noTask = await sb.call<ErrorAnswer>(icp(appid, '/verification'));
    assert.equal(noTask.status, 409);
    assert.equal(noTask.body.error.params?.['reason'], 'no_face_verification');
    const unknown = await sb.call<ErrorAnswer>(icp('wx00000000000000ff'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'not_found');
  });

  test('an unknown district or certificate code is refused naming the field; nothing is sent', async () => {
    const { appid, media, task } = await ready('Dumplings');
    const before = await filing(appid);
    const cases: Array<[Json, string]> = [
      [icpApplication(media, task, '110199'), 'icp_subject.base_info.district'],
      [icpApplication(media, task, '110105', 99), 'icp_subject.organize_info.certificate_type'],
    ];
    for (const [body, field] of cases) {
      const res = await sb.call<ErrorAnswer>(icp(appid, '/application'), 'POST', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.field, field);
      assert.match(String(res.body.error.params?.['reason']), /^unknown_/);
    }
    const afterwards = await filing(appid);
    assert.equal(afterwards.state, 'materials');
    assert.equal(afterwards.history.length, before.history.length);
    const atWechat = await sb.control<{ info: { status: number } }>(`/icp/${appid}`);
    assert.equal(atWechat.info.status, 1024);
  });

  test('a filing applied for while one is in review, or once filed, is refused', async () => {
    const { appid, media, task } = await ready('Hotpot');
    const body = icpApplication(media, task);
    assert.equal((await sb.call(icp(appid, '/application'), 'POST', body)).status, 200);
    const inReview = await sb.call<ErrorAnswer>(icp(appid, '/application'), 'POST', body);
    assert.equal(inReview.status, 409);
    assert.equal(inReview.body.error.code, 'conflict');
    assert.equal(inReview.body.error.params?.['reason'], 'filing_in_review');

    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await eventually(async () => (await filing(appid)).state === 'filed', 8000);
    const filed = await sb.call<ErrorAnswer>(icp(appid, '/application'), 'POST', body);
    assert.equal(filed.status, 409);
    assert.equal(filed.body.error.params?.['reason'], 'already_filed');
    assert.equal((await filing(appid)).state, 'filed');
  });

  test('an application is withdrawn, and a filing cancelled', async () => {
    const { appid, media, task } = await ready('Porridge');
    const nothing = await sb.call<ErrorAnswer>(icp(appid, '/application/withdraw'), 'POST');
    assert.equal(nothing.status, 502, 'nothing to withdraw: WeChat refuses');
    assert.equal(nothing.body.error.code, 'wechat_error');
    assert.equal(
      (await sb.call(icp(appid, '/application'), 'POST', icpApplication(media, task))).status,
      200,
    );
    const withdrawn = await sb.call<Filing>(icp(appid, '/application/withdraw'), 'POST');
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.equal(withdrawn.body.state, 'materials');
    assert.equal(withdrawn.body.wechat_status, 1024);

    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await eventually(async () => (await filing(appid)).state === 'filed', 8000);
    const badType = await sb.call<ErrorAnswer>(icp(appid, '/cancel'), 'POST', { cancel_type: 4 });
    assert.equal(badType.status, 400);
    assert.equal(badType.body.error.field, 'cancel_type');
    const cancelling = await sb.call<Filing & { is_canceling: boolean }>(
      icp(appid, '/cancel'),
      'POST',
      { cancel_type: 2 },
    );
    assert.equal(cancelling.status, 200, JSON.stringify(cancelling.body));
    assert.equal(cancelling.body.is_canceling, true);
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    const cancelled = await eventually(async () => {
      const f = await filing(appid);
      return f.wechat_status === 1024 ? f : undefined;
    }, 8000);
    assert.equal(cancelled.state, 'materials');
  });

  test('WeChat’s own refusal of a field (no passed face verification) is named too', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Bubble tea' });
    const up = await upload(appid, image);
    const started = await sb.call<Filing>(icp(appid, '/verification'), 'POST', {});
    const res = await sb.call<ErrorAnswer>(
      icp(appid, '/application'),
      'POST',
      icpApplication(String(up.body['media_id']), String(started.body.verify_task_id)),
    );
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.field, 'icp_applets.principal_info.verify_task_id');
    assert.equal(res.body.error.params?.['reason'], 'wechat_refused');
    assert.equal((await filing(appid)).state, 'verification');
  });

  test('the pre-flight fails a never-released mini program that is not filed, naming its state', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Sushi' });
    const pf = await sb.call<{
      ok: boolean;
      checks: Array<{ check: string; ok: boolean; detail: string }>;
    }>(`/api/admin/authorizers/${appid}/code/preflight`);
    assert.equal(pf.status, 200, JSON.stringify(pf.body));
    const check = pf.body.checks.find((c) => c.check === 'icp');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', /not ICP-filed \(WeChat status 1024/);

    await prepareForAudit(sb, appid);
    const after = await sb.call<{ checks: Array<{ check: string; ok: boolean }> }>(
      `/api/admin/authorizers/${appid}/code/preflight`,
    );
    assert.equal(after.body.checks.find((c) => c.check === 'icp')?.ok, true);
  });

  test('an ICP push without the mini program’s appid is refused and changes nothing', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Ramen' });
    const config = sb.openwx.config;
    const now = Math.floor(Date.now() / 1000);
    const xml = (fields: string) =>
      `<xml><AppId><![CDATA[${config.component.appid}]]></AppId><CreateTime>${now}</CreateTime>${fields}</xml>`;
    const cases: Array<[string, string]> = [
      [
        xml(
          '<InfoType><![CDATA[notify_apply_icpfiling_result]]></InfoType><beian_status>6</beian_status>',
        ),
        'authorizer_appid',
      ],
      [
        xml(
          '<InfoType><![CDATA[notify_icpfiling_verify_result]]></InfoType><task_id><![CDATA[t1]]></task_id><result>3</result>',
        ),
        'verify_appid',
      ],
    ];
    for (const [plain, field] of cases) {
      const res = await post(`${sb.url}/api/openwx/auth`, push(config, plain));
      assert.equal(res.status, 400);
      assert.equal(
        await res.text(),
        `field_invalid: ${plain.includes('verify') ? 'notify_icpfiling_verify_result' : 'notify_apply_icpfiling_result'} push without ${field}`,
      );
    }
    assert.equal((await filing(appid)).state, 'not_started');
    assert.deepEqual((await filing(appid)).history, []);
  });

  test('a tenant reads the filing of its own mini programs only; another tenant’s is 404', async () => {
    const mine = await authorizeMerchant(sb, { nickname: 'Mine' });
    const theirs = await authorizeMerchant(sb, { nickname: 'Theirs' });
    const tenant = async (name: string, appid: string) => {
      const t = await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name });
      const k = await sb.call<{ key: string }>(`/api/admin/tenants/${t.body.id}/keys`, 'POST', {});
      await sb.call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: t.body.id });
      return k.body.key;
    };
    const key = await tenant('Tenant A', mine);
    await tenant('Tenant B', theirs);
    await sb.call(icp(mine, '/verification'), 'POST', {});
    const asTenant = (appid: string) =>
      fetch(`${sb.url}/api/tenant/authorizers/${appid}/icp`, {
        headers: { authorization: `Bearer ${key}` },
      });
    const own = await asTenant(mine);
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as Filing).state, 'verification');
    const foreign = await asTenant(theirs);
    assert.equal(foreign.status, 404);
    const write = await fetch(`${sb.url}${icp(mine, '/verification')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(write.status, 401, 'a tenant key cannot drive the filing');
  });
});

describe('ICP filing on PostgreSQL', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ db: 'postgres' });
    await ensureComponentToken(sb);
  });
  after(() => sb?.stop());

  test('the filing moves from verification to filed, each step recorded once', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Postgres shop' });
    const icp = (rest = '') => `/api/admin/authorizers/${appid}/icp${rest}`;
    const filing = async () => (await sb.call<Filing>(icp())).body;
    const started = await sb.call<Filing>(icp('/verification'), 'POST', {});
    await sb.control(`/icp/${appid}`, { step: 'face', result: 'approved' });
    await eventually(async () => (await filing()).state === 'materials', 8000);
    const up = await sb.call<Json>(icp('/media'), 'POST', {
      type: 'image',
      certificate_type: 2,
      icp_order_field: 'icp_subject.principal_info.certificate_photo_front',
      content_base64: PNG.toString('base64'),
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const applied = await sb.call<Filing>(
      icp('/application'),
      'POST',
      icpApplication(String(up.body['media_id']), String(started.body.verify_task_id)),
    );
    assert.equal(applied.body.state, 'submitted', JSON.stringify(applied.body));
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await eventually(async () => (await filing()).state === 'under_review', 8000);
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    const filed = await eventually(async () => {
      const f = await filing();
      return f.state === 'filed' ? f : undefined;
    }, 8000);
    assert.deepEqual(filed.history.map((h) => h.kind).reverse(), [
      'face_started',
      'face_result',
      'media_uploaded',
      'applied',
      'status',
      'status',
    ]);
  });
});
