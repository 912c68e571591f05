import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildEncryptedReplyXml } from '../../src/crypto/wx-biz-msg-crypt.ts';
import { buildXml } from '../../src/crypto/xml.ts';
import { endpointList } from '../../src/wechat/endpoints/index.ts';
import { findHandler, routeGroups } from '../../src/emulator/index.ts';
import { COMPONENT, createHarness, hangingResponder, PREFIX, type Harness } from './harness.ts';

describe('emulator: endpoint coverage', () => {
  it('has a handler and a route for every row of the endpoint table', async () => {
    const missing = endpointList.filter((row) => !findHandler(row.name)).map((row) => row.name);
    assert.deepEqual(missing, []);
    const h = await createHarness();
    try {
      const routed = new Set(routeGroups().map((g) => `${g.method} ${g.path}`));
      for (const row of endpointList) {
        assert.ok(routed.has(`${row.method} ${row.path}`), row.name);
        const res = await h.app.inject({ method: row.method, url: `${PREFIX}${row.path}` });
        assert.equal(res.statusCode, 200, row.name);
        assert.equal(typeof res.json<{ errcode: unknown }>().errcode, 'number', row.name);
      }
    } finally {
      await h.close();
    }
  });
});

describe('emulator: control API', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('answers 40066 for an unknown API path and 404 for an unknown control route', async () => {
    const res = await h.app.inject({ method: 'POST', url: `${PREFIX}/cgi-bin/component/nope` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ errcode: number }>().errcode, 40066);
    assert.equal((await h.control('GET', '/nope')).status, 404);
  });

  it('answers 400 with a reason for bad bodies', async () => {
    const cases: Array<[string, unknown]> = [
      ['/merchants', '{not json'],
      ['/merchants', { type: 'channels', nickname: 'x' }],
      ['/merchants', { type: 'miniprogram' }],
      ['/authorize', { appid: 'wx00' }],
      ['/authorize', { pre_auth_code: 'preauthcode@@@unknown', appid: 'wx00' }],
      ['/unauthorize', {}],
      ['/messages', { appid: 'wx00', openid: 'o1' }],
      ['/messages', { appid: 'wx0000000000000000', openid: 'o1', content: 'hi' }],
      ['/events', { appid: 'wx00', xml: '<xml><a>' }],
      ['/auth-events', { xml: '<!DOCTYPE x><xml></xml>' }],
      ['/faults', { endpoint: 'api_component_token' }],
      ['/faults', { endpoint: 'no_such_endpoint', errcode: -1 }],
      ['/faults', { endpoint: 'api_component_token', errcode: -1, times: 0 }],
      ['/clock', { advanceSeconds: -5 }],
      ['/clock', { advanceSeconds: 'soon' }],
      ['/quota', { path: 'relative', dailyLimit: 1 }],
    ];
    for (const [path, body] of cases) {
      const res = await h.control('POST', path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(typeof res.json['error'], 'string');
      assert.ok(String(res.json['error']).length > 0);
    }
  });

  it('lists created merchants', async () => {
    const created = await h.control('POST', '/merchants', {
      type: 'miniprogram',
      nickname: '小程序 X',
    });
    assert.equal(created.status, 200);
    const list = await h.control('GET', '/merchants');
    const merchants = list.json['merchants'] as Array<Record<string, unknown>>;
    assert.ok(
      merchants.some((m) => m['appid'] === created.json['appid'] && m['nickname'] === '小程序 X'),
    );
  });

  it('counts every call per path, failed ones included, and resets', async () => {
    await h.control('POST', '/stats/reset');
    await h.api('api_create_preauthcode', {});
    await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, 'bad');
    await h.componentToken();
    await h.app.inject({
      method: 'POST',
      url: `${PREFIX}/cgi-bin/component/api_create_preauthcode?access_token=x&y=1`,
    });
    const stats = await h.control('GET', '/stats');
    assert.deepEqual(stats.json, {
      calls: {
        '/cgi-bin/component/api_create_preauthcode': 3,
        '/cgi-bin/component/api_component_token': 1,
      },
      by_appid: {},
    });
    await h.control('POST', '/stats/reset');
    assert.deepEqual((await h.control('GET', '/stats')).json, { calls: {}, by_appid: {} });
  });

  it('faults answer the errcode for the next N calls, then calls work again', async () => {
    const token = await h.componentToken();
    const body = { component_appid: COMPONENT.appid };
    const added = await h.control('POST', '/faults', {
      endpoint: 'api_create_preauthcode',
      errcode: -1,
      times: 2,
    });
    assert.equal(added.status, 200);
    const first = await h.api('api_create_preauthcode', body, token);
    assert.equal(first['errcode'], -1);
    assert.match(String(first['errmsg']), /^system error rid: /);
    assert.equal((await h.api('api_create_preauthcode', body, token))['errcode'], -1);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, token))['pre_auth_code'],
      'string',
    );

    await h.control('POST', '/faults', {
      endpoint: '/cgi-bin/component/api_create_preauthcode',
      errcode: 45009,
      times: 5,
    });
    assert.equal((await h.api('api_create_preauthcode', body, token))['errcode'], 45009);
    const cleared = await h.control('DELETE', '/faults');
    assert.equal(cleared.json['cleared'], 1);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, token))['pre_auth_code'],
      'string',
    );
  });

  it('fault latency delays the answer without changing it', async () => {
    const token = await h.componentToken();
    await h.control('POST', '/faults', { endpoint: 'api_create_preauthcode', latencyMs: 120 });
    const started = performance.now();
    const res = await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    assert.ok(performance.now() - started >= 110);
    assert.equal(typeof res['pre_auth_code'], 'string');
    const again = performance.now();
    await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    assert.ok(performance.now() - again < 100);
  });

  it('daily quota: 45009 at the limit, quota_get reports it, clear_quota resets (48006 after 10)', async () => {
    const token = await h.componentToken();
    const path = '/cgi-bin/component/api_create_preauthcode';
    const set = await h.control('POST', '/quota', { path, dailyLimit: 2 });
    assert.equal(set.json['dailyLimit'], 2);
    const body = { component_appid: COMPONENT.appid };
    await h.api('api_create_preauthcode', body, token);
    await h.api('api_create_preauthcode', body, token);
    assert.equal((await h.api('api_create_preauthcode', body, token))['errcode'], 45009);
    const quota = await h.api('quota_get', { cgi_path: path }, token);
    assert.deepEqual(quota['quota'], { daily_limit: 2, used: 2, remain: 0 });
    assert.equal(
      (await h.api('quota_get', { cgi_path: '/cgi-bin/nope' }, token))['errcode'],
      76021,
    );
    assert.equal(
      (await h.api('clear_quota', { appid: 'wx0000000000000000' }, token))['errcode'],
      40013,
    );
    for (let i = 0; i < 9; i++) {
      assert.deepEqual(await h.api('clear_quota', { appid: COMPONENT.appid }, token), {
        errcode: 0,
        errmsg: 'ok',
      });
    }
    const v2 = { component_appid: COMPONENT.appid, appsecret: COMPONENT.appsecret };
    assert.equal((await h.api('clear_quota_v2', { ...v2, appsecret: 'wrong' }))['errcode'], 40125);
    assert.equal((await h.api('clear_quota_v2', v2))['errcode'], 0);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, token))['pre_auth_code'],
      'string',
    );
    assert.equal((await h.api('clear_quota', { appid: COMPONENT.appid }, token))['errcode'], 48006);
    assert.equal((await h.api('clear_quota_v2', v2))['errcode'], 48006);
  });

  it('authorizer_clear_quota shares the path and resets the authorizer’s own quota', async () => {
    const a = await h.authorized();
    const token = await h.componentToken();
    const res = await h.api('authorizer_clear_quota', { appid: a.appid }, a.accessToken);
    assert.deepEqual(res, { errcode: 0, errmsg: 'ok' });
    const other = await h.api('authorizer_clear_quota', { appid: COMPONENT.appid }, a.accessToken);
    assert.equal(other['errcode'], 40013);
    assert.deepEqual(await h.api('clear_quota', { appid: COMPONENT.appid }, token), {
      errcode: 0,
      errmsg: 'ok',
    });
  });

  it('quota_get with an authorizer token reads that authorizer’s API quota; /sns/ paths are 76022', async () => {
    const mp = await h.authorized('miniprogram');
    const token = await h.componentToken();
    const path = '/wxa/get_page';
    const limit = await h.control('POST', '/quota', { path, appid: mp.appid, dailyLimit: 5 });
    assert.equal(limit.status, 200);
    await h.api('get_page', {}, mp.accessToken);
    await h.api('get_page', {}, mp.accessToken);
    const own = await h.api('authorizer_quota_get', { cgi_path: path }, mp.accessToken);
    assert.equal(own['errcode'], 0, JSON.stringify(own));
    assert.deepEqual(own['quota'], { daily_limit: 5, used: 2, remain: 3 });
    // The platform's token cannot read an authorizer API, nor an authorizer a platform API.
    const refused = await h.api('quota_get', { cgi_path: path }, token);
    assert.equal(refused['errcode'], 76022);
    assert.match(String(refused['errmsg']), /^could not use this cgi_path,no permission/);
    const platformPath = '/cgi-bin/component/api_create_preauthcode';
    assert.equal(
      (await h.api('authorizer_quota_get', { cgi_path: platformPath }, mp.accessToken))['errcode'],
      76022,
    );
    const sns = '/sns/component/jscode2session';
    assert.equal((await h.api('quota_get', { cgi_path: sns }, token))['errcode'], 76022);
  });

  it('the clock endpoint moves the emulator clock', async () => {
    const before = h.emulator.state.clock.now();
    const res = await h.control('POST', '/clock', { advanceSeconds: 3600 });
    assert.equal(res.status, 200);
    assert.ok(Number(res.json['now']) - before >= 3_600_000);
    assert.equal(res.json['offsetMs'], 3_600_000);
  });

  it('pushes arbitrary auth events and events', async () => {
    const a = await h.authorized('miniprogram');
    const authEvent = await h.control('POST', '/auth-events', {
      xml: buildXml({ AppId: COMPONENT.appid, InfoType: 'notify_third_fasteregister' }),
    });
    assert.equal(authEvent.json['ok'], true);
    assert.equal(h.platform.last().xml['InfoType'], 'notify_third_fasteregister');
    assert.equal(h.platform.last().url.pathname, '/api/openwx/auth');

    const event = buildXml({
      ToUserName: 'gh_000000000000',
      FromUserName: 'oSYSTEM',
      CreateTime: 1700000000,
      MsgType: 'event',
      Event: 'weapp_audit_success',
      SuccTime: 1700000000,
    });
    const res = await h.control('POST', '/events', { appid: a.appid, xml: event });
    assert.equal(res.json['ok'], true);
    const push = h.platform.last();
    assert.equal(push.url.pathname, `/api/openwx/callback/${a.appid}`);
    assert.equal(push.url.searchParams.get('openid'), null);
    assert.equal(push.plaintext, event);
  });
});

