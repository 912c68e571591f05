import { createCipheriv } from 'node:crypto';
import type { Config } from '../../src/config/config.ts';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { decodeAesKey, WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/** Builds pushes the way WeChat does, plus the broken variants the bad-input tests need. */
export interface Push {
  query: string;
  body: string;
}

let counter = 0;

export function signEnvelope(config: Readonly<Config>, encrypt: string, outer = 'AppId'): Push {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(100000 + (counter++ % 900000));
  const sig = sha1Signature(config.component.token, timestamp, nonce, encrypt);
  const plainSig = sha1Signature(config.component.token, timestamp, nonce);
  return {
    query: `signature=${plainSig}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${sig}`,
    body: `<xml><${outer}><![CDATA[${config.component.appid}]]></${outer}><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

export function encryptFor(
  config: Readonly<Config>,
  plaintext: string,
  receiveId = config.component.appid,
): string {
  const crypt = new WxBizMsgCrypt({
    token: config.component.token,
    encodingAesKey: config.component.aesKey,
    appid: config.component.appid,
  });
  return crypt.encrypt(plaintext, receiveId);
}

export function push(config: Readonly<Config>, plaintext: string): Push {
  return signEnvelope(config, encryptFor(config, plaintext));
}

/** A ciphertext whose padding bytes are wrong (last byte 0). */
export function badPaddingCipher(config: Readonly<Config>): string {
  const key = decodeAesKey(config.component.aesKey);
  const plain = Buffer.alloc(64, 0x41);
  plain[63] = 0;
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

export function post(
  url: string,
  p: Push,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}?${p.query}`, {
    method: 'POST',
    body: p.body,
    headers: { 'content-type': 'text/xml', ...headers },
  });
}

export const ticketXml = (config: Readonly<Config>, ticket: string) =>
  `<xml><AppId><![CDATA[${config.component.appid}]]></AppId><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;

/** A user's text message to the account whose original id (user_name) is `to`. */
export const textMessageXml = (msgId: string, content = 'hello', to = 'gh_0123456789ab') =>
  `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[oUSER000000000000000000000001]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
