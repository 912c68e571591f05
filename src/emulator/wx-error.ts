/**
 * WeChat's error envelope: HTTP 200 with `{"errcode":N,"errmsg":"<text> rid: …"}`.
 * Reference: ../shared/wechat/01 §8.1–8.2.
 */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40008: 'invalid message type',
  40004: 'invalid media type',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  40013: 'invalid appid',
  40029: 'invalid code',
  40066: 'invalid url',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40170: 'args count exceed count limit',
  41001: 'access_token missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  41006: 'media_id missing',
  41008: 'missing code',
  42001: 'access_token expired',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  48004: 'api forbidden or offline',
  48006: 'forbid to clear quota because of reaching the limit',
  61003: 'component is not authorized by this account',
  61004: 'access clientip is not registered',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61007: 'api is unauthorized to component',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61023: 'refresh_token is invalid',
  61024: 'must use api(api_component_token) to get token for component acct',
  76021: 'cgi_path not found, please check',
  76022: 'could not query this cgi_path',
};

/** Thrown by API handlers; turned into the error envelope by the router. */
export class WxApiError extends Error {
  readonly errcode: number;
  constructor(errcode: number, hint?: string) {
    super(hint === undefined ? errmsgOf(errcode) : `${errmsgOf(errcode)} hint: [${hint}]`);
    this.name = 'WxApiError';
    this.errcode = errcode;
  }
}

export function errmsgOf(errcode: number): string {
  return ERRMSG[errcode] ?? `errcode ${errcode}`;
}

export function errorBody(
  errcode: number,
  rid: string,
  message: string = errmsgOf(errcode),
): { errcode: number; errmsg: string } {
  return { errcode, errmsg: `${message} rid: ${rid}` };
}
