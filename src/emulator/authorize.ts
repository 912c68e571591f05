import { nowMs, nowSeconds, type EmulatorContext } from './context.ts';
import { allowedMerchants, defaultFuncIds } from './merchants.ts';
import { authEventXml, pushAuthEvent, type PushResult } from './pushes.ts';
import { capMap, CODES_MAX, type PreAuthCode } from './state.ts';
import { revokeAuthorizerTokens } from './tokens.ts';

/**
 * The merchant side of the authorization flow: confirming on the authorization page (or through
 * the control API) and cancelling. Reference: ../shared/wechat/01 §3, §5.2, §9.
 */
export type AuthorizeFailure =
  | 'invalid_pre_auth_code'
  | 'pre_auth_code_used'
  | 'pre_auth_code_expired'
  | 'unknown_merchant'
  | 'merchant_not_allowed'
  | 'not_authorized';

const REASONS: Readonly<Record<AuthorizeFailure, string>> = {
  invalid_pre_auth_code: '授权链接无效 / The pre_auth_code is invalid',
  pre_auth_code_used:
    '该授权链接已被使用，请重新发起授权 / This pre_auth_code has already been used',
  pre_auth_code_expired: '该授权链接已过期，请重新发起授权 / This pre_auth_code has expired',
  unknown_merchant: '帐号不存在 / Unknown account',
  merchant_not_allowed:
    '该帐号不在本次授权范围内 / This account is not allowed by auth_type or biz_appid',
  not_authorized: '该帐号未授权此第三方平台 / This account has not authorized the platform',
};

export class AuthorizeError extends Error {
  readonly reason: AuthorizeFailure;
  constructor(reason: AuthorizeFailure) {
    super(REASONS[reason]);
    this.name = 'AuthorizeError';
    this.reason = reason;
  }
}

export function checkPreAuthCode(ctx: EmulatorContext, value: string): PreAuthCode {
  const code = ctx.state.preAuthCodes.get(value);
  if (!code) throw new AuthorizeError('invalid_pre_auth_code');
  if (code.used) throw new AuthorizeError('pre_auth_code_used');
  if (nowMs(ctx) >= code.expiresAt) throw new AuthorizeError('pre_auth_code_expired');
  return code;
}

/** Appends `auth_code` and `expires_in` to the redirect URI (before any fragment). */
export function redirectWithCode(redirectUri: string, authCode: string, expiresIn: number): string {
  const hash = redirectUri.indexOf('#');
  const base = hash < 0 ? redirectUri : redirectUri.slice(0, hash);
  const fragment = hash < 0 ? '' : redirectUri.slice(hash);
  const params = new URLSearchParams({ auth_code: authCode, expires_in: String(expiresIn) });
  return `${base}${base.includes('?') ? '&' : '?'}${params.toString()}${fragment}`;
}

export interface AuthorizeInput {
  preAuthCode: string;
  appid: string;
  funcIds?: number[];
  redirectUri?: string;
}

export interface AuthorizeResult {
  authCode: string;
  expiresIn: number;
  redirectUrl: string | null;
  /** The push this authorization causes (null when the permission sets did not change). */
  infoType: 'authorized' | 'updateauthorized' | null;
  eventXml: string | null;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((v) => sb.has(v));
}

/** Marks the pre-auth code used, creates the auth code and updates the authorization. */
export function authorize(ctx: EmulatorContext, input: AuthorizeInput): AuthorizeResult {
  const { state, settings } = ctx;
  const code = checkPreAuthCode(ctx, input.preAuthCode);
  const merchant = state.merchants.get(input.appid);
  if (!merchant) throw new AuthorizeError('unknown_merchant');
  if (code.authType !== undefined) {
    const allowed = allowedMerchants(ctx, code.authType, code.bizAppid);
    if (!allowed.some((m) => m.appid === merchant.appid)) {
      throw new AuthorizeError('merchant_not_allowed');
    }
  }
  const funcIds = [
    ...new Set(input.funcIds?.length ? input.funcIds : defaultFuncIds(merchant.type)),
  ];
  const now = nowMs(ctx);
  code.used = true;
  const authCode = ctx.ids.authCode();
  const expiresIn = settings.authCodeTtlSeconds;
  state.authCodes.set(authCode, {
    value: authCode,
    authorizerAppid: merchant.appid,
    preAuthCode: code.value,
    expiresAt: now + expiresIn * 1000,
    consumed: false,
  });
  capMap(state.authCodes, CODES_MAX);

  let infoType: AuthorizeResult['infoType'] = null;
  const existing = state.authorizations.get(merchant.appid);
  if (!existing || existing.status === 'unauthorized') {
    state.authorizations.set(merchant.appid, {
      appid: merchant.appid,
      status: 'authorized',
      funcIds,
      refreshToken: ctx.ids.refreshToken(),
      authTime: nowSeconds(ctx),
      options: existing?.options ?? {},
    });
    infoType = 'authorized';
  } else if (!sameSet(existing.funcIds, funcIds)) {
    existing.funcIds = funcIds;
    infoType = 'updateauthorized';
  }

  const redirectUri = input.redirectUri ?? code.redirectUri;
  const eventXml =
    infoType === null
      ? null
      : authEventXml(ctx, infoType, {
          AuthorizerAppid: merchant.appid,
          AuthorizationCode: authCode,
          AuthorizationCodeExpiredTime: Math.floor(now / 1000) + expiresIn,
          PreAuthCode: code.value,
        });
  return {
    authCode,
    expiresIn,
    redirectUrl: redirectUri ? redirectWithCode(redirectUri, authCode, expiresIn) : null,
    infoType,
    eventXml,
  };
}

/** Pushes the event an authorization caused, if any. */
export async function pushAuthorization(
  ctx: EmulatorContext,
  result: AuthorizeResult,
): Promise<PushResult | null> {
  return result.eventXml === null ? null : pushAuthEvent(ctx, result.eventXml);
}

/**
 * Cancels an authorization: refresh and access tokens stop working at once; a later
 * authorization issues a new refresh token. Returns the `unauthorized` event XML. The push is
 * documented (doc Third-party_Platforms/2.0/api/Before_Develop/authorize_event); that tokens stop
 * at once and answer 61003 "component is not authorized by this account" afterwards is assumed
 * (no doc; 61003 is the documented answer for an account that has not authorized the platform).
 */
export function unauthorize(ctx: EmulatorContext, appid: string): string {
  const auth = ctx.state.authorizations.get(appid);
  if (!auth || auth.status !== 'authorized') throw new AuthorizeError('not_authorized');
  auth.status = 'unauthorized';
  delete auth.prevRefreshToken;
  delete auth.prevRefreshTokenUntil;
  revokeAuthorizerTokens(ctx, appid);
  return authEventXml(ctx, 'unauthorized', { AuthorizerAppid: appid });
}
