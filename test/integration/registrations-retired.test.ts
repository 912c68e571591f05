import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WechatApiError } from '../../src/wechat/errors.ts';
import { failure, setup } from '../unit/wechat-fakes.ts';

/**
 * WeChat answers the retired fastregisterweapp with -1 "system error" since 2026-04-30. For that
 * endpoint -1 is not "busy": even its read (action=search) is not sent again, while any other read
 * answered -1 still is.
 */
const systemError = { body: { errcode: -1, errmsg: 'system error rid: 00000000-fake' } };
const search = {
  name: 'Fake Trading Co',
  legal_persona_wechat: 'fake_legal_wx',
  legal_persona_name: 'Zhang Fake',
};

describe('the retired legacy enterprise registration', () => {
  it('action=search answered -1 is sent once and surfaces errcode -1', async () => {
    const { client, calls, waits } = setup([systemError, systemError, systemError]);
    const err = await failure(
      client.call('fastregisterweapp', search, { query: { action: 'search' } }),
    );
    assert.ok(err instanceof WechatApiError, String(err));
    assert.equal(err.errcode, -1);
    assert.equal(calls.length, 1, 'not retried as if WeChat were busy');
    assert.deepEqual(waits, []);
    // The search body has no code: the row accepts WeChat's real search body.
    assert.deepEqual(JSON.parse(calls[0]?.body ?? '{}'), search);
  });

  it('another read answered -1 is still retried', async () => {
    const { client, calls } = setup([systemError, { body: { errcode: 0, status: 0 } }]);
    await client.call(
      'fastregisterpersonalweapp',
      { taskid: 't1' },
      { query: { action: 'query' } },
    );
    assert.equal(calls.length, 2);
  });
});
