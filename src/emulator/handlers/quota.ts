import { findEndpointByPath } from '../../wechat/endpoints/index.ts';
import { clearQuota, findQuota } from '../quota.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * Quota reset and query. Reference: ../shared/wechat/01 §8.3.
 */
export const quotaHandlers: HandlerTable = {
  clear_quota: {
    noQuota: true,
    handle({ ctx, body }) {
      if (body.appid !== ctx.state.component.appid) throw new WxApiError(40013);
      clearQuota(ctx, body.appid);
      return { ...OK };
    },
  },

  authorizer_clear_quota: {
    noQuota: true,
    handle({ ctx, body, caller }) {
      if (caller.kind !== 'authorizer' || body.appid !== caller.appid) throw new WxApiError(40013);
      clearQuota(ctx, body.appid);
      return { ...OK };
    },
  },

  clear_quota_v2: {
    noQuota: true,
    handle({ ctx, body }) {
      if (body.component_appid !== ctx.state.component.appid) throw new WxApiError(40013);
      if (body.appsecret !== ctx.state.component.appsecret) throw new WxApiError(40125);
      const appid = body.appid ?? ctx.state.component.appid;
      if (appid !== ctx.state.component.appid) {
        const auth = ctx.state.authorizations.get(appid);
        if (!auth || auth.status !== 'authorized') throw new WxApiError(40013);
      }
      clearQuota(ctx, appid);
      return { ...OK };
    },
  },

  quota_get: {
    noQuota: true,
    handle({ ctx, body }) {
      const rows = findEndpointByPath(body.cgi_path);
      if (rows.length === 0) throw new WxApiError(76021);
      if (!rows.some((r) => r.token !== 'authorizer')) throw new WxApiError(76022);
      const quota = findQuota(ctx, ctx.state.component.appid, body.cgi_path);
      return {
        ...OK,
        quota: {
          daily_limit: quota.dailyLimit,
          used: quota.used,
          remain: Math.max(0, quota.dailyLimit - quota.used),
        },
      };
    },
  },
};
