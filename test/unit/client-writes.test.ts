import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineEndpoints, type EndpointDef } from '../../src/wechat/endpoint.ts';
import { endpointList } from '../../src/wechat/endpoints/index.ts';
import {
  WechatApiError,
  WechatOutcomeUnknownError,
  WechatTransportError,
} from '../../src/wechat/errors.ts';
import { AUTHORIZER_APPID, failure, setup, type Answer } from './wechat-fakes.ts';

/**
 * Calls that change state at WeChat (commit, submit_audit, release, api_query_auth...) are never
 * sent twice by the client when their answer is lost: it cannot know whether WeChat applied
 * them. Reads keep their retries. The transport is a fake that fails the way Node's fetch does.
 */

const opts = { appid: AUTHORIZER_APPID };
const commitBody = {
  template_id: 3,
  ext_json: '{"extAppid":"wxfedcba9876543210"}',
  user_version: '1.0.0',
  user_desc: 'first version',
};
const versionInfo = { exp_info: { exp_time: 1, exp_version: '1.0.0', exp_desc: 'd' } };

/** What Node's fetch throws when a system error ends the request: `fetch failed` with a cause. */
function fetchFailed(code: string): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(`${code} (from the socket)`), { code }),
  });
}
const timedOut = (): Error =>
  new DOMException('The operation was aborted due to timeout', 'TimeoutError');
const dropped = (): Error => fetchFailed('UND_ERR_SOCKET'); // "other side closed"
const refused = (): Error => fetchFailed('ECONNREFUSED');
const throws = (err: Error): Answer => ({ throws: err });

describe('wechat client: a write whose answer is lost is not sent again', () => {
  const lost: [string, () => Error][] = [
    ['a timeout', timedOut],
    ['a connection closed by the other side', dropped],
    ['a connection reset', () => fetchFailed('ECONNRESET')],
    ['a body cut off', () => new TypeError('terminated', { cause: dropped().cause })],
    ['a socket hang up', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ];
  for (const [what, error] of lost) {
    it(`commit after ${what}: sent once, outcome unknown`, async () => {
      const { client, calls, waits, left } = setup([throws(error()), { body: { errcode: 0 } }]);
      const err = await failure(client.call('commit', commitBody, opts));
      assert.ok(err instanceof WechatOutcomeUnknownError, String(err));
      assert.ok(err instanceof WechatTransportError, 'still a transport error for older callers');
      assert.equal(err.outcomeUnknown, true);
      assert.equal(err.code, 'upstream_unavailable');
      assert.equal(err.endpoint, 'commit');
      assert.match(err.message, /WeChat did not answer commit/);
      assert.match(err.message, /may or may not have applied it: read its state/);
      assert.ok(!err.message.includes('ATOKEN'), `token in message: ${err.message}`);
      assert.equal(calls.length, 1);
      assert.equal(waits.length, 0);
      assert.equal(left(), 1);
    });
  }

  it('says how long it waited when a write timed out', async () => {
    const { client } = setup([throws(timedOut())], { timeoutMs: 4321 });
    const err = await failure(client.call('release', {}, opts));
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.match(err.message, /timed out after 4321 ms/);
  });

  it('a write answered with something that is not WeChat’s JSON is an unknown outcome', async () => {
    const { client, calls } = setup([{ status: 504, body: '<html>Gateway Timeout</html>' }]);
    const err = await failure(client.call('submit_audit', {}, opts));
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.match(err.message, /HTTP 504/);
    assert.equal(calls.length, 1);
  });

  it('api_query_auth consumes its code: not sent twice either', async () => {
    const { client, calls } = setup([throws(dropped()), { body: {} }]);
    const err = await failure(
      client.call('api_query_auth', {
        component_appid: 'wx0123456789abcdef',
        authorization_code: 'queryauthcode@@@fake',
      }),
    );
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.equal(calls.length, 1);
  });

  it('a GET that acts (undocodeaudit) is a write too', async () => {
    const { client, calls } = setup([throws(timedOut()), { body: { errcode: 0 } }]);
    const err = await failure(client.call('undocodeaudit', {}, opts));
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.equal(calls.length, 1);
  });
});

describe('wechat client: when a write may be sent again', () => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
    it(`${code}: nothing was sent, so it is retried`, async () => {
      const { client, calls, waits } = setup([
        throws(fetchFailed(code)),
        { body: { errcode: 0, errmsg: 'ok' } },
      ]);
      await client.call('commit', commitBody, opts);
      assert.equal(calls.length, 2);
      assert.equal(waits.length, 1);
    });
  }

  it('every address refused (an AggregateError of them): retried', async () => {
    const all = new AggregateError([refused().cause, refused().cause], 'connect failed');
    const { client, calls } = setup([
      throws(new TypeError('fetch failed', { cause: all })),
      { body: { errcode: 0 } },
    ]);
    await client.call('release', {}, opts);
    assert.equal(calls.length, 2);
  });

  it('one address refused and another reset: not retried', async () => {
    const mixed = new AggregateError([refused().cause, fetchFailed('ECONNRESET').cause], 'x');
    const { client, calls } = setup([throws(new TypeError('fetch failed', { cause: mixed }))]);
    const err = await failure(client.call('release', {}, opts));
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.equal(calls.length, 1);
  });

  it('refused every time: a plain transport error, not an unknown outcome', async () => {
    const { client, calls } = setup([throws(refused()), throws(refused()), throws(refused())]);
    const err = await failure(client.call('commit', commitBody, opts));
    assert.ok(err instanceof WechatTransportError);
    assert.ok(!(err instanceof WechatOutcomeUnknownError), 'WeChat never got it');
    assert.match(err.message, /ECONNREFUSED/);
    assert.equal(calls.length, 3);
  });

  it('45011 (the call-frequency limit turned it away): retried', async () => {
    const { client, calls, waits } = setup([
      { body: { errcode: 45011, errmsg: 'api minute-quota reach limit' } },
      { body: { auditid: 1234 } },
    ]);
    const res = await client.call('submit_audit', {}, opts);
    assert.equal(res.auditid, 1234);
    assert.equal(calls.length, 2);
    assert.equal(waits.length, 1);
  });

  it('-1 (system error, nothing says it was not applied): surfaced, not sent again', async () => {
    const { client, calls, left } = setup([
      { body: { errcode: -1, errmsg: 'system error' } },
      { body: { auditid: 1234 } },
    ]);
    const err = await failure(client.call('submit_audit', {}, opts));
    assert.ok(err instanceof WechatApiError);
    assert.equal(err.errcode, -1);
    assert.equal(err.category, 'busy');
    assert.equal(calls.length, 1);
    assert.equal(left(), 1);
  });

  it('a stale token (WeChat refused it): retried once with a fresh token', async () => {
    const { client, calls } = setup([
      { body: { errcode: 40001, errmsg: 'invalid credential' } },
      { body: { errcode: 0 } },
    ]);
    await client.call('commit', commitBody, opts);
    assert.equal(calls.length, 2);
  });
});

