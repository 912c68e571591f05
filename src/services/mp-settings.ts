import type { WechatClient } from '../wechat/client.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, namedFieldRefusal as badField } from '../core/errors.ts';
import { WechatApiError } from '../wechat/errors.ts';
import type { Db } from '../store/db.ts';
import { createVerificationQueries } from '../store/queries/verification.ts';
import {
  checkCategories,
  checkPrivacy,
  checkServerDomains,
  checkWebviewDomains,
  SERVER_KINDS,
  WX_FIELD,
  type PlatformDomains,
  type PrivacySpec,
  type ServerDomains,
} from './profile/spec.ts';

/**
 * A mini program's settings by hand: each call checks the input as a profile would, then asks
 * WeChat and returns its answer (WeChat's errors surface as they are). A rename answered with an
 * audit_id, and a category WeChat lists as reviewing (audit_status 1) after it was added, are
 * recorded as pending reviews (services/verification/ records the wxa_nickname_audit and
 * wxa_category_audit pushes that decide them).
 */
export type MpSettings = ReturnType<typeof createMpSettings>;

export interface CropBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface BasicInfoInput {
  signature?: string;
  nickname?: string;
  /** A temporary image uploaded with this app's token (`/cgi-bin/media/upload?type=image`). */
  head_img_media_id?: string;
  /** Part of the image kept as the (square) avatar, as fractions 0..1; default the whole image. */
  head_img_crop?: CropBox;
}

/**
 * The server domains WeChat left out of a modify_domain it answered with errcode 0: per kind
 * (the `invalid_*` lists: against the rules or not among the platform's domains) and `no_icp`
 * (no ICP filing, `no_icp_domain`). Source: community/develop/doc/0002c6d28486c00ed50daec9551000
 * (real answers with rid carrying these lists next to the kept ones).
 */
export type FilteredDomains = ServerDomains & { no_icp: string[] };

/** The filtered lists of a modify_domain answer, or undefined when WeChat kept every domain. */
export function filteredDomains(answer: Record<string, unknown>): FilteredDomains | undefined {
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const out = {
    ...Object.fromEntries(SERVER_KINDS.map((k) => [k, strings(answer[`invalid_${WX_FIELD[k]}`])])),
    no_icp: strings(answer['no_icp_domain']),
  } as FilteredDomains;
  const any = SERVER_KINDS.some((k) => (out[k] ?? []).length > 0) || out.no_icp.length > 0;
  return any ? out : undefined;
}

const WHOLE: CropBox = { x1: 0, y1: 0, x2: 1, y2: 1 };
function checkHeadImage(b: BasicInfoInput): CropBox | undefined {
  if (b.head_img_media_id === undefined) {
    if (b.head_img_crop !== undefined)
      throw badField('head_img_media_id', 'give the media id of the image to crop', {
        reason: 'required_with',
        property: 'head_img_crop',
      });
    return undefined;
  }
  if (b.head_img_media_id.trim() === '')
    throw badField('head_img_media_id', 'upload the image first and give its media id', {
      reason: 'required',
    });
  const box = b.head_img_crop ?? WHOLE;
  for (const k of ['x1', 'y1', 'x2', 'y2'] as const) {
    if (!Number.isFinite(box[k]) || box[k] < 0 || box[k] > 1)
      throw badField(`head_img_crop.${k}`, `${box[k]} is not between 0 and 1`, {
        reason: 'crop_out_of_range',
        value: box[k],
      });
  }
  if (box.x2 <= box.x1) {
    throw badField('head_img_crop.x2', 'must be greater than x1', {
      reason: 'crop_not_greater',
      other: 'x1',
    });
  }
  if (box.y2 <= box.y1) {
    throw badField('head_img_crop.y2', 'must be greater than y1', {
      reason: 'crop_not_greater',
      other: 'y1',
    });
  }
  return box;
}

