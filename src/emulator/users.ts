import { randomAlnum } from '../core/random.ts';
import { nowMs, type EmulatorContext } from './context.ts';
import { capMap, type Merchant, type MerchantType, type TokenRecord } from './state.ts';
import type { FakeUser, SnsToken, UserCode } from './user-state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * The merchants' own users on WeChat's side: `wx.login` codes and their exchange, web OAuth codes
 * (single use, 5 minutes), OAuth access tokens, profiles and jsapi_tickets.
 */
export const USER_CODE_TTL_MS = 5 * 60_000;
export const SNS_TOKEN_TTL_SECONDS = 7200;
export const OAUTH_SCOPES = ['snsapi_base', 'snsapi_userinfo'] as const;
export const DEFAULT_USER = 'user';
const MAX_ENTRIES = 100_000;

/** A control-API or page error (not a WeChat API errcode). */
export class UserFlowError extends Error {}

const users = (ctx: EmulatorContext) => ctx.state.users;
const wxId = (ctx: EmulatorContext): string => `o${randomAlnum(27, ctx.random)}`;

/** An account that authorized this platform and is of the wanted type (for the control API). */
export function requireAccount(ctx: EmulatorContext, appid: string, type: MerchantType): Merchant {
  const merchant = ctx.state.merchants.get(appid);
  if (!merchant) throw new UserFlowError(`unknown account ${appid}`);
  if (merchant.type !== type) throw new UserFlowError(`${appid} is not a ${type}`);
  if (ctx.state.authorizations.get(appid)?.status !== 'authorized') {
    throw new UserFlowError(`${appid} has not authorized the platform`);
  }
  return merchant;
}

/** The fake user `key` as seen by account `appid` (created on first use). */
export function findUser(ctx: EmulatorContext, appid: string, key: string): FakeUser {
  const state = users(ctx);
  const id = `${appid} ${key}`;
  let user = state.users.get(id);
  if (!user) {
    let unionid = state.unionids.get(key);
    if (!unionid) {
      unionid = wxId(ctx);
      state.unionids.set(key, unionid);
    }
    user = { key, appid, openid: wxId(ctx), unionid, nickname: `Fake user ${key}` };
    state.users.set(id, user);
    capMap(state.users, MAX_ENTRIES);
  }
  return user;
}

function issueCode(
  ctx: EmulatorContext,
  codes: Map<string, UserCode>,
  appid: string,
  userKey: string,
  scope?: string,
): UserCode {
  const code: UserCode = {
    value: randomAlnum(32, ctx.random),
    appid,
    userKey,
    ...(scope === undefined ? {} : { scope }),
    expiresAt: nowMs(ctx) + USER_CODE_TTL_MS,
    used: false,
  };
  codes.set(code.value, code);
  capMap(codes, MAX_ENTRIES);
  return code;
}

/** 40029 for an unknown, expired or foreign code; 40163 for a used one. Marks it used. */
function useCode(ctx: EmulatorContext, codes: Map<string, UserCode>, appid: string, value: string) {
  const code = codes.get(value);
  if (!code || code.appid !== appid || nowMs(ctx) >= code.expiresAt) throw new WxApiError(40029);
  if (code.used) throw new WxApiError(40163);
  code.used = true;
  return code;
}

/** What `wx.login` gives a user of a mini program. */
export function issueJsCode(ctx: EmulatorContext, appid: string, userKey: string) {
  const user = findUser(ctx, appid, userKey);
  return { code: issueCode(ctx, users(ctx).jsCodes, appid, userKey), user };
}

/** jscode2session: a new session_key for the user on every login. */
export function exchangeJsCode(ctx: EmulatorContext, appid: string, value: string): FakeUser {
  const code = useCode(ctx, users(ctx).jsCodes, appid, value);
  const user = findUser(ctx, appid, code.userKey);
  user.sessionKey = ctx.random.bytes(16).toString('base64');
  return user;
}

