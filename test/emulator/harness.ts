import Fastify, { type FastifyInstance } from 'fastify';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';
import { parseXml, xmlText, type XmlObject } from '../../src/crypto/xml.ts';
import type { EndpointDef } from '../../src/wechat/endpoint.ts';
import { endpoints, type EndpointName } from '../../src/wechat/endpoints/index.ts';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';

/** Fake platform credentials used by the emulator tests (not real values). */
export const COMPONENT = {
  appid: 'wxc0ffee0000000001',
  appsecret: 'fake-component-secret-0001',
  token: 'fake-push-token',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
} as const;

export const PREFIX = '/emulator';

/** One push as the platform saw it, after verifying both signatures and decrypting. */
export interface Received {
  url: URL;
  contentType: string;
  body: string;
  plaintext: string;
  xml: XmlObject;
  signatureOk: boolean;
}

export type Responder = (
  push: Received,
  signal: AbortSignal | undefined,
) => Promise<Response> | Response;

export const successResponder: Responder = () => new Response('success', { status: 200 });

/**
 * Never answers until the push is aborted (its timeout). The interval keeps the event loop alive
 * the way an open socket would (AbortSignal.timeout alone does not).
 */
export const hangingResponder: Responder = (_push, signal) =>
  new Promise((_resolve, reject) => {
    const keepAlive = setInterval(() => undefined, 1000);
    signal?.addEventListener('abort', () => {
      clearInterval(keepAlive);
      reject(signal.reason as Error);
    });
  });

/**
 * Stands in for openwx: a `fetch` that checks signatures, decrypts with WxBizMsgCrypt and
 * records what arrived.
 */
export class FakePlatform {
  readonly crypt = new WxBizMsgCrypt({
    token: COMPONENT.token,
    encodingAesKey: COMPONENT.aesKey,
    appid: COMPONENT.appid,
  });
  readonly received: Received[] = [];
  respond: Responder = successResponder;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = String(init?.body ?? '');
    const q = url.searchParams;
    const outer = parseXml(body);
    const encrypt = xmlText(outer, 'Encrypt') ?? '';
    const timestamp = q.get('timestamp') ?? '';
    const nonce = q.get('nonce') ?? '';
    const plaintext = this.crypt.open({
      timestamp,
      nonce,
      encrypt,
      msgSignature: q.get('msg_signature') ?? '',
    });
    const headers = new Headers(init?.headers);
    const push: Received = {
      url,
      contentType: headers.get('content-type') ?? '',
      body,
      plaintext,
      xml: parseXml(plaintext),
      signatureOk: q.get('signature') === sha1Signature(COMPONENT.token, timestamp, nonce),
    };
    this.received.push(push);
    for (const w of this.waiters.filter((w) => this.received.length >= w.n)) w.resolve();
    this.waiters = this.waiters.filter((w) => this.received.length < w.n);
    return this.respond(push, init?.signal ?? undefined);
  };

  /** Resolves once `n` pushes have arrived in total. */
  waitFor(n: number): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  last(): Received {
    const push = this.received.at(-1);
    if (!push) throw new Error('nothing was pushed');
    return push;
  }
}

export interface Harness {
  app: FastifyInstance;
  emulator: Emulator;
  platform: FakePlatform;
  /** Calls an endpoint by name; the token goes into the row's token parameter. */
  api(
    name: EndpointName,
    body: unknown,
    token?: string,
    param?: string,
  ): Promise<Record<string, unknown>>;
  control(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  componentToken(): Promise<string>;
  /** Creates a merchant, authorizes it through the control API and exchanges the code. */
  authorized(
    type?: 'miniprogram' | 'officialaccount',
    funcIds?: number[],
  ): Promise<{
    appid: string;
    accessToken: string;
    refreshToken: string;
  }>;
  close(): Promise<void>;
}

export async function createHarness(extra: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const platform = new FakePlatform();
  const emulator = createEmulator({
    component: { ...COMPONENT },
    authEventUrl: 'https://openwx.example.invalid/api/openwx/auth',
    messageUrl: 'https://openwx.example.invalid/api/openwx/callback/$APPID$',
    ticketIntervalMs: 0,
    fetch: platform.fetch,
    ...extra,
  });
  const app = Fastify({ logger: false });
  await app.register(emulator.plugin, { prefix: PREFIX });
  await app.ready();

  const api: Harness['api'] = async (name, body, token, param) => {
    const row: EndpointDef = endpoints[name];
    const qs =
      token === undefined
        ? ''
        : `?${param ?? row.tokenParam ?? 'access_token'}=${encodeURIComponent(token)}`;
    const res = await app.inject({
      method: row.method,
      url: `${PREFIX}${row.path}${qs}`,
      headers: { 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
    return res.json<Record<string, unknown>>();
  };

  const control: Harness['control'] = async (method, path, body) => {
    const res = await app.inject({
      method,
      url: `${PREFIX}/control${path}`,
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': 'application/json' },
            payload: typeof body === 'string' ? body : JSON.stringify(body),
          }),
    });
    return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
  };

  const componentToken = async (): Promise<string> => {
    await emulator.pushTicket();
    const res = await api('api_component_token', {
      component_appid: COMPONENT.appid,
      component_appsecret: COMPONENT.appsecret,
      component_verify_ticket: emulator.state.currentTicket,
    });
    if (typeof res['component_access_token'] !== 'string') throw new Error(JSON.stringify(res));
    return res['component_access_token'];
  };

  const authorized: Harness['authorized'] = async (type = 'officialaccount', funcIds) => {
    const token = await componentToken();
    const merchant = await control('POST', '/merchants', { type, nickname: `Fake ${type}` });
    const appid = String(merchant.json['appid']);
    const pre = await api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    const auth = await control('POST', '/authorize', {
      pre_auth_code: pre['pre_auth_code'],
      appid,
      ...(funcIds ? { func_ids: funcIds } : {}),
    });
    const q = await api(
      'api_query_auth',
      { component_appid: COMPONENT.appid, authorization_code: auth.json['auth_code'] },
      token,
    );
    const info = q['authorization_info'] as Record<string, string>;
    return {
      appid,
      accessToken: info['authorizer_access_token'] ?? '',
      refreshToken: info['authorizer_refresh_token'] ?? '',
    };
  };

  return {
    app,
    emulator,
    platform,
    api,
    control,
    componentToken,
    authorized,
    async close() {
      await emulator.stop();
      await app.close();
    },
  };
}

export async function advance(h: Harness, seconds: number): Promise<void> {
  const res = await h.control('POST', '/clock', { advanceSeconds: seconds });
  if (res.status !== 200) throw new Error(JSON.stringify(res.json));
}
