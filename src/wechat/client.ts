import { redact, redactUrl } from '../core/redact.ts';
import { sleep as realSleep } from '../core/clock.ts';
import { effectOf, type Effect, type EndpointDef, type TokenKind } from './endpoint.ts';
import {
  endpoints,
  findEndpointByPath,
  type EndpointName,
  type EndpointRequest,
  type EndpointResponse,
} from './endpoints/index.ts';
import { WechatApiError, WechatOutcomeUnknownError, WechatTransportError } from './errors.ts';
import { failedBeforeSending, repeatsAfterAnswer, repeatsAfterFailure } from './retry-rules.ts';

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
  /**
   * Retries (with exponential backoff) after a busy answer (-1, 45011) or a transport failure.
   * A call that changes state is retried only when WeChat surely did not act on it
   * (retry-rules.ts); when its answer is lost it ends as WechatOutcomeUnknownError.
   */
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
  /**
   * Calls any path with the right token (the proxy); returns WeChat's answer as is. A path of the
   * endpoint table takes its row's effect; any other path is a read for GET, a write otherwise.
   */
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

/** A raw body's JSON fields, if it is a JSON object (the proxy's write actions are named there). */
function bodyFields(body: string | Buffer | undefined): Record<string, unknown> {
  return body === undefined ? {} : (parseJson(body.toString()) ?? {});
}

/** What a proxied request does at WeChat: its table row's effect, else GET reads and others write. */
export function proxyEffect(
  method: string,
  path: string,
  fields: Readonly<Record<string, unknown>>,
): Effect {
  const verb = method.toUpperCase();
  const rows = findEndpointByPath(path).filter((row) => row.method === verb);
  if (rows.length === 0) return verb === 'GET' ? 'read' : 'write';
  return rows.some((row) => effectOf(row, fields) === 'write') ? 'write' : 'read';
}

/** Why a request failed: the timeout, or the error code of it or of its causes (no messages). */
function failureReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return `request failed: ${code}`;
    e = (e as { cause?: unknown }).cause;
  }
  return 'request failed';
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
    effect: Effect,
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
        if (repeatsAfterAnswer(effect, errcode, endpointName) && attempt < busyRetries) {
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
        if (repeatsAfterFailure(effect, err) && attempt < busyRetries) {
          await sleep(backoffMs * 2 ** attempt);
          attempt++;
          continue;
        }
        const reason = `${failureReason(err, timeoutMs)}; ${redactUrl(url)}`;
        if (effect === 'write' && !failedBeforeSending(err)) {
          throw new WechatOutcomeUnknownError(endpointName, reason, err);
        }
        throw new WechatTransportError(endpointName, reason, err);
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
      const effect = effectOf(def, { ...callOpts.query, ...(parsed.data as object) });
      return withToken(def.token, callOpts.appid, callOpts.token, async (token) => {
        const query: Record<string, string> = {
          ...callOpts.query,
          ...(def.method === 'GET' ? queryFields(parsed.data) : {}),
        };
        if (token !== undefined) query[def.tokenParam ?? 'access_token'] = token;
        const res = await send(
          def.name,
          effect,
          def.method,
          def.path,
          query,
          def.method === 'GET' ? undefined : payload,
          'application/json',
        );
        const errcode = errcodeOf(res.json);
        if (res.json === undefined) {
          // Not WeChat's JSON (a proxy's error page, a gateway timeout): the call may have run.
          const reason = `HTTP ${res.status} with a body that is not JSON`;
          if (effect === 'write') throw new WechatOutcomeUnknownError(def.name, reason);
          throw new WechatTransportError(def.name, `answered ${reason}`);
        }
        if (errcode !== 0) {
          const { errcode: _code, errmsg: message, ...answer } = res.json;
          const errmsg = typeof message === 'string' ? message : '';
          const error = new WechatApiError(def.name, errcode, errmsg, redacted, answer);
          return { errcode, error };
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
      const effect = proxyEffect(req.method, req.path, { ...req.query, ...bodyFields(req.body) });
      return withToken(req.token, req.appid, undefined, async (token) => {
        const query: Record<string, string> = { ...req.query };
        if (token !== undefined) {
          delete query['component_access_token'];
          query['access_token'] = token;
        }
        const res = await send(
          `proxy:${req.path}`,
          effect,
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
