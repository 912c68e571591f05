import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import { randomAlnum, systemRandom, type RandomSource } from '../core/random.ts';
import type { Db } from '../store/db.ts';
import { createAuthorizerQueries, type AuthorizerRow } from '../store/queries/authorizers.ts';
import type { TokenService } from '../tokens/token-service.ts';
import type { WechatClient } from '../wechat/client.ts';
import { errcodeMeaning } from '../wechat/errcodes.ts';
import { WechatApiError } from '../wechat/errors.ts';

/**
 * The merchants' own users: mini program login (`jscode2session`), web OAuth on behalf of an
 * official account, and JS-SDK signatures with the account's jsapi_ticket.
 * The session_key and the users' OAuth tokens are handed back or dropped, never stored or logged.
 */
export type AccountType = 'miniprogram' | 'officialaccount';
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

export interface UserServiceDeps {
  db: Db;
  client: WechatClient;
  tokens: TokenService;
  clock: Clock;
  componentAppid: string;
  /** Base of WeChat's OAuth page: https://open.weixin.qq.com, or the emulator. */
  oauthPageBase: () => string;
  random?: RandomSource;
  log?: Logger;
}

export interface MiniProgramSession {
  openid: string;
  session_key: string;
  unionid?: string;
}

export interface WechatUser {
  nickname?: string;
  sex?: number;
  province?: string;
  city?: string;
  country?: string;
  headimgurl?: string;
  privilege?: string[];
}

export interface OAuthResult {
  openid: string;
  scope: string;
  unionid?: string;
  user?: WechatUser;
}

