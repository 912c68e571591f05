import { randomBytes } from 'node:crypto';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';
import { buildXml } from '../../src/crypto/xml.ts';
import type { FakePlatform } from './fakes.ts';

/**
 * Signed, encrypted pushes as WeChat sends them. Every push made by one generator is distinct
 * (its own nonce and ticket or MsgId), so the store's dedupe never turns one into a no-op.
 */
export type PushKind = 'ticket' | 'message';

export interface Push {
  /** Path and query (`/api/openwx/...?signature=...`). */
  path: string;
  body: string;
}

export function cryptFor(p: FakePlatform): WxBizMsgCrypt {
  return new WxBizMsgCrypt({ token: p.token, encodingAesKey: p.aesKey, appid: p.componentAppid });
}

export function ticketPlaintext(p: FakePlatform, createTime: number, ticket: string): string {
  return buildXml({
    AppId: p.componentAppid,
    CreateTime: createTime,
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: ticket,
  });
}

export function messagePlaintext(p: FakePlatform, createTime: number, from: string, msgId: string) {
  return buildXml({
    ToUserName: p.originalId,
    FromUserName: from,
    CreateTime: createTime,
    MsgType: 'text',
    Content: `openwx bench message ${msgId}`,
    MsgId: msgId,
  });
}

export interface PushGenerator {
  kind: PushKind;
  next(): Push;
  /** How many pushes were made so far. */
  readonly made: number;
}

export function pushGenerator(p: FakePlatform, kind: PushKind): PushGenerator {
  const crypt = cryptFor(p);
  const run = randomBytes(6).toString('hex');
  // MsgIds are 64-bit decimal strings in WeChat; a random base keeps runs apart and, at most
  // 2^32 × 10^6 plus the pushes made, stays below 2^63 (openPush refuses larger ones).
  const msgBase = BigInt(`0x${randomBytes(4).toString('hex')}`) * 1_000_000n;
  const from = `o${randomBytes(14).toString('base64url')}`;
  let made = 0;
  return {
    kind,
    get made() {
      return made;
    },
    next(): Push {
      const i = made++;
      const now = Math.floor(Date.now() / 1000);
      const timestamp = String(now);
      const nonce = `${run}${i}`;
      const plaintext =
        kind === 'ticket'
          ? ticketPlaintext(p, now, `ticket@@@${run}-${i}-${randomBytes(24).toString('base64url')}`)
          : messagePlaintext(p, now, from, String(msgBase + BigInt(i)));
      const sealed = crypt.seal(plaintext, timestamp, nonce);
      const head = kind === 'ticket' ? { AppId: p.componentAppid } : { ToUserName: p.originalId };
      const body = buildXml({ ...head, Encrypt: sealed.encrypt });
      const query = new URLSearchParams({
        signature: sha1Signature(p.token, timestamp, nonce),
        timestamp,
        nonce,
        encrypt_type: 'aes',
        msg_signature: sealed.msgSignature,
      });
      const route =
        kind === 'ticket' ? '/api/openwx/auth' : `/api/openwx/callback/${p.authorizerAppid}`;
      return { path: `${route}?${query.toString()}`, body };
    },
  };
}

/**
 * Pushes made ahead of the run (so the load generator only copies them), topped up on demand
 * when the run outlasts the pool; `cycle` reuses the pool for targets that store nothing.
 */
export interface PushSource {
  next(): Push;
  /** Pushes made during the run because the pool ran out. */
  readonly madeLive: number;
  readonly handedOut: number;
}

export function pushSource(gen: PushGenerator, poolSize: number, cycle: boolean): PushSource {
  const pool: (Push | undefined)[] = [];
  for (let i = 0; i < poolSize; i++) pool.push(gen.next());
  const size = pool.length;
  let index = 0;
  let live = 0;
  return {
    get madeLive() {
      return live;
    },
    get handedOut() {
      return index;
    },
    next(): Push {
      const i = index++;
      const pooled = pool[cycle ? i % size : i];
      if (pooled) {
        if (!cycle) pool[i] = undefined; // handed out once; let it be collected
        return pooled;
      }
      live++;
      return gen.next();
    },
  };
}
