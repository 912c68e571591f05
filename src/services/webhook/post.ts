import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './target.ts';

/**
 * One webhook POST, connected to an address checked beforehand: the socket's lookup answers with
 * that address whatever DNS says by then. Redirects are not followed. Of the answer, only the
 * status and the first bytes of the body are kept (see replyExcerpt).
 */
export interface PostResult {
  status: number;
  /** The first bytes of the answer's body (at most READ_LIMIT). */
  head: Buffer;
}

const READ_LIMIT = 4096;
export const EXCERPT_CHARS = 512;

function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

export function postPinned(
  url: URL,
  pinned: ResolvedAddress,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<PostResult> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(pinned),
      signal,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        resolve({
          status: res.statusCode ?? 0,
          head: Buffer.concat(chunks).subarray(0, READ_LIMIT),
        });
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= READ_LIMIT) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.end(body);
  });
}

/**
 * What is stored of a failing answer's body: valid UTF-8 (invalid bytes become U+FFFD), control
 * characters turned into spaces and runs of spaces shortened, at most EXCERPT_CHARS characters.
 */
export function replyExcerpt(head: Buffer, max = EXCERPT_CHARS): string {
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(head)
    .replace(/[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
