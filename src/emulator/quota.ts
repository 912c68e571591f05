import { nowMs, type EmulatorContext } from './context.ts';
import type { Quota } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * Daily API quotas per (owner appid, cgi path), reset at midnight Beijing time (doc
 * openApi/openapi/api_getapiquota: a daily limit per API; the reset time is assumed), one
 * configurable limit per path (assumed (no doc): WeChat's daily_limit varies per API and account),
 * and the monthly
 * limit of quota resets shared by clear_quota and clear_quota/v2. Calls made with an authorizer
 * token count against that authorizer. Reference: ../shared/wechat/01 §8.3.
 */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86_400_000;

const dayOf = (ms: number): number => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
const monthOf = (ms: number): string => new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 7);
const keyOf = (appid: string, path: string): string => `${appid} ${path}`;

function rollDay(ctx: EmulatorContext): void {
  const day = dayOf(nowMs(ctx));
  if (day === ctx.state.quotaDay) return;
  ctx.state.quotaDay = day;
  for (const quota of ctx.state.quotas.values()) quota.used = 0;
}

export function findQuota(ctx: EmulatorContext, appid: string, path: string): Quota {
  rollDay(ctx);
  const key = keyOf(appid, path);
  let quota = ctx.state.quotas.get(key);
  if (!quota) {
    quota = { dailyLimit: ctx.settings.defaultDailyLimit, used: 0 };
    ctx.state.quotas.set(key, quota);
  }
  return quota;
}

/** Counts one call; 45009 once the daily limit is reached. */
export function consumeQuota(ctx: EmulatorContext, appid: string, path: string): void {
  const quota = findQuota(ctx, appid, path);
  if (quota.used >= quota.dailyLimit) throw new WxApiError(45009);
  quota.used++;
}

export function updateDailyLimit(
  ctx: EmulatorContext,
  appid: string,
  path: string,
  dailyLimit: number,
): Quota {
  const quota = findQuota(ctx, appid, path);
  quota.dailyLimit = dailyLimit;
  return quota;
}

/** Resets every counter of `appid`; 48006 after the monthly number of resets. */
export function clearQuota(ctx: EmulatorContext, appid: string): void {
  rollDay(ctx);
  const monthKey = `${appid} ${monthOf(nowMs(ctx))}`;
  const count = ctx.state.quotaClears.get(monthKey) ?? 0;
  if (count >= ctx.settings.quotaClearsPerMonth) throw new WxApiError(48006);
  ctx.state.quotaClears.set(monthKey, count + 1);
  const prefix = `${appid} `;
  for (const [key, quota] of ctx.state.quotas) {
    if (key.startsWith(prefix)) quota.used = 0;
  }
}
