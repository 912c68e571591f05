import { redact, redactUrl } from '../core/redact.ts';
import { sleep as realSleep } from '../core/clock.ts';
import type { EndpointDef, TokenKind } from './endpoint.ts';
import {
  endpoints,
  type EndpointName,
  type EndpointRequest,
  type EndpointResponse,
} from './endpoints/index.ts';
import { WechatApiError, WechatTransportError } from './errors.ts';

/** What the client needs to send a request; `fetch` fits. */
export type Transport = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string | Buffer;
    signal: AbortSignal;
  },
) => Promise<{
  status: number;
  text(): Promise<string>;
  arrayBuffer?(): Promise<ArrayBuffer>;
  headers?: { get(name: string): string | null };
}>;

/** Supplies tokens; implemented by the token service (which sits above this layer). */
export interface TokenSource {
  getToken(kind: Exclude<TokenKind, 'none'>, appid?: string): Promise<string>;
  /** Marks `token` stale, but only if it is still the current one. */
  invalidate(kind: Exclude<TokenKind, 'none'>, token: string, appid?: string): Promise<void>;
}

export interface CallObserver {
  (event: { endpoint: string; errcode: number | 'transport'; durationMs: number }): void;
}

export interface WechatClientOptions {
  /** WeChat's API base; a function when it is only known later (the in-process emulator). */
  baseUrl: string | (() => string);
  transport?: Transport;
  tokens?: TokenSource;
  timeoutMs?: number;
  /** Retries after errcode -1 / 45011 or a transport failure (with exponential backoff). */
  busyRetries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  observe?: CallObserver;
}

export interface CallOptions {
  /** The authorizer for `authorizer` endpoints. */
  appid?: string;
  /** Use this token instead of asking the token source (token service internals). */
  token?: string;
  query?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  body: string;
  /** The exact bytes (images such as mini program codes are not text). */
  bytes: Buffer;
  contentType: string;
  json: Record<string, unknown> | undefined;
}

export interface WechatClient {
  call<N extends EndpointName>(
    name: N,
    body: EndpointRequest<N>,
    opts?: CallOptions,
  ): Promise<EndpointResponse<N>>;
  /** Calls any path with the right token (the proxy); returns WeChat's answer as is. */
  raw(req: {
    method: string;
    path: string;
    token: Exclude<TokenKind, 'none'>;
    appid?: string;
    query?: Record<string, string>;
    body?: string | Buffer;
    contentType?: string;
  }): Promise<RawResponse>;
}

const STALE = new Set([40001, 40014, 42001]);
const BUSY = new Set([-1, 45011]);

interface Outcome<T> {
  errcode: number;
  result?: T;
  error?: Error;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A GET row's request fields, as query parameters (WeChat's GET APIs take no body). */
function queryFields(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[k] = String(v);
  }
  return out;
}

function errcodeOf(json: Record<string, unknown> | undefined): number {
  const code = json?.['errcode'];
  return typeof code === 'number' ? code : 0;
}

