import { nowMs, type EmulatorContext } from './context.ts';
import type { Merchant, MerchantType } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * Fake merchant accounts (Official Accounts and Mini Programs) that can authorize the platform,
 * and the permission sets (权限集) the authorization page offers.
 */
export interface PermissionSet {
  id: number;
  zh: string;
  en: string;
  type: MerchantType;
}

/**
 * Source for the mini-program sets: doc Third-party_Platforms/2.0/product/miniprogram_authority
 * (ids, names and what each covers; the names of 31 and 40 are translated back from its English
 * edition). The emulator offers the sets its APIs check and the common ones around them; the
 * doc lists more (36, 37, 41, …) that no emulated API needs.
 */
export const PERMISSION_SETS: readonly PermissionSet[] = [
  { id: 1, zh: '消息管理权限', en: 'Message management', type: 'officialaccount' },
  { id: 2, zh: '用户管理权限', en: 'User management', type: 'officialaccount' },
  { id: 3, zh: '帐号服务权限', en: 'Account services', type: 'officialaccount' },
  { id: 4, zh: '网页服务权限', en: 'Web services', type: 'officialaccount' },
  { id: 11, zh: '素材管理权限', en: 'Material management', type: 'officialaccount' },
  { id: 15, zh: '自定义菜单权限', en: 'Custom menu', type: 'officialaccount' },
  { id: 17, zh: '获取小程序码', en: 'Mini program codes', type: 'miniprogram' },
  { id: 18, zh: '开发与数据分析', en: 'Development and analytics', type: 'miniprogram' },
  { id: 19, zh: '客服管理', en: 'Customer service', type: 'miniprogram' },
  { id: 25, zh: '开放平台账号管理', en: 'Open platform account', type: 'miniprogram' },
  // Category, nickname, avatar and signature APIs need set 30 (also doc
  // openApi/miniprogram-management/basic-info-management/api_setheadimage).
  { id: 30, zh: '基本信息管理', en: 'Basic information management', type: 'miniprogram' },
  { id: 31, zh: '小程序认证名称检测', en: 'Verification name check', type: 'miniprogram' },
  { id: 40, zh: '小程序插件管理', en: 'Plugin management', type: 'miniprogram' },
];

/**
 * The permission set of a mini program's code, domain, tester and privacy APIs (开发与数据分析).
 * Sources: doc Third-party_Platforms/2.0/product/miniprogram_authority; "该接口所属的权限集 id
 * 为：18" on doc openApi/OpenApiDoc/miniprogram-management/member-management/bindTester and the
 * privacy-management pages (setPrivacySetting, getPrivacySetting, uploadPrivacySetting).
 */
export const DEVELOPMENT_FUNC_ID = 18;

/** The permission set of a mini program's basic-information and category APIs. */
export const BASIC_INFO_FUNC_ID = 30;

/**
 * The ICP filing APIs: "该接口所属的权限集 id 为：18、156" (doc
 * openApi/miniprogram-management/record/api_getonlineicporder; assumed the same for the other
 * /wxa/icp/* pages). 156 is not offered by the emulator's authorization page.
 */
export const ICP_FUNC_IDS = [DEVELOPMENT_FUNC_ID, 156] as const;

/**
 * 61007 "api is unauthorized to component" unless the authorization of `appid` holds one of
 * `sets` (doc: "服务商获得其中之一权限集授权后，可通过使用 authorizer_access_token 代商家进行调用";
 * doc Third-party_Platforms/2.0/operation/thirdparty/config: a missing set answers "api is
 * unauthorized to component").
 */
export function requireFuncSet(ctx: EmulatorContext, appid: string, sets: readonly number[]): void {
  const granted = ctx.state.authorizations.get(appid)?.funcIds ?? [];
  if (!sets.some((id) => granted.includes(id))) throw new WxApiError(61007);
}

/** The permission sets granted when none are named: every set of the account's type. */
export function defaultFuncIds(type: MerchantType): number[] {
  return PERMISSION_SETS.filter((p) => p.type === type).map((p) => p.id);
}

export interface MerchantInput {
  type: MerchantType;
  nickname: string;
  principal_name?: string;
}

function uniqueAppid(ctx: EmulatorContext): string {
  const first = ctx.ids.merchantAppid();
  let candidate = first;
  for (let i = 1; ctx.state.merchants.has(candidate); i++) {
    const n = (BigInt(`0x${first.slice(2)}`) + BigInt(i)) & 0xffffffffffffffffn;
    candidate = `wx${n.toString(16).padStart(16, '0')}`;
  }
  return candidate;
}

export function insertMerchant(ctx: EmulatorContext, input: MerchantInput): Merchant {
  const merchant: Merchant = {
    appid: uniqueAppid(ctx),
    type: input.type,
    nickname: input.nickname,
    user_name: ctx.ids.userName(),
    principal_name: input.principal_name ?? `${input.nickname} Co., Ltd. (fake)`,
    createdAt: nowMs(ctx),
  };
  ctx.state.merchants.set(merchant.appid, merchant);
  return merchant;
}

const TYPES_BY_AUTH_TYPE: Readonly<Record<number, readonly MerchantType[]>> = {
  1: ['officialaccount'],
  2: ['miniprogram'],
  3: ['officialaccount', 'miniprogram'],
  6: ['officialaccount', 'miniprogram'],
};

/**
 * The accounts the page lists: `biz_appid` wins over `auth_type` (only that account); otherwise
 * the types allowed by `auth_type` (4, 5 and 8 name account kinds the emulator has none of).
 */
export function allowedMerchants(
  ctx: EmulatorContext,
  authType: number,
  bizAppid?: string,
): Merchant[] {
  const all = [...ctx.state.merchants.values()];
  if (bizAppid) return all.filter((m) => m.appid === bizAppid);
  const types = TYPES_BY_AUTH_TYPE[authType] ?? [];
  return all.filter((m) => types.includes(m.type));
}

export function merchantView(m: Merchant): Record<string, unknown> {
  return {
    appid: m.appid,
    type: m.type,
    nickname: m.nickname,
    user_name: m.user_name,
    principal_name: m.principal_name,
  };
}
