import type { EmulatorContext } from './context.ts';
import type { HandlerOutput } from './handlers/types.ts';
import { resetRateLimitCount } from './rate-limit.ts';

/**
 * Call counters for GET /control/stats: `calls` counts every call per path (failed ones
 * included); `by_appid` counts, per authorizer appid and path, the calls made with that
 * authorizer's token that succeeded (errcode 0), i.e. that took effect: a commit refused with
 * 45011 and retried counts once, so a test can assert that each mini program was committed once.
 */
export function countAppCall(
  ctx: EmulatorContext,
  appid: string,
  path: string,
  out: HandlerOutput,
): void {
  const errcode = out['errcode'];
  if (errcode !== undefined && errcode !== 0) return;
  const byAppid = ctx.state.callsByAppid;
  let paths = byAppid.get(appid);
  if (!paths) {
    paths = new Map();
    byAppid.set(appid, paths);
  }
  paths.set(path, (paths.get(path) ?? 0) + 1);
}

export function statsView(ctx: EmulatorContext): {
  calls: Record<string, number>;
  by_appid: Record<string, Record<string, number>>;
} {
  const byAppid: Record<string, Record<string, number>> = {};
  for (const [appid, paths] of ctx.state.callsByAppid) byAppid[appid] = Object.fromEntries(paths);
  return { calls: Object.fromEntries(ctx.state.calls), by_appid: byAppid };
}

/** Clears the counters (and the rate limiter's count of refused calls). */
export function resetStats(ctx: EmulatorContext): void {
  ctx.state.calls.clear();
  ctx.state.callsByAppid.clear();
  resetRateLimitCount(ctx);
}
