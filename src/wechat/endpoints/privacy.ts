import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/** The privacy protection guide of a mini program. Reference: ../shared/wechat/02 §5.6. */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/privacy-management/';

/** The newer doc tree the privacy interface pages live in. */
const API_DOC = 'https://developers.weixin.qq.com/doc/oplatform/openApi/miniprogram-management/';

/** One row of get_privacy_interface (doc api_getprivacyinterface; SKIT WxaSecurityGetPrivacyInterfaceResponse). */
export const privacyInterface = z.looseObject({
  api_name: z.string(),
  api_ch_name: z.string().optional(),
  api_desc: z.string().optional(),
  apply_time: z.number().optional(),
  status: z.number().optional(),
  audit_id: z.number().optional(),
  fail_reason: z.string().optional(),
  api_link: z.string().optional(),
  group_name: z.string().optional(),
});

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const setting = z.object({ privacy_key: z.string().min(1), privacy_text: z.string() });
const ownerSetting = z.looseObject({
  contact_email: z.string().optional(),
  contact_phone: z.string().optional(),
  contact_qq: z.string().optional(),
  contact_weixin: z.string().optional(),
  notice_method: z.string().optional(),
  store_expire_timestamp: z.string().optional(),
  ext_file_media_id: z.string().optional(),
  store_region: z.number().optional(),
});

export const privacyEndpoints = defineEndpoints({
  setprivacysetting: {
    name: 'setprivacysetting',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/component/setprivacysetting',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      privacy_ver: z.number().int().optional(),
      owner_setting: ownerSetting,
      setting_list: z.array(setting).optional(),
    }),
    response: ok,
    // 86071 privacy_ver invalid: community answers cited in ../shared/wechat/03 row D7.
    errcodes: [86069, 86070, 86071, 86072, 86073, 86074, 86075],
    doc: `${DOC}setPrivacySetting.html`,
    summary: 'Set the privacy protection guide (development version by default)',
  },
  getprivacysetting: {
    name: 'getprivacysetting',
    method: 'POST',
    // POST, but only queries
    effect: 'read',
    path: '/cgi-bin/component/getprivacysetting',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ privacy_ver: z.number().int().optional() }),
    response: z.looseObject({
      code_exist: z.number().optional(),
      privacy_list: z.array(z.string()).optional(),
      setting_list: z.array(z.looseObject({ privacy_key: z.string(), privacy_text: z.string() })),
      owner_setting: ownerSetting.optional(),
    }),
    errcodes: [86074],
    doc: `${DOC}getPrivacySetting.html`,
    summary: 'Read the privacy protection guide',
  },

  // Doc openApi/miniprogram-management/code-management/api_getcodeprivacyinfo (61039 detection
  // still running, 61040 undeclared/unauthorized); SKIT WxaSecurityGetCodePrivacyInfoResponse.
  get_code_privacy_info: {
    name: 'get_code_privacy_info',
    method: 'GET',
    path: '/wxa/security/get_code_privacy_info',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      without_auth_list: z.array(z.string()).optional(),
      without_conf_list: z.array(z.string()).optional(),
    }),
    errcodes: [61039, 61040],
    doc: `${API_DOC}code-management/api_getcodeprivacyinfo`,
    summary:
      'Privacy interfaces the committed code uses without permission (without_auth_list) or without a declaration in ext.json (without_conf_list)',
  },
  // Doc openApi/miniprogram-management/privacy-api-management/api_applyprivacyinterface and
  // Third-party_Platforms/2.0/api/apply_api/apply_privacy_interface (61031–61035); SKIT
  // WxaSecurityApplyPrivacyInterfaceRequest/Response; WxJava WxOpenMaPrivacyService.
  apply_privacy_interface: {
    name: 'apply_privacy_interface',
    method: 'POST',
    effect: 'write',
    path: '/wxa/security/apply_privacy_interface',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      api_name: z.string().min(1),
      content: z.string(),
      url_list: z.array(z.string()).optional(),
      pic_list: z.array(z.string()).optional(),
      video_list: z.array(z.string()).optional(),
    }),
    response: z.looseObject({ audit_id: z.number().optional() }),
    errcodes: [61031, 61032, 61033, 61034, 61035],
    doc: `${API_DOC}privacy-api-management/api_applyprivacyinterface.html`,
    summary:
      'Apply for a privacy interface (e.g. wx.getLocation) with the reason and a page, picture or video showing its use; the result arrives as wxa_privacy_apply',
  },
  // Doc openApi/miniprogram-management/privacy-api-management/api_getprivacyinterface (status 1
  // to apply for, 2 no permission, 3 applying, 4 rejected, 5 granted); SKIT
  // WxaSecurityGetPrivacyInterfaceResponse.
  get_privacy_interface: {
    name: 'get_privacy_interface',
    method: 'GET',
    path: '/wxa/security/get_privacy_interface',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({ interface_list: z.array(privacyInterface).optional() }),
    errcodes: [],
    doc: `${API_DOC}privacy-api-management/api_getprivacyinterface`,
    summary: 'The privacy interfaces that need an application, each with its state',
  },
  // Doc Third-party_Platforms/2.0/api/privacy_config/upload_privacy_exfile (multipart `file`,
  // txt only, at most 100 KB; 40006 file type, 40126 size); SKIT
  // CgibinComponentUploadPrivacyExtFileRequest/Response.
  uploadprivacyextfile: {
    name: 'uploadprivacyextfile',
    method: 'POST',
    // a repeat stores another file; the first id stays usable
    effect: 'read',
    path: '/cgi-bin/component/uploadprivacyextfile',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({ ext_file_media_id: z.string().optional() }),
    errcodes: [40006, 40126, 41005],
    doc: `${DOC}uploadPrivacySetting.html`,
    summary:
      'Upload a custom privacy guide (multipart `file`, a .txt of at most 100 KB) for owner_setting.ext_file_media_id',
  },
  // Doc openApi/miniprogram-management/code-management/api_uploadmediatocodeaudit (multipart
  // `media`: image PNG/JPEG/JPG/GIF at most 2 MB, video MP4 at most 10 MB; answer type and
  // mediaid, valid 3 days; 40005 file type, 40006 size, 41005 no media); SKIT
  // WxaUploadMediaRequest/Response (older versions name the id media_id).
  uploadmedia: {
    name: 'uploadmedia',
    method: 'POST',
    // a repeat stores another file, expiring in 3 days
    effect: 'read',
    path: '/wxa/uploadmedia',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      type: z.string().optional(),
      mediaid: z.string().optional(),
      media_id: z.string().optional(),
    }),
    errcodes: [40005, 40006, 41005, 43002],
    doc: `${API_DOC}code-management/api_uploadmediatocodeaudit`,
    summary:
      'Upload an audit material (multipart `media`) for submit_audit preview_info; answered with type and mediaid (valid 3 days)',
  },
});
