import type { EmulatorContext } from '../context.ts';
import type { Authorization, Merchant } from '../state.ts';
import { WxApiError } from '../wx-error.ts';
import {
  funcInfo,
  OK,
  requireAuthorization,
  requireComponent,
  type Caller,
  type HandlerTable,
} from './types.ts';

/**
 * Authorizer information, the authorizer list and authorizer options.
 * Reference: ../shared/wechat/01 §4.3–4.5.
 */
const MAX_LIST_COUNT = 500;

/** Values allowed per option name (strings, as WeChat sends them). */
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  location_report: ['0', '1', '2'],
  voice_recognize: ['0', '1'],
  customer_service: ['0', '1'],
};

/**
 * The emulator's rule for options: they belong to 消息管理权限 (permission set 1); an authorizer
 * that did not grant it gets 61007. Assumed (no doc): the option pages name no permission set.
 */
export const OPTION_FUNC_ID = 1;

export function authorizerInfo(m: Merchant): Record<string, unknown> {
  const common = {
    nick_name: m.nickname,
    head_img: `https://example.invalid/head/${m.appid}.png`,
    // Each type carries its id and name (类型说明): service type 2 服务号 for an official account,
    // 0 普通小程序 for a mini program; verification 0 微信认证. Source: doc
    // openApi/authorization-management/api_getauthorizerinfo; SKIT
    // CgibinComponentApiGetAuthorizerInfoResponse.cs.
    service_type_info:
      m.type === 'officialaccount' ? { id: 2, name: '服务号' } : { id: 0, name: '普通小程序' },
    verify_type_info: { id: 0, name: '微信认证' },
    user_name: m.user_name,
    principal_name: m.principal_name,
    alias: '',
    qrcode_url: `https://example.invalid/qrcode/${m.appid}.jpg`,
    business_info: { open_pay: 0, open_shake: 0, open_scan: 0, open_card: 0, open_store: 0 },
    account_status: 1,
  };
  if (m.type === 'officialaccount') return { ...common, idc: 1 };
  return {
    ...common,
    signature: `${m.nickname} (emulated Mini Program)`,
    MiniProgramInfo: {
      network: {
        RequestDomain: [],
        WsRequestDomain: [],
        UploadDomain: [],
        DownloadDomain: [],
        UDPDomain: [],
        BizDomain: [],
        TCPDomain: [],
      },
      categories: [],
      visit_status: 0,
    },
    register_type: 0,
    basic_config: { is_phone_configured: true, is_email_configured: false },
  };
}

function optionTarget(ctx: EmulatorContext, appid: string): Authorization {
  const auth = requireAuthorization(ctx, appid);
  if (!auth.funcIds.includes(OPTION_FUNC_ID)) throw new WxApiError(61007);
  return auth;
}

/**
 * An unknown option_name is 61012 "invalid option name", a value it does not take 61013 "invalid
 * option value" (global return codes, doc oplatform/Return_codes/Return_code_descriptions_new; the
 * values per option: doc openApi/authorization-management/api_setauthorizeroptioninfo).
 */
function readOption(auth: Authorization, name: string): string {
  if (!OPTION_VALUES[name]) throw new WxApiError(61012, `unknown option_name ${name}`);
  return auth.options[name] ?? '0';
}

function writeOption(auth: Authorization, name: string, value: string): void {
  const allowed = OPTION_VALUES[name];
  if (!allowed) throw new WxApiError(61012, `unknown option_name ${name}`);
  if (!allowed.includes(value)) throw new WxApiError(61013, `invalid option_value for ${name}`);
  auth.options[name] = value;
}

function callerAppid(caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  return caller.appid;
}

export const authorizerHandlers: HandlerTable = {
  api_get_authorizer_info: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      const auth = requireAuthorization(ctx, body.authorizer_appid);
      const merchant = ctx.state.merchants.get(auth.appid);
      if (!merchant) throw new WxApiError(61003);
      return {
        authorizer_info: authorizerInfo(merchant),
        authorization_info: {
          authorizer_appid: auth.appid,
          // Returned whenever the account has API permissions, whether or not an authorization
          // code was exchanged: WeChat documents this call and api_get_authorizer_list as the way
          // to recover a lost refresh token. Source: doc
          // openApi/authorization-management/api_getauthorizerinfo ("在授权的公众号具备API权限时，
          // 才有此返回值"); SKIT CgibinComponentApiGetAuthorizerInfoResponse.cs.
          authorizer_refresh_token: auth.refreshToken,
          func_info: funcInfo(auth.funcIds),
        },
      };
    },
  },

  api_get_authorizer_list: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      if (body.count > MAX_LIST_COUNT) throw new WxApiError(40170);
      const all = [...ctx.state.authorizations.values()]
        .filter((a) => a.status === 'authorized')
        .sort((a, b) => a.authTime - b.authTime);
      return {
        total_count: all.length,
        list: all.slice(body.offset, body.offset + body.count).map((a) => ({
          authorizer_appid: a.appid,
          refresh_token: a.refreshToken,
          auth_time: a.authTime,
        })),
      };
    },
  },

  api_get_authorizer_option: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      const auth = optionTarget(ctx, body.authorizer_appid);
      return {
        authorizer_appid: auth.appid,
        option_name: body.option_name,
        option_value: readOption(auth, body.option_name),
      };
    },
  },

  api_set_authorizer_option: {
    handle({ ctx, body }) {
      requireComponent(ctx, body.component_appid);
      const auth = optionTarget(ctx, body.authorizer_appid);
      writeOption(auth, body.option_name, body.option_value);
      return { ...OK };
    },
  },

  get_authorizer_option: {
    handle({ ctx, body, caller }) {
      const auth = optionTarget(ctx, callerAppid(caller));
      return { option_name: body.option_name, option_value: readOption(auth, body.option_name) };
    },
  },

  set_authorizer_option: {
    handle({ ctx, body, caller }) {
      const auth = optionTarget(ctx, callerAppid(caller));
      writeOption(auth, body.option_name, body.option_value);
      return { ...OK };
    },
  },
};
