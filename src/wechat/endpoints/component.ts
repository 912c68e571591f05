import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Ticket, token and authorization endpoints of the third-party platform.
 * Reference: ../shared/wechat/01 §2–4, §8.3.
 */
const DOC = 'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const funcInfo = z.array(z.looseObject({ funcscope_category: z.looseObject({ id: z.number() }) }));

/**
 * quota/get's answer: the daily quota, and (in the current doc) the frequency limits of the
 * account and of the platform for that API. Source: doc service/api/apimanage/api_getapiquota.
 */
const rateLimit = z.looseObject({ call_count: z.number(), refresh_second: z.number() });
const quotaAnswer = z.looseObject({
  quota: z.looseObject({ daily_limit: z.number(), used: z.number(), remain: z.number() }),
  rate_limit: rateLimit.optional(),
  component_rate_limit: rateLimit.optional(),
});

export const componentEndpoints = defineEndpoints({
  api_component_token: {
    name: 'api_component_token',
    method: 'POST',
    // hands out a token; the one before stays valid ~5 min (../shared/wechat/01 §2.2)
    effect: 'read',
    path: '/cgi-bin/component/api_component_token',
    token: 'none',
    request: z.object({
      component_appid: z.string().min(1),
      component_appsecret: z.string().min(1),
      component_verify_ticket: z.string().min(1),
    }),
    response: z.looseObject({ component_access_token: z.string().min(1), expires_in: z.number() }),
    errcodes: [61004, 61005, 61006, 41004, 40125, 61011, 45009, 47001, 48001],
    doc: `${DOC}ticket-token/getComponentAccessToken.html`,
    summary: 'Get the component_access_token with the latest component_verify_ticket',
  },
  api_start_push_ticket: {
    name: 'api_start_push_ticket',
    method: 'POST',
    // schedules a ticket push
    effect: 'write',
    path: '/cgi-bin/component/api_start_push_ticket',
    token: 'none',
    request: z.object({ component_appid: z.string().min(1), component_secret: z.string().min(1) }),
    response: ok,
    errcodes: [40013],
    doc: `${DOC}ticket-token/startPushTicket.html`,
    summary: 'Restart the component_verify_ticket pushes',
  },
  api_create_preauthcode: {
    name: 'api_create_preauthcode',
    method: 'POST',
    // hands out a fresh pre_auth_code; others stay usable
    effect: 'read',
    path: '/cgi-bin/component/api_create_preauthcode',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({ component_appid: z.string().min(1) }),
    response: z.looseObject({ pre_auth_code: z.string().min(1), expires_in: z.number() }),
    errcodes: [-1, 40013, 40125, 41004, 61004, 61005, 61006, 61011, 45009, 47001, 48001],
    doc: `${DOC}ticket-token/getPreAuthCode.html`,
    summary: 'Create a single-use pre_auth_code for an authorization link',
  },
  api_query_auth: {
    name: 'api_query_auth',
    method: 'POST',
    // consumes the authorization code (61009 on a second use)
    effect: 'write',
    path: '/cgi-bin/component/api_query_auth',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      component_appid: z.string().min(1),
      authorization_code: z.string().min(1),
    }),
    response: z.looseObject({
      authorization_info: z.looseObject({
        authorizer_appid: z.string().min(1),
        authorizer_access_token: z.string().optional(),
        expires_in: z.number().optional(),
        authorizer_refresh_token: z.string().optional(),
        func_info: funcInfo.optional(),
      }),
    }),
    errcodes: [-1, 40013, 61009, 61010],
    doc: `${DOC}ticket-token/getAuthorizerRefreshToken.html`,
    summary: 'Exchange an authorization code for the authorizer tokens',
  },
  api_authorizer_token: {
    name: 'api_authorizer_token',
    method: 'POST',
    // a rotated refresh token stays valid ~5 min (../shared/wechat/01 §4.2)
    effect: 'read',
    path: '/cgi-bin/component/api_authorizer_token',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      component_appid: z.string().min(1),
      authorizer_appid: z.string().min(1),
      authorizer_refresh_token: z.string().min(1),
    }),
    response: z.looseObject({
      authorizer_access_token: z.string().min(1),
      expires_in: z.number(),
      authorizer_refresh_token: z.string().optional(),
    }),
    errcodes: [61023, 61003, 61024, 45009, 61004],
    doc: `${DOC}ticket-token/getAuthorizerAccessToken.html`,
    summary: 'Refresh an authorizer_access_token with the authorizer_refresh_token',
  },
  api_get_authorizer_info: {
    name: 'api_get_authorizer_info',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/component/api_get_authorizer_info',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({ component_appid: z.string().min(1), authorizer_appid: z.string().min(1) }),
    response: z.looseObject({
      authorizer_info: z.looseObject({
        nick_name: z.string().optional(),
        user_name: z.string().optional(),
      }),
      authorization_info: z
        .looseObject({ authorizer_appid: z.string().optional(), func_info: funcInfo.optional() })
        .optional(),
    }),
    errcodes: [61003, 40013],
    doc: `${DOC}authorization-management/getAuthorizerInfo.html`,
    summary: 'Get an authorizer’s basic information and granted permission sets',
  },
  api_get_authorizer_list: {
    name: 'api_get_authorizer_list',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/component/api_get_authorizer_list',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      component_appid: z.string().min(1),
      offset: z.number().int().min(0),
      count: z.number().int().min(1),
    }),
    response: z.looseObject({
      total_count: z.number(),
      list: z.array(
        z.looseObject({
          authorizer_appid: z.string(),
          refresh_token: z.string(),
          auth_time: z.number(),
        }),
      ),
    }),
    errcodes: [-1, 40013, 40170],
    doc: `${DOC}authorization-management/getAuthorizerList.html`,
    summary: 'Page through all accounts that authorized the platform',
  },
  api_get_authorizer_option: {
    name: 'api_get_authorizer_option',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/component/api_get_authorizer_option',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      component_appid: z.string().min(1),
      authorizer_appid: z.string().min(1),
      option_name: z.string().min(1),
    }),
    response: z.looseObject({ option_name: z.string(), option_value: z.string() }),
    // 61012 invalid option name, 61013 invalid option value: global return codes (doc
    // oplatform/Return_codes/Return_code_descriptions_new).
    errcodes: [61007, 61003, 61012, 61013],
    doc: `${DOC}authorization-management/getAuthorizerOptionInfo.html`,
    summary: 'Read an authorizer option (legacy form, component token)',
  },
  api_set_authorizer_option: {
    name: 'api_set_authorizer_option',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/component/api_set_authorizer_option',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      component_appid: z.string().min(1),
      authorizer_appid: z.string().min(1),
      option_name: z.string().min(1),
      option_value: z.string(),
    }),
    response: ok,
    // 61012 invalid option name, 61013 invalid option value: global return codes (doc
    // oplatform/Return_codes/Return_code_descriptions_new).
    errcodes: [61007, 61003, 61012, 61013],
    doc: `${DOC}authorization-management/setAuthorizerOptionInfo.html`,
    summary: 'Set an authorizer option (legacy form, component token)',
  },
  get_authorizer_option: {
    name: 'get_authorizer_option',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/component/get_authorizer_option',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ option_name: z.string().min(1) }),
    response: z.looseObject({ option_name: z.string(), option_value: z.string() }),
    // 61012 invalid option name, 61013 invalid option value: global return codes (doc
    // oplatform/Return_codes/Return_code_descriptions_new).
    errcodes: [61007, 61012, 61013],
    doc: `${DOC}authorization-management/getAuthorizerOptionInfo.html`,
    summary: 'Read an authorizer option (authorizer token)',
  },
  set_authorizer_option: {
    name: 'set_authorizer_option',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/component/set_authorizer_option',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ option_name: z.string().min(1), option_value: z.string() }),
    response: ok,
    // 61012 invalid option name, 61013 invalid option value: global return codes (doc
    // oplatform/Return_codes/Return_code_descriptions_new).
    errcodes: [61007, 61012, 61013],
    doc: `${DOC}authorization-management/setAuthorizerOptionInfo.html`,
    summary: 'Set an authorizer option (authorizer token)',
  },
  clear_quota: {
    name: 'clear_quota',
    method: 'POST',
    // uses one of 10 resets a month
    effect: 'write',
    path: '/cgi-bin/clear_quota',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({ appid: z.string().min(1) }),
    response: ok,
    errcodes: [-1, 40013, 48006],
    doc: `${DOC}openapi/clearQuota.html`,
    summary: 'Reset the platform’s API call quota (10 resets a month)',
  },
  authorizer_clear_quota: {
    name: 'authorizer_clear_quota',
    method: 'POST',
    // uses one of 10 resets a month
    effect: 'write',
    path: '/cgi-bin/clear_quota',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ appid: z.string().min(1) }),
    response: ok,
    errcodes: [-1, 40013, 48006],
    doc: `${DOC}openapi/clearQuota.html`,
    summary: 'Reset an authorizer’s API call quota (10 resets a month)',
  },
  clear_quota_v2: {
    name: 'clear_quota_v2',
    method: 'POST',
    // uses one of 10 resets a month
    effect: 'write',
    path: '/cgi-bin/component/clear_quota/v2',
    token: 'none',
    request: z.object({
      component_appid: z.string().min(1),
      appsecret: z.string().min(1),
      appid: z.string().optional(),
    }),
    response: ok,
    errcodes: [-1, 40013, 48006],
    doc: `${DOC}openapi/clearComponentQuotaByAppSecret.html`,
    summary: 'Reset a quota with the app secret (when no token can be had)',
  },
  quota_get: {
    name: 'quota_get',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/openapi/quota/get',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({ cgi_path: z.string().min(1) }),
    response: quotaAnswer,
    errcodes: [76021, 76022],
    doc: `${DOC}openapi/getApiQuota.html`,
    summary: 'Read the daily quota of one of the platform’s APIs',
  },
  // The same path with an authorizer_access_token reads the quota of that authorizer's APIs;
  // /sns/* paths answer 76022. Source: doc Third-party_Platforms/2.0/api/openApi/get_api_quota;
  // doc service/api/apimanage/api_getapiquota.
  authorizer_quota_get: {
    name: 'authorizer_quota_get',
    method: 'POST',
    effect: 'read',
    path: '/cgi-bin/openapi/quota/get',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ cgi_path: z.string().min(1) }),
    response: quotaAnswer,
    errcodes: [76021, 76022],
    doc: `${DOC}openapi/getApiQuota.html`,
    summary: 'Read the daily quota of one of an authorizer’s APIs',
  },
});
