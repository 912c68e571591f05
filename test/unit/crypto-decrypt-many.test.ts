import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { WxCryptoError } from '../../src/crypto/errors.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/**
 * One WxBizMsgCrypt opens every push of a platform, one after the other: each decryption must
 * stand alone, whatever came before it (other lengths, a refused ciphertext). The official
 * vectors are in crypto.test.ts; here the key is a fake.
 */
const opts = {
  token: 'faketoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appid: 'wx0000000000000000',
};

describe('WxBizMsgCrypt: many pushes in turn', () => {
  it('decrypts messages of every length in turn, also after refusing tampered ones', () => {
    const sender = new WxBizMsgCrypt(opts);
    const receiver = new WxBizMsgCrypt(opts);
    for (let n = 0; n < 300; n++) {
      const message = `<xml><Content><![CDATA[${'中a'.repeat(n)}]]></Content></xml>`;
      const encrypt = sender.encrypt(message);
      if (n % 7 === 3) {
        // A flipped bit in the last block spoils the padding; the next push is unaffected.
        const bytes = Buffer.from(encrypt, 'base64');
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
        assert.throws(
          () => receiver.decrypt(bytes.toString('base64')),
          (err: unknown) => err instanceof WxCryptoError,
        );
      }
      if (n % 11 === 5) {
        // Not a whole number of blocks: refused before decrypting anything.
        assert.throws(
          () => receiver.decrypt(randomBytes(24).toString('base64')),
          (err: unknown) => err instanceof WxCryptoError && err.reason === 'DecryptAESError',
        );
      }
      const opened = receiver.decrypt(encrypt);
      assert.equal(opened.message.toString('utf8'), message);
      assert.equal(opened.receiveId, opts.appid);
    }
  });

  it('a ciphertext decrypted twice gives the same message twice', () => {
    const crypt = new WxBizMsgCrypt(opts);
    const encrypt = crypt.encrypt('<xml><A>1</A></xml>');
    assert.equal(crypt.decrypt(encrypt).message.toString(), '<xml><A>1</A></xml>');
    assert.equal(crypt.decrypt(encrypt).message.toString(), '<xml><A>1</A></xml>');
  });
});
