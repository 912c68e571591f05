import { randomAlnum } from '../../core/random.ts';
import { appCode } from '../code.ts';
import { nowSeconds, type EmulatorContext } from '../context.ts';
import { mpConfig } from '../mp-config.ts';
import {
  appPrivacy,
  codePrivacyInfo,
  interfaceRow,
  nextPrivacyAuditId,
  PRIVACY_INTERFACE_NAMES,
  STATUS,
} from '../privacy-interfaces.ts';
import type { EmulatorState } from '../state.ts';
import { DEVELOPMENT_FUNC_ID, requireFuncSet } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { multipartParts, sniffFormat } from './icp.ts';
import { OK, type Caller, type HandlerOutput, type HandlerTable } from './types.ts';

/** The privacy protection guide. Reference: ../shared/wechat/02 §5.6, §8.6. */
const CONTACTS = ['contact_email', 'contact_phone', 'contact_qq', 'contact_weixin'] as const;
const CATALOGUE = ['UserInfo', 'Location', 'Address', 'Album', 'Camera', 'PhoneNumber'];

/** uploadmedia limits (doc api_uploadmediatocodeaudit): image 2 MB (PNG, JPEG, GIF), video 10 MB (MP4). */
export const AUDIT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const AUDIT_VIDEO_MAX_BYTES = 10 * 1024 * 1024;
/** uploadprivacyextfile limit (doc upload_privacy_exfile): a .txt file of at most 100 KB. */
export const PRIVACY_FILE_MAX_BYTES = 100 * 1024;
/** apply_privacy_interface limits (doc): content at most 300 characters, 10 pictures, 1 video. */
const CONTENT_MAX = 300;

/** Custom guide files uploaded per state (ext_file_media_id → appid), for 86073. */
const extFiles = new WeakMap<EmulatorState, Map<string, string>>();
/** The whole area (also what the snapshot of the world holds, persistence.ts). */
export function extFilesOf(ctx: EmulatorContext): Map<string, string> {
  let m = extFiles.get(ctx.state);
  if (!m) {
    m = new Map();
    extFiles.set(ctx.state, m);
  }
  return m;
}

/**
 * The calling mini program; 61007 without permission set 18 (doc setPrivacySetting,
 * getPrivacySetting, uploadPrivacySetting: "权限集 id 为：18"; assumed the same for the privacy
 * interface, code privacy and audit media APIs, which belong to code management).
 */
function authorizerAppid(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  requireFuncSet(ctx, caller.appid, [DEVELOPMENT_FUNC_ID]);
  return caller.appid;
}

/** An error answer with WeChat's own errmsg text for codes the common table lacks. */
function fail(ctx: EmulatorContext, errcode: number, errmsg: string): HandlerOutput {
  return { errcode, errmsg: `${errmsg} rid: ${ctx.ids.rid()}` };
}

