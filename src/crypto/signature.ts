import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-1 over the parameters sorted as plain strings and joined without separator.
 * `signature` = sha1(token, timestamp, nonce); `msg_signature` adds the Encrypt text.
 * Doc: 消息加解密说明 (Third-party_Platforms/2.0/Before_Develop/Message_encryption_and_decryption).
 */
export function sha1Signature(...parts: string[]): string {
  const sorted = [...parts].sort();
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of two strings (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

export function verifySignature(
  token: string,
  timestamp: string,
  nonce: string,
  signature: string,
): boolean {
  return safeEqual(sha1Signature(token, timestamp, nonce), signature.toLowerCase());
}

export function verifyMsgSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  msgSignature: string,
): boolean {
  return safeEqual(sha1Signature(token, timestamp, nonce, encrypt), msgSignature.toLowerCase());
}
