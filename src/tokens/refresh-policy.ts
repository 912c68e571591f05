import { WechatApiError } from '../wechat/errors.ts';

/**
 * When tokens are refreshed and what a failure does. Pure functions and numbers, shared by the
 * token service and its scheduled refreshes.
 */

/** Refresh times are spread over this share of a token's lifetime before the refresh-ahead mark. */
export const REFRESH_SPREAD = 0.1;
/** A claimed refresh is another instance's to retry after this long (its holder may have died). */
export const CLAIM_LEASE_MS = 90_000;
/** Scheduled refreshes in flight at once in one process, unless configured. */
export const DEFAULT_REFRESH_CONCURRENCY = 8;
/** After a failed refresh the next try waits 30 s, doubled per failure in a row, at most 30 min. */
export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_CAP_MS = 30 * 60_000;
/** Tries that answered "authorization gone" before an authorizer needs attention. */
export const ATTENTION_AFTER_FAILURES = 3;

/**
 * Errcodes of api_authorizer_token meaning the authorization itself is gone, so that retrying
 * cannot help: 61003 "component is not authorized by this account" (authorization cancelled) and
 * 61023 "refresh_token is invalid" (the refresh token is wrong or superseded; recover through
 * api_get_authorizer_list or a new authorization). Reference: ../shared/wechat/01 §4.2 (errors
 * of api_authorizer_token), doc
 * https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/ticket-token/getAuthorizerAccessToken.html
 */
export const AUTHORIZATION_GONE_ERRCODES: ReadonlySet<number> = new Set([61003, 61023]);

export const isAuthorizationGone = (err: unknown): err is WechatApiError =>
  err instanceof WechatApiError && AUTHORIZATION_GONE_ERRCODES.has(err.errcode);

/**
 * When a token issued at `now` for `lifetimeMs` is refreshed: `aheadMs` before it expires, minus
 * a random part of REFRESH_SPREAD of its lifetime (`r` in [0, 1)), so that tokens issued together
 * are not all refreshed together; never earlier than half its lifetime.
 */
export function nextRefreshAt(now: number, lifetimeMs: number, aheadMs: number, r: number): number {
  const at = now + lifetimeMs - aheadMs - r * REFRESH_SPREAD * lifetimeMs;
  return Math.max(Math.round(at), now + Math.round(lifetimeMs / 2));
}

/** A multiplier in [0.8, 1.2) that keeps retries of tokens failing together apart. */
export const backoffJitter = (r: number): number => 0.8 + 0.4 * r;

/** Backoff before the try after `failures` failures in a row (without jitter). */
export const backoffMs = (failures: number): number =>
  Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(30, failures - 1)));

/** Runs `work` on items taken from `next` with at most `concurrency` at once. */
export async function runPool<T>(
  next: () => Promise<T | undefined>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const lane = async () => {
    for (let item = await next(); item !== undefined; item = await next()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
}