export interface JssdkSignature {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** Errcodes that mean "this code is no good" (the caller's input), not a platform failure. */
const CODE_ERRCODES = new Set([40029, 40163, 41008]);

const LABEL: Record<AccountType, string> = {
  miniprogram: 'a mini program',
  officialaccount: 'an official account',
};

export function accountTypeOf(info: Record<string, unknown> | null): AccountType | undefined {
  if (!info) return undefined;
  return info['MiniProgramInfo'] ? 'miniprogram' : 'officialaccount';
}

/** An absolute http(s) URL, or a 400 naming `field`. */
function httpUrl(value: string, field: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AppError('bad_request', `${field} must be an absolute http:// or https:// URL`, {
      details: { field, params: { reason: 'url_not_absolute', field } },
    });
  }
  return url;
}

/** WeChat's refusal of a code becomes a 400 that shows WeChat's errcode. */
async function exchangingCode<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WechatApiError && CODE_ERRCODES.has(err.errcode)) {
      const why = errcodeMeaning(err.errcode) ?? err.errmsg;
      throw new AppError(
        'bad_request',
        `WeChat refused the code (errcode ${err.errcode}): ${why}`,
        {
          cause: err,
          details: {
            field: 'code',
            errcode: err.errcode,
            errmsg: err.errmsg,
            // 40029 invalid code, 40163 code already used, 41008 code missing (src/wechat/errcodes.ts)
            params: {
              reason:
                err.errcode === 40163
                  ? 'code_used'
                  : err.errcode === 41008
                    ? 'code_missing'
                    : 'code_invalid',
              errcode: err.errcode,
            },
          },
        },
      );
    }
    throw err;
  }
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: UserServiceDeps) {
  const { client, tokens, clock, componentAppid } = deps;
  const random = deps.random ?? systemRandom;
  const log = deps.log ?? silentLogger;
  const authorizers = createAuthorizerQueries(deps.db);

  /** The account type, from the stored basic info (fetched once if it is not there yet). */
  async function accountType(row: AuthorizerRow): Promise<AccountType> {
    const known = accountTypeOf(row.info);
    if (known) return known;
    const res = await client.call('api_get_authorizer_info', {
      component_appid: componentAppid,
      authorizer_appid: row.appid,
    });
    await authorizers.updateInfo(row.appid, res.authorizer_info, new Date(clock.now()));
    return accountTypeOf(res.authorizer_info) ?? 'officialaccount';
  }

  /** A still-authorized account of the wanted type, or a 409 / 400 that says what it is. */
  async function requireAccount(row: AuthorizerRow, want: AccountType): Promise<void> {
    if (row.status !== 'authorized') {
      throw new AppError('conflict', `authorizer ${row.appid} has revoked its authorization`, {
        details: { params: { reason: 'authorizer_revoked', appid: row.appid } },
      });
    }
    const type = await accountType(row);
    if (type !== want) {
      throw new AppError(
        'bad_request',
        `${row.appid} is ${LABEL[type]}, not ${LABEL[want]}: use the /${type}/ routes`,
        {
          details: {
            field: 'appid',
            params: {
              reason: want === 'miniprogram' ? 'not_mini_program' : 'not_official_account',
              appid: row.appid,
            },
          },
        },
      );
    }
  }

  return {
    /** Exchanges a `wx.login` code for the user's openid, unionid and session_key. */
    async miniProgramSession(row: AuthorizerRow, code: string): Promise<MiniProgramSession> {
      await requireAccount(row, 'miniprogram');
      const res = await exchangingCode(() =>
        client.call('jscode2session', {
          appid: row.appid,
          js_code: code,
          grant_type: 'authorization_code',
          component_appid: componentAppid,
        }),
      );
      log.info({ appid: row.appid, openid: res.openid }, 'mini program user logged in');
      return {
        openid: res.openid,
        session_key: res.session_key,
        ...(res.unionid ? { unionid: res.unionid } : {}),
      };
    },

    /** WeChat's authorize URL for web OAuth on behalf of the official account. */
    async oauthUrl(
      row: AuthorizerRow,
      req: { redirectUri: string; scope: OAuthScope; state?: string | undefined },
    ): Promise<{ url: string }> {
      httpUrl(req.redirectUri, 'redirect_uri');
      await requireAccount(row, 'officialaccount');
      // WeChat checks the parameters in this exact order.
      const params: [string, string][] = [
        ['appid', row.appid],
        ['redirect_uri', req.redirectUri],
        ['response_type', 'code'],
        ['scope', req.scope],
        ['state', req.state ?? ''],
        ['component_appid', componentAppid],
      ];
      const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const base = deps.oauthPageBase().replace(/\/+$/, '');
      return { url: `${base}/connect/oauth2/authorize?${query}#wechat_redirect` };
    },

    /** Exchanges the OAuth code; with scope snsapi_userinfo also reads the user's profile. */
    async oauthExchange(row: AuthorizerRow, code: string): Promise<OAuthResult> {
      await requireAccount(row, 'officialaccount');
      const res = await exchangingCode(() =>
        client.call('oauth2_component_access_token', {
          appid: row.appid,
          code,
          grant_type: 'authorization_code',
          component_appid: componentAppid,
        }),
      );
      const out: OAuthResult = {
        openid: res.openid,
        scope: res.scope,
        ...(res.unionid ? { unionid: res.unionid } : {}),
      };
      if (res.scope.split(',').includes('snsapi_userinfo')) {
        const info = await client.call('sns_userinfo', {
          access_token: res.access_token,
          openid: res.openid,
          lang: 'zh_CN',
        });
        const { openid: _openid, unionid, ...user } = info;
        out.user = user;
        if (unionid && !out.unionid) out.unionid = unionid;
      }
      log.info({ appid: row.appid, openid: out.openid, scope: out.scope }, 'web OAuth exchanged');
      return out;
    },

    /** A wx.config signature for `url` (its #fragment dropped), with the current jsapi_ticket. */
    async jssdkSignature(row: AuthorizerRow, pageUrl: string): Promise<JssdkSignature> {
      httpUrl(pageUrl, 'url');
      await requireAccount(row, 'officialaccount');
      const url = pageUrl.split('#')[0] ?? pageUrl;
      const { ticket } = await tokens.getJsapiTicket(row.appid);
      const nonceStr = randomAlnum(16, random);
      const timestamp = Math.floor(clock.now() / 1000);
      const signature = createHash('sha1')
        .update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`)
        .digest('hex');
      return { appId: row.appid, timestamp, nonceStr, signature };
    },
  };
}
