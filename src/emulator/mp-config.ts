import type { EmulatorContext } from './context.ts';
import type { EmulatorState } from './state.ts';

/**
 * Per mini program configuration on WeChat's side: server and business domains, categories,
 * privacy guide and basic info, plus the platform's registered domain lists.
 * Reference: ../shared/wechat/02 §8.2, §8.5, §8.6.
 */
export const SERVER_KINDS = [
  'requestdomain',
  'wsrequestdomain',
  'uploaddomain',
  'downloaddomain',
  'udpdomain',
  'tcpdomain',
] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const MAX_SERVER_DOMAINS = 200;
export const MAX_WEBVIEW_DOMAINS = 300;
/**
 * Categories: at most CATEGORY_LIMIT in all (category_limit), and CATEGORY_ADD_LIMIT additions per
 * change cycle (limit; quota is what is left). The doc sample answers limit 5, quota 4,
 * category_limit 20. Source: doc openApi/miniprogram-management/category-management/api_getsettingcategories.
 */
export const CATEGORY_LIMIT = 20;
export const CATEGORY_ADD_LIMIT = 5;
export const SIGNATURE_QUOTA = 5;
export const HEAD_IMAGE_QUOTA = 5;
/**
 * Renames a year (getaccountbasicinfo nickname_info.modify_quota). The doc's note "组织类型小程序
 * 发布代码后不可改名，需走认证，所以如果发布后modify_used_count就是2" implies a quota of 2
 * (doc openApi/OpenApiDoc/miniprogram-management/basic-info-management/getAccountBasicInfo).
 */
export const NICKNAME_QUOTA = 2;

export interface MpHeadImage {
  media_id: string;
  crop: { x1: number; y1: number; x2: number; y2: number };
  url: string;
}

export interface MpCategory {
  first: number;
  second: number;
  audit_status: 1 | 2 | 3;
}

export interface MpPrivacy {
  owner_setting: Record<string, unknown>;
  setting_list: Array<{ privacy_key: string; privacy_text: string }>;
  update_time: number;
}

export interface MpConfig {
  server: Record<ServerKind, string[]>;
  webview: string[];
  categories: MpCategory[];
  privacy: { dev: MpPrivacy | null; live: MpPrivacy | null };
  signature: string;
  signatureUsed: number;
  /** Categories added in this change cycle (getcategory's limit − quota). */
  categoryAdds: number;
  headImage: MpHeadImage | null;
  headImageUsed: number;
  /** Renames approved this year (getaccountbasicinfo nickname_info; absent in older states). */
  nicknameUsed?: number;
}

export interface PlatformDomains {
  /** Bare hosts; null until set (then any valid domain is accepted — assumed for the sandbox). */
  server: string[] | null;
  webview: string[] | null;
}

interface MpConfigState {
  apps: Map<string, MpConfig>;
  platform: PlatformDomains;
  media: Map<string, MediaRecord>;
}

export interface MediaRecord {
  appid: string;
  type: string;
  created_at: number;
}

const states = new WeakMap<EmulatorState, MpConfigState>();

/** The whole area (also what the snapshot of the world holds, persistence.ts). */
export function stateOf(ctx: EmulatorContext): MpConfigState {
  let s = states.get(ctx.state);
  if (!s) {
    s = { apps: new Map(), platform: { server: null, webview: null }, media: new Map() };
    states.set(ctx.state, s);
  }
  return s;
}

export function mpConfig(ctx: EmulatorContext, appid: string): MpConfig {
  const s = stateOf(ctx);
  let c = s.apps.get(appid);
  if (!c) {
    c = {
      server: {
        requestdomain: [],
        wsrequestdomain: [],
        uploaddomain: [],
        downloaddomain: [],
        udpdomain: [],
        tcpdomain: [],
      },
      webview: [],
      categories: [],
      privacy: { dev: null, live: null },
      signature: '',
      signatureUsed: 0,
      categoryAdds: 0,
      headImage: null,
      headImageUsed: 0,
    };
    s.apps.set(appid, c);
  }
  return c;
}

/** Temporary media the emulator issued, by media id. */
export function mediaStore(ctx: EmulatorContext): Map<string, MediaRecord> {
  return stateOf(ctx).media;
}

export function platformDomains(ctx: EmulatorContext): PlatformDomains {
  return stateOf(ctx).platform;
}

export function setPlatformDomains(ctx: EmulatorContext, next: Partial<PlatformDomains>): void {
  const p = stateOf(ctx).platform;
  if (next.server !== undefined) p.server = next.server;
  if (next.webview !== undefined) p.webview = next.webview;
}

/**
 * The category catalogue (fake ids, names after WeChat's): level 1 parents with level 2 children.
 * A sensitive category (getallcategories `sensitive_type` 1: "需要提供相应资质审核") lists the
 * qualification documents it needs in `qualify.exter_list[].inner_list[].name`; the 便利店 entry
 * carries the text of the getallcategories doc sample
 * (doc openApi/miniprogram-management/category-management/api_getallcategories).
 */
export interface CatalogueEntry {
  id: number;
  name: string;
  father: number;
  /** Qualification documents of a sensitive category (sensitive_type 1). */
  qualifications?: readonly string[];
}
export const CATALOGUE: readonly CatalogueEntry[] = [
  { id: 1, name: '工具', father: 0 },
  { id: 101, name: '效率', father: 1 },
  { id: 102, name: '信息查询', father: 1 },
  { id: 2, name: '商业服务', father: 0 },
  { id: 201, name: '企业管理', father: 2 },
  { id: 3, name: '餐饮', father: 0 },
  { id: 301, name: '点餐平台', father: 3 },
  { id: 302, name: '外卖平台', father: 3 },
  { id: 4, name: '购物', father: 0 },
  {
    id: 401,
    name: '便利店',
    father: 4,
    qualifications: ['若涉及食品，请提供《食品经营许可证》或《卫生许可证》'],
  },
];

/** A category that needs qualification documents (sensitive_type 1). */
export function isSensitiveCategory(id: number): boolean {
  return (CATALOGUE.find((c) => c.id === id)?.qualifications?.length ?? 0) > 0;
}

export function categoryName(id: number): string {
  return CATALOGUE.find((c) => c.id === id)?.name ?? '';
}

export function isCategoryPair(first: number, second: number): boolean {
  return CATALOGUE.some((c) => c.id === second && c.father === first && first !== 0);
}