describe('emulator: message pushes', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('pushes a user text with a 64-bit MsgId and returns the decrypted passive reply', async () => {
    h = await createHarness();
    const a = await h.authorized();
    const merchant = h.emulator.state.merchants.get(a.appid);
    h.platform.respond = (push) => {
      const reply = buildXml({
        ToUserName: 'o-fan',
        FromUserName: push.xml['ToUserName'],
        CreateTime: 1,
        MsgType: 'text',
        Content: 'pong',
      });
      const sealed = h.platform.crypt.seal(reply, '1700000000', '42');
      return new Response(buildEncryptedReplyXml(sealed));
    };
    const res = await h.control('POST', '/messages', {
      appid: a.appid,
      openid: 'o-fan',
      content: 'ping',
    });
    assert.equal(res.status, 200);
    assert.equal(res.json['ok'], true);
    assert.equal(res.json['attempts'], 1);
    assert.match(String(res.json['reply']), /<Content><!\[CDATA\[pong\]\]><\/Content>/);
    const push = h.platform.last();
    assert.equal(push.url.searchParams.get('openid'), 'o-fan');
    assert.equal(push.url.searchParams.get('encrypt_type'), 'aes');
    assert.ok(push.signatureOk);
    assert.equal(push.xml['ToUserName'], merchant?.user_name);
    assert.equal(push.xml['Content'], 'ping');
    const msgId = String(push.xml['MsgId']);
    assert.equal(msgId, res.json['msg_id']);
    assert.ok(BigInt(msgId) > BigInt(Number.MAX_SAFE_INTEGER));
    assert.ok(BigInt(msgId) < 1n << 64n);
    const second = await h.control('POST', '/messages', {
      appid: a.appid,
      openid: 'o-fan',
      content: 'again',
    });
    assert.notEqual(second.json['msg_id'], msgId);
  });

  it('retries 3 times with the identical payload when the receiver fails', async () => {
    h = await createHarness();
    const a = await h.authorized();
    h.platform.respond = () => new Response('oops', { status: 502 });
    const n0 = h.platform.received.length;
    const failed = await h.control('POST', '/messages', {
      appid: a.appid,
      openid: 'o-fan',
      content: 'hi',
    });
    assert.equal(failed.json['ok'], false);
    assert.equal(failed.json['attempts'], 3);
    const attempts = h.platform.received.slice(n0);
    assert.equal(attempts.length, 3);
    assert.ok(
      attempts.every((p) => p.body === attempts[0]?.body && p.url.href === attempts[0]?.url.href),
    );

    let calls = 0;
    h.platform.respond = () => (++calls < 2 ? new Response('bad reply') : new Response('success'));
    const n1 = h.platform.received.length;
    const ok = await h.control('POST', '/messages', {
      appid: a.appid,
      openid: 'o-fan',
      content: 'hi',
    });
    assert.equal(ok.json['ok'], true);
    assert.equal(ok.json['attempts'], 2);
    assert.equal(h.platform.received.length - n1, 2);

    h.platform.respond = () => new Response('');
    const n2 = h.platform.received.length;
    const empty = await h.control('POST', '/messages', {
      appid: a.appid,
      openid: 'o-fan',
      content: 'hi',
    });
    assert.equal(empty.json['attempts'], 1);
    assert.equal(h.platform.received.length - n2, 1);
  });

  it('gives each attempt its own timeout', async () => {
    h = await createHarness({ pushTimeoutMs: 40 });
    const a = await h.authorized();
    h.platform.respond = hangingResponder;
    const started = performance.now();
    const res = await h.emulator.pushMessage(
      a.appid,
      buildXml({
        ToUserName: 'gh_000000000000',
        FromUserName: 'o-fan',
        CreateTime: 1,
        MsgType: 'text',
        Content: 'x',
      }),
    );
    assert.equal(res.ok, false);
    assert.equal(res.attempts, 3);
    assert.match(String(res.error), /timed out/);
    assert.ok(performance.now() - started >= 110);
  });
});
