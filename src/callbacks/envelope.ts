import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { WxCryptoError } from '../crypto/errors.ts';
import type { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { MAX_XML_BYTES, parseXml, xmlText, xmlToJson, type XmlObject } from '../crypto/xml.ts';

/**
 * Verify → decrypt → parse of one push. Framework-free: takes the query and the exact raw bytes.
 * Every failure is an AppError with a short reason and nothing is stored.
 */
export interface PushInput {
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface OpenedPush {
  /** The decrypted XML, exactly as sent. */
  plaintext: string;
  fields: XmlObject;
  /** The envelope as received (ciphertext; safe to keep). */
  raw: string;
}

/** Refused pushes: signature failures are 401, everything else 400 (413 for size). */
export class PushRejected extends AppError {
  readonly status: number;
  constructor(status: number, reason: string, cause?: unknown) {
    super(
      status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : 'bad_request',
      reason,
      { cause },
    );
    this.status = status;
    this.name = 'PushRejected';
  }
}

function required(query: PushInput['query'], key: string): string {
  const v = query[key];
  if (v === undefined || v === '')
    throw new PushRejected(key.includes('signature') ? 401 : 400, `missing ${key}`);
  return v;
}

export function openPush(crypt: WxBizMsgCrypt, input: PushInput): OpenedPush {
  if (input.rawBody.length > MAX_XML_BYTES)
    throw new PushRejected(413, `body larger than ${MAX_XML_BYTES} bytes`);
  if (input.rawBody.length === 0) throw new PushRejected(400, 'empty body');
  const msgSignature = required(input.query, 'msg_signature');
  const timestamp = required(input.query, 'timestamp');
  const nonce = required(input.query, 'nonce');
  try {
    const envelope = parseXml(input.rawBody);
    const encrypt = xmlText(envelope, 'Encrypt');
    if (!encrypt)
      throw new PushRejected(
        400,
        'no Encrypt element: openwx accepts safe-mode (encrypted) pushes only',
      );
    const plaintext = crypt.open({ timestamp, nonce, msgSignature, encrypt });
    const fields = parseXml(plaintext);
    return { plaintext, fields, raw: input.rawBody.toString('utf8') };
  } catch (err) {
    if (err instanceof PushRejected) throw err;
    if (err instanceof WxCryptoError)
      throw new PushRejected(
        err.reason === 'ValidateSignatureError' ? 401 : 400,
        reasonOf(err),
        err,
      );
    throw err;
  }
}

function reasonOf(err: WxCryptoError): string {
  switch (err.reason) {
    case 'ParseXmlError':
      return err.message;
    case 'DecodeBase64Error':
      return 'Encrypt is not valid base64';
    case 'DecryptAESError':
    case 'IllegalBuffer':
      return 'Encrypt does not decrypt (tampered ciphertext, bad padding or wrong key)';
    case 'ValidateAppidError':
      return 'the receive-id inside the ciphertext is not this platform’s appid';
    default:
      return err.message;
  }
}

/** Fields that carry credentials are kept out of the stored decoded copy. */
const SECRET_FIELDS = new Set([
  'ComponentVerifyTicket',
  'AuthorizationCode',
  'PreAuthCode',
  'auth_code',
]);

export function decodedForStorage(fields: XmlObject): Record<string, unknown> {
  const out = xmlToJson(fields);
  for (const k of Object.keys(out)) if (SECRET_FIELDS.has(k)) out[k] = '[redacted]';
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The key that makes a retried or replayed push a no-op. Messages: MsgId; everything else: the
 * decrypted content, which WeChat repeats exactly on a retry. (Sender + CreateTime + event, the
 * documented advice for events, would merge two different results pushed in the same second,
 * e.g. two audit results.)
 */
export function dedupeKey(
  source: 'auth' | 'message',
  appid: string | null,
  fields: XmlObject,
  plaintext: string,
): string {
  if (source === 'message') {
    const msgId = xmlText(fields, 'MsgId') ?? xmlText(fields, 'MsgID');
    if (msgId) return `msg:${appid}:${msgId}`;
    return `evt:${appid}:${sha256(plaintext)}`;
  }
  return `${source}:${sha256(plaintext)}`;
}

export function createTimeOf(fields: XmlObject): Date | null {
  const t = xmlText(fields, 'CreateTime');
  return t && /^\d+$/.test(t) ? new Date(Number(t) * 1000) : null;
}
