import { nowMs } from '../context.ts';
import { pushTicket } from '../pushes.ts';
import { capMap, CODES_MAX } from '../state.ts';
import {
  checkRefreshToken,
  checkTicket,
  issueAuthorizerToken,
  issueComponentToken,
  rotateRefreshToken,
} from '../tokens.ts';
import { WxApiError } from '../wx-error.ts';
import {
  funcInfo,
  OK,
  requireAuthorization,
  requireComponent,
  type HandlerTable,
} from './types.ts';

/**
 * Ticket, token and authorization-code endpoints of the platform.
 * Reference: ../shared/wechat/01 §2.2, §2.4, §3.1, §4.1, §4.2, §9.
 */
export const componentHandlers: HandlerTable = {
  api_component_token: {
    missing: { component_appsecret: 41004 },
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      if (body.component_appsecret !== ctx.state.component.appsecret) throw new WxApiError(40125);
      checkTicket(ctx, body.component_verify_ticket);
      const token = issueComponentToken(ctx);
      return { component_access_token: token.value, expires_in: ctx.settings.tokenTtlSeconds };
    },
  },

  api_start_push_ticket: {
    missing: { component_secret: 41004 },
    handle({ ctx, body }) {
      if (body.component_appid !== ctx.state.component.appid) throw new WxApiError(40013);
      if (body.component_secret !== ctx.state.component.appsecret) throw new WxApiError(40125);
      const wasFailing = !ctx.state.ticketPush.ok;
      ctx.track(pushTicket(ctx));
      return wasFailing ? { ...OK } : { errcode: 0, errmsg: 'in a normal state' };
    },
  },

  api_create_preauthcode: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      const now = nowMs(ctx);
      const expiresIn = ctx.settings.preAuthCodeTtlSeconds;
      const value = ctx.ids.preAuthCode();
      ctx.state.preAuthCodes.set(value, {
        value,
        issuedAt: now,
        expiresAt: now + expiresIn * 1000,
        used: false,
      });
      capMap(ctx.state.preAuthCodes, CODES_MAX);
      return { pre_auth_code: value, expires_in: expiresIn };
    },
  },

  api_query_auth: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      const code = ctx.state.authCodes.get(body.authorization_code);
      if (!code || code.consumed) throw new WxApiError(61009);
      if (nowMs(ctx) >= code.expiresAt) throw new WxApiError(61010);
      const auth = requireAuthorization(ctx, code.authorizerAppid);
      code.consumed = true;
      const token = issueAuthorizerToken(ctx, auth.appid);
      return {
        authorization_info: {
          authorizer_appid: auth.appid,
          authorizer_access_token: token.value,
          expires_in: ctx.settings.tokenTtlSeconds,
          authorizer_refresh_token: auth.refreshToken,
          func_info: funcInfo(auth.funcIds),
        },
      };
    },
  },

  api_authorizer_token: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      // 61024 "must use api(api_component_token) to get token for component acct": the global
      // return code's text says what it is for; that this call answers it: assumed (no doc).
      if (body.authorizer_appid === ctx.state.component.appid) throw new WxApiError(61024);
      const auth = requireAuthorization(ctx, body.authorizer_appid);
      const which = checkRefreshToken(ctx, auth, body.authorizer_refresh_token);
      if (ctx.settings.rotateRefreshTokens && which === 'current') rotateRefreshToken(ctx, auth);
      const token = issueAuthorizerToken(ctx, auth.appid);
      return {
        authorizer_access_token: token.value,
        expires_in: ctx.settings.tokenTtlSeconds,
        authorizer_refresh_token: auth.refreshToken,
      };
    },
  },
};