export function createMpSettings(deps: {
  client: WechatClient;
  platform: PlatformDomains;
  /** Where pending reviews are recorded (none: not recorded). */
  db?: Db;
  clock?: Clock;
}) {
  const { client, platform } = deps;
  const reviews = deps.db ? createVerificationQueries(deps.db) : undefined;
  const at = () => new Date(deps.clock ? deps.clock.now() : Date.now());
  const serverView = (r: Record<string, unknown>): ServerDomains =>
    Object.fromEntries(
      SERVER_KINDS.map((k) => [k, (r[WX_FIELD[k]] as string[] | undefined) ?? []]),
    );

  return {
    async domains(appid: string): Promise<ServerDomains> {
      return serverView(await client.call('modify_domain', { action: 'get' }, { appid }));
    },
    /**
     * Sets the server domains; answers what WeChat kept and, when it dropped some (errcode 0
     * with `invalid_*` / `no_icp_domain` lists), `filtered` naming them.
     */
    async setDomains(
      appid: string,
      domains: ServerDomains,
    ): Promise<ServerDomains & { filtered?: FilteredDomains }> {
      checkServerDomains(domains, platform, 'domains');
      const body = Object.fromEntries(SERVER_KINDS.map((k) => [WX_FIELD[k], domains[k] ?? []]));
      let answer;
      try {
        answer = await client.call('modify_domain', { action: 'set', ...body }, { appid });
      } catch (err) {
        // 85301: WeChat filtered out every domain given; its answer lists them (same source).
        const refused = err instanceof WechatApiError && err.errcode === 85301;
        const filtered = refused ? filteredDomains(err.answer) : undefined;
        if (!refused || !filtered) throw err;
        throw new AppError(
          'bad_request',
          'WeChat kept none of the domains: each breaks its rules, is not among the platform’s server domains or has no ICP filing (see params.filtered)',
          {
            details: {
              field: 'domains',
              errcode: err.errcode,
              errmsg: err.errmsg,
              params: { reason: 'domains_all_filtered', filtered },
            },
          },
        );
      }
      const filtered = filteredDomains(answer);
      return { ...serverView(answer), ...(filtered ? { filtered } : {}) };
    },
    async webviewDomains(appid: string): Promise<string[]> {
      return (
        (await client.call('setwebviewdomain', { action: 'get' }, { appid })).webviewdomain ?? []
      );
    },
    async setWebviewDomains(appid: string, domains: string[]): Promise<string[]> {
      checkWebviewDomains(domains, platform, 'webview_domains');
      await client.call('setwebviewdomain', { action: 'set', webviewdomain: domains }, { appid });
      return this.webviewDomains(appid);
    },
    categories: (appid: string) => client.call('getcategory', {}, { appid }),
    availableCategories: (appid: string) => client.call('getallcategories', {}, { appid }),
    async addCategories(appid: string, categories: Array<{ first: number; second: number }>) {
      checkCategories(categories, 'categories');
      await client.call('addcategory', { categories }, { appid });
      const now = await client.call('getcategory', {}, { appid });
      if (reviews) {
        const pending = await reviews.pendingCategories(appid);
        for (const c of now.categories ?? []) {
          const added = categories.some((k) => k.first === c.first && k.second === c.second);
          const known = pending.some((p) => p.first_id === c.first && p.second_id === c.second);
          if (added && !known && c.audit_status === 1) {
            await reviews.insertReview({
              appid,
              kind: 'category',
              first: c.first,
              second: c.second,
              at: at(),
            });
          }
        }
      }
      return now;
    },
    async deleteCategory(appid: string, c: { first: number; second: number }) {
      await client.call('deletecategory', c, { appid });
      return client.call('getcategory', {}, { appid });
    },
    privacy: (appid: string) => client.call('getprivacysetting', { privacy_ver: 2 }, { appid }),
    async setPrivacy(appid: string, p: PrivacySpec) {
      checkPrivacy(p);
      await client.call('setprivacysetting', { privacy_ver: 2, ...p }, { appid });
      return client.call('getprivacysetting', { privacy_ver: 2 }, { appid });
    },
    async setBasicInfo(appid: string, b: BasicInfoInput) {
      const crop = checkHeadImage(b);
      if (b.nickname !== undefined) {
        const res = await client.call('setnickname', { nick_name: b.nickname }, { appid });
        // audit_id: the name waits for WeChat's review (doc setNickName), decided by a push.
        if (reviews && res.audit_id !== undefined) {
          await reviews.insertReview({
            appid,
            kind: 'nickname',
            audit_id: res.audit_id,
            nickname: b.nickname,
            at: at(),
          });
        }
      }
      if (b.signature !== undefined) {
        await client.call('modifysignature', { signature: b.signature }, { appid });
      }
      if (b.head_img_media_id !== undefined && crop) {
        const box = {
          x1: String(crop.x1),
          y1: String(crop.y1),
          x2: String(crop.x2),
          y2: String(crop.y2),
        };
        await client.call(
          'modifyheadimage',
          { head_img_media_id: b.head_img_media_id, ...box },
          { appid },
        );
      }
      return client.call('getaccountbasicinfo', {}, { appid });
    },
  };
}
