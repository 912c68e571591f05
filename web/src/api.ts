import { getToken, signOut } from './session.ts';

/**
 * The console's only way to the server: a typed fetch client for the admin API (bearer admin
 * token) and for the sandbox emulator's control API. Every failure becomes an ApiError with a
 * code the pages can show: `network` (openwx unreachable), `unauthorized` (the token was refused:
 * the console signs out), or the API's own `{error:{code,message,field?}}`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the error is about, when the API names one. */
  readonly field: string | undefined;
  readonly errcode: number | undefined;
  /** The values the reason is about (limits, roles, …), for the operator's language. */
  readonly params: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { field?: string; errcode?: number; params?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.errcode = extra.errcode;
    this.params = extra.params ?? {};
  }
}

export const NETWORK_MESSAGE = 'cannot reach openwx: check the network or that the server runs';
export const UNAUTHORIZED_MESSAGE = 'admin token expired or invalid, sign in again';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Use this token instead of the session's (the sign-in check). */
  token?: string;
  signal?: AbortSignal;
}

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method: Method, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.token ?? getToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(withQuery(path, opts.query), {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The API's error answer as an ApiError (`{error:{...}}`, the emulator's `{error:"..."}`, text). */
export function errorOf(status: number, body: unknown): ApiError {
  const e = isRecord(body) ? body['error'] : undefined;
  if (isRecord(e)) {
    return new ApiError(
      status,
      typeof e['code'] === 'string' ? e['code'] : 'error',
      typeof e['message'] === 'string' ? e['message'] : `HTTP ${status}`,
      {
        ...(typeof e['field'] === 'string' ? { field: e['field'] } : {}),
        ...(typeof e['errcode'] === 'number' ? { errcode: e['errcode'] } : {}),
        ...(isRecord(e['params']) ? { params: e['params'] } : {}),
      },
    );
  }
  if (typeof e === 'string') return new ApiError(status, 'error', e);
  if (typeof body === 'string' && body.trim()) return new ApiError(status, 'error', body.trim());
  return new ApiError(status, 'error', `the server answered HTTP ${status}`);
}

/** A call to the admin API. A refused token signs the console out (unless checking a token). */
export async function api<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts);
  const body = await readBody(res);
  if (res.ok) return body as T;
  if (res.status === 401) {
    // A refused sign-in (wrong password, a code needed) is the form's to show, not a lost session.
    const refused = errorOf(401, body);
    if (refused.code !== 'unauthorized' && refused.code !== 'error') throw refused;
    if (opts.token === undefined) signOut('expired');
    throw new ApiError(401, 'unauthorized', UNAUTHORIZED_MESSAGE);
  }
  throw errorOf(res.status, body);
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  api<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) });
export const post = <T>(path: string, body?: unknown) =>
  api<T>('POST', path, body === undefined ? {} : { body });

/** The sandbox emulator's control API (no token: it exists only in sandbox mode). */
export async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await send(body === undefined ? 'GET' : 'POST', `/emulator/control${path}`, {
    token: '',
    ...(body === undefined ? {} : { body }),
  });
  const answer = await readBody(res);
  if (!res.ok) throw errorOf(res.status, answer);
  return answer as T;
}
