import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * The merchants' own users: mini program login, web OAuth on behalf of an official account, and
 * the JS-SDK ticket. All are GET calls whose request fields travel in the query string.
 */
const OPLATFORM = 'https://developers.weixin.qq.com/doc/oplatform/';
const OFFIACCOUNT = 'https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/';

export const userEndpoints = defineEndpoints({
  jscode2session: {
    name: 'jscode2session',
    method: 'GET',
    // GET, but consumes the single-use js_code (40163 on a second use)
    effect: 'write',
    path: '/sns/component/jscode2session',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      appid: z.string().min(1),
      js_code: z.string().min(1),
      grant_type: z.literal('authorization_code'),
      component_appid: z.string().min(1),
    }),
    response: z.looseObject({
      openid: z.string().min(1),
      session_key: z.string().min(1),
      unionid: z.string().optional(),
    }),
    // The component doc lists 45011, 40029, 61003 and -1. Source: doc
    // openApi/miniprogram-management/login/api_thirdpartycode2session.
    errcodes: [-1, 40029, 40163, 45011, 61003],
    doc: `${OPLATFORM}openApi/OpenApiDoc/miniprogram-management/others/thirdpartyCode2Session.html`,
    summary: 'Exchange a wx.login code of an authorized mini program for openid and session_key',
  },
  oauth2_component_access_token: {
    name: 'oauth2_component_access_token',
    method: 'GET',
    // GET, but consumes the single-use code (40163 on a second use)
    effect: 'write',
    path: '/sns/oauth2/component/access_token',
    token: 'component',
    tokenParam: 'component_access_token',
    request: z.object({
      appid: z.string().min(1),
      code: z.string().min(1),
      grant_type: z.literal('authorization_code'),
      component_appid: z.string().min(1),
    }),
    response: z.looseObject({
      access_token: z.string().min(1),
      expires_in: z.number(),
      refresh_token: z.string().optional(),
      openid: z.string().min(1),
      scope: z.string(),
      unionid: z.string().optional(),
    }),
    errcodes: [40029, 40163, 61003],
    doc: `${OPLATFORM}Third-party_Platforms/2.0/api/Before_Develop/Official_Accounts/official_account_website_authorization.html`,
    summary: 'Exchange a web OAuth code of an authorized official account for the user’s openid',
  },
  sns_userinfo: {
    name: 'sns_userinfo',
    method: 'GET',
    path: '/sns/userinfo',
    token: 'none',
    request: z.object({
      access_token: z.string().min(1),
      openid: z.string().min(1),
      lang: z.enum(['zh_CN', 'zh_TW', 'en']).optional(),
    }),
    response: z.looseObject({
      openid: z.string(),
      nickname: z.string().optional(),
      sex: z.number().optional(),
      province: z.string().optional(),
      city: z.string().optional(),
      country: z.string().optional(),
      headimgurl: z.string().optional(),
      privilege: z.array(z.string()).optional(),
      unionid: z.string().optional(),
    }),
    errcodes: [40001, 40003, 42001, 48001],
    doc: `${OFFIACCOUNT}Wechat_webpage_authorization.html`,
    summary: 'Read a user’s profile with the web OAuth access_token (scope snsapi_userinfo)',
  },
  getticket: {
    name: 'getticket',
    method: 'GET',
    path: '/cgi-bin/ticket/getticket',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ type: z.enum(['jsapi', 'wx_card']) }),
    response: z.looseObject({ ticket: z.string().min(1), expires_in: z.number() }),
    errcodes: [40001, 48001],
    doc: `${OFFIACCOUNT}JS-SDK.html`,
    summary: 'Get an official account’s jsapi_ticket for JS-SDK signatures',
  },
});
