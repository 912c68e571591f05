import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { WxCryptoError } from '../crypto/errors.ts';
import type { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { MAX_XML_BYTES, parseXml, sanitizeText, xmlText, type XmlObject } from '../crypto/xml.ts';

/**
 * Verify → decrypt → parse of one push. Framework-free: takes the query and the exact raw bytes.
 * Every failure is a PushRejected with a stable code, a short reason and nothing is stored.
 */
export interface PushInput {
  /** As the HTTP layer parsed it: a parameter given twice arrives as an array. */
  query: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface OpenedPush {
  /** The decrypted XML, exactly as sent. */
  plaintext: string;
  /** The decrypted fields (storable: NUL and unpaired surrogates replaced, see parseXml). */
  fields: XmlObject;
  /** The envelope as received (ciphertext; safe to keep). */
  raw: string;
  /** The query parameters, each given once and free of control characters. */
  query: Record<string, string>;
}

/** Stable codes of a refused push: the first word of the answer's body and of the log line. */
export type PushRejectionCode =
  | 'query_invalid'
  | 'signature_invalid'
  | 'body_too_large'
  | 'body_invalid'
  | 'xml_invalid'
  | 'decrypt_failed'
  | 'receive_id_mismatch'
  | 'field_invalid'
  | 'push_outside_window'
  | 'push_wrong_recipient';

/**
 * Refused pushes: signature failures are 401, replays to another URL or time 403, the size 413,
 * everything else 400. The answer's body is `<code>: <message>`.
 */
export class PushRejected extends AppError {
  readonly status: number;
  readonly reason: PushRejectionCode;
  readonly params: Record<string, unknown>;
  constructor(
    status: number,
    reason: PushRejectionCode,
    message: string,
    params: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(
      status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 413
            ? 'payload_too_large'
            : 'bad_request',
      message,
      { cause, details: { reason, ...params } },
    );
    this.status = status;
    this.reason = reason;
    this.params = params;
    this.name = 'PushRejected';
  }
}

/** How far a push's `timestamp` may be from WeChat's clock (WeChat retries within seconds). */
export const PUSH_WINDOW_SECONDS = 300;

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNIX_SECONDS = /^\d{1,12}$/;
const NONCE = /^[\x21-\x7e]{1,128}$/;
const MAX_INT64 = 2n ** 63n - 1n;

const badQuery = (key: string, message: string) =>
  new PushRejected(400, 'query_invalid', `${key} ${message}`, { field: key });

/** Every parameter once, as a string without control characters or unpaired surrogates. */
export function checkQuery(query: PushInput['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (CONTROL.test(key) || UNPAIRED.test(key))
      throw badQuery('a parameter name', 'holds a NUL or control character');
    if (value === undefined) continue;
    if (Array.isArray(value)) throw badQuery(key, 'appears more than once');
    if (CONTROL.test(value) || UNPAIRED.test(value))
      throw badQuery(key, 'holds a NUL or control character');
    out[key] = value;
  }
  return out;
}

function required(query: Record<string, string>, key: string): string {
  const v = query[key];
  if (v === undefined || v === '')
    throw key.includes('signature')
      ? new PushRejected(401, 'signature_invalid', `missing ${key}`, { field: key })
      : badQuery(key, 'is missing');
  return v;
}

/**
 * Checks a push's query and body, verifies its signature, decrypts and parses it, and with
 * `window` (the callback service always gives WeChat's clock) refuses a stale or future push.
 */
export function openPush(
  crypt: WxBizMsgCrypt,
  input: PushInput,
  window?: { nowMs: number; seconds?: number },
): OpenedPush {
  if (input.rawBody.length > MAX_XML_BYTES)
    throw new PushRejected(413, 'body_too_large', `body larger than ${MAX_XML_BYTES} bytes`);
  const query = checkQuery(input.query);
  const msgSignature = required(query, 'msg_signature');
  const timestamp = required(query, 'timestamp');
  const nonce = required(query, 'nonce');
  if (!UNIX_SECONDS.test(timestamp)) throw badQuery('timestamp', 'must be Unix seconds (digits)');
  if (!NONCE.test(nonce)) throw badQuery('nonce', 'must be 1 to 128 printable ASCII characters');
  if (input.rawBody.length === 0) throw new PushRejected(400, 'body_invalid', 'empty body');
  let plaintext: string;
  let fields: XmlObject;
  try {
    const envelope = parseXml(input.rawBody);
    const encrypt = xmlText(envelope, 'Encrypt');
    if (!encrypt)
      throw new PushRejected(
        400,
        'body_invalid',
        'no Encrypt element: openwx accepts safe-mode (encrypted) pushes only',
      );
    plaintext = crypt.open({ timestamp, nonce, msgSignature, encrypt });
    fields = parseXml(plaintext);
  } catch (err) {
    if (err instanceof WxCryptoError) throw rejectionOf(err);
    throw err;
  }
  checkFields(fields);
  if (window) checkWindow(Number(timestamp), window.nowMs, window.seconds ?? PUSH_WINDOW_SECONDS);
  return { plaintext, fields, raw: sanitizeText(input.rawBody.toString('utf8')), query };
}

/** Ids and times that are stored or compared must look as WeChat sends them. */
function checkFields(fields: XmlObject): void {
  for (const key of ['MsgId', 'MsgID']) {
    const v = xmlText(fields, key);
    if (v === undefined || v === '') continue;
    if (!/^\d{1,19}$/.test(v) || BigInt(v) > MAX_INT64)
      throw new PushRejected(400, 'field_invalid', `${key} must be digits below 2^63`, {
        field: key,
      });
  }
  for (const key of ['AppId', 'AuthorizerAppid', 'appid']) {
    const v = xmlText(fields, key);
    if (v !== undefined && v !== '' && !/^[A-Za-z0-9_-]{1,64}$/.test(v))
      throw new PushRejected(400, 'field_invalid', `${key} must be an appid (letters and digits)`, {
        field: key,
      });
  }
  const t = xmlText(fields, 'CreateTime');
  if (t !== undefined && t !== '' && !UNIX_SECONDS.test(t))
    throw new PushRejected(400, 'field_invalid', 'CreateTime must be Unix seconds (digits)', {
      field: 'CreateTime',
    });
}

/**
 * A captured push replayed later is refused: its signed `timestamp` must be within `seconds` of
 * WeChat's clock. WeChat's own retries repeat the push within seconds, and are deduplicated.
 */
function checkWindow(timestamp: number, nowMs: number, seconds: number): void {
  const skew = timestamp - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > seconds)
    throw new PushRejected(
      403,
      'push_outside_window',
      `timestamp ${timestamp} is ${Math.abs(skew)} seconds ${skew < 0 ? 'old' : 'ahead'}; ` +
        `pushes more than ${seconds} seconds from now are refused (check the server's clock)`,
      { timestamp, skewSeconds: skew, windowSeconds: seconds },
    );
}

function rejectionOf(err: WxCryptoError): PushRejected {
  switch (err.reason) {
    case 'ValidateSignatureError':
      return new PushRejected(401, 'signature_invalid', err.message, {}, err);
    case 'ParseXmlError':
      return new PushRejected(400, 'xml_invalid', err.message, {}, err);
    case 'DecodeBase64Error':
      return new PushRejected(400, 'decrypt_failed', 'Encrypt is not valid base64', {}, err);
    case 'DecryptAESError':
    case 'IllegalBuffer':
      return new PushRejected(
        400,
        'decrypt_failed',
        'Encrypt does not decrypt (tampered ciphertext, bad padding or wrong key)',
        {},
        err,
      );
    case 'ValidateAppidError':
      return new PushRejected(
        400,
        'receive_id_mismatch',
        'the receive-id inside the ciphertext is not this platform’s appid',
        {},
        err,
      );
    default:
      return new PushRejected(400, 'decrypt_failed', err.message, {}, err);
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
  // Fields are already plain JSON (strings, objects, arrays); only the top level is replaced.
  const out: Record<string, unknown> = { ...fields };
  for (const k of SECRET_FIELDS) if (Object.hasOwn(out, k)) out[k] = '[redacted]';
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

/** The push's CreateTime (already checked by openPush), or null when it has none. */
export function createTimeOf(fields: XmlObject): Date | null {
  const t = xmlText(fields, 'CreateTime');
  return t && /^\d+$/.test(t) ? new Date(Number(t) * 1000) : null;
}
