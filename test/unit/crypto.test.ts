import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fixedRandom } from '../../src/core/random.ts';
import { WxCryptoError, type CryptoErrorName } from '../../src/crypto/errors.ts';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import {
  safeEqual,
  sha1Signature,
  verifyMsgSignature,
  verifySignature,
} from '../../src/crypto/signature.ts';
import { decodeAesKey, WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/**
 * WXBizMsgCrypt against the published vectors (../shared/wechat/01 §1.11 and test-vectors.json)
 * and the failure modes of §1.7 / §1.10.
 */

// Vector A: official Java sample test (fixed random prefix).
const A = {
  token: 'pamtest',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  aesKeyHex: '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051',
  appid: 'wxb11529c136998cb6',
  random: 'aaaabbbbccccdddd',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  a1Plain: '我是中文abcd123',
  a1Cipher:
    'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  a2Plain:
    '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
  a2Cipher:
    'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
};

// Vector B: WeCom sample, URL verification with an encrypted echostr.
const B = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr:
    'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
};

const cryptA = () =>
  new WxBizMsgCrypt({
    token: A.token,
    encodingAesKey: A.aesKey,
    appid: A.appid,
    random: fixedRandom(A.random),
  });

const cryptB = () =>
  new WxBizMsgCrypt({ token: B.token, encodingAesKey: B.aesKey, appid: B.receiveId });

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

/** Asserts that `fn` throws a WxCryptoError whose reason is one of `reasons`. */
function assertCryptoError(fn: () => unknown, ...reasons: CryptoErrorName[]): WxCryptoError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof WxCryptoError, `expected a WxCryptoError, got ${String(caught)}`);
  assert.ok(
    reasons.includes(caught.reason),
    `expected reason ${reasons.join(' or ')}, got ${caught.reason}`,
  );
  return caught;
}

