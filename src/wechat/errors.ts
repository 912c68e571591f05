import { AppError } from '../core/errors.ts';
import { errcodeCategory, errcodeMeaning, type ErrcodeCategory } from './errcodes.ts';

/** A WeChat API answered with a non-zero errcode. The request is kept only in redacted form. */
export class WechatApiError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly endpoint: string;
  readonly category: ErrcodeCategory;

  constructor(endpoint: string, errcode: number, errmsg: string, redactedRequest: unknown) {
    const meaning = errcodeMeaning(errcode);
    super('wechat_error', `${endpoint} failed with errcode ${errcode}: ${meaning ?? errmsg}`, {
      details: { endpoint, errcode, errmsg, request: redactedRequest },
    });
    this.name = 'WechatApiError';
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.endpoint = endpoint;
    this.category = errcodeCategory(errcode);
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

export const isWechatApiError = (err: unknown): err is WechatApiError =>
  err instanceof WechatApiError;