export function createWechatClient(opts: WechatClientOptions): WechatClient {
  const transport: Transport = opts.transport ?? ((url, init) => fetch(url, init as RequestInit));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const busyRetries = opts.busyRetries ?? 2;
  const backoffMs = opts.backoffMs ?? 250;
  const sleep = opts.sleep ?? realSleep;
  const baseOf = typeof opts.baseUrl === 'function' ? opts.baseUrl : () => opts.baseUrl as string;

  async function send(
    endpointName: string,
    method: string,
    path: string,
    query: Record<string, string>,
    body: string | Buffer | undefined,
    contentType: string,
  ): Promise<RawResponse> {
    const qs = new URLSearchParams(query).toString();
    const url = `${baseOf().replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
    let attempt = 0;
    for (;;) {
      const started = performance.now();
      try {
        const res = await transport(url, {
          method,
          headers: body === undefined ? {} : { 'content-type': contentType },
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const bytes = res.arrayBuffer
          ? Buffer.from(await res.arrayBuffer())
          : Buffer.from(await res.text());
        const resType = res.headers?.get('content-type') ?? 'application/json';
        const text = resType.startsWith('image/') ? '' : bytes.toString('utf8');
        const json = parseJson(text);
        const errcode = errcodeOf(json);
        opts.observe?.({
          endpoint: endpointName,
          errcode,
          durationMs: performance.now() - started,
        });
        if (BUSY.has(errcode) && attempt < busyRetries) {
          await sleep(backoffMs * 2 ** attempt);
          attempt++;
          continue;
        }
        return { status: res.status, body: text, bytes, contentType: resType, json };
      } catch (err) {
        opts.observe?.({
          endpoint: endpointName,
          errcode: 'transport',
          durationMs: performance.now() - started,
        });
        if (attempt < busyRetries) {
          await sleep(backoffMs * 2 ** attempt);
          attempt++;
          continue;
        }
        const reason =
          err instanceof Error && err.name === 'TimeoutError'
            ? `timed out after ${timeoutMs} ms`
            : 'request failed';
        throw new WechatTransportError(endpointName, `${reason} (${redactUrl(url)})`, err);
      }
    }
  }

  async function withToken<T>(
    kind: TokenKind,
    appid: string | undefined,
    fixed: string | undefined,
    run: (token: string | undefined) => Promise<Outcome<T>>,
  ): Promise<T> {
    const settle = (o: Outcome<T>): T => {
      if (o.error) throw o.error;
      return o.result as T;
    };
    if (kind === 'none') return settle(await run(undefined));
    if (fixed !== undefined) return settle(await run(fixed));
    if (!opts.tokens) throw new Error('this WeChat client has no token source');
    if (kind === 'authorizer' && !appid) throw new Error('an authorizer endpoint needs an appid');
    const token = await opts.tokens.getToken(kind, appid);
    const first = await run(token);
    if (!STALE.has(first.errcode)) return settle(first);
    await opts.tokens.invalidate(kind, token, appid);
    const fresh = await opts.tokens.getToken(kind, appid);
    return settle(await run(fresh));
  }

  return {
    async call(name, body, callOpts = {}) {
      const def = endpoints[name] as EndpointDef;
      const parsed = def.request.safeParse(body);
      const redacted = redact(body);
      if (!parsed.success) {
        throw new WechatApiError(
          def.name,
          47001,
          `invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          redacted,
        );
      }
      const payload = JSON.stringify(parsed.data);
      return withToken(def.token, callOpts.appid, callOpts.token, async (token) => {
        const query: Record<string, string> = {
          ...callOpts.query,
          ...(def.method === 'GET' ? queryFields(parsed.data) : {}),
        };
        if (token !== undefined) query[def.tokenParam ?? 'access_token'] = token;
        const res = await send(
          def.name,
          def.method,
          def.path,
          query,
          def.method === 'GET' ? undefined : payload,
          'application/json',
        );
        const errcode = errcodeOf(res.json);
        if (res.json === undefined) {
          throw new WechatTransportError(
            def.name,
            `answered HTTP ${res.status} with a body that is not JSON`,
          );
        }
        if (errcode !== 0) {
          const errmsg = typeof res.json['errmsg'] === 'string' ? res.json['errmsg'] : '';
          return { errcode, error: new WechatApiError(def.name, errcode, errmsg, redacted) };
        }
        const out = def.response.safeParse(res.json);
        if (!out.success) {
          throw new WechatTransportError(
            def.name,
            `answer does not match the documented shape: ${out.error.issues[0]?.message ?? ''}`,
          );
        }
        return { result: out.data as never, errcode };
      });
    },

    async raw(req) {
      return withToken(req.token, req.appid, undefined, async (token) => {
        const query: Record<string, string> = { ...req.query };
        if (token !== undefined) {
          delete query['component_access_token'];
          query['access_token'] = token;
        }
        const res = await send(
          `proxy:${req.path}`,
          req.method,
          req.path,
          query,
          req.body,
          req.contentType ?? 'application/json',
        );
        return { result: res, errcode: errcodeOf(res.json) };
      });
    },
  };
}