/** AES-256-CBC with IV = first 16 key bytes and no automatic padding, as WeChat does it. */
function rawEncrypt(encodingAesKey: string, plain: Buffer): string {
  const key = decodeAesKey(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** FullStr = random(16) || len(4, BE) || msg || receiveId, not yet padded. */
function fullStr(msg: string, receiveId: string): Buffer {
  const m = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(m.length, 0);
  return Buffer.concat([Buffer.from(A.random), len, m, Buffer.from(receiveId)]);
}

/** Flips one byte of the decoded ciphertext and re-encodes it. */
function flipByte(b64: string, index: number): string {
  const buf = Buffer.from(b64, 'base64');
  const i = index < 0 ? buf.length + index : index;
  buf[i] = (buf[i] ?? 0) ^ 0x5a;
  return buf.toString('base64');
}

describe('WXBizMsgCrypt: vector A (official Java sample, fixed random)', () => {
  it('derives the published AES key from the EncodingAESKey', () => {
    assert.equal(decodeAesKey(A.aesKey).toString('hex'), A.aesKeyHex);
  });

  it('A1: encrypts the Chinese text byte for byte and decrypts it back', () => {
    const crypt = cryptA();
    assert.equal(crypt.encrypt(A.a1Plain), A.a1Cipher);
    const { message, receiveId } = crypt.decrypt(A.a1Cipher);
    assert.equal(message.toString('utf8'), A.a1Plain);
    assert.equal(message.length, 19);
    assert.equal(receiveId, A.appid);
  });

  it('A2: encrypts the long XML byte for byte and decrypts it back exactly', () => {
    const crypt = cryptA();
    assert.equal(crypt.encrypt(A.a2Plain), A.a2Cipher);
    const { message, receiveId } = crypt.decrypt(A.a2Cipher);
    assert.equal(message.toString('utf8'), A.a2Plain);
    assert.equal(receiveId, A.appid);
  });

  it('a sealed reply carries a msg_signature that open() accepts', () => {
    const crypt = cryptA();
    const reply = crypt.seal(A.a1Plain, A.timestamp, A.nonce);
    assert.equal(reply.encrypt, A.a1Cipher);
    assert.equal(reply.msgSignature, sha1Signature(A.token, A.timestamp, A.nonce, A.a1Cipher));
    assert.equal(
      crypt.open({
        timestamp: A.timestamp,
        nonce: A.nonce,
        msgSignature: reply.msgSignature,
        encrypt: reply.encrypt,
      }),
      A.a1Plain,
    );
  });
});

describe('WXBizMsgCrypt: vector B (WeCom URL verification)', () => {
  it('msg_signature over (token, timestamp, nonce, echostr) equals the published value', () => {
    assert.equal(sha1Signature(B.token, B.timestamp, B.nonce, B.echostr), B.msgSignature);
    assert.equal(cryptB().msgSignature(B.timestamp, B.nonce, B.echostr), B.msgSignature);
    assert.equal(
      verifyMsgSignature(B.token, B.timestamp, B.nonce, B.echostr, B.msgSignature),
      true,
    );
  });

  it('decrypts the echostr to the published plaintext with the published receive-id', () => {
    const { message, receiveId } = cryptB().decrypt(B.echostr);
    assert.equal(message.toString('utf8'), B.plain);
    assert.equal(receiveId, B.receiveId);
    const opened = cryptB().open({
      timestamp: B.timestamp,
      nonce: B.nonce,
      msgSignature: B.msgSignature,
      encrypt: B.echostr,
    });
    assert.equal(opened, B.plain);
  });
});

describe('signatures', () => {
  it('vector S: plain signature over (token, timestamp, nonce)', () => {
    const expected = 'f464b24fc39322e44b38aa78f5edd27bd1441696';
    assert.equal(sha1Signature('AAAAA', '1714036504', '1514711492'), expected);
    assert.equal(sha1('15147114921714036504AAAAA'), expected);
    assert.equal(verifySignature('AAAAA', '1714036504', '1514711492', expected), true);
    assert.equal(
      verifySignature('AAAAA', '1714036504', '1514711492', expected.toUpperCase()),
      true,
      'hex case does not matter',
    );
    assert.equal(verifySignature('AAAAB', '1714036504', '1514711492', expected), false);
  });

  it('sorts the parts as strings, not as numbers, whatever their order', () => {
    // As strings: "10" < "100" < "9"; as numbers it would be 9, 10, 100.
    const asStrings = sha1('101009');
    const asNumbers = sha1('910100');
    for (const parts of [
      ['9', '10', '100'],
      ['100', '9', '10'],
      ['10', '100', '9'],
    ]) {
      assert.equal(sha1Signature(...parts), asStrings);
      assert.notEqual(sha1Signature(...parts), asNumbers);
    }
    // Byte order: digits (0x30..) before upper case (0x41..) before lower case (0x61..).
    assert.equal(sha1Signature('Token', '1700000000', 'abc'), sha1('1700000000Tokenabc'));
  });

  it('msg_signature comparison fails when one character changes', () => {
    const good = B.msgSignature;
    const lastChar = good.slice(-1) === '0' ? '1' : '0';
    const oneOff = `${good.slice(0, -1)}${lastChar}`;
    const firstOff = `${good[0] === 'a' ? 'b' : 'a'}${good.slice(1)}`;
    for (const bad of [oneOff, firstOff, good.slice(0, -1), `${good}0`, '']) {
      assert.equal(verifyMsgSignature(B.token, B.timestamp, B.nonce, B.echostr, bad), false, bad);
    }
    // A changed input (one character of the nonce or the Encrypt text) fails too.
    assert.equal(verifyMsgSignature(B.token, B.timestamp, '263014781', B.echostr, good), false);
    assert.equal(
      verifyMsgSignature(B.token, B.timestamp, B.nonce, `${B.echostr.slice(0, -3)}A==`, good),
      false,
    );
    const err = assertCryptoError(
      () =>
        cryptB().open({
          timestamp: B.timestamp,
          nonce: B.nonce,
          msgSignature: oneOff,
          encrypt: B.echostr,
        }),
      'ValidateSignatureError',
    );
    assert.equal(err.wxCode, -40001);
  });

  it('safeEqual compares whole strings', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
  });
});

describe('WXBizMsgCrypt: refusals', () => {
  it('tampered ciphertext is refused with DecryptAESError or IllegalBuffer', () => {
    const crypt = cryptA();
    // Last byte: the last plaintext block (with the padding) turns to garbage.
    assertCryptoError(
      () => crypt.decrypt(flipByte(A.a1Cipher, -1)),
      'DecryptAESError',
      'IllegalBuffer',
    );
    // First byte: the length field in the next block changes.
    assertCryptoError(
      () => crypt.decrypt(flipByte(A.a1Cipher, 0)),
      'DecryptAESError',
      'IllegalBuffer',
    );
    // Truncated to a length that is not a multiple of the AES block.
    const truncated = Buffer.from(A.a1Cipher, 'base64').subarray(0, 40).toString('base64');
    assertCryptoError(() => crypt.decrypt(truncated), 'DecryptAESError', 'IllegalBuffer');
    // A whole block removed from the end.
    const shorter = Buffer.from(A.a1Cipher, 'base64').subarray(0, 48).toString('base64');
    assertCryptoError(() => crypt.decrypt(shorter), 'DecryptAESError', 'IllegalBuffer');
  });

  it('text that is not base64 is refused with DecodeBase64Error', () => {
    const crypt = cryptA();
    for (const bad of ['', 'not base64!!', 'abc', `${A.a1Cipher.slice(0, -4)}*===`, 'ab=c']) {
      const err = assertCryptoError(() => crypt.decrypt(bad), 'DecodeBase64Error');
      assert.equal(err.wxCode, -40010);
    }
  });

  it('a last plaintext byte of 0 or 33 (bad padding) is refused with IllegalBuffer', () => {
    const crypt = cryptA();
    const body = fullStr('hello', A.appid); // 16 + 4 + 5 + 18 = 43 bytes
    for (const last of [0, 33]) {
      // Pad to 64 bytes with a valid-looking filler, then force the last byte.
      const plain = Buffer.concat([body, Buffer.alloc(64 - body.length, 21)]);
      plain[plain.length - 1] = last;
      const err = assertCryptoError(
        () => crypt.decrypt(rawEncrypt(A.aesKey, plain)),
        'IllegalBuffer',
      );
      assert.equal(err.wxCode, -40008);
    }
    // Control: the same construction with the correct padding (21 × 0x15) decrypts.
    const good = Buffer.concat([body, Buffer.alloc(64 - body.length, 21)]);
    assert.equal(crypt.decrypt(rawEncrypt(A.aesKey, good)).message.toString(), 'hello');
  });

  it('a length field larger than the buffer is refused with IllegalBuffer', () => {
    const body = fullStr('hello', A.appid);
    body.writeUInt32BE(1000, 16);
    const plain = Buffer.concat([body, Buffer.alloc(64 - body.length, 21)]);
    assertCryptoError(() => cryptA().decrypt(rawEncrypt(A.aesKey, plain)), 'IllegalBuffer');
  });

  it('a message for another receive-id is refused with ValidateAppidError', () => {
    const crypt = cryptA();
    const other = crypt.encrypt('<xml/>', 'wx0123456789abcdef');
    const err = assertCryptoError(() => crypt.decrypt(other), 'ValidateAppidError');
    assert.equal(err.wxCode, -40005);
    // Vector B decrypted as if it were for another platform.
    assertCryptoError(
      () => cryptB().decrypt(B.echostr, 'wx0000000000000000'),
      'ValidateAppidError',
    );
    // Without an expected receive-id it decrypts and reports who it was for.
    assert.equal(crypt.decrypt(other, null).receiveId, 'wx0123456789abcdef');
  });

  it('an EncodingAESKey that is not 43 letters or digits is refused with IllegalAesKey', () => {
    for (const key of [A.aesKey.slice(0, 42), `${A.aesKey}H`, `${A.aesKey.slice(0, 42)}+`, '']) {
      const err = assertCryptoError(
        () => new WxBizMsgCrypt({ token: A.token, encodingAesKey: key, appid: A.appid }),
        'IllegalAesKey',
      );
      assert.equal(err.wxCode, -40004);
    }
  });

  it('random prefixes differ between encryptions without a fixed random source', () => {
    const crypt = new WxBizMsgCrypt({ token: A.token, encodingAesKey: A.aesKey, appid: A.appid });
    const one = crypt.encrypt(A.a1Plain);
    const two = crypt.encrypt(A.a1Plain);
    assert.notEqual(one, two);
    assert.equal(crypt.decrypt(one).message.toString(), A.a1Plain);
    assert.equal(crypt.decrypt(two).message.toString(), A.a1Plain);
  });
});

describe('seal / open (secrets at rest)', () => {
  const keyHex = randomBytes(32).toString('hex');
  const sealer = createSealer(parseMasterKey(keyHex));

  it('round-trips a value with its associated data and never shows it in clear', () => {
    const secret = 'refreshtoken@@@SOME_REFRESH_TOKEN';
    const sealed = sealer.seal(secret, 'authorizer_refresh_token:wx0123456789abcdef');
    assert.ok(!sealed.includes(secret));
    assert.match(sealed, /^v1:/);
    assert.equal(sealer.open(sealed, 'authorizer_refresh_token:wx0123456789abcdef'), secret);
    assert.notEqual(sealer.seal(secret, 'x'), sealer.seal(secret, 'x'), 'a fresh IV each time');
    assert.equal(sealer.open(sealer.seal('中文 ✓', 'x'), 'x'), '中文 ✓');
    assert.equal(sealer.open(sealer.seal('')), '');
  });

  it('does not open with different associated data', () => {
    const sealed = sealer.seal('ticket@@@abc', 'authorizer_refresh_token:wx0123456789abcdef');
    assert.throws(() => sealer.open(sealed, 'authorizer_refresh_token:wxfedcba9876543210'));
    assert.throws(() => sealer.open(sealed));
  });

  it('does not open a tampered value or under another master key', () => {
    const sealed = sealer.seal('component_access_token_value', 'token:component');
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const ctBuf = Buffer.from(ct, 'base64');
    ctBuf[0] = (ctBuf[0] ?? 0) ^ 1;
    assert.throws(() =>
      sealer.open(`${v}:${iv}:${tag}:${ctBuf.toString('base64')}`, 'token:component'),
    );
    const tagBuf = Buffer.from(tag, 'base64');
    tagBuf[3] = (tagBuf[3] ?? 0) ^ 1;
    assert.throws(() =>
      sealer.open(`${v}:${iv}:${tagBuf.toString('base64')}:${ct}`, 'token:component'),
    );
    assert.throws(() => sealer.open('v2:abc:def:ghi', 'token:component'));
    assert.throws(() => sealer.open('garbage', 'token:component'));
    const other = createSealer(parseMasterKey(randomBytes(32).toString('hex')));
    assert.throws(() => other.open(sealed, 'token:component'));
  });

  it('accepts only a master key of 64 hex characters', () => {
    assert.equal(parseMasterKey(keyHex.toUpperCase()).length, 32);
    for (const bad of ['', 'abc', keyHex.slice(0, 63), `${keyHex}0`, `${keyHex.slice(0, 63)}g`]) {
      assert.throws(() => parseMasterKey(bad), /64 hex/, JSON.stringify(bad));
    }
    assert.throws(() => createSealer(Buffer.alloc(16)));
  });
});
