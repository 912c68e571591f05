import { randomBytes } from 'node:crypto';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/**
 * The pushes of the fuzz run: valid message pushes as WeChat sends them, and mutations of them
 * at the byte and the field level. Every push carries a marker (`fz<seed>x<index>`) in its
 * plaintext, so the events table tells afterwards which pushes were stored.
 */

/** What a push must get: `valid` is `success` and stored once; `invalid` is a 4xx and not stored;
 * `either` (the server may accept it or refuse it) is never a 5xx, and stored once exactly when
 * it was answered `success`. */
export type Expect = 'valid' | 'invalid' | 'either';

export interface FuzzPush {
  category: string;
  expect: Expect;
  path: string;
  body: Buffer | string;
  contentType: string;
  /** The marker in its plaintext, when it has one. */
  marker?: string;
}

export interface Merchant {
  appid: string;
  userName: string;
}

export interface FuzzContext {
  token: string;
  aesKey: string;
  componentAppid: string;
  merchants: Merchant[];
  seed: number;
}

/** mulberry32: small, fast and the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Parts {
  route: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
  msgSignature: string;
  outerTo: string;
}

const now = () => Math.floor(Date.now() / 1000);

export function fuzzCases(ctx: FuzzContext) {
  const rand = prng(ctx.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const crypt = new WxBizMsgCrypt({
    token: ctx.token,
    encodingAesKey: ctx.aesKey,
    appid: ctx.componentAppid,
  });
  const msgBase = 7_000_000_000_000_000_000n + BigInt(ctx.seed % 1_000_000) * 1_000_000_000n;
  const sign = (ts: string, nonce: string, encrypt: string) =>
    sha1Signature(ctx.token, ts, nonce, encrypt);

  function plaintext(m: Merchant, i: number, marker: string, extra = '', to = m.userName) {
    const head =
      `<xml><ToUserName><![CDATA[${to}]]></ToUserName>` +
      `<FromUserName><![CDATA[oFUZZ${ctx.seed}x${i}]]></FromUserName><CreateTime>${now()}</CreateTime>`;
    if (i % 2 === 0)
      return `${head}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${marker}]]></Content><MsgId>${msgBase + BigInt(i)}</MsgId>${extra}</xml>`;
    return `${head}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[${marker}]]></EventKey>${extra}</xml>`;
  }

  function parts(m: Merchant, plain: string, ts = String(now())): Parts {
    const nonce = String(int(1e9));
    const encrypt = crypt.encrypt(plain);
    return {
      route: `/api/openwx/callback/${m.appid}`,
      timestamp: ts,
      nonce,
      encrypt,
      msgSignature: sign(ts, nonce, encrypt),
      outerTo: m.userName,
    };
  }

  const query = (p: Parts) =>
    `timestamp=${p.timestamp}&nonce=${p.nonce}&encrypt_type=aes&msg_signature=${p.msgSignature}` +
    `&signature=${sha1Signature(ctx.token, p.timestamp, p.nonce)}`;
  const body = (p: Parts) =>
    `<xml><ToUserName><![CDATA[${p.outerTo}]]></ToUserName><Encrypt><![CDATA[${p.encrypt}]]></Encrypt></xml>`;
  const toPush = (
    category: string,
    expect: Expect,
    p: Parts,
    marker: string | undefined,
    over: Partial<FuzzPush> = {},
  ): FuzzPush => ({
    category,
    expect,
    path: `${p.route}?${query(p)}`,
    body: body(p),
    contentType: 'text/xml',
    ...(marker ? { marker } : {}),
    ...over,
  });
  /** Re-signs after the Encrypt changed, so the push reaches the decryption. */
  const resign = (p: Parts, encrypt: string): Parts => ({
    ...p,
    encrypt,
    msgSignature: sign(p.timestamp, p.nonce, encrypt),
  });

  type Maker = (m: Merchant, i: number, marker: string) => FuzzPush;
  const other = (m: Merchant) => ctx.merchants.find((x) => x.appid !== m.appid) as Merchant;

  const invalid: Record<string, Maker> = {
    bad_signature(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const j = int(40);
      const c = p.msgSignature[j] === '0' ? '1' : '0';
      return toPush(
        'bad_signature',
        'invalid',
        {
          ...p,
          msgSignature: p.msgSignature.slice(0, j) + c + p.msgSignature.slice(j + 1),
        },
        k,
      );
    },
    truncated_base64(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      return toPush(
        'truncated_base64',
        'invalid',
        resign(p, p.encrypt.slice(0, 1 + int(p.encrypt.length - 2))),
        k,
      );
    },
    garbled_base64(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const chars = [...p.encrypt];
      for (let n = 1 + int(4); n > 0; n--)
        chars[int(chars.length)] = pick(['!', '*', ' ', '\u00e9', '%', '-']);
      return toPush('garbled_base64', 'invalid', resign(p, chars.join('')), k);
    },
    broken_xml(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const b = body(p);
      const cut = pick([
        b.slice(0, int(b.length)),
        b.replace('</Encrypt>', '</Encrypted>'),
        b.replace('<Encrypt>', '<Encrypt x="'),
        `${b}<xml>`,
        b.replace('</xml>', ''),
      ]);
      return toPush('broken_xml', 'invalid', p, k, { body: cut });
    },
    deep_nesting(m, i, k) {
      const depth = 200 + int(5000);
      const nest = '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth);
      if (rand() < 0.5)
        return toPush('deep_nesting', 'invalid', parts(m, plaintext(m, i, k, nest)), k);
      const p = parts(m, plaintext(m, i, k));
      return toPush('deep_nesting', 'invalid', p, k, {
        body: `<xml>${nest}<Encrypt><![CDATA[${p.encrypt}]]></Encrypt></xml>`,
      });
    },
    proto_elements(m, i, k) {
      const name = pick(['__proto__', 'constructor', 'prototype']);
      const extra = `<${name}><![CDATA[x]]></${name}>`;
      if (rand() < 0.5)
        return toPush('proto_elements', 'invalid', parts(m, plaintext(m, i, k, extra)), k);
      const p = parts(m, plaintext(m, i, k));
      return toPush('proto_elements', 'invalid', p, k, {
        body: `<xml>${extra}<Encrypt><![CDATA[${p.encrypt}]]></Encrypt></xml>`,
      });
    },
    nul_in_query(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const ts = `${p.timestamp}%00`;
      return toPush('nul_in_query', 'invalid', p, k, {
        path: `${p.route}?timestamp=${ts}&nonce=${p.nonce}%00&encrypt_type=aes&msg_signature=${p.msgSignature}`,
      });
    },
    huge_timestamp(m, i, k) {
      const ts = pick(['99999999999999999999999', '1e400', '-1', '17000000000000']);
      return toPush('huge_timestamp', 'invalid', parts(m, plaintext(m, i, k), ts), k);
    },
    duplicated_params(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const name = pick(['msg_signature', 'timestamp', 'nonce']);
      const value =
        name === 'msg_signature' ? p.msgSignature : name === 'timestamp' ? p.timestamp : p.nonce;
      return toPush('duplicated_params', 'invalid', p, k, {
        path: `${p.route}?${query(p)}&${name}=${value}`,
      });
    },
    missing_params(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const drop = pick(['timestamp', 'nonce', 'msg_signature']);
      const q = query(p)
        .split('&')
        .filter((kv) => !kv.startsWith(`${drop}=`))
        .join('&');
      return toPush('missing_params', 'invalid', p, k, { path: `${p.route}?${q}` });
    },
    wrong_appid_in_url(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const appid = pick([
        'wx..%2F..',
        'wx%00abc',
        `${m.appid}%20`,
        'x'.repeat(300),
        '%E2%80%AE',
        other(m).appid,
      ]);
      return toPush(
        'wrong_appid_in_url',
        'invalid',
        { ...p, route: `/api/openwx/callback/${appid}` },
        k,
      );
    },
    wrong_recipient(m, i, k) {
      return toPush(
        'wrong_recipient',
        'invalid',
        parts(m, plaintext(m, i, k, '', other(m).userName)),
        k,
      );
    },
    old_timestamp(m, i, k) {
      const ts = String(now() + pick([-3600, -86400, -600, 3600, -86400 * 365]));
      return toPush('old_timestamp', 'invalid', parts(m, plaintext(m, i, k), ts), k);
    },
    oversized_body(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      const pad = 'A'.repeat(64 * 1024 + 1 + int(2 * 1024 * 1024));
      return toPush('oversized_body', 'invalid', p, k, {
        body: `<xml><Pad>${pad}</Pad><Encrypt><![CDATA[${p.encrypt}]]></Encrypt></xml>`,
      });
    },
    random_bytes(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      return toPush('random_bytes', 'invalid', p, k, { body: randomBytes(int(4096)) });
    },
    garbage_plaintext(m, i, k) {
      const plain = pick([
        randomBytes(1 + int(300)).toString('latin1'),
        'not xml at all',
        '<xml>',
        '',
        `<xml><ToUserName>${m.userName}</ToUserName>`,
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><xml>&e;</xml>',
      ]);
      void i;
      void k;
      return toPush('garbage_plaintext', 'invalid', parts(m, plain), undefined);
    },
    empty_body(m, i, k) {
      return toPush('empty_body', 'invalid', parts(m, plaintext(m, i, k)), k, { body: '' });
    },
  };

  /** Mutations the server may legitimately accept (they stay signed and decryptable). */
  const either: Record<string, Maker> = {
    nul_in_plaintext(m, i, k) {
      return toPush(
        'nul_in_plaintext',
        'either',
        parts(m, plaintext(m, i, k, '<Extra>a\u0000b</Extra>')),
        k,
      );
    },
    huge_integers(m, i, k) {
      const extra = pick([
        '<CreateTime2>999999999999999999999999999999</CreateTime2>',
        '<MsgDataId>18446744073709551617</MsgDataId>',
        '<Idx>-99999999999999999999</Idx>',
      ]);
      return toPush('huge_integers', 'either', parts(m, plaintext(m, i, k, extra)), k);
    },
    byte_flip_outside_encrypt(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      return toPush('byte_flip_outside_encrypt', 'either', { ...p, outerTo: `gh_${int(1e6)}` }, k);
    },
    /** `<![CDATA` without its bracket in the outer ToUserName: the lenient parser reads a
     * garbled name, the signed Encrypt is intact. */
    broken_outer_cdata(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      return toPush('broken_outer_cdata', 'either', p, k, {
        body: body(p).replace('<![CDATA[', '<![CDATA'),
      });
    },
    other_content_type(m, i, k) {
      const type = pick([
        'application/json',
        'text/plain',
        'application/octet-stream',
        'multipart/form-data; boundary=x',
        'x/y',
      ]);
      return toPush('other_content_type', 'either', parts(m, plaintext(m, i, k)), k, {
        contentType: type,
      });
    },
    unknown_merchant_url(m, i, k) {
      const p = parts(m, plaintext(m, i, k));
      return toPush(
        'unknown_merchant_url',
        'either',
        { ...p, route: `/api/openwx/callback/wx${String(int(1e16)).padStart(16, '0')}` },
        k,
      );
    },
  };

  const invalidNames = Object.keys(invalid);
  const eitherNames = Object.keys(either);

  return {
    /** A fresh valid push for `merchant`, with the `i`-th marker. */
    valid(i: number): FuzzPush {
      const m = pick(ctx.merchants);
      const k = `fz${ctx.seed}x${i}`;
      return toPush(
        i % 2 === 0 ? 'valid_text' : 'valid_event',
        'valid',
        parts(m, plaintext(m, i, k)),
        k,
      );
    },
    invalid(i: number): FuzzPush {
      const m = pick(ctx.merchants);
      return (invalid[pick(invalidNames)] as Maker)(m, i, `fz${ctx.seed}x${i}`);
    },
    either(i: number): FuzzPush {
      const m = pick(ctx.merchants);
      return (either[pick(eitherNames)] as Maker)(m, i, `fz${ctx.seed}x${i}`);
    },
    /** The same bytes sent to another merchant's URL. */
    replayElsewhere(p: FuzzPush): FuzzPush {
      const m = ctx.merchants.find((x) => !p.path.startsWith(`/api/openwx/callback/${x.appid}?`));
      const path = p.path.replace(
        /^\/api\/openwx\/callback\/[^?]+/,
        `/api/openwx/callback/${m?.appid}`,
      );
      return { ...p, category: 'replay_other_merchant', expect: 'invalid', path };
    },
    rand,
  };
}
