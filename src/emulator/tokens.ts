import { nowMs, type EmulatorContext } from './context.ts';
import { capMap, type Authorization, type Ticket, type TokenRecord } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * Tickets, component and authorizer access tokens, refresh tokens.
 * Rules: ticket valid 12 h (doc api_component_access_token: the ticket is pushed every 10 minutes
 * and valid 12 hours); tokens live `tokenTtlSeconds` (7200 in the docs' answers); the previous
 * token keeps working for the overlap (300 s) after a newer one is issued (doc getAccessToken: the
 * old and the new access_token both work for 5 minutes after a refresh). Refresh tokens
 * optionally rotate with the same grace (`rotateRefreshTokens`, off by default): assumed (no doc):
 * WeChat documents no rotation, the switch exists to test a platform that copes with one.
 * Reference: ../shared/wechat/01 §2, §4.2, §4.6, §9.
 */
/** Enough for a fleet of 200,000 authorizers to keep its last two tokens each. */
const MAX_RECORDS = 500_000;

export function issueTicket(ctx: EmulatorContext): Ticket {
  const ticket: Ticket = { value: ctx.ids.ticket(), issuedAt: nowMs(ctx) };
  ctx.state.tickets.set(ticket.value, ticket);
  ctx.state.currentTicket = ticket.value;
  capMap(ctx.state.tickets, 1000);
  return ticket;
}

/** Any ticket pushed within its validity works; an unknown one is 61006, an old one 61005. */
export function checkTicket(ctx: EmulatorContext, value: string): void {
  const ticket = ctx.state.tickets.get(value);
  if (!ticket) throw new WxApiError(61006);
  if (nowMs(ctx) >= ticket.issuedAt + ctx.settings.ticketTtlMs) throw new WxApiError(61005);
}

function newToken(ctx: EmulatorContext, appid?: string, issuedAt = nowMs(ctx)): TokenRecord {
  return {
    value: ctx.ids.accessToken(),
    ...(appid === undefined ? {} : { appid }),
    issuedAt,
    expiresAt: issuedAt + ctx.settings.tokenTtlSeconds * 1000,
  };
}

export function issueComponentToken(ctx: EmulatorContext): TokenRecord {
  const { state } = ctx;
  const record = newToken(ctx);
  const previous =
    state.currentComponentToken && state.componentTokens.get(state.currentComponentToken);
  if (previous && previous.supersededAt === undefined) previous.supersededAt = record.issuedAt;
  state.componentTokens.set(record.value, record);
  state.currentComponentToken = record.value;
  capMap(state.componentTokens, MAX_RECORDS);
  return record;
}

/** `issuedAt` (default now) is earlier only for accounts created as authorized in the past. */
export function issueAuthorizerToken(
  ctx: EmulatorContext,
  appid: string,
  issuedAt?: number,
): TokenRecord {
  const { state } = ctx;
  const record = newToken(ctx, appid, issuedAt);
  const currentValue = state.currentAuthorizerTokens.get(appid);
  const previous =
    currentValue === undefined ? undefined : state.authorizerTokens.get(currentValue);
  if (previous && previous.supersededAt === undefined) previous.supersededAt = record.issuedAt;
  state.authorizerTokens.set(record.value, record);
  state.currentAuthorizerTokens.set(appid, record.value);
  capMap(state.authorizerTokens, MAX_RECORDS);
  return record;
}

export type TokenOwner =
  | { kind: 'component'; record: TokenRecord }
  | { kind: 'authorizer'; record: TokenRecord; appid: string };

export function findToken(ctx: EmulatorContext, value: string): TokenOwner | undefined {
  const component = ctx.state.componentTokens.get(value);
  if (component) return { kind: 'component', record: component };
  const authorizer = ctx.state.authorizerTokens.get(value);
  if (authorizer?.appid !== undefined) {
    return { kind: 'authorizer', record: authorizer, appid: authorizer.appid };
  }
  return undefined;
}

/**
 * 61003 once the authorization is cancelled, 42001 past `expires_in`, 40001 ("not latest") once
 * a newer token has been out for longer than the overlap.
 */
export function checkTokenRecord(ctx: EmulatorContext, record: TokenRecord): void {
  const now = nowMs(ctx);
  if (record.revoked) throw new WxApiError(61003);
  if (now >= record.expiresAt) throw new WxApiError(42001);
  if (record.supersededAt !== undefined && now >= record.supersededAt + ctx.settings.overlapMs) {
    throw new WxApiError(40001);
  }
}

export function revokeAuthorizerTokens(ctx: EmulatorContext, appid: string): void {
  for (const record of ctx.state.authorizerTokens.values()) {
    if (record.appid === appid) record.revoked = true;
  }
  ctx.state.currentAuthorizerTokens.delete(appid);
}

/** Returns whether `value` is the current refresh token (else the previous one, in its grace). */
export function checkRefreshToken(
  ctx: EmulatorContext,
  auth: Authorization,
  value: string,
): 'current' | 'previous' {
  if (value === auth.refreshToken) return 'current';
  if (
    auth.prevRefreshToken !== undefined &&
    value === auth.prevRefreshToken &&
    auth.prevRefreshTokenUntil !== undefined &&
    nowMs(ctx) < auth.prevRefreshTokenUntil
  ) {
    return 'previous';
  }
  throw new WxApiError(61023);
}

export function rotateRefreshToken(ctx: EmulatorContext, auth: Authorization): void {
  auth.prevRefreshToken = auth.refreshToken;
  auth.prevRefreshTokenUntil = nowMs(ctx) + ctx.settings.overlapMs;
  auth.refreshToken = ctx.ids.refreshToken();
}