describe('wechat client: reads keep their retries', () => {
  it('a read that times out is retried (getversioninfo is a POST that only reads)', async () => {
    const { client, calls } = setup([throws(timedOut()), throws(dropped()), { body: versionInfo }]);
    const res = await client.call('getversioninfo', {}, opts);
    assert.equal(res.exp_info?.exp_version, '1.0.0');
    assert.equal(calls.length, 3);
  });

  it('a read answered -1 is retried', async () => {
    const { client, calls } = setup([{ body: { errcode: -1 } }, { body: versionInfo }]);
    await client.call('getversioninfo', {}, opts);
    assert.equal(calls.length, 2);
  });

  it('modify_domain with action get reads; with action set it writes', async () => {
    const read = setup([throws(timedOut()), { body: { requestdomain: [] } }]);
    await read.client.call('modify_domain', { action: 'get' }, opts);
    assert.equal(read.calls.length, 2);
    const write = setup([throws(timedOut()), { body: {} }]);
    const err = await failure(
      write.client.call('modify_domain', { action: 'set', requestdomain: [] }, opts),
    );
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.equal(write.calls.length, 1);
  });

  it('revertcoderelease listing the history reads; without it, it rolls back', async () => {
    const list = setup([throws(timedOut()), { body: { version_list: [] } }]);
    await list.client.call('revertcoderelease', { action: 'get_history_version' }, opts);
    assert.equal(list.calls.length, 2);
    const rollback = setup([throws(timedOut()), { body: {} }]);
    await failure(rollback.client.call('revertcoderelease', {}, opts));
    assert.equal(rollback.calls.length, 1);
  });

  it('a registration task is queried (action=query in the query string) as a read', async () => {
    const { client, calls } = setup([throws(timedOut()), { body: { status: 0 } }]);
    await client.call(
      'fastregisterpersonalweapp',
      { taskid: 't1' },
      { query: { action: 'query' } },
    );
    assert.equal(calls.length, 2);
  });
});

