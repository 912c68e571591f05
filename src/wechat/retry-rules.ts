import type { Effect } from './endpoint.ts';

/**
 * When the client sends a request to WeChat again by itself. A read is repeated after a busy
 * answer or any transport failure. A write (a call that changes state, see `Effect`) is repeated
 * only when WeChat surely did not act on it: the request never left, or WeChat answered that it
 * refused the call. Everything else ends the call: a lost answer as WechatOutcomeUnknownError.
 */

/** Busy answers after which a read is sent again (with back-off). */
export const BUSY: ReadonlySet<number> = new Set([-1, 45011]);

/**
 * Busy answers that mean WeChat turned the call away without acting on it, so that a write may
 * be sent again too.
 * - 45011 "API 调用太频繁，请稍候再试" (errmsg "api minute-quota reach limit, must slower, retry
 *   next minute"): the call-frequency limit refuses the call before the API runs.
 * - -1 is not one. WeChat's global return codes describe it only as "系统繁忙，此时请开发者稍候再试"
 *   (system busy, try again later), and it is also WeChat's answer ("system error") to failures
 *   inside an API; nowhere do the docs say that nothing was applied. A write answered -1 is
 *   surfaced as it is (WechatApiError, errcode -1, category busy) and not repeated here; its
 *   caller decides, after reading WeChat's state if it can (rollouts do).
 * Sources: https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
 * and ../shared/wechat/01 §8.2.
 */
export const REFUSED_WITHOUT_EFFECT: ReadonlySet<number> = new Set([45011]);

/**
 * Endpoints whose busy answer means something else, so that no call of theirs is sent again
 * after it. fastregisterweapp: WeChat retired it on 2026-04-30 and has answered every call with
 * `{"errcode":-1,"errmsg":"system error"}` since (community/develop/doc/000044ceb88098c22a152ff2c66000,
 * pointing to the notice community/develop/doc/0004829e9105005ce7d480e6561401); repeating it
 * cannot help.
 */
export const NOT_BUSY: Readonly<Record<string, ReadonlySet<number>>> = {
  fastregisterweapp: new Set([-1]),
};

/**
 * Error codes of a connection that failed before any byte of the request left: refused, no
 * route, or a name that did not resolve. Node's fetch (undici) throws `TypeError: fetch failed`
 * with the system error as its `cause` (`cause.code`), or an AggregateError of them when several
 * addresses were tried.
 */
const NOT_SENT: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether a transport failure happened before the request was sent. A timeout, ECONNRESET,
 * "socket hang up", "other side closed" (UND_ERR_SOCKET) or a body cut off are not: the request
 * may have reached WeChat.
 */
export function failedBeforeSending(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    return e.errors.every((inner) => failedBeforeSending(inner, depth + 1));
  }
  if (typeof e.code === 'string') return NOT_SENT.has(e.code);
  return failedBeforeSending(e.cause, depth + 1);
}

/** After WeChat answered `errcode` to `endpoint`: may the same request be sent again? */
export function repeatsAfterAnswer(effect: Effect, errcode: number, endpoint?: string): boolean {
  if (endpoint !== undefined && NOT_BUSY[endpoint]?.has(errcode)) return false;
  return effect === 'read' ? BUSY.has(errcode) : REFUSED_WITHOUT_EFFECT.has(errcode);
}

/** After the transport failed with `err`: may the same request be sent again? */
export function repeatsAfterFailure(effect: Effect, err: unknown): boolean {
  return effect === 'read' || failedBeforeSending(err);
}
