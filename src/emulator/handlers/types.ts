import type { z } from 'zod';
import type { EndpointName, Endpoints } from '../../wechat/endpoints/index.ts';
import type { EmulatorContext } from '../context.ts';
import type { Authorization } from '../state.ts';
import { WxApiError } from '../wx-error.ts';

/** Who made the call, from the token in the query string. */
export type Caller =
  { kind: 'none' } | { kind: 'component' } | { kind: 'authorizer'; appid: string };

export interface HandlerInput<B> {
  ctx: EmulatorContext;
  /** The request body after the endpoint row's schema accepted it. */
  body: B;
  caller: Caller;
  /** The query string without the token (e.g. `action=create`). */
  query: Readonly<Record<string, string | undefined>>;
  /** The request body as received, for handlers that take no JSON (`rawBody`). */
  raw?: string;
}

export type HandlerOutput = Record<string, unknown>;

export interface ApiHandler<B> {
  /** Fields whose absence has its own errcode (checked before the request schema). */
  missing?: Readonly<Record<string, number>>;
  /** The body is not JSON (a file upload): `body` is empty and the handler reads `raw`. */
  rawBody?: boolean;
  /** Calls do not count against the daily quota. */
  noQuota?: boolean;
  handle(input: HandlerInput<B>): HandlerOutput | Promise<HandlerOutput>;
}

/** Handlers keyed by endpoint name; the body type comes from the row's request schema. */
export type HandlerTable = {
  [N in EndpointName]?: ApiHandler<z.output<Endpoints[N]['request']>>;
};

export const OK = { errcode: 0, errmsg: 'ok' } as const;

/** Key of a handler output that is a file rather than JSON (e.g. a QR code image). */
export const BINARY = '__binary';

export interface BinaryOutput {
  contentType: string;
  filename?: string;
  bytes: Buffer;
}

/**
 * 61011 "invalid component" unless `appid` is this emulator's component appid. Assumed (no doc):
 * which errcode WeChat gives a wrong component_appid is not documented (40013 "invalid appid" is
 * possible too).
 */
export function requireComponent(ctx: EmulatorContext, appid: string): void {
  if (appid !== ctx.state.component.appid) throw new WxApiError(61011);
}

/** The standing authorization of `appid`, or 61003. */
export function requireAuthorization(ctx: EmulatorContext, appid: string): Authorization {
  const auth = ctx.state.authorizations.get(appid);
  if (!auth || auth.status !== 'authorized') throw new WxApiError(61003);
  return auth;
}

export function funcInfo(
  funcIds: readonly number[],
): Array<{ funcscope_category: { id: number } }> {
  return funcIds.map((id) => ({ funcscope_category: { id } }));
}
