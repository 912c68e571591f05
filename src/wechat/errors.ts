import { AppError } from '../core/errors.ts';
import { errcodeCategory, errcodeMeaning, type ErrcodeCategory } from './errcodes.ts';

/** A WeChat API answered with a non-zero errcode. The request is kept only in redacted form. */
export class WechatApiError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly endpoint: string;
  readonly category: ErrcodeCategory;
  /** What WeChat sent next to errcode and errmsg (modify_domain's 85301 lists the domains it refused). */
  readonly answer: Readonly<Record<string, unknown>>;

  constructor(
    endpoint: string,
    errcode: number,
    errmsg: string,
    redactedRequest: unknown,
    answer: Record<string, unknown> = {},
  ) {
    const meaning = errcodeMeaning(errcode);
    super('wechat_error', `${endpoint} failed with errcode ${errcode}: ${meaning ?? errmsg}`, {
      details: { endpoint, errcode, errmsg, request: redactedRequest },
    });
    this.name = 'WechatApiError';
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.endpoint = endpoint;
    this.category = errcodeCategory(errcode);
    this.answer = answer;
  }
}

/** WeChat could not be reached, timed out, or answered something that is not its JSON. */
export class WechatTransportError extends AppError {
  readonly endpoint: string;
  constructor(endpoint: string, message: string, cause?: unknown) {
    super('upstream_unavailable', `${endpoint}: ${message}`, { cause, details: { endpoint } });
    this.name = 'WechatTransportError';
    this.endpoint = endpoint;
  }
}

/**
 * A call that changes state at WeChat (a write: commit, submit_audit, release, api_query_auth...)
 * lost its answer: it timed out, its connection dropped after the request left, or the answer
 * was cut off or was not WeChat's. WeChat may or may not have applied it. The client never sends
 * such a call again by itself; the caller reads WeChat's state first (rollouts do:
 * docs/adr/0004-rollout-intents.md). Still a transport error for callers that only know those.
 */
export class WechatOutcomeUnknownError extends WechatTransportError {
  readonly outcomeUnknown = true;
  constructor(endpoint: string, reason: string, cause?: unknown) {
    super(endpoint, reason, cause);
    this.name = 'WechatOutcomeUnknownError';
    this.message = `WeChat did not answer ${endpoint} (${reason}); it may or may not have applied it: read its state at WeChat before retrying`;
  }
}

export const isWechatApiError = (err: unknown): err is WechatApiError =>
  err instanceof WechatApiError;
