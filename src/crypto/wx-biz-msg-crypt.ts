import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { systemRandom, type RandomSource } from '../core/random.ts';
import { WxCryptoError } from './errors.ts';
import { sha1Signature, verifyMsgSignature, verifySignature } from './signature.ts';

/**
 * WXBizMsgCrypt: AES-256-CBC, IV = first 16 key bytes, PKCS#7 padding to 32-byte blocks,
 * plaintext = random(16) || len(4, big-endian) || msg || receiveId.
 * Doc: 消息加解密说明; reference ../shared/wechat/01 §1.
 */
const BLOCK = 32;
const AES_KEY_RE = /^[A-Za-z0-9]{43}$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

export function isValidEncodingAesKey(key: string): boolean {
  return AES_KEY_RE.test(key);
}

export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!isValidEncodingAesKey(encodingAesKey)) {
    throw new WxCryptoError('IllegalAesKey', 'EncodingAESKey must be 43 letters or digits');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32)
    throw new WxCryptoError('IllegalAesKey', 'EncodingAESKey must decode to 32 bytes');
  return key;
}

export function pkcs7Pad(data: Buffer): Buffer {
  const pad = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

export function pkcs7Unpad(data: Buffer): Buffer {
  const pad = data[data.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > data.length) {
    throw new WxCryptoError('IllegalBuffer', 'invalid padding');
  }
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new WxCryptoError('IllegalBuffer', 'invalid padding');
  }
  return data.subarray(0, data.length - pad);
}

export interface WxCryptOptions {
  token: string;
  encodingAesKey: string;
  /** The receive-id: for a third-party platform always the component appid. */
  appid: string;
  random?: RandomSource;
}

export interface EncryptedReply {
  encrypt: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

export class WxBizMsgCrypt {
  readonly token: string;
  readonly appid: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly random: RandomSource;
  /**
   * AES-256 block decryption with this key, made once: CBC decryption is each block decrypted
   * alone, then XORed with the ciphertext block before it (the IV for the first). Without
   * padding and fed whole blocks only, the ECB decipher holds nothing back between calls.
   */
  private readonly blocks: Decipher;

  constructor(opts: WxCryptOptions) {
    this.token = opts.token;
    this.appid = opts.appid;
    this.key = decodeAesKey(opts.encodingAesKey);
    this.iv = this.key.subarray(0, 16);
    this.random = opts.random ?? systemRandom;
    this.blocks = createDecipheriv('aes-256-ecb', this.key, null);
    this.blocks.setAutoPadding(false);
  }

  /** AES-256-CBC decryption (no padding removed) of whole 16-byte blocks. */
  private decryptCbc(data: Buffer): Buffer {
    const out = this.blocks.update(data);
    if (out.length !== data.length) throw new Error('block decipher held data back');
    for (let i = out.length - 1; i >= 16; i--)
      out[i] = (out[i] as number) ^ (data[i - 16] as number);
    for (let i = 0; i < 16; i++) out[i] = (out[i] as number) ^ (this.iv[i] as number);
    return out;
  }

