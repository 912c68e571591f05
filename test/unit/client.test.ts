import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WechatApiError, WechatTransportError } from '../../src/wechat/errors.ts';
import {
  AUTHORIZER_APPID,
  BASE,
  COMPONENT_APPID,
  SECRET,
  TICKET,
  failure,
  preAuthOk,
  setup,
  tokenRequest,
} from './wechat-fakes.ts';

/**
 * The one WeChat executor (design §3.1–3.2): token injection, errcode-in-200, retry once on a
 * stale token, back off when busy, redacted errors. The transport and the token source are fakes.
 */

describe('wechat client: requests', () => {
  it('puts the component token in component_access_token for the legacy component endpoints', async () => {
    const { client, calls, tokens } = setup([{ body: preAuthOk }]);
    const res = await client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID });
    assert.deepEqual(res, preAuthOk);
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.method, 'POST');
    assert.equal(
      call.url.origin + call.url.pathname,
      `${BASE}/cgi-bin/component/api_create_preauthcode`,
    );
    assert.equal(call.url.searchParams.get('component_access_token'), 'CTOKEN_1');
    assert.equal(call.url.searchParams.has('access_token'), false);
    assert.equal(call.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(call.body ?? ''), { component_appid: COMPONENT_APPID });
    assert.deepEqual(tokens.gets, [{ kind: 'component', appid: undefined }]);
  });

  it('puts the authorizer token of the given appid in access_token for authorizer endpoints', async () => {
    const { client, calls, tokens } = setup([
      { body: { option_name: 'voice_recognize', option_value: '1' } },
    ]);
    const res = await client.call(
      'get_authorizer_option',
      { option_name: 'voice_recognize' },
      { appid: AUTHORIZER_APPID },
    );
    assert.equal(res.option_value, '1');
    const q = calls[0]!.url.searchParams;
    assert.equal(q.get('access_token'), `ATOKEN_${AUTHORIZER_APPID}_1`);
    assert.equal(q.has('component_access_token'), false);
    assert.deepEqual(tokens.gets, [{ kind: 'authorizer', appid: AUTHORIZER_APPID }]);
  });

  it('puts the component token in access_token where the endpoint says so', async () => {
    const { client, calls } = setup([{ body: { quota: { daily_limit: 10, used: 1, remain: 9 } } }]);
    await client.call('quota_get', { cgi_path: '/cgi-bin/component/api_component_token' });
    assert.equal(calls[0]!.url.searchParams.get('access_token'), 'CTOKEN_1');
    assert.equal(calls[0]!.url.searchParams.has('component_access_token'), false);
  });

  it('sends no token at all to api_component_token', async () => {
    const { client, calls, tokens } = setup([
      { body: { component_access_token: 'NEW', expires_in: 7200 } },
    ]);
    const res = await client.call('api_component_token', tokenRequest);
    assert.equal(res.component_access_token, 'NEW');
    assert.equal([...calls[0]!.url.searchParams.keys()].length, 0);
    assert.deepEqual(JSON.parse(calls[0]!.body ?? ''), tokenRequest);
    assert.equal(tokens.gets.length, 0);
  });

  it('treats errcode 0 with errmsg "ok" as success', async () => {
    const { client } = setup([{ body: { errcode: 0, errmsg: 'ok' } }]);
    const res = await client.call(
      'set_authorizer_option',
      { option_name: 'voice_recognize', option_value: '1' },
      { appid: AUTHORIZER_APPID },
    );
    assert.equal(res.errcode, 0);
  });

  it('refuses an invalid request body without any HTTP call', async () => {
    const { client, calls, tokens } = setup([]);
    const err = await failure(
      client.call('api_component_token', {
        component_appid: COMPONENT_APPID,
        component_appsecret: SECRET,
      } as unknown as typeof tokenRequest),
    );
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.errcode, 47001);
    assert.match(err.errmsg, /component_verify_ticket/, 'the error names the missing field');
    assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes(SECRET));
    const err2 = await failure(
      client.call('api_get_authorizer_list', {
        component_appid: COMPONENT_APPID,
        offset: -1,
        count: 10,
      }),
    );
    assert.ok(err2 instanceof WechatApiError);
    assert.match(err2.errmsg, /offset/);
    assert.equal(calls.length, 0);
    assert.equal(tokens.gets.length, 0);
  });
});