/** The user's consent on the OAuth page (silent for snsapi_base). */
export function issueOAuthCode(
  ctx: EmulatorContext,
  appid: string,
  userKey: string,
  scope: string,
) {
  const user = findUser(ctx, appid, userKey);
  return { code: issueCode(ctx, users(ctx).oauthCodes, appid, userKey, scope), user };
}

export function exchangeOAuthCode(
  ctx: EmulatorContext,
  appid: string,
  value: string,
): { user: FakeUser; token: SnsToken; refreshToken: string } {
  const code = useCode(ctx, users(ctx).oauthCodes, appid, value);
  const user = findUser(ctx, appid, code.userKey);
  const token: SnsToken = {
    value: randomAlnum(86, ctx.random),
    appid,
    openid: user.openid,
    scope: code.scope ?? 'snsapi_base',
    expiresAt: nowMs(ctx) + SNS_TOKEN_TTL_SECONDS * 1000,
  };
  users(ctx).snsTokens.set(token.value, token);
  capMap(users(ctx).snsTokens, MAX_ENTRIES);
  return { user, token, refreshToken: randomAlnum(86, ctx.random) };
}

/** sns/userinfo: 40001 unknown token, 42001 expired, 40003 other openid, 48001 base scope. */
export function userProfile(ctx: EmulatorContext, accessToken: string, openid: string) {
  const token = users(ctx).snsTokens.get(accessToken);
  if (!token) throw new WxApiError(40001);
  if (nowMs(ctx) >= token.expiresAt) throw new WxApiError(42001);
  if (token.openid !== openid) throw new WxApiError(40003);
  if (!token.scope.split(',').includes('snsapi_userinfo')) throw new WxApiError(48001);
  const user = [...users(ctx).users.values()].find(
    (u) => u.appid === token.appid && u.openid === openid,
  );
  if (!user) throw new WxApiError(40003);
  return {
    openid,
    nickname: user.nickname,
    sex: 0,
    province: '',
    city: '',
    country: '',
    headimgurl: `https://example.invalid/headimg/${openid}.png`,
    privilege: [],
    unionid: user.unionid,
  };
}

/** A new jsapi_ticket; the previous one keeps working for the overlap, like access tokens. */
export function issueJsapiTicket(ctx: EmulatorContext, appid: string): TokenRecord {
  const state = users(ctx);
  const issuedAt = nowMs(ctx);
  const record: TokenRecord = {
    value: `${randomAlnum(22, ctx.random)}-${randomAlnum(63, ctx.random)}`,
    appid,
    issuedAt,
    expiresAt: issuedAt + ctx.settings.tokenTtlSeconds * 1000,
  };
  const previousValue = state.currentJsapiTickets.get(appid);
  const previous = previousValue === undefined ? undefined : state.jsapiTickets.get(previousValue);
  if (previous && previous.supersededAt === undefined) previous.supersededAt = issuedAt;
  state.jsapiTickets.set(record.value, record);
  state.currentJsapiTickets.set(appid, record.value);
  capMap(state.jsapiTickets, MAX_ENTRIES);
  return record;
}

/** The newest jsapi_ticket of `appid` if it still works. */
export function currentJsapiTicket(ctx: EmulatorContext, appid: string): TokenRecord | undefined {
  const value = users(ctx).currentJsapiTickets.get(appid);
  const record = value === undefined ? undefined : users(ctx).jsapiTickets.get(value);
  return record && nowMs(ctx) < record.expiresAt ? record : undefined;
}

/** Whether `ticket` of `appid` would be accepted by wx.config now. */
export function jsapiTicketWorks(ctx: EmulatorContext, appid: string, ticket: string): boolean {
  const record = users(ctx).jsapiTickets.get(ticket);
  if (!record || record.appid !== appid) return false;
  const now = nowMs(ctx);
  if (now >= record.expiresAt) return false;
  return record.supersededAt === undefined || now < record.supersededAt + ctx.settings.overlapMs;
}
