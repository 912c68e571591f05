import { findEndpointByPath } from '../../wechat/endpoints/index.ts';
import { clearQuota, findQuota } from '../quota.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * Quota reset and query. Reference: ../shared/wechat/01 §8.3.
 */
/**
 * quota/get. With an authorizer_access_token the path is one of that authorizer's APIs; /sns/*
 * paths cannot be queried (76022). Source: doc Third-party_Platforms/2.0/api/openApi/get_api_quota;
 * doc service/api/apimanage/api_getapiquota.
 */
const quotaGet: NonNullable<HandlerTable['quota_get']> = {
  noQuota: true,
  handle({ ctx, body, caller }) {
    const rows = findEndpointByPath(body.cgi_path);
    if (rows.length === 0) throw new WxApiError(76021);
    const byAuthorizer = caller.kind === 'authorizer';
    const owner = byAuthorizer ? caller.appid : ctx.state.component.appid;
    const kinds = byAuthorizer ? ['authorizer'] : ['component', 'none'];
    if (body.cgi_path.startsWith('/sns/') || !rows.some((r) => kinds.includes(r.token))) {
      throw new WxApiError(76022);
    }
    const quota = findQuota(ctx, owner, body.cgi_path);
    return {
      ...OK,
      quota: {
        daily_limit: quota.dailyLimit,
        used: quota.used,
        remain: Math.max(0, quota.dailyLimit - quota.used),
      },
    };
  },
};

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

  quota_get: quotaGet,
  authorizer_quota_get: quotaGet,
};