describe('wechat client: errors', () => {
  it('turns an errcode in an HTTP 200 into a WechatApiError without any secret in it', async () => {
    const { client, calls } = setup([
      { body: { errcode: 40125, errmsg: 'invalid appsecret rid: 0a1b2c3d-0a1b2c3d-0a1b2c3d' } },
    ]);
    const err = await failure(client.call('api_component_token', tokenRequest));
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.errcode, 40125);
    assert.equal(err.errmsg, 'invalid appsecret rid: 0a1b2c3d-0a1b2c3d-0a1b2c3d');
    assert.equal(err.endpoint, 'api_component_token');
    assert.equal(err.category, 'caller');
    assert.match(err.message, /api_component_token/);
    assert.match(err.message, /40125/);
    const request = err.details?.['request'] as Record<string, unknown>;
    assert.equal(request['component_appid'], COMPONENT_APPID, 'non-secret fields stay readable');
    assert.notEqual(request['component_appsecret'], SECRET);
    assert.notEqual(request['component_verify_ticket'], TICKET);
    const everything = JSON.stringify({
      message: err.message,
      details: err.details,
      stack: err.stack,
    });
    assert.ok(!everything.includes(SECRET), 'the app secret leaks into the error');
    assert.ok(!everything.includes(TICKET), 'the ticket leaks into the error');
    assert.equal(calls.length, 1, 'a caller error is not retried');
  });

  it('keeps the token out of an API error of a token-carrying endpoint', async () => {
    const { client } = setup([
      { body: { errcode: 61004, errmsg: 'access clientip is not registered' } },
    ]);
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.errcode, 61004);
    assert.ok(!JSON.stringify({ m: err.message, d: err.details, s: err.stack }).includes('CTOKEN'));
  });

  it('sorts quota errcodes as quota', async () => {
    const { client } = setup([
      { body: { errcode: 45009, errmsg: 'reach max api daily quota limit' } },
    ]);
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.category, 'quota');
  });

  it('answers that are not JSON become a WechatTransportError', async () => {
    const { client } = setup([{ status: 502, body: '<html>Bad Gateway</html>' }]);
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatTransportError);
    assert.equal(err.endpoint, 'api_create_preauthcode');
    assert.match(err.message, /502/);
    assert.ok(!err.message.includes('CTOKEN'));
  });

  it('answers that do not have the documented shape become a WechatTransportError', async () => {
    const { client } = setup([{ body: { expires_in: 7200 } }]);
    const err = await failure(client.call('api_component_token', tokenRequest));
    assert.ok(err instanceof WechatTransportError);
  });
});

describe('wechat client: stale tokens', () => {
  for (const errcode of [40001, 40014, 42001]) {
    it(`${errcode}: invalidates that token once, fetches a new one and retries once`, async () => {
      const { client, calls, tokens } = setup([
        { body: { errcode, errmsg: 'invalid credential' } },
        { body: preAuthOk },
      ]);
      const res = await client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID });
      assert.deepEqual(res, preAuthOk);
      assert.deepEqual(tokens.invalidations, [
        { kind: 'component', token: 'CTOKEN_1', appid: undefined },
      ]);
      assert.equal(tokens.gets.length, 2);
      assert.equal(calls.length, 2);
      assert.equal(calls[0]!.url.searchParams.get('component_access_token'), 'CTOKEN_1');
      assert.equal(calls[1]!.url.searchParams.get('component_access_token'), 'CTOKEN_2');
    });
  }

  it('invalidates the authorizer token of that appid', async () => {
    const { client, calls, tokens } = setup([
      { body: { errcode: 42001, errmsg: 'access_token expired' } },
      { body: { option_name: 'location_report', option_value: '0' } },
    ]);
    await client.call(
      'get_authorizer_option',
      { option_name: 'location_report' },
      { appid: AUTHORIZER_APPID },
    );
    assert.deepEqual(tokens.invalidations, [
      { kind: 'authorizer', token: `ATOKEN_${AUTHORIZER_APPID}_1`, appid: AUTHORIZER_APPID },
    ]);
    assert.equal(calls[1]!.url.searchParams.get('access_token'), `ATOKEN_${AUTHORIZER_APPID}_2`);
  });

  it('throws when the retried call is answered with a stale token again', async () => {
    const { client, calls, tokens, left } = setup([
      { body: { errcode: 40001, errmsg: 'invalid credential' } },
      { body: { errcode: 40001, errmsg: 'invalid credential again' } },
      { body: preAuthOk },
    ]);
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.errcode, 40001);
    assert.equal(err.category, 'stale_token');
    assert.equal(calls.length, 2, 'retried exactly once');
    assert.equal(left(), 1);
    assert.equal(tokens.invalidations.length, 1);
  });
});

