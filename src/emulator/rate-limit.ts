import { nowMs, type EmulatorContext } from './context.ts';
import type { EmulatorState } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * The platform's call-rate limit (45011, "api minute-quota reach limit"): one token bucket shared
 * by every API call made with an access token (component or authorizer). It holds `burst` tokens
 * and refills at `callsPerSecond` on the emulator clock, so advancing the clock refills it too.
 * A call that finds the bucket empty answers 45011 before the daily quota and the endpoint's own
 * checks, and so has no effect. Calls without a token (api_component_token, the users' OAuth
 * endpoints) are not limited. Off by default. Reference: ../shared/wechat/02 §6, §7.
 * Assumed (no doc): one bucket for the whole platform is the emulator's simplification. WeChat's
 * frequency limits are per API and per account (quota/get answers rate_limit and
 * component_rate_limit {call_count, refresh_second} per cgi path: doc
 * Third-party_Platforms/2.0/api/openApi/get_api_quota).
 */
export interface RateLimitSettings {
  /** Tokens added per second; null: no limit. */
  callsPerSecond: number | null;
  /** Capacity of the bucket (default: max(1, callsPerSecond)). */
  burst: number;
}

interface RateLimitState extends RateLimitSettings {
  tokens: number;
  /** Emulator time (ms) of the last refill. */
  refilledAt: number;
  /** Calls refused with 45011 since start or the last stats reset. */
  refused: number;
}

const byState = new WeakMap<EmulatorState, RateLimitState>();

/** The whole area (also what the snapshot of the world holds, persistence.ts). */
export function rateState(ctx: EmulatorContext): RateLimitState {
  let s = byState.get(ctx.state);
  if (!s) {
    s = { callsPerSecond: null, burst: 1, tokens: 1, refilledAt: nowMs(ctx), refused: 0 };
    byState.set(ctx.state, s);
  }
  return s;
}

export const defaultBurst = (callsPerSecond: number): number => Math.max(1, callsPerSecond);

function refill(ctx: EmulatorContext, s: RateLimitState): void {
  const now = nowMs(ctx);
  if (s.callsPerSecond !== null && now > s.refilledAt) {
    s.tokens = Math.min(s.burst, s.tokens + ((now - s.refilledAt) / 1000) * s.callsPerSecond);
  }
  // A clock that went back (never the emulator's own) only restarts the refill from here.
  s.refilledAt = now;
}

/** Takes one token for an API call; 45011 (and nothing else happens) when the bucket is empty. */
export function takeRateToken(ctx: EmulatorContext): void {
  const s = rateState(ctx);
  if (s.callsPerSecond === null) return;
  refill(ctx, s);
  if (s.tokens < 1) {
    s.refused++;
    throw new WxApiError(45011);
  }
  s.tokens -= 1;
}

/** Replaces the settings and fills the bucket. */
export function updateRateLimit(
  ctx: EmulatorContext,
  input: { callsPerSecond: number | null; burst?: number },
): void {
  const s = rateState(ctx);
  s.callsPerSecond = input.callsPerSecond;
  s.burst = input.callsPerSecond === null ? 1 : (input.burst ?? defaultBurst(input.callsPerSecond));
  s.tokens = s.burst;
  s.refilledAt = nowMs(ctx);
}

export function resetRateLimitCount(ctx: EmulatorContext): void {
  rateState(ctx).refused = 0;
}

/** What GET /control/rate-limit shows. */
export function rateLimitView(ctx: EmulatorContext): {
  calls_per_second: number | null;
  burst: number | null;
  available: number | null;
  refused: number;
} {
  const s = rateState(ctx);
  if (s.callsPerSecond === null) {
    return { calls_per_second: null, burst: null, available: null, refused: s.refused };
  }
  refill(ctx, s);
  return {
    calls_per_second: s.callsPerSecond,
    burst: s.burst,
    available: Math.floor(s.tokens),
    refused: s.refused,
  };
}
