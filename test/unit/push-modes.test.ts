import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { openPushXml, WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';
import { WxCryptoError } from '../../src/crypto/errors.ts';
import { parseXml } from '../../src/crypto/xml.ts';

const crypt = new WxBizMsgCrypt({
  token: 'modesToken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appid: 'wx00112233445566ff',
});
const inner =
  '<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>';
const ts = '1700000000';
const nonce = '424242';

test('plaintext mode: checked with the plain signature, body returned as is', () => {
  const signature = sha1Signature('modesToken', ts, nonce);
  const r = openPushXml(crypt, { timestamp: ts, nonce, signature }, parseXml(inner), inner);
  assert.deepEqual(r, { mode: 'plaintext', plaintext: inner });
  assert.throws(
    () =>
      openPushXml(
        crypt,
        {
          timestamp: ts,
          nonce,
          signature: `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`,
        },
        parseXml(inner),
        inner,
      ),
    WxCryptoError,
  );
});

test('safe mode: only Encrypt, checked with msg_signature', () => {
  const encrypt = crypt.encrypt(inner);
  const body = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  const msgSignature = crypt.msgSignature(ts, nonce, encrypt);
  assert.deepEqual(
    openPushXml(crypt, { timestamp: ts, nonce, msgSignature }, parseXml(body), body),
    { mode: 'safe', plaintext: inner },
  );
});

test('compatible mode: plaintext fields beside Encrypt; the encrypted copy is what counts', () => {
  const encrypt = crypt.encrypt(inner);
  const body = `<xml><ToUserName>gh_0123456789ab</ToUserName><MsgType>text</MsgType><Content>forged</Content><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  const msgSignature = crypt.msgSignature(ts, nonce, encrypt);
  const r = openPushXml(crypt, { timestamp: ts, nonce, msgSignature }, parseXml(body), body);
  assert.equal(r.mode, 'compatible');
  assert.equal(r.plaintext, inner);
  assert.throws(
    () =>
      openPushXml(
        crypt,
        { timestamp: ts, nonce, msgSignature: '0'.repeat(40) },
        parseXml(body),
        body,
      ),
    /msg_signature/,
  );
});