describe('wechat client: busy and unreachable', () => {
  for (const errcode of [-1, 45011]) {
    it(`${errcode}: backs off and retries, then succeeds`, async () => {
      const { client, calls, waits } = setup([
        { body: { errcode, errmsg: 'system error' } },
        { body: { errcode, errmsg: 'system error' } },
        { body: preAuthOk },
      ]);
      const res = await client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID });
      assert.deepEqual(res, preAuthOk);
      assert.equal(calls.length, 3);
      assert.equal(waits.length, 2);
      assert.ok(waits[0]! > 0 && waits[1]! > waits[0]!, `backoff grows: ${waits.join(', ')}`);
    });

    it(`${errcode}: gives up after 2 retries with the WeChat error`, async () => {
      const { client, calls, waits, left } = setup([
        { body: { errcode, errmsg: 'busy 1' } },
        { body: { errcode, errmsg: 'busy 2' } },
        { body: { errcode, errmsg: 'busy 3' } },
        { body: preAuthOk },
      ]);
      const err = await failure(
        client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
      );
      assert.ok(err instanceof WechatApiError);
      assert.equal(err.errcode, errcode);
      assert.equal(err.errmsg, 'busy 3');
      assert.equal(err.category, 'busy');
      assert.equal(calls.length, 3);
      assert.equal(waits.length, 2);
      assert.equal(left(), 1);
    });
  }

  it('honours busyRetries', async () => {
    const { client, calls, waits } = setup(
      [{ body: { errcode: -1, errmsg: 'system error' } }, { body: preAuthOk }],
      { busyRetries: 0 },
    );
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatApiError);
    assert.equal(calls.length, 1);
    assert.equal(waits.length, 0);
  });

  it('retries a failed transport and succeeds when it comes back', async () => {
    const { client, calls, waits } = setup([
      { throws: new Error('connect ECONNREFUSED') },
      { throws: new Error('socket hang up') },
      { body: preAuthOk },
    ]);
    const res = await client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID });
    assert.deepEqual(res, preAuthOk);
    assert.equal(calls.length, 3);
    assert.equal(waits.length, 2);
  });

  it('throws a WechatTransportError without the token after the retries', async () => {
    const { client, calls, waits } = setup([
      { throws: new Error('connect ECONNREFUSED') },
      { throws: new Error('connect ECONNREFUSED') },
      { throws: new Error('connect ECONNREFUSED') },
    ]);
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatTransportError);
    assert.equal(err.endpoint, 'api_create_preauthcode');
    assert.equal(err.code, 'upstream_unavailable');
    assert.ok(!err.message.includes('CTOKEN'), `token in message: ${err.message}`);
    assert.ok(!JSON.stringify(err.details).includes('CTOKEN'));
    assert.match(err.message, /api_create_preauthcode/);
    assert.equal(calls.length, 3);
    assert.equal(waits.length, 2);
  });

  it('says when the request timed out', async () => {
    const timeout = new Error('The operation was aborted due to timeout');
    timeout.name = 'TimeoutError';
    const { client } = setup([{ throws: timeout }], { busyRetries: 0, timeoutMs: 1234 });
    const err = await failure(
      client.call('api_create_preauthcode', { component_appid: COMPONENT_APPID }),
    );
    assert.ok(err instanceof WechatTransportError);
    assert.match(err.message, /timed out after 1234 ms/);
    assert.ok(!err.message.includes('CTOKEN'));
  });
});

describe('wechat client: raw()', () => {
  it("returns WeChat's answer as is, errcode included, with the right token", async () => {
    const body = '{"errcode":85009,"errmsg":"already submit a version"}';
    const { client, calls } = setup([{ status: 200, body }]);
    const res = await client.raw({
      method: 'POST',
      path: '/wxa/submit_audit',
      token: 'authorizer',
      appid: AUTHORIZER_APPID,
      query: { component_access_token: 'SHOULD_BE_REPLACED', keep: '1' },
      body: '{"item_list":[]}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, body);
    assert.deepEqual(res.json, { errcode: 85009, errmsg: 'already submit a version' });
    const call = calls[0]!;
    assert.equal(call.url.pathname, '/wxa/submit_audit');
    assert.equal(call.url.searchParams.get('access_token'), `ATOKEN_${AUTHORIZER_APPID}_1`);
    assert.equal(call.url.searchParams.has('component_access_token'), false);
    assert.equal(call.url.searchParams.get('keep'), '1');
    assert.equal(call.body, '{"item_list":[]}');
  });

  it('passes a non-JSON answer and the content type through', async () => {
    const { client, calls } = setup([{ status: 200, body: 'PNG-BYTES' }]);
    const res = await client.raw({
      method: 'POST',
      path: '/wxa/get_qrcode',
      token: 'authorizer',
      appid: AUTHORIZER_APPID,
      body: 'x=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(res.body, 'PNG-BYTES');
    assert.equal(res.json, undefined);
    assert.equal(calls[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  it('retries once on a stale token, with a fresh token', async () => {
    const { client, calls, tokens } = setup([
      { body: { errcode: 40001, errmsg: 'invalid credential' } },
      { body: { errcode: 0, errmsg: 'ok', list: [] } },
    ]);
    const res = await client.raw({
      method: 'GET',
      path: '/cgi-bin/component/x',
      token: 'component',
    });
    assert.deepEqual(res.json, { errcode: 0, errmsg: 'ok', list: [] });
    assert.equal(calls.length, 2);
    assert.deepEqual(tokens.invalidations, [
      { kind: 'component', token: 'CTOKEN_1', appid: undefined },
    ]);
    assert.equal(calls[1]!.url.searchParams.get('access_token'), 'CTOKEN_2');
  });

  it('returns the second stale answer as is instead of retrying again', async () => {
    const { client, calls } = setup([
      { body: { errcode: 42001, errmsg: 'expired 1' } },
      { body: { errcode: 42001, errmsg: 'expired 2' } },
      { body: { errcode: 0 } },
    ]);
    const res = await client.raw({
      method: 'GET',
      path: '/cgi-bin/component/x',
      token: 'component',
    });
    assert.deepEqual(res.json, { errcode: 42001, errmsg: 'expired 2' });
    assert.equal(calls.length, 2);
  });
});
