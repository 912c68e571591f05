import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPush, PUSH_WINDOW_SECONDS, PushRejected } from '../../src/callbacks/envelope.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/** The replay window on a push's signed timestamp, against an injected clock. */
const crypt = new WxBizMsgCrypt({
  token: 'testtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appid: 'wx0000000000000001',
});
const NOW = Date.UTC(2026, 0, 1, 12) + 999;

function pushAt(timestamp: number) {
  const sealed = crypt.seal('<xml><InfoType>x</InfoType></xml>', String(timestamp), '123');
  return {
    query: { timestamp: sealed.timestamp, nonce: '123', msg_signature: sealed.msgSignature },
    rawBody: Buffer.from(`<xml><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`),
  };
}

test('a push within the window on either side is opened; one second beyond is refused', () => {
  const now = Math.floor(NOW / 1000);
  for (const skew of [0, -PUSH_WINDOW_SECONDS, PUSH_WINDOW_SECONDS])
    assert.equal(openPush(crypt, pushAt(now + skew), { nowMs: NOW }).fields['InfoType'], 'x');
  for (const skew of [-PUSH_WINDOW_SECONDS - 1, PUSH_WINDOW_SECONDS + 1])
    assert.throws(
      () => openPush(crypt, pushAt(now + skew), { nowMs: NOW }),
      (err: unknown) =>
        err instanceof PushRejected &&
        err.status === 403 &&
        err.reason === 'push_outside_window' &&
        err.params['skewSeconds'] === skew,
    );
  // A narrower window, as a deployment may choose.
  assert.throws(() => openPush(crypt, pushAt(now - 31), { nowMs: NOW, seconds: 30 }));
});
