import { nowMs, type EmulatorContext } from './context.ts';
import type { Merchant, MerchantType } from './state.ts';

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

export const PERMISSION_SETS: readonly PermissionSet[] = [
  { id: 1, zh: '消息管理权限', en: 'Message management', type: 'officialaccount' },
  { id: 2, zh: '用户管理权限', en: 'User management', type: 'officialaccount' },
  { id: 3, zh: '帐号服务权限', en: 'Account services', type: 'officialaccount' },
  { id: 4, zh: '网页服务权限', en: 'Web services', type: 'officialaccount' },
  { id: 11, zh: '素材管理权限', en: 'Material management', type: 'officialaccount' },
  { id: 15, zh: '自定义菜单权限', en: 'Custom menu', type: 'officialaccount' },
  { id: 17, zh: '帐号管理权限', en: 'Account management', type: 'miniprogram' },
  { id: 18, zh: '开发管理与数据分析权限', en: 'Development and analytics', type: 'miniprogram' },
  { id: 19, zh: '客服消息管理权限', en: 'Customer-service messages', type: 'miniprogram' },
  // Category, nickname, avatar and signature APIs need set 30. Source: doc
  // Third-party_Platforms/2.0/product/miniprogram_authority; doc
  // openApi/miniprogram-management/basic-info-management/api_setheadimage.
  { id: 30, zh: '基本信息管理权限', en: 'Basic information management', type: 'miniprogram' },
];

/**
 * The permission set of a mini program's code and domain APIs (开发管理与数据分析). Source: doc
 * Third-party_Platforms/2.0/product/miniprogram_authority.
 */
export const DEVELOPMENT_FUNC_ID = 18;

/** The permission set of a mini program's basic-information and category APIs. */
export const BASIC_INFO_FUNC_ID = 30;

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
