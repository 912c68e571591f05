import { randomAlnum } from '../../core/random.ts';
import { nowMs, type EmulatorContext } from '../context.ts';
import {
  CATALOGUE,
  CATEGORY_ADD_LIMIT,
  CATEGORY_LIMIT,
  categoryName,
  HEAD_IMAGE_QUOTA,
  isCategoryPair,
  isSensitiveCategory,
  mediaStore,
  mpConfig,
  NICKNAME_QUOTA,
  SIGNATURE_QUOTA,
} from '../mp-config.ts';
import { appCode } from '../code.ts';
import { openCategoryReview, openNicknameReview } from '../verification.ts';
import { BASIC_INFO_FUNC_ID } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { multipartParts, sniffFormat } from './icp.ts';
import { OK, type Caller, type HandlerTable } from './types.ts';

/**
 * Categories and basic info of a mini program, and the temporary media upload its avatar comes
 * from. A category added with qualification materials (`certicates`) goes to review (audit_status
 * 1, decided by the control route /control/reviews/:appid and pushed as wxa_category_audit);
 * one without is approved at once (assumed); a sensitive one (sensitive_type 1) needs them. A
 * rename always goes to review (doc setNickName: audit_id when the name needs manual review),
 * pushed as wxa_nickname_audit. Reference: ../shared/wechat/02 §5.1–5.5, §8.6; ../verification.ts.
 */
const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'thumb']);
const MEDIA_TTL_MS = 3 * 24 * 3600 * 1000;
const MB = 1024 * 1024;
const MEDIA_RULES: Readonly<
  Record<string, { maxBytes: number; sizeErrcode: number; formats?: readonly string[] }>
> = {
  image: { maxBytes: 10 * MB, sizeErrcode: 40009, formats: ['png', 'jpeg', 'gif'] },
  voice: { maxBytes: 2 * MB, sizeErrcode: 40010 },
  video: { maxBytes: 10 * MB, sizeErrcode: 40011, formats: ['mp4'] },
  thumb: { maxBytes: 64 * 1024, sizeErrcode: 40012, formats: ['jpeg'] },
};

/**
 * The crop box as numbers: 40097 unless each is in [0, 1]; an empty or inverted box (x1 < x2 and
 * y1 < y2 are required) is 53205 "cut size invalid, please check x1 y1 x2 y2".
 * Source: community/develop/doc/00022c0b0a0c40cea68b9a66457000 (real answer with rid).
 */
function cropBox(b: { x1: string; y1: string; x2: string; y2: string }) {
  const n = (k: 'x1' | 'y1' | 'x2' | 'y2'): number => {
    const v = b[k].trim() === '' ? NaN : Number(b[k]);
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new WxApiError(40097, `${k} not in [0, 1]`);
    return v;
  };
  const box = { x1: n('x1'), y1: n('y1'), x2: n('x2'), y2: n('y2') };
  if (box.x2 <= box.x1 || box.y2 <= box.y1) throw new WxApiError(53205);
  return box;
}

function miniProgram(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  // 41033 means "该接口只允许通过API创建的小程序使用" (doc
  // openApi/miniprogram-management/basic-info-management/api_checknickname), not "wrong account
  // type": an official account holds none of the mini-program permission sets, so 61007.
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(61007);
  // Without permission set 30 (基本信息管理) WeChat answers 61007 "api is unauthorized to
  // component". Source: doc Third-party_Platforms/2.0/product/miniprogram_authority.
  const auth = ctx.state.authorizations.get(caller.appid);
  if (!auth?.funcIds.includes(BASIC_INFO_FUNC_ID)) throw new WxApiError(61007);
  return caller.appid;
}

