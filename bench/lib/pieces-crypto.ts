import {
  createTimeOf,
  decodedForStorage,
  dedupeKey,
  openPush,
} from '../../src/callbacks/envelope.ts';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import { parseXml, parseXmlFull, xmlText } from '../../src/crypto/xml.ts';
import type { FakePlatform } from './fakes.ts';
import { cryptFor, pushGenerator, type PushKind } from './pushes.ts';
import { timeSync, type Timing } from './timing.ts';

/**
 * The CPU pieces of one push, in this process, on the code the server runs: signature, AES,
 * XML, openPush as a whole, and what the callback service does before the INSERT.
 */
export interface Prepared {
  query: Record<string, string>;
  rawBody: Buffer;
  encrypt: string;
  plaintext: string;
}

export function preparePushes(p: FakePlatform, kind: PushKind, n: number): Prepared[] {
  const gen = pushGenerator(p, kind);
  const crypt = cryptFor(p);
  return Array.from({ length: n }, () => {
    const push = gen.next();
    const query = Object.fromEntries(new URL(push.path, 'http://x').searchParams);
    const encrypt = xmlText(parseXml(push.body), 'Encrypt') ?? '';
    const plaintext = crypt.decrypt(encrypt).message.toString('utf8');
    return { query, rawBody: Buffer.from(push.body), encrypt, plaintext };
  });
}

export type CryptoPiece =
  | 'msg_signature (SHA-1)'
  | 'AES-CBC decrypt'
  | 'XML parse: envelope'
  | 'XML parse: plaintext'
  | 'XML parse: plaintext, full parser'
  | 'openPush (all of the above)'
  | 'store prep (dedupe key, JSON)'
  | 'seal ticket (AES-GCM)';

export function measureCryptoPieces(p: FakePlatform, kind: PushKind): Map<CryptoPiece, Timing> {
  const pushes = preparePushes(p, kind, 1000);
  const at = (i: number) => pushes[i % pushes.length] as Prepared;
  const crypt = cryptFor(p);
  const out = new Map<CryptoPiece, Timing>();
  out.set(
    'msg_signature (SHA-1)',
    timeSync((i) => {
      const x = at(i);
      const q = x.query;
      crypt.verifyMsgSignature(
        q['timestamp'] ?? '',
        q['nonce'] ?? '',
        x.encrypt,
        q['msg_signature'] ?? '',
      );
    }),
  );
  out.set(
    'AES-CBC decrypt',
    timeSync((i) => crypt.decrypt(at(i).encrypt)),
  );
  out.set(
    'XML parse: envelope',
    timeSync((i) => parseXml(at(i).rawBody)),
  );
  out.set(
    'XML parse: plaintext',
    timeSync((i) => parseXml(at(i).plaintext)),
  );
  out.set(
    // What each parse cost before the one-pass reader (validator + fast-xml-parser).
    'XML parse: plaintext, full parser',
    timeSync((i) => parseXmlFull(at(i).plaintext)),
  );
  out.set(
    'openPush (all of the above)',
    timeSync((i) => openPush(crypt, at(i))),
  );
  const fields = pushes.map((x) => parseXml(x.plaintext));
  const source = kind === 'ticket' ? 'auth' : 'message';
  out.set(
    'store prep (dedupe key, JSON)',
    timeSync((i) => {
      const f = fields[i % fields.length] ?? {};
      dedupeKey(source, 'wx0000000000000000', f, at(i).plaintext);
      createTimeOf(f);
      // pg serialises the JSONB parameters with JSON.stringify.
      JSON.stringify(decodedForStorage(f));
      JSON.stringify(at(i).query);
    }),
  );
  if (kind === 'ticket') {
    const sealer = createSealer(parseMasterKey(p.masterKey));
    out.set(
      'seal ticket (AES-GCM)',
      timeSync((i) => sealer.seal(`ticket@@@${i}`, 'component_verify_ticket')),
    );
  }
  return out;
}
