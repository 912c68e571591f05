import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createHarness, type Harness } from './harness.ts';

/**
 * Mini-program customer service: at most 5 messages to a user after each of the user's messages.
 * Source: mini-program customer-service rules (blog.csdn.net/zhoupenghui168/article/details/130198851,
 * a copy of the official guide; weak source).
 */
describe('emulator: customer-service messages of a mini program', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('allows 5 messages after a user message, then 45047 until the user writes again', async () => {
    const mp = await h.authorized('miniprogram');
    const openid = 'oCUSTOMERSERVICE00000000000002';
    const text = { touser: openid, msgtype: 'text', text: { content: 'hello' } };
    const wrote = await h.control('POST', '/messages', { appid: mp.appid, openid, content: 'hi' });
    assert.equal(wrote.status, 200, JSON.stringify(wrote.json));
    for (let i = 0; i < 5; i++) {
      const res = await h.api('message_custom_send', text, mp.accessToken);
      assert.equal(res['errcode'], 0, JSON.stringify(res));
    }
    const sixth = await h.api('message_custom_send', text, mp.accessToken);
    assert.equal(sixth['errcode'], 45047);
    const sent = await h.control('GET', '/sent-messages');
    assert.equal((sent.json['messages'] as unknown[]).length, 5, 'the refused one is not sent');

    await h.control('POST', '/messages', { appid: mp.appid, openid, content: 'again' });
    assert.equal((await h.api('message_custom_send', text, mp.accessToken))['errcode'], 0);
  });
});
