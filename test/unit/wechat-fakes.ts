import assert from 'node:assert/strict';
import type { TokenKind } from '../../src/wechat/endpoint.ts';
import {
  createWechatClient,
  type TokenSource,
  type Transport,
  type WechatClientOptions,
} from '../../src/wechat/client.ts';

/** A fake transport and token source for the WeChat client's tests. */

export const BASE = 'https://api.example.invalid';
export const COMPONENT_APPID = 'wx0123456789abcdef';
export const AUTHORIZER_APPID = 'wxfedcba9876543210';
export const SECRET = 'c0ffee0123456789c0ffee0123456789';
export const TICKET = 'ticket@@@SECRET_TICKET_VALUE';

export type Answer = { status?: number; body: unknown } | { throws: Error };

interface RecordedCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A transport that answers from a script and records every request. */
export function fakeTransport(...answers: Answer[]) {
  const calls: RecordedCall[] = [];
  const transport: Transport = async (url, init) => {
    calls.push({
      url: new URL(url),
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : String(init.body),
    });
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${url}`);
    if ('throws' in answer) throw answer.throws;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return { status: answer.status ?? 200, text: async () => text };
  };
  return { transport, calls, left: () => answers.length };
}

type Kind = Exclude<TokenKind, 'none'>;

/** A token source that hands out generation 1, 2, 3… of each token and records what it is asked. */
export function fakeTokens() {
  const generation = new Map<string, number>();
  const keyOf = (kind: Kind, appid?: string) =>
    kind === 'component' ? 'component' : `authorizer:${appid}`;
  const tokenOf = (key: string) =>
    `${key.startsWith('component') ? 'CTOKEN' : `ATOKEN_${key.slice(11)}`}_${generation.get(key) ?? 1}`;
  const gets: { kind: Kind; appid: string | undefined }[] = [];
  const invalidations: { kind: Kind; token: string; appid: string | undefined }[] = [];
  const source: TokenSource = {
    async getToken(kind, appid) {
      gets.push({ kind, appid });
      return tokenOf(keyOf(kind, appid));
    },
    async invalidate(kind, token, appid) {
      invalidations.push({ kind, token, appid });
      const key = keyOf(kind, appid);
      if (tokenOf(key) === token) generation.set(key, (generation.get(key) ?? 1) + 1);
    },
  };
  return { source, gets, invalidations };
}

export function setup(answers: Answer[], opts: Partial<WechatClientOptions> = {}) {
  const t = fakeTransport(...answers);
  const tokens = fakeTokens();
  const waits: number[] = [];
  const client = createWechatClient({
    baseUrl: `${BASE}/`,
    transport: t.transport,
    tokens: tokens.source,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...opts,
  });
  return { client, calls: t.calls, left: t.left, tokens, waits };
}

export const tokenRequest = {
  component_appid: COMPONENT_APPID,
  component_appsecret: SECRET,
  component_verify_ticket: TICKET,
};

export const preAuthOk = { pre_auth_code: 'preauthcode@@@abc', expires_in: 600 };

/** Collects an async error (assert.rejects does not hand it back). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('expected the call to fail');
}