export const categoryHandlers: HandlerTable = {
  getallcategories: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      const categories = CATALOGUE.map((c) => ({
        id: c.id,
        name: c.name,
        level: c.father === 0 ? 1 : 2,
        father: c.father,
        children: CATALOGUE.filter((k) => k.father === c.id).map((k) => k.id),
        sensitive_type: c.qualifications?.length ? 1 : 0,
        ...(c.qualifications?.length
          ? {
              // As the doc sample writes it: the document names only.
              qualify: { exter_list: [{ inner_list: c.qualifications.map((name) => ({ name })) }] },
            }
          : {}),
      }));
      return { ...OK, categories_list: { categories } };
    },
  },

  getcategory: {
    handle({ ctx, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      return {
        ...OK,
        categories: cfg.categories.map((c) => ({
          first: c.first,
          first_name: categoryName(c.first),
          second: c.second,
          second_name: categoryName(c.second),
          audit_status: c.audit_status,
          audit_reason: '',
        })),
        limit: CATEGORY_ADD_LIMIT,
        quota: Math.max(0, CATEGORY_ADD_LIMIT - cfg.categoryAdds),
        category_limit: CATEGORY_LIMIT,
      };
    },
  },

  addcategory: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const seen = new Set(cfg.categories.map((c) => `${c.first}/${c.second}`));
      for (const c of body.categories) {
        if (!isCategoryPair(c.first, c.second)) {
          throw new WxApiError(53303, `unknown category ${c.first}/${c.second}`);
        }
        const key = `${c.first}/${c.second}`;
        if (seen.has(key)) throw new WxApiError(53304, key);
        // A sensitive category is added with its qualification documents (certicates), which
        // WeChat then reviews (doc api_addcategory: 资质信息 for sensitive_type 1). Without them
        // the request is refused as invalid parameters; the errcode is assumed (not documented).
        if (isSensitiveCategory(c.second) && (c.certicates?.length ?? 0) === 0) {
          throw new WxApiError(53303, `category ${key} needs its qualification documents`);
        }
        seen.add(key);
      }
      // 53301: more than category_limit categories; 53300: more additions than this cycle's
      // limit. Source: doc openApi/miniprogram-management/category-management/api_getsettingcategories
      // and api_addcategory.
      if (seen.size > CATEGORY_LIMIT) throw new WxApiError(53301);
      if (cfg.categoryAdds + body.categories.length > CATEGORY_ADD_LIMIT) {
        throw new WxApiError(53300);
      }
      cfg.categoryAdds += body.categories.length;
      for (const c of body.categories) {
        const review = (c.certicates?.length ?? 0) > 0;
        cfg.categories.push({ first: c.first, second: c.second, audit_status: review ? 1 : 3 });
        if (review) openCategoryReview(ctx, appid, c.first, c.second);
      }
      return { ...OK };
    },
  },

  deletecategory: {
    handle({ ctx, body, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      const found = cfg.categories.find((c) => c.first === body.first && c.second === body.second);
      if (!found) throw new WxApiError(53303, `category ${body.first}/${body.second} not set`);
      if (found.audit_status === 1) throw new WxApiError(53308);
      cfg.categories = cfg.categories.filter((c) => c !== found);
      return { ...OK };
    },
  },

  getaccountbasicinfo: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const merchant = ctx.state.merchants.get(appid);
      const nickname = merchant?.nickname ?? '';
      const personal = merchant?.principal_name === '个人';
      // An organisation's mini program cannot be renamed once it has released code: its
      // modify_used_count is then the full quota (doc getAccountBasicInfo 注意事项).
      const released = !personal && appCode(ctx, appid).online !== null;
      return {
        ...OK,
        appid,
        account_type: 3,
        nickname,
        // Principal, real-name, verification and name fields as WeChat answers them: SKIT
        // CgibinAccountGetAccountBasicInfoResponse.cs, doc
        // openApi/miniprogram-management/basic-info-management/api_getaccountbasicinfo.
        // principal_type: 1 for an organisation, 0 for a person (assumed (no doc): the stored
        // copy of the doc names the field an enum without listing its values).
        principal_type: personal ? 0 : 1,
        principal_name: merchant?.principal_name ?? '',
        // Doc: "非个人主体时返回的是企业或者政府或其他组织的代号", so empty for a person. The code is
        // a fake 18-character one derived from the appid.
        credential: personal ? '' : `91${appid.slice(2).toUpperCase()}`.slice(0, 18),
        // Doc: 1 once the account is verified. Emulated accounts are verified (verify_type_info
        // id 0 in api_get_authorizer_info).
        realname_status: 1,
        // Registered in mainland China: 1 assumed (no doc: the enum's values are not in the
        // stored copy of the doc).
        registered_country: 1,
        nickname_info: {
          nickname,
          modify_used_count: released ? NICKNAME_QUOTA : (cfg.nicknameUsed ?? 0),
          modify_quota: NICKNAME_QUOTA,
        },
        // annual_review only when qualification_verify is true (doc); no review is due in the
        // emulator, so its begin and end times are left out (optional in SKIT).
        wx_verify_info: { qualification_verify: true, naming_verify: true, annual_review: false },
        signature_info: {
          signature: cfg.signature,
          modify_used_count: cfg.signatureUsed,
          modify_quota: SIGNATURE_QUOTA,
        },
        head_image_info: {
          head_image_url: cfg.headImage?.url ?? '',
          modify_used_count: cfg.headImageUsed,
          modify_quota: HEAD_IMAGE_QUOTA,
        },
      };
    },
  },

  modifysignature: {
    handle({ ctx, body, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      // More than 120 characters is 53204 "signature invalid": assumed (no doc gives the limit
      // for this API; 120 is the mini program console's limit for 简介).
      if (body.signature.length > 120) throw new WxApiError(53204);
      if (cfg.signatureUsed >= SIGNATURE_QUOTA) throw new WxApiError(53200);
      cfg.signature = body.signature;
      cfg.signatureUsed += 1;
      return { ...OK };
    },
  },

  // Doc offiaccount/Asset_Management/New_temporary_materials: the file is the multipart field
  // `media`; image ≤ 10 MB in PNG, JPEG or GIF, voice ≤ 2 MB, video ≤ 10 MB (MP4), thumb ≤ 64 KB
  // (JPG). Errcodes of the global return codes (doc oplatform/Return_codes): 41005 media data
  // missing, 40005 invalid file type, 40009 invalid image size, 40010 voice, 40011 video, 40012
  // thumb. A voice file's format is not checked (assumed).
  media_upload: {
    rawBody: true,
    handle({ ctx, caller, query, raw }) {
      if (caller.kind !== 'authorizer') throw new WxApiError(40001);
      const type = query['type'] ?? '';
      if (!MEDIA_TYPES.has(type)) throw new WxApiError(40004);
      const media = multipartParts(raw ?? '').find((p) => p.name === 'media');
      if (!media || media.data.length === 0) throw new WxApiError(41005, 'multipart field media');
      const rule = MEDIA_RULES[type];
      const format = sniffFormat(media.data);
      if (rule?.formats && (!format || !rule.formats.includes(format))) {
        throw new WxApiError(40005);
      }
      if (rule && media.data.length > rule.maxBytes) throw new WxApiError(rule.sizeErrcode);
      const media_id = randomAlnum(64, ctx.random);
      const created_at = Math.floor(nowMs(ctx) / 1000);
      mediaStore(ctx).set(media_id, { appid: caller.appid, type, created_at });
      return { type, media_id, created_at };
    },
  },

  modifyheadimage: {
    missing: { head_img_media_id: 41006 },
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const media = mediaStore(ctx).get(body.head_img_media_id);
      const fresh = media && nowMs(ctx) - media.created_at * 1000 < MEDIA_TTL_MS;
      if (!media || !fresh || media.appid !== appid || media.type !== 'image') {
        throw new WxApiError(40007);
      }
      const crop = cropBox(body);
      const cfg = mpConfig(ctx, appid);
      if (cfg.headImageUsed >= HEAD_IMAGE_QUOTA) throw new WxApiError(53202);
      const url = `https://wx.qlogo.cn/mmhead/${body.head_img_media_id.slice(0, 32)}/0`;
      cfg.headImage = { media_id: body.head_img_media_id, crop, url };
      cfg.headImageUsed += 1;
      return { ...OK };
    },
  },

  setnickname: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const name = body.nick_name.trim();
      // 91004 "昵称不合法" (doc setNickName errcode table, as collected in WxJava
      // WxMaErrorMsgEnum); which names WeChat finds invalid is not published: an empty name, one
      // containing 小程序 or longer than 30 characters is assumed (no doc).
      if (name === '' || name.includes('小程序') || name.length > 30) throw new WxApiError(91004);
      // The name changes once the review approves it (../verification.ts).
      const audit_id = openNicknameReview(ctx, appid, name);
      return { ...OK, wording: '', audit_id };
    },
  },
};
