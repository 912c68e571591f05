import type { EmulatorContext } from '../context.ts';
import type { MerchantType } from '../state.ts';
import {
  exchangeJsCode,
  exchangeOAuthCode,
  issueJsapiTicket,
  SNS_TOKEN_TTL_SECONDS,
  userProfile,
} from '../users.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, requireAuthorization, requireComponent, type HandlerTable } from './types.ts';

/**
 * Mini program login, web OAuth on behalf of an official account, user profiles and the
 * JS-SDK jsapi_ticket.
 */
function requireType(ctx: EmulatorContext, appid: string, type: MerchantType): void {
  requireAuthorization(ctx, appid);
  if (ctx.state.merchants.get(appid)?.type !== type) throw new WxApiError(40013);
}

export const userHandlers: HandlerTable = {
  jscode2session: {
    missing: { js_code: 41008 },
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      requireType(ctx, body.appid, 'miniprogram');
      const user = exchangeJsCode(ctx, body.appid, body.js_code);
      return { openid: user.openid, session_key: user.sessionKey, unionid: user.unionid };
    },
  },

  oauth2_component_access_token: {
    missing: { code: 41008 },
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      requireType(ctx, body.appid, 'officialaccount');
      const { user, token, refreshToken } = exchangeOAuthCode(ctx, body.appid, body.code);
      return {
        access_token: token.value,
        expires_in: SNS_TOKEN_TTL_SECONDS,
        refresh_token: refreshToken,
        openid: user.openid,
        scope: token.scope,
        ...(token.scope.includes('snsapi_userinfo') ? { unionid: user.unionid } : {}),
      };
    },
  },

  sns_userinfo: {
    noQuota: true,
    handle({ ctx, body }) {
      return userProfile(ctx, body.access_token, body.openid);
    },
  },

  getticket: {
    handle({ ctx, body, caller }) {
      if (caller.kind !== 'authorizer') throw new WxApiError(40001);
      if (ctx.state.merchants.get(caller.appid)?.type !== 'officialaccount') {
        throw new WxApiError(48001, 'the JS-SDK belongs to official accounts');
      }
      if (body.type !== 'jsapi')
        throw new WxApiError(48001, `${body.type} tickets are not emulated`);
      const ticket = issueJsapiTicket(ctx, caller.appid);
      return { ...OK, ticket: ticket.value, expires_in: ctx.settings.tokenTtlSeconds };
    },
  },
};