export const privacyHandlers: HandlerTable = {
  setprivacysetting: {
    handle({ ctx, body, caller }) {
      const appid = authorizerAppid(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const owner = body.owner_setting;
      if (!CONTACTS.some((k) => typeof owner[k] === 'string' && owner[k] !== '')) {
        throw new WxApiError(86069);
      }
      if (!owner.notice_method) throw new WxApiError(86070);
      const ver = body.privacy_ver ?? 2;
      // 86071 "privacy_ver参数无效" (community answers, ../shared/wechat/03 row D7). The doc says
      // setting_list must not be sent with privacy_ver 1 "否则会报错" without naming the code:
      // 86071 assumed for it too.
      if (ver !== 1 && ver !== 2) return fail(ctx, 86071, 'privacy_ver参数无效');
      if (ver === 1 && body.setting_list !== undefined) {
        return fail(ctx, 86071, 'privacy_ver参数无效');
      }
      // Required with the development version (doc); the code is not documented: 47001 assumed.
      if (ver === 2 && body.setting_list === undefined) throw new WxApiError(47001, 'setting_list');
      const media = owner.ext_file_media_id;
      if (media && extFilesOf(ctx).get(media) !== appid) throw new WxApiError(86073);
      if (ver === 1) {
        if (!cfg.privacy.live) throw new WxApiError(86074);
        cfg.privacy.live = { ...cfg.privacy.live, owner_setting: owner };
        return { ...OK };
      }
      cfg.privacy.dev = {
        owner_setting: owner,
        setting_list: body.setting_list ?? [],
        update_time: nowSeconds(ctx),
      };
      return { ...OK };
    },
  },

  getprivacysetting: {
    handle({ ctx, body, caller }) {
      const appid = authorizerAppid(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const guide = (body.privacy_ver ?? 2) === 1 ? cfg.privacy.live : cfg.privacy.dev;
      if ((body.privacy_ver ?? 2) === 1 && !guide) throw new WxApiError(86074);
      return {
        ...OK,
        // 0 when no code was committed lately (doc getprivacysetting)
        code_exist: appCode(ctx, appid).trial ? 1 : 0,
        privacy_list: [],
        setting_list: (guide?.setting_list ?? []).map((s) => ({
          ...s,
          privacy_label: s.privacy_key,
        })),
        update_time: guide?.update_time ?? 0,
        owner_setting: guide?.owner_setting ?? {},
        privacy_desc: {
          privacy_desc_list: CATALOGUE.map((k) => ({ privacy_key: k, privacy_desc: k })),
        },
      };
    },
  },

  // Doc api_getcodeprivacyinfo; see ../privacy-interfaces.ts for where "used" comes from.
  get_code_privacy_info: {
    handle({ ctx, caller }) {
      const appid = authorizerAppid(ctx, caller);
      const info = codePrivacyInfo(ctx, appid);
      // Nothing committed: the doc names no code; 86001 (no code) assumed, as get_page answers.
      if (!info) throw new WxApiError(86001);
      if (info.running) throw new WxApiError(61039);
      return {
        ...OK,
        without_auth_list: info.without_auth_list,
        without_conf_list: info.without_conf_list,
      };
    },
  },

  // Doc apply_privacy_interface (61031–61035, content ≤ 300 characters, one of url_list,
  // pic_list, video_list required: community/develop/doc/00084c55c180988b6f73967f061400).
  apply_privacy_interface: {
    handle({ ctx, caller, body }) {
      const appid = authorizerAppid(ctx, caller);
      if (!PRIVACY_INTERFACE_NAMES.includes(body.api_name)) {
        return fail(ctx, 61035, 'the api not need apply');
      }
      const current = appPrivacy(ctx, appid).applications.get(body.api_name);
      if (current?.status === STATUS.applying) {
        return fail(ctx, 61031, 'our last submission is under review, please do not apply again');
      }
      // An interface already granted needs no application: 61035 assumed (its doc text).
      if (current?.status === STATUS.granted) return fail(ctx, 61035, 'the api not need apply');
      const urls = body.url_list ?? [];
      const pics = body.pic_list ?? [];
      const videos = body.video_list ?? [];
      if (
        body.content.trim() === '' ||
        [...body.content].length > CONTENT_MAX ||
        urls.length + pics.length + videos.length === 0 ||
        pics.length > 10 ||
        videos.length > 1
      ) {
        return fail(ctx, 61034, 'invalid args, please check');
      }
      if (videos.some((v) => !/\.mp4(\?|#|$)/i.test(v))) {
        return fail(ctx, 61032, 'invalid video type, need mp4-type');
      }
      const audit_id = nextPrivacyAuditId(ctx);
      appPrivacy(ctx, appid).applications.set(body.api_name, {
        status: STATUS.applying,
        audit_id,
        apply_time: nowSeconds(ctx),
        content: body.content,
      });
      return { ...OK, audit_id };
    },
  },

  get_privacy_interface: {
    handle({ ctx, caller }) {
      const appid = authorizerAppid(ctx, caller);
      return {
        ...OK,
        interface_list: PRIVACY_INTERFACE_NAMES.map((n) => interfaceRow(ctx, appid, n)),
      };
    },
  },

  // Doc upload_privacy_exfile: multipart `file`, txt only (40006), at most 100 KB (40126).
  uploadprivacyextfile: {
    rawBody: true,
    handle({ ctx, caller, raw }) {
      const appid = authorizerAppid(ctx, caller);
      const file = multipartParts(raw ?? '').find((p) => p.name === 'file');
      // No file: the doc names no code; 41005 (media data missing) assumed.
      if (!file || file.data.length === 0) throw new WxApiError(41005);
      // A text file: named .txt, no NUL byte, not an image or video under another name.
      const isTxt =
        /\.txt$/i.test(file.filename ?? '') &&
        !file.data.includes('\0') &&
        sniffFormat(file.data) === undefined;
      if (!isTxt) return fail(ctx, 40006, 'invalid file type');
      if (file.data.length > PRIVACY_FILE_MAX_BYTES) return fail(ctx, 40126, 'invalid text size');
      const id = String(2_112_311_471_891_169_280n + BigInt(extFilesOf(ctx).size + 1));
      extFilesOf(ctx).set(id, appid);
      return { ...OK, ext_file_media_id: id };
    },
  },

  // Doc api_uploadmediatocodeaudit: multipart `media`; the type follows the file. A file name
  // without an extension is refused 40005 (community/develop/doc/0000a215e40ef0e17bfba14f756c00).
  uploadmedia: {
    rawBody: true,
    handle({ ctx, caller, raw }) {
      authorizerAppid(ctx, caller);
      const media = multipartParts(raw ?? '').find((p) => p.name === 'media');
      if (!media || media.data.length === 0) throw new WxApiError(41005);
      const format = sniffFormat(media.data);
      const named = /\.[A-Za-z0-9]+$/.test(media.filename ?? '');
      if (!named || format === undefined || format === 'bmp') {
        return fail(ctx, 40005, 'invalid file type');
      }
      const type = format === 'mp4' ? 'video' : 'image';
      const max = type === 'video' ? AUDIT_VIDEO_MAX_BYTES : AUDIT_IMAGE_MAX_BYTES;
      if (media.data.length > max) return fail(ctx, 40006, 'invalid media size');
      return { ...OK, type, mediaid: randomAlnum(43, ctx.random) };
    },
  },
};