  /** Encrypts a message for `receiveId` (default: this platform's appid); returns Base64. */
  encrypt(message: string | Buffer, receiveId: string = this.appid): string {
    const msg = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(msg.length, 0);
    const full = Buffer.concat([this.random.bytes(16), len, msg, Buffer.from(receiveId, 'utf8')]);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(pkcs7Pad(full)), cipher.final()]).toString('base64');
  }

  /**
   * Decrypts a Base64 `Encrypt` value and checks the receive-id.
   * Returns the message bytes exactly as sent (not trimmed).
   */
  decrypt(
    encrypt: string,
    expectedReceiveId: string | null = this.appid,
  ): { message: Buffer; receiveId: string } {
    if (encrypt.length === 0 || encrypt.length % 4 !== 0 || !BASE64_RE.test(encrypt)) {
      throw new WxCryptoError('DecodeBase64Error', 'Encrypt is not valid base64');
    }
    const data = Buffer.from(encrypt, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new WxCryptoError(
        'DecryptAESError',
        'ciphertext length is not a multiple of the block size',
      );
    }
    let plain: Buffer;
    try {
      plain = this.decryptCbc(data);
    } catch (err) {
      throw new WxCryptoError(
        'DecryptAESError',
        `AES decryption failed: ${(err as Error).message}`,
      );
    }
    const unpadded = pkcs7Unpad(plain);
    if (unpadded.length < 20)
      throw new WxCryptoError('IllegalBuffer', 'decrypted buffer too short');
    const len = unpadded.readUInt32BE(16);
    if (20 + len > unpadded.length)
      throw new WxCryptoError('IllegalBuffer', 'message length exceeds buffer');
    const message = unpadded.subarray(20, 20 + len);
    const receiveId = unpadded.subarray(20 + len).toString('utf8');
    if (expectedReceiveId !== null && receiveId !== expectedReceiveId) {
      throw new WxCryptoError('ValidateAppidError', 'receive-id does not match this platform');
    }
    return { message, receiveId };
  }

  msgSignature(timestamp: string, nonce: string, encrypt: string): string {
    return sha1Signature(this.token, timestamp, nonce, encrypt);
  }

  verifyMsgSignature(
    timestamp: string,
    nonce: string,
    encrypt: string,
    msgSignature: string,
  ): boolean {
    return verifyMsgSignature(this.token, timestamp, nonce, encrypt, msgSignature);
  }

  /** Verifies and decrypts a safe-mode push. Throws WxCryptoError on any failure. */
  open(params: {
    timestamp: string;
    nonce: string;
    msgSignature: string;
    encrypt: string;
  }): string {
    if (
      !this.verifyMsgSignature(params.timestamp, params.nonce, params.encrypt, params.msgSignature)
    ) {
      throw new WxCryptoError('ValidateSignatureError', 'msg_signature does not match');
    }
    return this.decrypt(params.encrypt).message.toString('utf8');
  }

  /** Encrypts and signs a passive reply (or a push, on the emulator's side). */
  seal(message: string, timestamp: string, nonce: string, receiveId?: string): EncryptedReply {
    const encrypt = this.encrypt(message, receiveId);
    return {
      encrypt,
      msgSignature: this.msgSignature(timestamp, nonce, encrypt),
      timestamp,
      nonce,
    };
  }
}

/** The encrypted reply envelope WeChat expects for a passive reply. */
export function buildEncryptedReplyXml(reply: EncryptedReply): string {
  return (
    `<xml><Encrypt><![CDATA[${reply.encrypt}]]></Encrypt>` +
    `<MsgSignature><![CDATA[${reply.msgSignature}]]></MsgSignature>` +
    `<TimeStamp>${reply.timestamp}</TimeStamp>` +
    `<Nonce><![CDATA[${reply.nonce}]]></Nonce></xml>`
  );
}

export type PushMode = 'plaintext' | 'safe' | 'compatible';

/**
 * Opens a push in any of WeChat's three modes: plaintext (no Encrypt; `signature` over token,
 * timestamp, nonce), safe (only Encrypt; `msg_signature`), compatible (plaintext fields and
 * Encrypt; the Encrypt part is authoritative). Third-party platforms always use safe mode.
 */
export function openPushXml(
  crypt: WxBizMsgCrypt,
  params: { timestamp: string; nonce: string; signature?: string; msgSignature?: string },
  envelope: { Encrypt?: string; [k: string]: unknown },
  rawBody: string,
): { mode: PushMode; plaintext: string } {
  const encrypt = typeof envelope.Encrypt === 'string' ? envelope.Encrypt : undefined;
  if (encrypt === undefined) {
    if (
      !params.signature ||
      !verifySignature(crypt.token, params.timestamp, params.nonce, params.signature)
    ) {
      throw new WxCryptoError('ValidateSignatureError', 'signature does not match');
    }
    return { mode: 'plaintext', plaintext: rawBody };
  }
  const plaintext = crypt.open({
    timestamp: params.timestamp,
    nonce: params.nonce,
    msgSignature: params.msgSignature ?? '',
    encrypt,
  });
  const others = Object.keys(envelope).filter(
    (k) => !['Encrypt', 'ToUserName', 'AppId'].includes(k),
  );
  return { mode: others.length > 0 ? 'compatible' : 'safe', plaintext };
}
