import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { xmlText } from '../../src/crypto/xml.ts';
import { advance, createHarness, PREFIX, type Harness } from './harness.ts';
import { commit, ITEMS, setup, submit, type Setup } from './pipeline.ts';

async function decide(h: Harness, auditid: number, body: Record<string, unknown>) {
  const res = await h.control('POST', `/audits/${auditid}`, body);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res;
}

async function shipVersion(h: Harness, s: Setup, version: string): Promise<void> {
  assert.equal((await commit(h, s, version))['errcode'], 0);
  await decide(h, await submit(h, s), { result: 'success' });
  assert.equal((await h.api('release', {}, s.token))['errcode'], 0);
}

describe('emulator: code pipeline', () => {
  let h: Harness;
  let s: Setup;
  beforeEach(async () => {
    h = await createHarness();
    s = await setup(h);
  });
  afterEach(() => h.close());

  it('commits, shows the trial QR code, audits with a push, releases and rolls back', async () => {
    assert.equal((await commit(h, s, '1.0.0'))['errcode'], 0);
    const pages = await h.api('get_page', {}, s.token);
    assert.deepEqual(pages['page_list'], [
      'pages/index/index',
      'pages/detail/detail',
      'pages/mine/mine',
    ]);

    const qr = await h.app.inject({
      method: 'GET',
      url: `${PREFIX}/wxa/get_qrcode?access_token=${encodeURIComponent(s.token)}&path=pages%2Findex%2Findex`,
    });
    assert.equal(qr.statusCode, 200);
    assert.equal(qr.headers['content-type'], 'image/jpeg');
    assert.match(String(qr.headers['content-disposition']), /QRCode\.jpg/);
    assert.equal(qr.rawPayload[0], 0xff);
    assert.equal(qr.rawPayload[1], 0xd8);

    const auditid = await submit(h, s);
    const status = await h.api('get_auditstatus', { auditid }, s.token);
    assert.equal(status['status'], 2);

    const before = h.platform.received.length;
    await decide(h, auditid, { result: 'success' });
    await h.platform.waitFor(before + 1);
    const push = h.platform.last();
    assert.ok(push.url.pathname.endsWith(`/callback/${s.appid}`));
    assert.equal(xmlText(push.xml, 'Event'), 'weapp_audit_success');
    assert.equal(xmlText(push.xml, 'MsgType'), 'event');
    assert.ok(Number(xmlText(push.xml, 'SuccTime')) > 0);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 0);

    assert.equal((await h.api('release', {}, s.token))['errcode'], 0);
    let info = await h.api('getversioninfo', {}, s.token);
    assert.equal((info['release_info'] as Record<string, unknown>)['release_version'], '1.0.0');

    await shipVersion(h, s, '1.1.0');
    info = await h.api('getversioninfo', {}, s.token);
    assert.equal((info['release_info'] as Record<string, unknown>)['release_version'], '1.1.0');

    assert.equal((await h.api('revertcoderelease', {}, s.token))['errcode'], 0);
    info = await h.api('getversioninfo', {}, s.token);
    assert.equal((info['release_info'] as Record<string, unknown>)['release_version'], '1.0.0');
    const history = await h.app.inject({
      method: 'GET',
      url: `${PREFIX}/wxa/revertcoderelease?access_token=${encodeURIComponent(s.token)}&action=get_history_version`,
    });
    assert.equal(history.json<{ version_list: unknown[] }>().version_list.length, 2);
    // A rollback cannot itself be rolled back.
    assert.equal((await h.api('revertcoderelease', {}, s.token))['errcode'], 87012);

    const view = await h.control('GET', `/mini-programs/${s.appid}/code`);
    assert.equal(view.status, 200);
    assert.equal((view.json['online'] as Record<string, unknown>)['user_version'], '1.0.0');
    assert.equal((view.json['online'] as Record<string, unknown>)['rollback'], true);
  });

  it('answers the documented errcodes for illegal transitions and changes nothing', async () => {
    assert.equal((await h.api('get_page', {}, s.token))['errcode'], 86001);
    assert.equal((await h.api('submit_audit', { item_list: ITEMS }, s.token))['errcode'], 85086);
    assert.equal((await h.api('release', {}, s.token))['errcode'], 85019);
    assert.equal((await h.api('revertcoderelease', {}, s.token))['errcode'], 87012);
    assert.equal((await h.api('grayrelease', { gray_percentage: 10 }, s.token))['errcode'], 85079);

    assert.equal((await commit(h, s))['errcode'], 0);
    assert.equal((await h.api('submit_audit', { item_list: [] }, s.token))['errcode'], 85023);
    const six = Array.from({ length: 6 }, () => ITEMS[0]);
    assert.equal((await h.api('submit_audit', { item_list: six }, s.token))['errcode'], 85023);
    const badCategory = [{ ...ITEMS[0], first_id: 3, second_id: 301 }];
    assert.equal(
      (await h.api('submit_audit', { item_list: badCategory }, s.token))['errcode'],
      85008,
    );
    const auditid = await submit(h, s);
    // Submitting while an audit is in flight, with WeChat's text.
    const twice = await h.api('submit_audit', { item_list: ITEMS }, s.token);
    assert.equal(twice['errcode'], 85009);
    assert.match(String(twice['errmsg']), /^already submit a version under auditing rid: /);
    // Releasing without an approved audit.
    assert.equal((await h.api('release', {}, s.token))['errcode'], 85020);
    // release and getversioninfo need a body.
    const empty = await h.app.inject({
      method: 'POST',
      url: `${PREFIX}/wxa/release?access_token=${encodeURIComponent(s.token)}`,
    });
    assert.equal(empty.json<{ errcode: number }>().errcode, 44002);

    await decide(h, auditid, { result: 'delay', reason: 'more checks' });
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 4);
    assert.equal((await h.api('submit_audit', { item_list: ITEMS }, s.token))['errcode'], 85009);
    assert.equal((await h.api('release', {}, s.token))['errcode'], 85020);
    // A delayed audit cannot be delayed again, and an unknown audit is 404.
    assert.equal((await h.control('POST', `/audits/${auditid}`, { result: 'delay' })).status, 409);
    assert.equal((await h.control('POST', '/audits/1', { result: 'success' })).status, 404);
    assert.equal((await h.control('POST', `/audits/${auditid}`, { result: 'maybe' })).status, 400);
    assert.equal((await h.api('get_auditstatus', { auditid: 1 }, s.token))['errcode'], 85012);

    const view = await h.control('GET', `/mini-programs/${s.appid}/code`);
    assert.equal(view.json['online'], null);
    assert.equal((view.json['audit'] as Record<string, unknown>)['status'], 4);
  });

  it('accepts a submission without item_list, as WeChat does', async () => {
    assert.equal((await commit(h, s))['errcode'], 0);
    const res = await h.api('submit_audit', { version_desc: 'no items' }, s.token);
    assert.equal(res['errcode'], 0, JSON.stringify(res));
    assert.equal(typeof res['auditid'], 'number');
    const status = await h.api('get_auditstatus', { auditid: res['auditid'] }, s.token);
    assert.equal(status['status'], 2);
  });

  it('withdraws an audit, then allows a new submission', async () => {
    assert.equal((await commit(h, s))['errcode'], 0);
    const auditid = await submit(h, s);
    assert.equal((await h.api('undocodeaudit', {}, s.token))['errcode'], 0);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 3);
    assert.equal(
      (await h.control('POST', `/audits/${auditid}`, { result: 'success' })).status,
      409,
    );
    assert.equal((await h.api('release', {}, s.token))['errcode'], 85020);
    const next = await submit(h, s);
    assert.notEqual(next, auditid);
    const latest = await h.api('get_latest_auditstatus', {}, s.token);
    assert.equal(latest['auditid'], next);
    assert.equal(latest['status'], 2);
  });

  it('stops submissions when the monthly audit quota is used up', async () => {
    const set = await h.control('POST', '/audit-quota', { limit: 1, used: 0 });
    assert.equal(set.status, 200);
    assert.equal((await commit(h, s))['errcode'], 0);
    const auditid = await submit(h, s);
    const quota = await h.api('queryquota', {}, s.token);
    assert.equal(quota['rest'], 0);
    assert.equal(quota['limit'], 1);
    assert.equal((await h.api('undocodeaudit', {}, s.token))['errcode'], 0);
    assert.equal((await h.api('submit_audit', { item_list: ITEMS }, s.token))['errcode'], 85085);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 3);
    assert.equal((await h.control('POST', '/audit-quota', { limit: -1 })).status, 400);
  });

  it('rejects an unknown template and invalid ext_json', async () => {
    const unknown = await h.api(
      'commit',
      { template_id: 9999, ext_json: '{}', user_version: '1', user_desc: 'x' },
      s.token,
    );
    assert.equal(unknown['errcode'], 85014);
    // WeChat answers 85048 "parse ext.json failed" for an ext_json it cannot read.
    const notJson = await commit(h, s, '1', '{not json');
    assert.equal(notJson['errcode'], 85048);
    assert.match(String(notJson['errmsg']), /^parse ext\.json failed/);
    assert.equal((await commit(h, s, '1', '[]'))['errcode'], 85048);
    assert.equal(
      (await commit(h, s, '1', JSON.stringify({ extAppid: 'wxother' })))['errcode'],
      85013,
    );
    const big = JSON.stringify({ extAppid: s.appid, ext: { blob: 'x'.repeat(600 * 1024) } });
    assert.equal((await commit(h, s, '1', big))['errcode'], 85013);
    assert.equal((await commit(h, s, '1', JSON.stringify({ pages: [] })))['errcode'], 85047);
    assert.equal(
      (await commit(h, s, '1', JSON.stringify({ pages: ['pages/x'] })))['errcode'],
      85045,
    );
    const asObject = await h.api(
      'commit',
      { template_id: s.templateId, ext_json: {}, user_version: '1', user_desc: 'x' },
      s.token,
    );
    assert.equal(asObject['errcode'], 47001);
    assert.equal((await h.api('get_page', {}, s.token))['errcode'], 86001);
  });

  it('pushes weapp_audit_fail with the reason and screenshots', async () => {
    assert.equal((await commit(h, s))['errcode'], 0);
    const auditid = await submit(h, s);
    const before = h.platform.received.length;
    await decide(h, auditid, {
      result: 'fail',
      reason: '1: example rejection reason<br>',
      screenshots: ['MEDIA_ID_1', 'MEDIA_ID_2'],
    });
    await h.platform.waitFor(before + 1);
    const push = h.platform.last();
    assert.ok(push.signatureOk);
    assert.equal(xmlText(push.xml, 'Event'), 'weapp_audit_fail');
    assert.equal(xmlText(push.xml, 'Reason'), '1: example rejection reason<br>');
    assert.equal(xmlText(push.xml, 'ScreenShot'), 'MEDIA_ID_1|MEDIA_ID_2');
    assert.ok(Number(xmlText(push.xml, 'FailTime')) > 0);
    const status = await h.api('get_auditstatus', { auditid }, s.token);
    assert.equal(status['status'], 1);
    assert.equal(status['screenshot'], 'MEDIA_ID_1|MEDIA_ID_2');
    // A rejected version can be fixed and submitted again.
    assert.equal((await commit(h, s, '1.0.1'))['errcode'], 0);
    assert.ok((await submit(h, s)) > auditid);
  });

  it('answers 61039 while the privacy scan runs and applies the audit policy', async () => {
    const policy = await h.control('POST', '/audit-policy', {
      privacy_scan_seconds: 60,
      auto_pass_after_seconds: 3600,
    });
    assert.equal(policy.status, 200);
    assert.equal((await commit(h, s))['errcode'], 0);
    assert.equal((await h.api('submit_audit', { item_list: ITEMS }, s.token))['errcode'], 61039);
    await advance(h, 61);
    const auditid = await submit(h, s);
    const before = h.platform.received.length;
    await advance(h, 3601);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 0);
    await h.platform.waitFor(before + 1);
    assert.equal(xmlText(h.platform.last().xml, 'Event'), 'weapp_audit_success');
  });

  it('runs a phased release and changes the visit status', async () => {
    await shipVersion(h, s, '1.0.0');
    assert.equal((await commit(h, s, '1.1.0'))['errcode'], 0);
    const auditid = await submit(h, s);
    assert.equal((await h.api('grayrelease', { gray_percentage: 10 }, s.token))['errcode'], 85080);
    await decide(h, auditid, { result: 'success' });
    assert.equal((await h.api('grayrelease', { gray_percentage: 101 }, s.token))['errcode'], 85081);
    assert.equal((await h.api('grayrelease', { gray_percentage: 10 }, s.token))['errcode'], 0);
    assert.equal((await h.api('grayrelease', { gray_percentage: 5 }, s.token))['errcode'], 85082);
    assert.equal((await h.api('grayrelease', { gray_percentage: 50 }, s.token))['errcode'], 0);
    const plan = await h.api('getgrayreleaseplan', {}, s.token);
    const p = plan['gray_release_plan'] as Record<string, unknown>;
    assert.equal(p['status'], 1);
    assert.equal(p['gray_percentage'], 50);
    assert.equal((await h.api('revertcoderelease', {}, s.token))['errcode'], 87011);
    assert.equal((await h.api('revertgrayrelease', {}, s.token))['errcode'], 0);
    const after = await h.api('getgrayreleaseplan', {}, s.token);
    assert.equal((after['gray_release_plan'] as Record<string, unknown>)['status'], 4);

    assert.equal(
      (await h.api('change_visitstatus', { action: 'pause' }, s.token))['errcode'],
      85022,
    );
    assert.equal((await h.api('change_visitstatus', { action: 'close' }, s.token))['errcode'], 0);
    const view = await h.control('GET', `/mini-programs/${s.appid}/code`);
    assert.equal(view.json['visit_status'], 'closed');
    const categories = await h.api('get_category', {}, s.token);
    assert.deepEqual(
      (categories['category_list'] as Array<Record<string, unknown>>).map((c) => c['second_id']),
      [101],
    );
  });
  it('fails audits by policy, limits withdrawals and takes rate-limit faults', async () => {
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: 10, fail_percent: 100 });
    assert.equal((await commit(h, s))['errcode'], 0);
    const auditid = await submit(h, s);
    await advance(h, 11);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 1);
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: null });

    for (let i = 0; i < 5; i++) {
      await submit(h, s);
      assert.equal((await h.api('undocodeaudit', {}, s.token))['errcode'], 0);
    }
    await submit(h, s);
    assert.equal((await h.api('undocodeaudit', {}, s.token))['errcode'], 87013);

    const fault = await h.control('POST', '/faults', { endpoint: 'commit', errcode: 45011 });
    assert.equal(fault.status, 200, JSON.stringify(fault.json));
    assert.equal((await commit(h, s, '2.0.0'))['errcode'], 45011);
    assert.equal((await commit(h, s, '2.0.0'))['errcode'], 0);
  });
});