describe('wechat client: the proxy', () => {
  const proxied = (method: string, path: string, body?: string) => ({
    method,
    path,
    token: 'authorizer' as const,
    appid: AUTHORIZER_APPID,
    ...(body === undefined ? {} : { body }),
  });

  it('a GET is retried after a timeout', async () => {
    const { client, calls } = setup([throws(timedOut()), { body: { errcode: 0, list: [] } }]);
    const res = await client.raw(proxied('GET', '/wxa/some_new_query'));
    assert.deepEqual(res.json, { errcode: 0, list: [] });
    assert.equal(calls.length, 2);
  });

  it('a POST to a path openwx does not know is a write: sent once', async () => {
    const { client, calls } = setup([throws(timedOut()), { body: { errcode: 0 } }]);
    const err = await failure(client.raw(proxied('POST', '/wxa/some_new_action', '{}')));
    assert.ok(err instanceof WechatOutcomeUnknownError);
    assert.equal(err.endpoint, 'proxy:/wxa/some_new_action');
    assert.equal(calls.length, 1);
  });

  it('a known path takes its row’s effect, whatever the method says', async () => {
    const undo = setup([throws(timedOut()), { body: { errcode: 0 } }]);
    await failure(undo.client.raw(proxied('GET', '/wxa/undocodeaudit')));
    assert.equal(undo.calls.length, 1, 'undocodeaudit acts, although it is a GET');
    const info = setup([throws(timedOut()), { body: versionInfo }]);
    await info.client.raw(proxied('POST', '/wxa/getversioninfo', '{}'));
    assert.equal(info.calls.length, 2, 'getversioninfo only reads, although it is a POST');
    const get = setup([throws(timedOut()), { body: { requestdomain: [] } }]);
    await get.client.raw(proxied('POST', '/wxa/modify_domain', '{"action":"get"}'));
    assert.equal(get.calls.length, 2, 'modify_domain with action get only reads');
  });

  it('a write answered 45011 by WeChat is sent again; -1 is passed back as is', async () => {
    const busy = setup([{ body: { errcode: 45011 } }, { body: { errcode: 0 } }]);
    const ok = await busy.client.raw(proxied('POST', '/wxa/release', '{}'));
    assert.deepEqual(ok.json, { errcode: 0 });
    assert.equal(busy.calls.length, 2);
    const failed = setup([{ body: { errcode: -1 } }, { body: { errcode: 0 } }]);
    const answer = await failed.client.raw(proxied('POST', '/wxa/release', '{}'));
    assert.deepEqual(answer.json, { errcode: -1 });
    assert.equal(failed.calls.length, 1);
  });
});

describe('endpoint table: what each call does at WeChat', () => {
  it('every POST row declares its effect, read or write', () => {
    const posts = endpointList.filter((e) => e.method === 'POST');
    assert.ok(posts.length > 30);
    for (const row of posts) {
      assert.ok(row.effect === 'read' || row.effect === 'write', `${row.name} has no effect`);
    }
  });

  it('the calls that change state are writes, and the queries reads', () => {
    const effect = (name: string) => endpointList.find((e) => e.name === name)?.effect ?? 'read';
    for (const name of [
      'commit',
      'submit_audit',
      'release',
      'revertcoderelease',
      'undocodeaudit',
      'fastregisterweapp',
      'api_query_auth',
      'modify_domain',
      'setprivacysetting',
    ]) {
      assert.equal(effect(name), 'write', name);
    }
    for (const name of ['getversioninfo', 'get_auditstatus', 'getprivacysetting', 'quota_get']) {
      assert.equal(effect(name), 'read', name);
    }
  });

  it('only writes name actions that read', () => {
    for (const row of endpointList.filter((e) => e.readWhen)) {
      assert.equal(row.effect, 'write', row.name);
    }
  });

  it('a POST row without an effect is refused when the table is built', () => {
    const row = {
      name: 'x',
      method: 'POST',
      path: '/x',
      token: 'none',
      request: z.object({}),
      response: z.object({}),
      errcodes: [],
      doc: 'https://example.com/x',
      summary: 'x',
    } as unknown as EndpointDef;
    assert.throws(() => defineEndpoints({ x: row }), /x is a POST and must say its effect/);
  });
});
